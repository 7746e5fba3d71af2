"""A JT/T 808 terminal over real TCP: the simulator's `--protocol jt808` mode, the tests and the bench.

It speaks what a BeiDou terminal sends (registration, authentication, heartbeat, 0x0200, 0x0704,
sub-packages) and keeps every platform answer with its arrival order, so a caller can wait for the
answer to one serial number.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from houqin_common import clock
from houqin_common.i18n import _
from telemetry_ingest.jt808 import codec
from telemetry_ingest.jt808.codec import MsgId
from telemetry_ingest.simulator.model import SimVehicle, position, step_vehicle


@dataclass(frozen=True, slots=True)
class Reply:
    msg_id: int
    reply_serial: int
    result: int
    body: bytes


#: how long a simulated terminal waits for the platform's answer
REPLY_TIMEOUT_S = 10.0


class Terminal:
    def __init__(self, phone: str, *, edition: int = 2013) -> None:
        self.phone = phone
        self.edition = edition
        self.serial = 0
        self.replies: list[Reply] = []
        self.waiting: dict[int, asyncio.Future[Reply]] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reading: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()

    async def connect(self, host: str, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self.closed.clear()
        self.reading = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        if self.reading is not None:
            self.reading.cancel()
            with contextlib.suppress(BaseException):
                await self.reading

    async def _read(self) -> None:
        assert self.reader is not None
        splitter = codec.Splitter()
        try:
            while data := await self.reader.read(65536):
                for content in splitter.feed(data):
                    message = codec.parse(codec.unframe(content))
                    if message.header.msg_id == MsgId.PLATFORM_RESPONSE:
                        serial, _, result = codec.parse_general_response(message.body)
                    elif message.header.msg_id == MsgId.REGISTER_RESPONSE:
                        serial, result, _ = codec.parse_register_response(message.body)
                    else:
                        continue
                    reply = Reply(message.header.msg_id, serial, result, message.body)
                    self.replies.append(reply)
                    fut = self.waiting.pop(serial, None)
                    if fut is not None and not fut.done():
                        fut.set_result(reply)
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed.set()
            for fut in self.waiting.values():
                fut.cancel()  # unanswered: the caller retransmits or gives up
            self.waiting.clear()

    def next_serial(self) -> int:
        self.serial = (self.serial + 1) & 0xFFFF
        return self.serial

    def expect(self, serial: int) -> asyncio.Future[Reply]:
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.waiting[serial] = fut
        return fut

    def write(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)

    def send(self, msg_id: int, body: bytes) -> asyncio.Future[Reply]:
        """Send one message; the future resolves with the platform's answer to it."""
        serial = self.next_serial()
        fut = self.expect(serial)
        self.write(codec.build(msg_id, self.phone, serial, body, edition=self.edition))
        return fut

    async def request(self, msg_id: int, body: bytes) -> Reply:
        async with asyncio.timeout(REPLY_TIMEOUT_S):
            return await self.send(msg_id, body)

    async def register(self, plate: str = "苏D00000", terminal_id: str = "SIM0001") -> Reply:
        reg = codec.Registration(32, 401, "HQSIM", "HQ-T808", terminal_id, 1, plate)
        return await self.request(MsgId.REGISTER, codec.encode_registration(reg, self.edition))

    async def authenticate(self, code: str) -> Reply:
        body = codec.encode_authentication(code, self.edition, "861234567890123", "HQSIM-1.0")
        return await self.request(MsgId.AUTHENTICATE, body)

    async def login(self) -> None:
        """Register and authenticate; raises when the platform refuses."""
        registered = await self.register()
        serial_result = codec.parse_register_response(registered.body)
        if serial_result[1] != codec.RegisterResult.SUCCESS:
            raise PermissionError(
                _(
                    "registration of terminal {phone} refused (result {result})",
                    phone=self.phone,
                    result=serial_result[1],
                )
            )
        authenticated = await self.authenticate(serial_result[2])
        if authenticated.result != codec.Result.SUCCESS:
            raise PermissionError(_("authentication of terminal {phone} refused", phone=self.phone))

    def report(self, loc: codec.Location) -> asyncio.Future[Reply]:
        return self.send(MsgId.LOCATION, codec.encode_location(loc))

    def batch(self, locations: list[codec.Location], *, backfill: bool) -> list[asyncio.Future[Reply]]:
        """0x0704, split into sub-packages when longer than one message body allows."""
        body = codec.encode_batch(locations, backfill=backfill)
        if len(body) <= codec.MAX_BODY:
            return [self.send(MsgId.LOCATION_BATCH, body)]
        first = self.serial + 1
        frames = codec.build_segmented(MsgId.LOCATION_BATCH, self.phone, first, body, edition=self.edition)
        futures = [self.expect((first + i) & 0xFFFF) for i in range(len(frames))]
        self.serial = (first + len(frames) - 1) & 0xFFFF
        for data in frames:
            self.write(data)
        return futures


