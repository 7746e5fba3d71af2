"""The gateway's queries: terminal phone -> vehicle, authentication codes, connection state."""

from __future__ import annotations

import asyncio
from datetime import datetime

import psycopg
from psycopg_pool import AsyncConnectionPool

from houqin_common.db import libpq_url
from telemetry_ingest.ingest.writer import BatchWriter, DeadLetterRow


class Terminals:
    def __init__(self, database_url: str) -> None:
        self.pool = AsyncConnectionPool(
            libpq_url(database_url),
            min_size=1,
            max_size=4,
            open=False,
            kwargs={"autocommit": True, "application_name": "houqin-jt808"},
        )
        self.dead_letters = BatchWriter(database_url)
        self.dead_letter_lock = asyncio.Lock()  # one connection: one transaction at a time

    async def open(self) -> None:
        await self.pool.open()

    async def close(self) -> None:
        await self.pool.close()
        await self.dead_letters.close()

    async def vehicle_for(self, phone: str) -> str | None:
        """The vehicle a terminal phone number (leading zeros stripped) is fitted to."""
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT id FROM telemetry.vehicle WHERE terminal_phone = %s", (phone,))
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def register(self, *, vehicle_id: str, phone: str, protocol: str, auth_code: str, at: datetime) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO telemetry.terminal_connection (vehicle_id, phone, protocol, auth_code, registered_at, "
                "last_seen_at, connected) VALUES (%(v)s, %(p)s, %(proto)s, %(code)s, %(at)s, %(at)s, false) "
                "ON CONFLICT (vehicle_id) DO UPDATE SET phone = excluded.phone, protocol = excluded.protocol, "
                "auth_code = excluded.auth_code, registered_at = excluded.registered_at, "
                "last_seen_at = excluded.last_seen_at",
                {"v": vehicle_id, "p": phone, "proto": protocol, "code": auth_code, "at": at},
            )

    async def auth_code(self, phone: str) -> tuple[str, str | None] | None:
        """(vehicle id, code issued at the last registration) of a registered phone number."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT v.id, c.auth_code FROM telemetry.vehicle v "
                "LEFT JOIN telemetry.terminal_connection c ON c.vehicle_id = v.id WHERE v.terminal_phone = %s",
                (phone,),
            )
            row = await cur.fetchone()
        return None if row is None else (str(row[0]), row[1])

    async def connected(
        self, *, vehicle_id: str, phone: str, protocol: str, remote: str, connected: bool, at: datetime
    ) -> None:
        async with self.pool.connection() as conn:
            if connected:
                await conn.execute(
                    "INSERT INTO telemetry.terminal_connection (vehicle_id, phone, protocol, connected, remote, "
                    "connected_at, last_seen_at) VALUES (%(v)s, %(p)s, %(proto)s, true, %(r)s, %(at)s, %(at)s) "
                    "ON CONFLICT (vehicle_id) DO UPDATE SET phone = excluded.phone, protocol = excluded.protocol, "
                    "connected = true, remote = excluded.remote, connected_at = excluded.connected_at, "
                    "last_seen_at = excluded.last_seen_at",
                    {"v": vehicle_id, "p": phone, "proto": protocol, "r": remote, "at": at},
                )
            else:
                # only the connection that set the flag clears it (a terminal may already be back elsewhere)
                await conn.execute(
                    "UPDATE telemetry.terminal_connection SET connected = false, "
                    "last_seen_at = greatest(last_seen_at, %s) WHERE vehicle_id = %s AND remote = %s",
                    (at, vehicle_id, remote),
                )

    async def seen(self, last_seen: dict[str, datetime]) -> None:
        """Coalesced ``last_seen_at`` updates of many terminals in one statement."""
        if not last_seen:
            return
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE telemetry.terminal_connection c SET last_seen_at = greatest(c.last_seen_at, s.at) "
                "FROM unnest(%s::text[], %s::timestamptz[]) AS s(v, at) WHERE c.vehicle_id = s.v",
                (list(last_seen), list(last_seen.values())),
            )

    async def dead_letter(self, rows: list[DeadLetterRow]) -> None:
        """Reports the gateway refuses itself (no fix, out of range) go to the ingest's dead letters."""
        async with self.dead_letter_lock:
            try:
                await self.dead_letters.commit([], [], rows)
            except psycopg.Error:
                await self.dead_letters.close()
                raise
