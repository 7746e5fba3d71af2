"""`houqin` sub-commands of contracts-api, for the procurement office. They talk to the running
service through the typed :class:`~houqin_common.clients.ContractsClient`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from houqin_common.i18n import _

T = TypeVar("T")

UrlOption = Annotated[
    str | None, typer.Option("--url", envvar="HOUQIN_CONTRACTS_URL", help=_("contracts-api base URL"))
]
TokenOption = Annotated[
    str | None,
    typer.Option("--token", envvar="HOUQIN_TOKEN", help=_("bearer token; a development token is minted if unset")),
]


def appraisal_wait_s(http_timeout_s: float, http_retries: int, backoff_s: float = 0.2) -> float:
    """The longest contracts-api spends on appraisal before it answers (then with an undecided route):
    every attempt of a retried GET at the full timeout plus the back-off between them (at most 1.5 ×
    ``backoff_s`` × 2^n). The renewal list makes a single, unretried batch call, so this bounds it too."""
    backoff: float = sum(backoff_s * 2**i * 1.5 for i in range(http_retries))
    return float((1 + http_retries) * http_timeout_s + backoff)


async def _with_project_names(client: Any, call: Awaitable[T]) -> tuple[T, dict[str, str]]:
    """``call``'s answer and the projects' names in the CLI's language (the client asks in it), by code:
    a project is printed by its name, Chinese or English as the reader asked, never by its code."""
    answer = await call
    page = await client.list_projects(limit=500)
    return answer, {p.code: p.name for p in page.items}


def _run(
    url: str | None, token: str | None, call: Callable[[Any], Awaitable[T]], *, waits_on_appraisal: bool = False
) -> T:
    """Run ``call(client)``; exit 1 with the problem's detail when refused, 2 when unreachable.

    A command whose answer waits on contracts-api's own call to appraisal waits that long on top of its
    timeout, so a slow appraisal shows as an undecided route, never as "contracts-api unreachable"."""
    from houqin_common.auth import Role, create_token
    from houqin_common.clients import ApiError, ContractsClient, ServiceUnavailableError
    from houqin_common.settings import ServiceSettings

    settings = ServiceSettings()
    bearer = token or create_token(settings, subject="cli", roles=[Role.procurement])
    timeout = settings.http_timeout_s
    if waits_on_appraisal:
        timeout += appraisal_wait_s(settings.http_timeout_s, settings.http_retries)

    async def go() -> T:
        async with ContractsClient(url or settings.contracts_url, token=bearer, timeout=timeout) as c:
            return await call(c)

    try:
        return asyncio.run(go())
    except ServiceUnavailableError as exc:
        typer.echo(_("error: {detail}", detail=str(exc)), err=True)
        raise typer.Exit(2) from exc
    except ApiError as exc:
        typer.echo(_("error: {detail}", detail=str(exc)), err=True)
        for row in exc.problem.get("errors") or []:
            typer.echo(_("  row {row}: {errors}", row=row["row"], errors="; ".join(row["errors"])), err=True)
        raise typer.Exit(1) from exc


def register(app: typer.Typer) -> None:
    """Add this service's commands to the `houqin` CLI."""
    vendors_app = typer.Typer(help=_("Vendors: import, eligibility."), no_args_is_help=True)
    procurement_app = typer.Typer(help=_("Procurement routes (进驻方式)."), no_args_is_help=True)
    contracts_app = typer.Typer(help=_("Contracts: expiring ones and their next route."), no_args_is_help=True)

    @vendors_app.command(
        "import",
        help=_(
            "Import vendors from FILE (header row: name, credit_code, ... or 名称, 统一社会信用代码, ...). "
            "All or nothing: any refused row is reported with its number and nothing is imported."
        ),
    )
    def import_vendors(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=_("a .csv or .xlsx file"))],
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """Import vendors from FILE (header row: name, credit_code, ... or 名称, 统一社会信用代码, ...).
        All or nothing: any refused row is reported with its number and nothing is imported."""
        from contracts_api.vendors.schemas import IMPORT_HEADINGS, IMPORT_REQUIRED
        from houqin_common.tabular import TableFileError, read_rows

        try:
            rows = read_rows(file.read_bytes(), file.name, headings=IMPORT_HEADINGS, required=IMPORT_REQUIRED)
        except TableFileError as exc:
            typer.echo(_("error: {detail}", detail=str(exc)), err=True)
            raise typer.Exit(1) from exc
        report = _run(url, token, lambda c: c.import_vendors(rows))
        typer.echo(_("imported {n} vendors from {file}", n=report.imported, file=file.name))

    @vendors_app.command(
        "eligibility", help=_("Whether the vendor may be awarded, renewed or signed; exit 3 when it may not.")
    )
    def eligibility(
        vendor_id: Annotated[str, typer.Argument(help=_("vendor id"))],
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """Whether the vendor may be awarded, renewed or signed; exit 3 when it may not."""
        verdict = _run(url, token, lambda c: c.vendor_eligibility(vendor_id))
        verdict_text = _("eligible") if verdict.eligible else _("NOT eligible")
        typer.echo(f"{verdict.vendor_name or vendor_id}: {verdict_text}")
        for reason in verdict.reasons:
            typer.echo(f"  - {reason}")
        if not verdict.eligible:
            raise typer.Exit(3)

    @procurement_app.command(
        "route", help=_("The recommended route for PROJECT at --value, with the reasons (nothing is recorded).")
    )
    def route(
        project: Annotated[str, typer.Argument(help=_("project code, e.g. catering"))],
        value: Annotated[str, typer.Option("--value", help=_("estimated value in CNY, e.g. 620000"))],
        renewal: Annotated[bool, typer.Option("--renewal", help=_("renews the project's current contract"))] = False,
        predecessor: Annotated[str | None, typer.Option("--predecessor", help=_("contract renewed"))] = None,
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """The recommended route for PROJECT at --value, with the reasons (nothing is recorded)."""
        from contracts_api.models.enums import Route

        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise typer.BadParameter(_("{value} is not an amount", value=repr(value)), param_hint="--value") from exc
        decision, projects = _run(
            url,
            token,
            lambda c: _with_project_names(
                c, c.procurement_route(project, amount, renewal=renewal, predecessor_contract_id=predecessor)
            ),
            waits_on_appraisal=renewal,
        )
        typer.echo(
            _(
                "{project} {value} CNY: {route}",
                project=projects.get(decision.project_code) or decision.project_name_zh or decision.project_code,
                value=decision.estimated_value,
                route=Route(decision.route).label,
            )
        )
        for reason in decision.reasons:
            typer.echo(f"  - {reason}")

    @contracts_app.command(
        "expiring", help=_("Contracts ending within --days days with the recommended route of the next period.")
    )
    def expiring(
        days: Annotated[int, typer.Option("--days", min=0, help=_("ending within this many days"))] = 90,
        as_of: Annotated[
            datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help=_("count from this date, not today"))
        ] = None,
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """Contracts ending within --days days with the recommended route of the next period."""
        from contracts_api.models.enums import Route

        start = as_of.date() if as_of else None
        page, projects = _run(
            url,
            token,
            lambda c: _with_project_names(c, c.renewals(within_days=days, as_of=start, limit=500)),
            waits_on_appraisal=True,
        )
        if not page.items:
            typer.echo(_("no contract ends within {days} days", days=days))
        for item in page.items:
            c = item.contract
            left = _("{n} d", n=f"{item.days_left:>3}")
            route = Route(item.recommended_route).label if item.recommended_route else _("UNDECIDED")
            typer.echo(
                f"{c.end_date} ({left}) {projects.get(c.project_code) or c.project_name_zh or c.project_code} "
                f"{c.vendor_name or c.vendor_id}  " + _("next: {route}", route=route)
            )
            if item.recommended_route is None:
                for reason in item.reasons:
                    typer.echo(f"      {reason}")
        if page.total > len(page.items):
            typer.echo(_("... and {n} more", n=page.total - len(page.items)))

    app.add_typer(vendors_app, name="vendors")
    app.add_typer(procurement_app, name="procurement")
    app.add_typer(contracts_app, name="contracts")
