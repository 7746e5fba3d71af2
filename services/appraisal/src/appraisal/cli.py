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
        "report", help=_("Write the year's ranking (CSV, XLSX, PNG, SVG) and each campaign's results to OUT.")
    )
    def report(
        year: Annotated[int, typer.Argument(help=_("appraisal year, e.g. 2026"))],
        out: Annotated[Path, typer.Option("--out", help=_("directory to write the files to"))] = Path("reports"),
        database_url: Annotated[str | None, typer.Option(envvar="HOUQIN_DATABASE_URL")] = None,
    ) -> None:
        """Write the year's ranking (CSV, XLSX, PNG, SVG) and each campaign's results to OUT."""
        from appraisal.reports.files import write_year
        from appraisal.settings import Settings

        settings = Settings(database_url=database_url) if database_url else Settings()
        for path in asyncio.run(write_year(year, out, settings)):
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
