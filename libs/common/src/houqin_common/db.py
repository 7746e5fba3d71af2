"""Async SQLAlchemy helpers shared by the services, and the Alembic runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _with_driver(url: str, driver: str | None) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql"
    new_scheme = f"{scheme}+{driver}" if driver else scheme
    return urlunsplit((new_scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def async_url(url: str) -> str:
    """The SQLAlchemy asyncpg form of a PostgreSQL URL."""
    return _with_driver(url, "asyncpg")


def libpq_url(url: str) -> str:
    """The plain ``postgresql://`` form (psycopg, psql)."""
    return _with_driver(url, None)


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def create_engine(
    url: str, *, pool_size: int = 10, pool_recycle_s: int = 1800, jit: bool = False, **kwargs: Any
) -> AsyncEngine:
    """An asyncpg engine that survives a restarted database without a round-trip per checkout.

    ``pool_pre_ping`` would send a ping before every request's first statement. Instead a connection
    the server has closed (restart, ``pg_terminate_backend``, idle timeout) is noticed locally at
    checkout, a connection older than ``pool_recycle_s`` is replaced, and a disconnect seen by a
    statement invalidates the whole pool generation (SQLAlchemy's own handling).

    JIT is off on these connections unless ``jit``: PostgreSQL compiles any plan estimated above
    ``jit_above_cost``, and the analytics reads over the rollups are estimated high and run in
    milliseconds, so compilation was the larger part of them (statistics of a year at full size: 380-660 ms
    with JIT, 300-330 ms without; docs/operations.md).
    """
    if not jit:
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args["server_settings"] = {"jit": "off", **connect_args.get("server_settings", {})}
        kwargs["connect_args"] = connect_args
    engine = create_async_engine(
        async_url(url), pool_size=pool_size, max_overflow=pool_size, pool_recycle=pool_recycle_s, **kwargs
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Checkout hook: a connection whose socket the server closed is replaced before use.

    asyncpg learns of the close from the event loop while the connection idles in the pool, so this is
    a flag read, not a round-trip; raising ``DisconnectionError`` makes the pool discard it and retry.
    """
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("connection closed by the server while idle in the pool")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadSession(Session):
    """The session of a GET or HEAD request: autocommit reads, and any write refused.

    Under PostgreSQL's default READ COMMITTED every statement takes its own snapshot even inside a
    transaction, so a read-only request gains nothing from BEGIN and COMMIT but two round-trips. A write
    here would commit statement by statement, so it is an error (a GET must not change anything).
    """


class WriteInReadRequest(RuntimeError):
    """A GET or HEAD handler tried to change the database."""


@event.listens_for(ReadSession, "before_flush")
def _refuse_flush(session: Session, flush_context: Any, instances: Any) -> None:
    raise WriteInReadRequest("a GET/HEAD request must not write: use POST, PUT, PATCH or DELETE")


@event.listens_for(ReadSession, "do_orm_execute")
def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise WriteInReadRequest("a GET/HEAD request must not write: use POST, PUT, PATCH or DELETE")


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on autocommit connections for safe (read-only) requests."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=ReadSession,
    )


#: Methods whose requests get a :class:`ReadSession` (RFC 9110 safe methods that reach handlers).
READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Request-scoped session: commits when the handler returns, rolls back when it raises.

    Services flush but never commit (Polar's rule), so one request is one transaction. GET and HEAD
    requests read in autocommit instead (:class:`ReadSession`): no BEGIN/COMMIT round-trips.
    """
    if request.method in READ_METHODS:
        reader: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
        async with reader() as session:
            yield session
        return
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


#: The session dependency every route uses. ``scope="function"`` makes FastAPI run the commit before
#: the response is sent, so a failing commit is reported to the client instead of lost after a 2xx.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def check_database(engine: AsyncEngine) -> None:
    """Readiness: the database answers a trivial query."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def migrations_location(package: str) -> str:
    """Filesystem path of a service's ``migrations`` package (shipped inside the wheel)."""
    return str(resources.files(package).joinpath("migrations"))


def run_migrations(package: str, url: str, revision: str = "heads") -> None:
    """``alembic upgrade heads`` for the service whose import package is ``package``.

    Runs synchronously; the service's env.py drives an async engine itself.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", migrations_location(package))
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    command.upgrade(cfg, revision)


def drop_overlapping_stamps(connection: Connection, schema: str, script: ScriptDirectory) -> set[str]:
    """Remove from the version table each stamped revision that is an ancestor of another stamped one.

    A history that once had two heads and was made linear (telemetry-ingest: ``t0101`` and the analytics
    branch, re-pointed in issue 25) leaves databases stamped with both; Alembic refuses to upgrade from
    revisions that overlap. The ancestor is applied by definition, so its row is redundant.
    """
    table = f'"{schema}".alembic_version'
    if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
        return set()
    stamped = set(connection.execute(text(f"SELECT version_num FROM {table}")).scalars())
    if len(stamped) < 2:
        return set()
    redundant: set[str] = set()
    for head in stamped:
        ancestors = {rev.revision for rev in script.iterate_revisions(head, "base")} - {head}
        redundant |= stamped & ancestors
    if redundant:
        connection.execute(text(f"DELETE FROM {table} WHERE version_num = ANY(:r)"), {"r": sorted(redundant)})
    return redundant


def run_alembic_env(target_metadata: MetaData, schema: str) -> None:
    """Body of every service's ``env.py``: online, async, schema-scoped version table."""
    import asyncio

    from alembic import context
    from alembic.script import ScriptDirectory
    from sqlalchemy.pool import NullPool

    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from houqin_common.settings import ServiceSettings

        url = async_url(ServiceSettings().database_url)

    def do_run(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        drop_overlapping_stamps(connection, schema, ScriptDirectory.from_config(config))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table="alembic_version",
            version_table_schema=schema,
            include_schemas=False,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(async_url(url), poolclass=NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())
