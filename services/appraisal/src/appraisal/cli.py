"""`houqin` sub-commands of appraisal."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from houqin_common.i18n import _


def register(app: typer.Typer) -> None:
    """Add this service's commands to the `houqin` CLI."""
    appraisal_app = typer.Typer(
        help=_("Appraisal: reports of vendor scores and satisfaction surveys."), no_args_is_help=True
    )

    @appraisal_app.command(
        "report",
        help=_("Write the ranking of a year or half-year (CSV, XLSX, PNG, SVG) and each campaign's results to OUT."),
    )
    def report(
        period: Annotated[str, typer.Argument(help=_("appraisal year or half-year, e.g. 2025 or 2026H2"))],
        out: Annotated[Path, typer.Option("--out", help=_("directory to write the files to"))] = Path("reports"),
        database_url: Annotated[str | None, typer.Option(envvar="HOUQIN_DATABASE_URL")] = None,
        home: Annotated[Path, typer.Option(envvar="HOUQIN_HOME", help=_("embedded data directory"))] = Path(".houqin"),
    ) -> None:
        """Write the ranking of a year or half-year (CSV, XLSX, PNG, SVG) and each campaign's results to OUT.

        Reads the database `houqin up` uses, found the way `houqin seed` finds it: the configured one, else
        the embedded one kept in HOME."""
        from appraisal.reports.files import write_year
        from appraisal.settings import Settings
        from houqin_common.cli import platform_database
        from houqin_common.schemas import PERIOD_RE

        m = PERIOD_RE.match(period)
        if not m or m["quarter"] or m["month"]:
            raise typer.BadParameter(_("a year or a half-year, such as 2025 or 2026H2"), param_hint="PERIOD")

        def progress(path: str) -> None:
            typer.echo(_("wrote {path}", path=path), err=True)

        with platform_database(database_url, home) as url:
            typer.echo(_("writing the {period} appraisal reports to {out}", period=period, out=out), err=True)
            written = asyncio.run(write_year(period, out, Settings(database_url=url), progress=progress))
        for path in written:
            typer.echo(str(path))

    @appraisal_app.command(
        "hazards-overdue",
        help=_("List the hazards open past their removal deadline; exit 1 when there are any (for cron alerts)."),
    )
    def hazards_overdue(
        database_url: Annotated[str | None, typer.Option(envvar="HOUQIN_DATABASE_URL")] = None,
    ) -> None:
        """List the hazards open past their removal deadline; exit 1 when there are any (for cron alerts)."""
        from appraisal.hazards.service import overdue_lines
        from appraisal.settings import Settings

        settings = Settings(database_url=database_url) if database_url else Settings()
        lines = asyncio.run(overdue_lines(settings.database_url))
        for line in lines:
            typer.echo(line)
        raise typer.Exit(1 if lines else 0)

    app.add_typer(appraisal_app, name="appraisal")
