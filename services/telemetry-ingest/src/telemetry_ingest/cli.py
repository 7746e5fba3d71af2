"""`houqin` sub-commands of telemetry-ingest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add this service's commands to the `houqin` CLI."""

    @app.command()
    def simulate(
        vehicles: Annotated[int, typer.Option(min=0, help="official vehicles with BeiDou terminals")] = 250,
        meters: Annotated[int, typer.Option(min=0, help="energy meters")] = 400,
        speedup: Annotated[float, typer.Option(min=0.1, help="simulated seconds per wall-clock second")] = 60.0,
        duration: Annotated[float | None, typer.Option(help="stop after this many wall-clock seconds")] = None,
        start: Annotated[
            datetime | None,
            typer.Option(help="simulated start time (default a week ago), e.g. 2026-07-06T07:00:00+08:00"),
        ] = None,
        seed: Annotated[int, typer.Option(help="random seed (same seed, same fleet)")] = 7,
        mqtt_url: Annotated[str | None, typer.Option(envvar="HOUQIN_MQTT_URL", help="broker URL")] = None,
        database_url: Annotated[
            str | None, typer.Option(envvar="HOUQIN_DATABASE_URL", help="database to register the devices in")
        ] = None,
        no_register: Annotated[bool, typer.Option("--no-register", help="do not register the devices")] = False,
    ) -> None:
        """Publish realistic meter readings and vehicle positions around the Administrative Center over MQTT."""
        from telemetry_ingest.settings import get_settings
        from telemetry_ingest.simulator.runner import run

        settings = get_settings()
        sent = run(
            mqtt_url=mqtt_url or settings.mqtt_url,
            database_url=None if no_register else (database_url or settings.database_url),
            vehicles=vehicles,
            meters=meters,
            speedup=speedup,
            duration_s=duration,
            start=start,
            seed=seed,
            report=typer.echo,
        )
        typer.echo(f"published {sent} messages")

    tariffs_app = typer.Typer(help="Tariffs (CNY per unit, time of use) for the energy cost.", no_args_is_help=True)
    app.add_typer(tariffs_app, name="tariffs")

    @tariffs_app.command("import")
    def import_tariffs(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a .csv or .xlsx file")],
        url: Annotated[
            str | None, typer.Option("--url", envvar="HOUQIN_TELEMETRY_URL", help="telemetry-ingest base URL")
        ] = None,
        token: Annotated[
            str | None,
            typer.Option("--token", envvar="HOUQIN_TOKEN", help="bearer token; a development token is minted if unset"),
        ] = None,
    ) -> None:
        """Import tariff versions from FILE into the running telemetry-ingest, one row per period price or
        time-of-use window (columns id, energy_type, effective_from, period, price, start, end, months... or
        编号, 能源类型, 生效日期, 时段, 单价, 开始时间, 结束时间, 月份...). All or nothing."""
        import httpx

        from houqin_common.auth import Role, create_token
        from houqin_common.i18n import _
        from houqin_common.settings import ServiceSettings

        settings = ServiceSettings()
        bearer = token or create_token(settings, subject="cli", roles=[Role.supervisor])
        try:
            response = httpx.post(
                f"{(url or settings.telemetry_url).rstrip('/')}/v1/energy/tariffs/import",
                files={"file": (file.name, file.read_bytes())},
                headers={"Authorization": f"Bearer {bearer}"},
                timeout=settings.http_timeout_s,
            )
        except httpx.HTTPError as exc:
            typer.echo(_("error: telemetry-ingest unreachable: {error}", error=str(exc)), err=True)
            raise typer.Exit(2) from exc
        if response.status_code != 200:
            detail = response.json().get("detail") if response.content else response.reason_phrase
            typer.echo(_("error: {detail}", detail=detail), err=True)
            raise typer.Exit(1)
        body = response.json()
        typer.echo(
            _(
                "imported {created} new and {updated} replaced tariff versions from {name}",
                created=body["created"],
                updated=body["updated"],
                name=file.name,
            )
        )
