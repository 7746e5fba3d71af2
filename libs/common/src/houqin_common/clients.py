"""Typed async clients for the Houqin services.

The services call each other only through these, and the procurement office can script with them::

    import asyncio
    from houqin_common.clients import ContractsClient

    async def main() -> None:
        async with ContractsClient("http://127.0.0.1:8001", token="<JWT>") as contracts:
            verdict = await contracts.vendor_eligibility("V-001")
            print(verdict.eligible, verdict.reasons)

    asyncio.run(main())

Every error response (problem+json) is raised as an :class:`ApiError` subclass carrying the
problem; a service that cannot be reached after the retries raises :class:`ServiceUnavailableError`, and so
does a URL that answers something other than the service's API (a body that is not JSON or does not validate:
a foreign server at the configured address), which is logged.
Only idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) are retried, with exponential back-off and
full jitter (:mod:`houqin_common.retry`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from houqin_common.i18n import N_, Text, _, current_locale
from houqin_common.observability import REQUEST_ID_HEADER, request_id_var
from houqin_common.retry import retrying
from houqin_common.schemas import (
    ContractRef,
    Eligibility,
    EnergyCostSavings,
    EnergyKpi,
    HazardRef,
    Page,
    ProjectRef,
    RenewalCandidate,
    RouteDecision,
    ScoreBatchItem,
    ScoreBatchRequest,
    ScoreQuery,
    VehicleKpi,
    VendorImportReport,
    VendorRef,
    VendorScore,
)
from houqin_common.settings import ServiceSettings

logger = logging.getLogger("houqin.clients")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})
_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def _segment(value: str) -> str:
    """An id as one URL path segment: ids come from stored data, and one holding ``/``, ``?`` or a control
    character must ask for that id (and get its 404), never build another URL or an invalid one."""
    return quote(value, safe="")


class ApiError(Exception):
    """A service answered with an error; ``problem`` is its problem+json body."""

    def __init__(self, status: int, problem: Mapping[str, Any], *, service: str, text: Text | None = None) -> None:
        self.status = status
        self.problem = dict(problem)
        self.service = service
        detail = self.problem.get("detail") or self.problem.get("title")
        #: the message kept as msgid and parameters, so a stored explanation (a score note) renders in its
        #: reader's language; the remote detail is the remote's text and stays verbatim
        self.text = text or Text(
            N_("{service} answered {status}: {detail}"),
            {
                "service": service,
                "status": status,
                "detail": Text.verbatim(str(detail)) if detail else Text(N_("error")),
            },
        )
        super().__init__(self.text.msgid)

    def __str__(self) -> str:
        return self.text.render()


class BadRequestError(ApiError):
    """400 or 422: the request was refused as invalid."""


class AuthError(ApiError):
    """401 or 403."""


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409, 412 or 428: the state of the resource refused the request."""


class ServiceUnavailableError(ApiError):
    """The service could not be reached or kept failing (5xx) after the retries."""


def _error_class(status: int) -> type[ApiError]:
    if status in (400, 422):
        return BadRequestError
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status in (409, 412, 428):
        return ConflictError
    if status >= 500:
        return ServiceUnavailableError
    return ApiError


