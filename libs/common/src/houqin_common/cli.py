"""The `houqin` command. Services add their own sub-commands through the `houqin.commands`
entry-point group (each entry is a ``register(app: typer.Typer)`` function)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from houqin_common.auth import Role, create_token
from houqin_common.i18n import _
from houqin_common.settings import ServiceSettings

app = typer.Typer(
    name="houqin",
    help=_("Houqin (后勤): supervise outsourced back-office services."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command(help=_("Bring the whole platform up: migrations, all services, the MQTT consumer."))
def up(
    only: Annotated[list[str] | None, typer.Option(help=_("start only these services"))] = None,
    home: Annotated[Path, typer.Option(envvar="HOUQIN_HOME", help=_("embedded data directory"))] = Path(".houqin"),
) -> None:
    """Bring the whole platform up: migrations, all services, the MQTT consumer."""
    from houqin_common.platform import Platform

    platform = Platform(home=home.resolve())
    raise typer.Exit(asyncio.run(platform.run(only)))


HomeOption = Annotated[Path, typer.Option(envvar="HOUQIN_HOME", help=_("embedded data directory"))]


@contextmanager
def platform_database(database_url: str | None, home: Path) -> Iterator[str]:
    """The configured database, or, like `houqin up`, the embedded one kept in ``home`` (attached to
    when `houqin up` is running, started and stopped again otherwise)."""
    if database_url:
        yield database_url
        return
    from houqin_common.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(home.resolve() / "pgdata")
    try:
        yield server.ensure_database("houqin")
    finally:
        server.stop()


@app.command(help=_("Apply every service's migrations (`alembic upgrade heads` per schema)."))
def migrate(
    database_url: Annotated[str | None, typer.Option(envvar="HOUQIN_DATABASE_URL")] = None,
    home: HomeOption = Path(".houqin"),
) -> None:
    """Apply every service's migrations (`alembic upgrade heads` per schema)."""
    from houqin_common.app import discover_services
    from houqin_common.db import run_migrations

    with platform_database(database_url, home) as url:
        for spec in discover_services().values():
            typer.echo(_("migrating {service}", service=spec.name))
            run_migrations(spec.package, url)


@app.command(help=_("Load the demo data of every service (idempotent) into the database `houqin up` uses."))
def seed(
    database_url: Annotated[str | None, typer.Option(envvar="HOUQIN_DATABASE_URL")] = None,
    home: HomeOption = Path(".houqin"),
) -> None:
    """Load the demo data of every service (idempotent) into the database `houqin up` uses."""
    import importlib

    from houqin_common.app import discover_services
    from houqin_common.db import run_migrations
    from houqin_common.progress import say

    started = time.monotonic()
    with platform_database(database_url, home) as url:
        specs = list(discover_services().values())
        seeded = [spec.name for spec in specs if spec.seed]
        for spec in specs:
            say(_("migrating {service}", service=spec.name))
            run_migrations(spec.package, url)
            if spec.seed:
                module, _sep, attr = spec.seed.partition(":")
                n = seeded.index(spec.name) + 1
                say(_("seeding {service} ({n} of {total} services)", service=spec.name, n=n, total=len(seeded)))
                asyncio.run(getattr(importlib.import_module(module), attr)(url))
    say(_("demo data loaded in {seconds} s", seconds=f"{time.monotonic() - started:.0f}"))


@app.command(help=_("Print a development token signed with HOUQIN_JWT_SECRET."))
def token(
    role: Annotated[list[Role], typer.Option(help=_("role(s) to grant; repeat for several"))],
    vendor: Annotated[str | None, typer.Option(help=_("vendor id (required with --role vendor)"))] = None,
    subject: Annotated[str, typer.Option(help=_("`sub` claim"))] = "dev-user",
    ttl: Annotated[int, typer.Option(help=_("lifetime in seconds"))] = 8 * 3600,
) -> None:
    """Print a development token signed with HOUQIN_JWT_SECRET."""
    if Role.vendor in role and not vendor:
        raise typer.BadParameter(_("--vendor is required with --role vendor"))
    typer.echo(create_token(ServiceSettings(), subject=subject, roles=role, vendor_id=vendor, ttl_s=ttl))


def _register_plugins() -> None:
    for ep in entry_points(group="houqin.commands"):
        try:
            ep.load()(app)
        except Exception as exc:  # one broken plugin must not take the CLI down
            if os.environ.get("HOUQIN_DEBUG"):
                raise
            typer.echo(_("houqin: commands of {plugin} unavailable: {error}", plugin=ep.name, error=exc), err=True)


def main() -> None:
    _register_plugins()
    app()
