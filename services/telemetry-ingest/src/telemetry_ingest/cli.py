"""`houqin` sub-commands of telemetry-ingest."""

from __future__ import annotations

from datetime import datetime
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