def location_of(vehicle: SimVehicle, at: datetime, rng: random.Random) -> codec.Location:
    """The simulator's position of a vehicle as a JT/T 808 report."""
    p = position(vehicle, at, rng)
    status = codec.POSITIONED | (codec.ACC_ON if p.get("ignition") else 0)
    return codec.Location(
        alarm=0,
        status=status,
        lat=round(float(p["lat"]), 6),
        lon=round(float(p["lon"]), 6),
        altitude=int(p.get("altitude") or 0),
        speed_kmh=round(float(p.get("speed_kmh") or 0), 1),
        heading=int(p.get("heading") or 0) % 360,
        ts=at.replace(microsecond=0),
        mileage_km=round(float(p["odometer_km"]), 1) if p.get("odometer_km") is not None else None,
        satellites=int(p["satellites"]) if p.get("satellites") is not None else None,
        signal=rng.randint(15, 31),
    )


async def drive(
    host: str,
    port: int,
    vehicles: list[SimVehicle],
    phones: dict[str, str],
    *,
    start: datetime,
    speedup: float,
    duration_s: float | None,
    edition: int = 2013,
    seed: int = 7,
    report: Callable[[str], None] | None = None,
) -> int:
    """One TCP connection per vehicle; returns the number of reports acknowledged with success."""
    rng = random.Random(seed + 1)
    terminals = {v.id: Terminal(phones[v.id], edition=edition) for v in vehicles}
    for terminal in terminals.values():
        await terminal.connect(host, port)
        await terminal.login()
    loop = asyncio.get_running_loop()
    wall_start = loop.time()
    acked = 0
    pending: set[asyncio.Future[Reply]] = set()
    sim_prev = start

    def done(fut: asyncio.Future[Reply]) -> None:
        nonlocal acked
        pending.discard(fut)
        if not fut.cancelled() and fut.exception() is None and fut.result().result == codec.Result.SUCCESS:
            acked += 1

    last_report = wall_start
    try:
        while duration_s is None or loop.time() - wall_start < duration_s:
            at = min(start + timedelta(seconds=(loop.time() - wall_start) * speedup), clock.now())
            dt = at - sim_prev
            sim_prev = at
            for v in vehicles:
                step_vehicle(v, at, dt, rng)
                if v.next_at <= at:
                    fut = terminals[v.id].report(location_of(v, at, rng))
                    pending.add(fut)
                    fut.add_done_callback(done)
            if report is not None and loop.time() - last_report >= 10:
                report(
                    _(
                        "{at} acknowledged={acked} pending={pending}",
                        at=at.isoformat(timespec="minutes"),
                        acked=acked,
                        pending=len(pending),
                    )
                )
                last_report = loop.time()
            await asyncio.sleep(0.25)
        if pending:
            await asyncio.wait(pending, timeout=30)
    finally:
        for terminal in terminals.values():
            await terminal.close()
    return acked


def sim_phone(index: int) -> str:
    """Terminal phone numbers of the simulated fleet: 1380000xxxx."""
    return f"1380000{index + 1:04d}"


def register_phones(database_url: str, phones: dict[str, str]) -> None:
    """Fit the simulated vehicles with terminal phone numbers (leaves numbers set by hand alone)."""
    import psycopg

    from houqin_common.db import libpq_url

    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            "UPDATE telemetry.vehicle SET terminal_phone = %s WHERE id = %s AND terminal_phone IS NULL",
            [(phone, vehicle_id) for vehicle_id, phone in phones.items()],
        )


def run(
    *,
    host: str,
    port: int,
    database_url: str | None,
    vehicles: int,
    speedup: float,
    duration_s: float | None,
    start: datetime | None = None,
    seed: int = 7,
    edition: int = 2013,
    report: Callable[[str], None] | None = None,
) -> int:
    """`houqin simulate --protocol jt808`: the fleet's terminals talk JT/T 808 to the gateway."""
    from telemetry_ingest.simulator.model import make_fleet
    from telemetry_ingest.simulator.runner import register

    sim_start = start or clock.now() - timedelta(days=7)
    sim_meters, sim_vehicles = make_fleet(vehicles, 0, sim_start, seed)
    phones = {v.id: sim_phone(i) for i, v in enumerate(sim_vehicles)}
    if database_url:
        register(database_url, sim_meters, sim_vehicles)
        register_phones(database_url, phones)
    return asyncio.run(
        drive(
            host,
            port,
            sim_vehicles,
            phones,
            start=sim_start,
            speedup=speedup,
            duration_s=duration_s,
            edition=edition,
            seed=seed,
            report=report,
        )
    )