class BaseClient:
    """Shared transport: base URL, timeouts, bounded retries, auth and request-id propagation."""

    service = "service"

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(timeout), transport=transport)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        # the caller's language (a request being served, else HOUQIN_LOCALE): reasons and details come back in
        # it, so a CLI run in English prints English and a zh-CN request relays Chinese
        headers = {"Accept": "application/json, application/problem+json", "Accept-Language": current_locale()}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        rid = request_id_var.get()
        if rid:
            headers[REQUEST_ID_HEADER] = rid
        headers.update(extra or {})
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request; raise a typed :class:`ApiError` for any status >= 400."""
        method = method.upper()
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        response: httpx.Response | None = None
        try:
            async for attempt in retrying(
                attempts=attempts,
                initial=self.backoff,
                on_exception=lambda exc: isinstance(exc, httpx.TransportError),
                on_result=lambda r: isinstance(r, httpx.Response) and r.status_code in RETRY_STATUSES,
            ):
                with attempt:
                    try:
                        response = await self._http.request(
                            method, path, params=clean_params, json=json, headers=self._headers(headers), **kwargs
                        )
                    except httpx.TransportError as exc:
                        logger.warning("%s %s %s failed: %s", self.service, method, path, exc)
                        raise
                if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
                    attempt.retry_state.set_result(response)
        except httpx.TransportError as exc:
            text = Text(
                N_("{service} unreachable: {error}"), {"service": self.service, "error": Text.verbatim(str(exc))}
            )
            raise ServiceUnavailableError(
                503, {"title": _("Service unreachable"), "detail": text.render()}, service=self.service, text=text
            ) from exc
        assert response is not None
        if response.status_code >= 400:
            try:
                problem = response.json()
                if not isinstance(problem, dict):
                    problem = {"detail": str(problem)}
            except ValueError:
                problem = {"detail": response.text[:500]}
            raise _error_class(response.status_code)(response.status_code, problem, service=self.service)
        return response

    def parse(self, response: httpx.Response, adapter: TypeAdapter[T], *, items: bool = False) -> T:
        """The body of a successful answer as ``adapter``'s type (with ``items``, a page's ``items`` or a
        bare list). A body that is not JSON or does not validate means the configured URL is not this
        service (a foreign server, a proxy's page): the caller gets :class:`ServiceUnavailableError`, as when
        nothing answers, and the mismatch is logged."""
        try:
            if not items:
                return adapter.validate_json(response.content)
            body = _ANY.validate_json(response.content)
            return adapter.validate_python(body["items"] if isinstance(body, dict) and "items" in body else body)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            logger.warning(
                "%s %s %s answered a body that is not its API (%d errors, first %s at %s)",
                self.service,
                response.request.method,
                response.request.url.path,
                len(errors),
                errors[0]["type"] if errors else None,
                errors[0]["loc"] if errors else None,
            )
            text = Text(
                N_("{service} at {url} answered something that is not its API"),
                {"service": self.service, "url": self.base_url},
            )
            raise ServiceUnavailableError(
                503,
                {"title": _("Service unavailable"), "detail": text.render()},
                service=self.service,
                text=text,
            ) from exc

    async def get_model(self, path: str, model: type[M], **params: Any) -> M:
        response = await self.request("GET", path, params=params)
        return self.parse(response, TypeAdapter(model))

    async def get_page(self, path: str, model: type[M], **params: Any) -> Page[M]:
        response = await self.request("GET", path, params=params)
        return self.parse(response, TypeAdapter(Page[model]))  # type: ignore[valid-type]


class ContractsClient(BaseClient):
    """contracts-api: vendors, eligibility (one-vote veto), contracts."""

    service = "contracts-api"

    async def get_vendor(self, vendor_id: str) -> VendorRef:
        """One vendor; :class:`NotFoundError` when unknown (or not visible to the token)."""
        return await self.get_model(f"/v1/vendors/{_segment(vendor_id)}", VendorRef)

    async def list_vendors(self, *, limit: int = 100, offset: int = 0, **filters: Any) -> Page[VendorRef]:
        """A page of vendors; ``filters`` are the endpoint's query parameters."""
        return await self.get_page("/v1/vendors", VendorRef, limit=limit, offset=offset, **filters)

    async def get_project(self, code: str) -> ProjectRef:
        """One service project; :class:`NotFoundError` when unknown."""
        return await self.get_model(f"/v1/projects/{_segment(code)}", ProjectRef)

    async def list_projects(self, *, limit: int = 100, offset: int = 0, **filters: Any) -> Page[ProjectRef]:
        """A page of service projects (code, Chinese name, service type)."""
        return await self.get_page("/v1/projects", ProjectRef, limit=limit, offset=offset, **filters)

    async def vendor_eligibility(self, vendor_id: str, *, as_of: date | None = None) -> Eligibility:
        """Whether the vendor may be awarded, renewed or signed, with every excluding ground; with ``as_of``,
        the vetoes and qualifications in force on that day (a decision about a past period)."""
        return await self.get_model(
            f"/v1/vendors/{_segment(vendor_id)}/eligibility", Eligibility, as_of=as_of.isoformat() if as_of else None
        )

    async def list_contracts(self, *, limit: int = 100, offset: int = 0, **filters: Any) -> Page[ContractRef]:
        """A page of contracts; ``filters`` such as ``vendor_id=``, ``status=``."""
        return await self.get_page("/v1/contracts", ContractRef, limit=limit, offset=offset, **filters)

    async def import_vendors(self, rows: list[dict[str, Any]]) -> VendorImportReport:
        """Import vendors all-or-nothing; a refused row raises :class:`BadRequestError` whose
        ``problem["errors"]`` lists every row's errors (nothing was imported)."""
        response = await self.request("POST", "/v1/vendors/import", json=rows)
        return self.parse(response, TypeAdapter(VendorImportReport))

    async def procurement_route(
        self,
        project_code: str,
        value: Decimal | str,
        *,
        renewal: bool = False,
        predecessor_contract_id: str | None = None,
    ) -> RouteDecision:
        """The route a procurement of ``project_code`` at ``value`` CNY would take (nothing is recorded).
        Raises :class:`ServiceUnavailableError` when a renewal's appraisal could not be read."""
        return await self.get_model(
            "/v1/procurements/route",
            RouteDecision,
            project_code=project_code,
            value=str(value),
            renewal=str(renewal).lower(),
            predecessor_contract_id=predecessor_contract_id,
        )

    async def renewals(
        self, *, within_days: int = 90, as_of: date | None = None, limit: int = 100, offset: int = 0
    ) -> Page[RenewalCandidate]:
        """Contracts ending within ``within_days`` days of ``as_of`` (today), each with the recommended next route."""
        params: dict[str, Any] = {"within_days": within_days, "limit": limit, "offset": offset}
        if as_of is not None:
            params["as_of"] = as_of.isoformat()
        return await self.get_page("/v1/renewals", RenewalCandidate, **params)


class AppraisalClient(BaseClient):
    """appraisal: vendor scores and rankings."""

    service = "appraisal"

    async def vendor_score(self, vendor_id: str, period: str) -> VendorScore:
        """The vendor's score for ``period`` (``2026`` or ``2026H1``) with its breakdown."""
        return await self.get_model(f"/v1/scores/{_segment(vendor_id)}", VendorScore, period=period)

    async def vendor_scores(self, pairs: list[tuple[str, str]]) -> list[ScoreBatchItem]:
        """Many (vendor, period) scores in ONE request; a pair without data comes back with ``score=None``."""
        body = ScoreBatchRequest(items=[ScoreQuery(vendor_id=v, period=p) for v, p in pairs])
        response = await self.request("POST", "/v1/scores/batch", json=body.model_dump(mode="json"))
        return self.parse(response, TypeAdapter(list[ScoreBatchItem]))

    async def hazard_from_alarm(self, alarm: Mapping[str, Any]) -> tuple[HazardRef, bool]:
        """Open (or join) the hazard of an alarm not cleared in time; idempotent by ``alarm["alarm_id"]``.
        Returns the hazard and whether this call created it."""
        response = await self.request("POST", "/v1/hazards/alarms", json=dict(alarm))
        return self.parse(response, TypeAdapter(HazardRef)), response.status_code == 201

    async def hazard_alarm_cleared(self, alarm_id: str, cleared_at: datetime) -> HazardRef:
        """Record the restore of ``alarm_id`` on its hazard (:class:`NotFoundError` when it is on none)."""
        response = await self.request(
            "POST", f"/v1/hazards/alarms/{_segment(alarm_id)}/cleared", json={"cleared_at": cleared_at.isoformat()}
        )
        return self.parse(response, TypeAdapter(HazardRef))

    async def ranking(self, period: str) -> list[VendorScore]:
        """All vendors' scores for ``period``, best first."""
        response = await self.request("GET", "/v1/scores", params={"period": period})
        return self.parse(response, TypeAdapter(list[VendorScore]), items=True)


class TelemetryClient(BaseClient):
    """telemetry-ingest: energy and vehicle KPIs."""

    service = "telemetry-ingest"

    async def energy_kpi(self, vendor_id: str, period: str, *, measure: str = "energy") -> EnergyKpi:
        """Energy KPI of the meters ``vendor_id`` is responsible for (with its cost when ``measure="cost"``)."""
        if measure != "energy":
            return await self.get_model(
                "/v1/kpis/energy", EnergyKpi, vendor_id=vendor_id, period=period, measure=measure
            )
        return await self.get_model("/v1/kpis/energy", EnergyKpi, vendor_id=vendor_id, period=period)

    async def energy_cost_savings(
        self, *, baseline_start: date, baseline_end: date, start: date, end: date
    ) -> EnergyCostSavings:
        """Yuan saved on every meter in [start, end) against the baseline [baseline_start, baseline_end)."""
        return await self.get_model(
            "/v1/energy/savings",
            EnergyCostSavings,
            baseline_start=baseline_start.isoformat(),
            baseline_end=baseline_end.isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
            measure="cost",
        )

    async def vehicle_kpi(self, period: str, *, vendor_id: str | None = None) -> list[VehicleKpi]:
        """Vehicle KPIs for ``period``, for one vendor or every group."""
        response = await self.request("GET", "/v1/kpis/vehicles", params={"vendor_id": vendor_id, "period": period})
        return self.parse(response, TypeAdapter(list[VehicleKpi]), items=True)


def _client_kwargs(settings: ServiceSettings, caller: str) -> dict[str, Any]:
    from houqin_common.auth import service_token

    return {
        "token": service_token(settings, caller),
        "timeout": settings.http_timeout_s,
        "retries": settings.http_retries,
    }


def contracts_client(settings: ServiceSettings, *, caller: str) -> ContractsClient:
    """A ContractsClient configured from ``settings`` with this service's own token."""
    return ContractsClient(settings.contracts_url, **_client_kwargs(settings, caller))


def appraisal_client(settings: ServiceSettings, *, caller: str) -> AppraisalClient:
    """An AppraisalClient configured from ``settings`` with this service's own token."""
    return AppraisalClient(settings.appraisal_url, **_client_kwargs(settings, caller))


def telemetry_client(settings: ServiceSettings, *, caller: str) -> TelemetryClient:
    """A TelemetryClient configured from ``settings`` with this service's own token."""
    return TelemetryClient(settings.telemetry_url, **_client_kwargs(settings, caller))
