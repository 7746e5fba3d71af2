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

T = TypeVar("T")

UrlOption = Annotated[str | None, typer.Option("--url", envvar="HOUQIN_CONTRACTS_URL", help="contracts-api base URL")]
TokenOption = Annotated[
    str | None,
    typer.Option("--token", envvar="HOUQIN_TOKEN", help="bearer token; a development token is minted if unset"),
]


def _run(url: str | None, token: str | None, call: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``call(client)``; exit 1 with the problem's detail when refused, 2 when unreachable."""
    from houqin_common.auth import Role, create_token
    from houqin_common.clients import ApiError, ContractsClient, ServiceUnavailableError
    from houqin_common.settings import ServiceSettings

    settings = ServiceSettings()
    bearer = token or create_token(settings, subject="cli", roles=[Role.procurement])

    async def go() -> T:
        async with ContractsClient(url or settings.contracts_url, token=bearer, timeout=settings.http_timeout_s) as c:
            return await call(c)

    try:
        return asyncio.run(go())
    except ServiceUnavailableError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ApiError as exc:
        typer.echo(f"error: {exc}", err=True)
        for row in exc.problem.get("errors") or []:
            typer.echo(f"  row {row['row']}: {'; '.join(row['errors'])}", err=True)
        raise typer.Exit(1) from exc


def register(app: typer.Typer) -> None:
    """Add this service's commands to the `houqin` CLI."""
    vendors_app = typer.Typer(help="Vendors: import, eligibility (一票否决).", no_args_is_help=True)
    procurement_app = typer.Typer(help="Procurement routes (进驻方式).", no_args_is_help=True)
    contracts_app = typer.Typer(help="Contracts: expiring ones and their next route.", no_args_is_help=True)

    @vendors_app.command("import")
    def import_vendors(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a .csv or .xlsx file")],
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """Import vendors from FILE (header row: name, credit_code, ... or 名称, 统一社会信用代码, ...).
        All or nothing: any refused row is reported with its number and nothing is imported."""
        from contracts_api.importfile import ImportFileError, read_rows

        try:
            rows = read_rows(file)
        except (ImportFileError, UnicodeDecodeError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        report = _run(url, token, lambda c: c.import_vendors(rows))
        typer.echo(f"imported {report.imported} vendors from {file.name}")

    @vendors_app.command("eligibility")
    def eligibility(
        vendor_id: Annotated[str, typer.Argument(help="vendor id")],
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """Whether the vendor may be awarded, renewed or signed; exit 3 when it may not."""
        verdict = _run(url, token, lambda c: c.vendor_eligibility(vendor_id))
        typer.echo(f"{vendor_id}: {'eligible' if verdict.eligible else 'NOT eligible'}")
        for reason in verdict.reasons:
            typer.echo(f"  - {reason}")
        if not verdict.eligible:
            raise typer.Exit(3)

    @procurement_app.command("route")
    def route(
        project: Annotated[str, typer.Argument(help="project code, e.g. catering")],
        value: Annotated[str, typer.Option("--value", help="estimated value in CNY, e.g. 620000")],
        renewal: Annotated[bool, typer.Option("--renewal", help="renews the project's current contract")] = False,
        predecessor: Annotated[str | None, typer.Option("--predecessor", help="contract renewed")] = None,
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """The recommended route for PROJECT at --value, with the reasons (nothing is recorded)."""
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise typer.BadParameter(f"{value!r} is not an amount", param_hint="--value") from exc
        decision = _run(
            url,
            token,
            lambda c: c.procurement_route(project, amount, renewal=renewal, predecessor_contract_id=predecessor),
        )
        typer.echo(
            f"{decision.project_code} {decision.estimated_value} CNY: {decision.route} ({decision.route_label_zh})"
        )
        for reason in decision.reasons:
            typer.echo(f"  - {reason}")

    @contracts_app.command("expiring")
    def expiring(
        days: Annotated[int, typer.Option("--days", min=0, help="ending within this many days")] = 90,
        as_of: Annotated[
            datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="count from this date, not today")
        ] = None,
        url: UrlOption = None,
        token: TokenOption = None,
    ) -> None:
        """Contracts ending within --days days with the recommended route of the next period."""
        start = as_of.date() if as_of else None
        page = _run(url, token, lambda c: c.renewals(within_days=days, as_of=start, limit=500))
        if not page.items:
            typer.echo(f"no contract ends within {days} days")
        for item in page.items:
            c = item.contract
            typer.echo(
                f"{c.end_date} ({item.days_left:>3} d) {c.project_code:<16} {c.vendor_id}  "
                f"next: {item.recommended_route or 'UNDECIDED'}"
            )
            if item.recommended_route is None:
                for reason in item.reasons:
                    typer.echo(f"      {reason}")
        if page.total > len(page.items):
            typer.echo(f"... and {page.total - len(page.items)} more")

    app.add_typer(vendors_app, name="vendors")
    app.add_typer(procurement_app, name="procurement")
    app.add_typer(contracts_app, name="contracts")
