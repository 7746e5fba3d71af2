"""Procurement routes: which route a value, a category or a renewal takes (the appraisal asked for the
incumbent's score), and the renewals coming up. The records of a procurement are in :mod:`.service`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.contracts import repository as contract_repository
from contracts_api.models import Contract
from contracts_api.procurement import repository, rules
from contracts_api.settings import Settings
from contracts_api.vendors import rules as vendor_rules
from contracts_api.vendors import service as vendor_service
from houqin_common import clock
from houqin_common.clients import ApiError, NotFoundError, ServiceUnavailableError
from houqin_common.errors import ServiceUnavailable, UnprocessableEntity
from houqin_common.i18n import Text, _
from houqin_common.schemas import ContractRef, RenewalCandidate, RouteDecision, VendorScore


def policy(settings: Settings) -> rules.RoutePolicy:
    return rules.RoutePolicy(
        open_tender_threshold=settings.open_tender_threshold,
        micro_projects=frozenset(settings.micro_projects),
        appraisal_weighted_projects=frozenset(settings.appraisal_weighted_projects),
        renewal_min_total=settings.renewal_min_total,
        renewal_min_quality=settings.renewal_min_quality,
        renewal_min_satisfaction=settings.renewal_min_satisfaction,
    )


def appraisal_period(predecessor: Contract, today: date) -> str:
    """The last appraisal year completed before the renewed contract ends, and by ``today`` (DOMAIN.md:
    the choice is made from the last contract period's appraisal). A year ends on 31 December, never
    before a contract ending in that year, so it is the year before the earlier of the end date and
    today: the running year is never read."""
    return str(min(predecessor.end_date, today).year - 1)


class BatchScoreSource(Protocol):
    async def vendor_scores(self, pairs: list[tuple[str, str]]) -> Any: ...


class PrefetchedScores:
    """Scores fetched in one batch round-trip, served to :func:`decide_route` one by one."""

    def __init__(self, scores: dict[tuple[str, str], VendorScore | None], outage: ApiError | None = None) -> None:
        self.scores = scores
        self.outage = outage

    @classmethod
    async def fetch(cls, appraisal: BatchScoreSource, pairs: Sequence[tuple[str, str]]) -> PrefetchedScores:
        unique = sorted(set(pairs))
        if not unique:
            return cls({})
        try:
            items = await appraisal.vendor_scores(unique)
        except ApiError as exc:
            return cls({}, exc)
        return cls({(i.vendor_id, i.period): i.score for i in items})

    async def vendor_score(self, vendor_id: str, period: str) -> VendorScore:
        if self.outage is not None:
            raise self.outage
        score = self.scores.get((vendor_id, period))
        if score is None:
            raise NotFoundError(
                404,
                {"detail": _("no score for {vendor} in {period}", vendor=vendor_id, period=period)},
                service="appraisal",
            )
        return score


class ScoreSource(Protocol):
    async def vendor_score(self, vendor_id: str, period: str) -> VendorScore: ...


class RememberOutage:
    """Wraps a score source so that, within one request, an unreachable appraisal is asked only once."""

    def __init__(self, inner: ScoreSource) -> None:
        self.inner = inner
        self.outage: ServiceUnavailableError | None = None

    async def vendor_score(self, vendor_id: str, period: str) -> VendorScore:
        if self.outage is not None:
            raise self.outage
        try:
            return await self.inner.vendor_score(vendor_id, period)
        except ServiceUnavailableError as exc:
            self.outage = exc
            raise


async def fetch_score(appraisal: ScoreSource, *, vendor_id: str, period: str) -> VendorScore | None:
    """The incumbent's score; None when appraisal has none for the period; 503 when it cannot be read."""
    try:
        return await appraisal.vendor_score(vendor_id, period)
    except NotFoundError as exc:
        # A 404 from a missing route (older appraisal) is an outage, not "no score for the period".
        if not str(exc.problem.get("detail", "")).startswith("No route"):
            return None
        raise _undecidable(period, exc) from exc
    except ApiError as exc:
        raise _undecidable(period, exc) from exc


def _undecidable(period: str, exc: ApiError) -> ServiceUnavailable:
    return ServiceUnavailable(
        _(
            "The procurement route could not be decided: the renewal depends on the incumbent's "
            "{period} appraisal and the appraisal service could not provide it ({error}). Nothing was guessed; "
            "retry when appraisal is available.",
            period=period,
            error=str(exc),
        ),
        dependency="appraisal",
        appraisal_status=exc.status,
    )


async def decide_route(
    session: AsyncSession,
    *,
    settings: Settings,
    appraisal: ScoreSource,
    project_code: str,
    value: Decimal,
    renewal: bool,
    predecessor_contract_id: str | None,
) -> tuple[RouteDecision, VendorScore | None, list[Text]]:
    """The route and the appraisal it rests on; 503 when a needed appraisal cannot be read."""
    project = await repository.project(session, project_code)
    if project is None:
        raise UnprocessableEntity(
            _("unknown project {project}", project=project_code),
            **{"invalid-params": [{"name": "project_code", "reason": _("no such project")}]},
        )
    predecessor: Contract | None = None
    if renewal:
        if predecessor_contract_id:
            predecessor = await contract_repository.get(session, predecessor_contract_id)
            if predecessor is None or predecessor.project_code != project_code:
                raise UnprocessableEntity(
                    _(
                        "contract {contract} is not a contract of {project}",
                        contract=predecessor_contract_id,
                        project=project_code,
                    )
                )
        else:
            predecessor = await contract_repository.latest_for_project(session, project_code)
            if predecessor is None:
                raise UnprocessableEntity(
                    _("renewal of {project}: the project has no contract to renew", project=project_code)
                )
    elif predecessor_contract_id:
        raise UnprocessableEntity(_("predecessor_contract_id is only meaningful with renewal=true"))
    pol = policy(settings)
    incumbent_reasons: list[Text] = []
    score: VendorScore | None = None
    period: str | None = None
    if predecessor is not None:
        incumbent = await vendor_service.load(session, vendor_id=predecessor.vendor_id)
        incumbent_reasons = await vendor_service.exclusion_grounds(session, vendor=incumbent)
        period = appraisal_period(predecessor, clock.today())
        if rules.needs_appraisal(
            project_code=project_code, value=value, renewal=True, incumbent_eligible=not incumbent_reasons, policy=pol
        ):
            score = await fetch_score(appraisal, vendor_id=predecessor.vendor_id, period=period)
    decision = rules.recommend_route(
        project_code=project_code,
        value=value,
        renewal=renewal,
        policy=pol,
        incumbent_reasons=incumbent_reasons,
        score=score,
        period=period,
        project_name=Text.named(project.name_zh, project.name),
    )
    if predecessor is not None:
        lapsing = await vendor_service.lapsing_before(
            session, vendor_id=predecessor.vendor_id, term_start=predecessor.end_date + timedelta(days=1)
        )
        decision = rules.RouteDecision(decision.route, [*decision.reasons, *lapsing])
    return _route_decision(project_code, value, renewal, decision, predecessor, period), score, decision.reasons


def _route_decision(
    project_code: str,
    value: Decimal,
    renewal: bool,
    decision: rules.RouteDecision,
    predecessor: Contract | None,
    period: str | None,
) -> RouteDecision:
    return RouteDecision(
        project_code=project_code,
        estimated_value=value,
        renewal=renewal,
        route=decision.route,
        route_label_zh=decision.route.label_zh,
        reasons=decision.shown(),
        incumbent_vendor_id=predecessor.vendor_id if predecessor else None,
        predecessor_contract_id=predecessor.id if predecessor else None,
        appraisal_period=period,
    )


async def renewal_candidates(
    session: AsyncSession,
    *,
    settings: Settings,
    appraisal: BatchScoreSource,
    contracts: Sequence[Contract],
    today: date,
) -> list[RenewalCandidate]:
    """The next route of each contract ending soon, with ONE round-trip to appraisal for every vendor
    involved (the eligibility of each vendor is read once)."""
    pol = policy(settings)
    verdicts, quals = await eligibility_many(session, {c.vendor_id for c in contracts})
    wanted = [
        (c.vendor_id, appraisal_period(c, today))
        for c in contracts
        if rules.needs_appraisal(
            project_code=c.project_code,
            value=c.value,
            renewal=True,
            incumbent_eligible=not verdicts[c.vendor_id],
            policy=pol,
        )
    ]
    scores = await PrefetchedScores.fetch(appraisal, wanted)
    out: list[RenewalCandidate] = []
    names: dict[str, Text] = {}
    for code in {c.project_code for c in contracts}:
        project = await repository.project(session, code)
        names[code] = Text.named(project.name_zh, project.name) if project else Text.verbatim(code)
    for c in contracts:
        period = appraisal_period(c, today)
        route: str | None
        try:
            score = None
            if (c.vendor_id, period) in wanted:
                score = await fetch_score(scores, vendor_id=c.vendor_id, period=period)
            decision = rules.recommend_route(
                project_code=c.project_code,
                value=c.value,
                renewal=True,
                policy=pol,
                incumbent_reasons=verdicts[c.vendor_id],
                score=score,
                period=period,
                project_name=names[c.project_code],
            )
            lapsing = vendor_rules.lapsing_qualifications(
                quals.get(c.vendor_id, []), today=clock.today(), term_start=c.end_date + timedelta(days=1)
            )
            route, reasons = decision.route, [*decision.shown(), *(t.render() for t in lapsing)]
        except ServiceUnavailable as exc:
            route, reasons = None, [_("The next route could not be decided: {detail}", detail=exc.detail)]
        out.append(
            RenewalCandidate(
                contract=ContractRef.model_validate(c),
                days_left=(c.end_date - today).days,
                recommended_route=route,
                reasons=reasons,
            )
        )
    return out


async def eligibility_many(
    session: AsyncSession, vendor_ids: set[str]
) -> tuple[dict[str, list[Text]], dict[str, list[vendor_rules.QualificationFact]]]:
    """The exclusion grounds of many vendors today (same rule as the vendor's eligibility endpoint), and their
    qualifications (a renewal names those that lapse before the new term)."""
    vendors, vetoes, quals = await repository.eligibility_facts(session, vendor_ids)
    today = clock.today()
    facts = {
        vendor_id: [
            vendor_rules.QualificationFact(q.kind, q.number, q.mandatory, q.valid_to) for q in quals.get(vendor_id, [])
        ]
        for vendor_id in vendor_ids
    }
    reasons = {
        vendor_id: vendor_rules.exclusion_reasons(
            legal_status=vendors[vendor_id].legal_status,
            vetoes=[vendor_rules.VetoFact(v.ground, v.evidence, False) for v in vetoes.get(vendor_id, [])],
            qualifications=facts[vendor_id],
            today=today,
        )
        for vendor_id in vendor_ids
        if vendor_id in vendors
    }
    return reasons, facts
