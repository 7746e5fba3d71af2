"""`houqin` sub-commands of telemetry-ingest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from houqin_common.i18n import _


def register(app: typer.Typer) -> None:
    """Add this service's commands to the `houqin` CLI."""

    @app.command(
        help=_(
            "Publish realistic meter readings and vehicle positions around the Administrative Center over MQTT, "
            "or drive the JT/T 808 gateway with the vehicles' terminals (`--protocol jt808`)."
        )
    )
    def simulate(
        vehicles: Annotated[int, typer.Option(min=0, help=_("official vehicles with BeiDou terminals"))] = 250,
        meters: Annotated[int, typer.Option(min=0, help=_("energy meters"))] = 400,
        speedup: Annotated[float, typer.Option(min=0.1, help=_("simulated seconds per wall-clock second"))] = 60.0,
        duration: Annotated[float | None, typer.Option(help=_("stop after this many wall-clock seconds"))] = None,
        start: Annotated[
            datetime | None,
            typer.Option(help=_("simulated start time (default a week ago), e.g. 2026-07-06T07:00:00+08:00")),
        ] = None,
        seed: Annotated[int, typer.Option(help=_("random seed (same seed, same fleet)"))] = 7,
        mqtt_url: Annotated[str | None, typer.Option(envvar="HOUQIN_MQTT_URL", help=_("broker URL"))] = None,
        database_url: Annotated[
            str | None, typer.Option(envvar="HOUQIN_DATABASE_URL", help=_("database to register the devices in"))
        ] = None,
        no_register: Annotated[bool, typer.Option("--no-register", help=_("do not register the devices"))] = False,
        protocol: Annotated[
            str, typer.Option(help=_("`mqtt` (JSON topics) or `jt808` (vehicles only, binary frames to the gateway)"))
        ] = "mqtt",
        gateway: Annotated[
            str | None, typer.Option(help=_("JT/T 808 gateway host:port (default 127.0.0.1 and the configured port)"))
        ] = None,
        edition: Annotated[
            int, typer.Option(help=_("JT/T 808 edition of the simulated terminals: 2013 or 2019"))
        ] = 2013,
    ) -> None:
        """Publish realistic meter readings and vehicle positions around the Administrative Center over MQTT,
        or drive the JT/T 808 gateway with the vehicles' terminals (`--protocol jt808`)."""
        from telemetry_ingest.settings import get_settings
        from telemetry_ingest.simulator.runner import run

        settings = get_settings()
        if protocol not in ("mqtt", "jt808") or edition not in (2013, 2019):
            raise typer.BadParameter(_("--protocol is mqtt or jt808, --edition 2013 or 2019"))
        if protocol == "jt808":
            from telemetry_ingest.simulator import jt808

            host, _sep, port = (gateway or f"127.0.0.1:{settings.jt808_port}").rpartition(":")
            acked = jt808.run(
                host=host or "127.0.0.1",
                port=int(port),
                database_url=None if no_register else (database_url or settings.database_url),
                vehicles=vehicles,
                speedup=speedup,
                duration_s=duration,
                start=start,
                seed=seed,
                edition=edition,
                report=typer.echo,
            )
            typer.echo(_("{acked} location reports acknowledged by the gateway", acked=acked))
            return
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
        typer.echo(_("published {sent} messages", sent=sent))

    tariffs_app = typer.Typer(help=_("Tariffs (CNY per unit, time of use) for the energy cost."), no_args_is_help=True)
    app.add_typer(tariffs_app, name="tariffs")

    @tariffs_app.command(
        "import",
        help=_(
            "Import tariff versions from FILE into the running telemetry-ingest, one row per period price or "
            "time-of-use window (columns id, energy_type, effective_from, period, price, start, end, months... or "
            "编号, 能源类型, 生效日期, 时段, 单价, 开始时间, 结束时间, 月份...). All or nothing."
        ),
    )
    def import_tariffs(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=_("a .csv or .xlsx file"))],
        url: Annotated[
            str | None, typer.Option("--url", envvar="HOUQIN_TELEMETRY_URL", help=_("telemetry-ingest base URL"))
        ] = None,
        token: Annotated[
            str | None,
            typer.Option(
                "--token", envvar="HOUQIN_TOKEN", help=_("bearer token; a development token is minted if unset")
            ),
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
