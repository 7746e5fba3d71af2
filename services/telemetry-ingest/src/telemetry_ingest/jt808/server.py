"""The JT/T 808 gateway: an asyncio TCP server in front of the MQTT pipeline.

One :class:`Connection` per terminal. Control messages (registration, authentication, heartbeat,
logout) are answered in order; location reports are stored concurrently (up to
``jt808_max_inflight`` per connection) and each is answered with 0x8001 success only once it is safe
(PUBACK, and with ``jt808_ack_after = stored`` also committed). A report that is not safe in time
gets no answer, so the terminal retransmits it: its own at-least-once joined to ours, and the
``(vehicle, ts)`` keys make the repeat harmless. A malformed frame is answered with a failure and the
connection goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import signal
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, start_http_server

from houqin_common import clock
from houqin_common.i18n import N_
from telemetry_ingest.ingest.validation import Limits, Rejected, position_row
from telemetry_ingest.ingest.writer import DeadLetterRow
from telemetry_ingest.jt808 import codec
from telemetry_ingest.jt808.codec import FrameError, Header, Message, MsgId, RegisterResult, Result
from telemetry_ingest.jt808.metrics import GatewayMetrics
from telemetry_ingest.jt808.publisher import NotStored, Publisher, StoredConfirmer
from telemetry_ingest.jt808.repository import Terminals
from telemetry_ingest.settings import Settings, get_settings

log = logging.getLogger("telemetry_ingest.jt808")


KNOWN_IDS = frozenset(int(m) for m in MsgId)


def protocol_name(edition: int) -> str:
    return f"jt808-{edition}"


@dataclass(slots=True)
class Outcome:
    """What became of the reports of one message: payloads to publish, dead letters."""

    payloads: list[dict[str, object]]
    keys: list[tuple[str, datetime]]
    dead: list[DeadLetterRow]


def _dead(topic: str, payload: dict[str, object], rejected: Rejected) -> DeadLetterRow:
    return DeadLetterRow(
        "jt808", topic, json.dumps(payload).encode(), rejected.reason, rejected.kind, rejected.to_json()
    )


def sort_reports(
    locations: list[codec.Location],
    *,
    vehicle_id: str,
    received_at: datetime,
    limits: Limits,
    no_fix: str,
    topic: str,
) -> Outcome:
    """Pure rule: which reports are published and which go to the dead letters (and why)."""
    outcome = Outcome([], [], [])
    for loc in locations:
        payload = codec.position_payload(loc, vehicle_id)
        if not loc.positioned and no_fix == "dead_letter":
            no_fix_reason = Rejected("no_fix", N_("positioning not valid (status bit 1 clear)"))
            outcome.dead.append(_dead(topic, payload, no_fix_reason))
            continue
        try:
            row = position_row(vehicle_id, payload, received_at, limits)
        except Rejected as exc:
            outcome.dead.append(_dead(topic, payload, exc))
            continue
        outcome.payloads.append(payload)
        outcome.keys.append((vehicle_id, row[1]))
    return outcome


class Gateway:
    def __init__(self, settings: Settings, metrics: GatewayMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or GatewayMetrics(CollectorRegistry())
        self.limits = Limits(
            max_payload_bytes=settings.max_payload_bytes, max_future_skew=timedelta(seconds=settings.max_future_skew_s)
        )
        self.terminals = Terminals(settings.database_url)
        self.publisher = Publisher(settings, self.metrics)
        self.confirmer = StoredConfirmer(settings)
        self.stop = asyncio.Event()
        self.connections: set[Connection] = set()
        self.last_seen: dict[str, datetime] = {}
        self.server: asyncio.Server | None = None
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        await self.terminals.open()
        self.tasks = [
            asyncio.create_task(self.publisher.run()),
            asyncio.create_task(self.confirmer.run(self.stop)),
            asyncio.create_task(self._flush_last_seen()),
        ]
        host, port = self.settings.jt808_host, self.settings.jt808_port
        while self.server is None:
            try:
                self.server = await asyncio.start_server(self._accept, host, port)
            except OSError as exc:
                # e.g. the port is taken: keep the worker (and `houqin up` around it) alive and retry
                log.error("JT/T 808 gateway cannot listen on %s:%d (%s); retrying", host, port, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), self.settings.retry_max_s)
                if self.stop.is_set():
                    return
        log.info("JT/T 808 gateway listening on %s:%d", host, self.port)

    async def close(self) -> None:
        """Stop accepting, close every connection (their unanswered reports are retransmitted), flush state."""
        self.stop.set()
        self.publisher.stop.set()
        if self.server is not None:
            self.server.close()
        for conn in list(self.connections):
            conn.close()
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.done.wait()
        for task in self.tasks:
            with contextlib.suppress(Exception):
                await task
        with contextlib.suppress(Exception):
            await self.terminals.seen(self.last_seen)
        await self.terminals.close()

    async def serve_forever(self) -> None:
        await self.start()
        await self.stop.wait()
        await self.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Connection(self, reader, writer)
        self.connections.add(conn)
        self.metrics.connections.labels("open").inc()
        try:
            await conn.run()
        finally:
            self.connections.discard(conn)
            self.metrics.connections.labels("open").dec()

    async def _flush_last_seen(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), 1.0)
            seen, self.last_seen = self.last_seen, {}
            try:
                await self.terminals.seen(seen)
            except Exception as exc:  # state is advisory: never stop the gateway for it
                log.warning("JT/T 808 gateway: last-seen update failed (%s)", exc)


class Connection:
    def __init__(self, gateway: Gateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.gw = gateway
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.remote = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.splitter = codec.Splitter()
        self.reassembler = codec.Reassembler()
        self.serial = 0
        self.vehicle_id: str | None = None
        self.phone: str | None = None
        self.edition: int | None = None
        self.inflight = asyncio.Semaphore(gateway.settings.jt808_max_inflight)
        self.tasks: set[asyncio.Task[None]] = set()
        self.done = asyncio.Event()
        self.closing = False
        self.unauthenticated_frames = 0

    def close(self) -> None:
        self.closing = True
        self.writer.close()

    async def run(self) -> None:
        settings = self.gw.settings
        try:
            while not self.closing:
                try:
                    async with asyncio.timeout(settings.jt808_idle_timeout_s):  # no task per read
                        data = await self.reader.read(65536)
                except TimeoutError:
                    log.info(
                        "JT/T 808 connection %s idle for %.0f s: closing", self.remote, settings.jt808_idle_timeout_s
                    )
                    self.gw.metrics.errors.labels("idle_timeout").inc()
                    break
                if not data:
                    break
                for content in self.splitter.feed(data):
                    await self._frame(content)
        except (ConnectionError, OSError) as exc:
            log.info("JT/T 808 connection %s lost: %s", self.remote, exc)
        finally:
            self.closing = True
            for task in list(self.tasks):
                task.cancel()
            for task in list(self.tasks):
                with contextlib.suppress(BaseException):
                    await task
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
            await self._disconnected()
            self.done.set()

    async def _disconnected(self) -> None:
        if self.vehicle_id is None or self.phone is None or self.edition is None:
            return
        self.gw.metrics.connections.labels("authenticated").dec()
        try:
            await self.gw.terminals.connected(
                vehicle_id=self.vehicle_id,
                phone=self.phone,
                protocol=protocol_name(self.edition),
                remote=self.remote,
                connected=False,
                at=clock.now(),
            )
        except Exception as exc:
            log.warning("JT/T 808: could not record the disconnection of %s (%s)", self.vehicle_id, exc)
        self.vehicle_id = None

    def send(self, header: Header, msg_id: int, body: bytes) -> None:
        if self.closing:
            return
        self.serial = (self.serial + 1) & 0xFFFF
        self.writer.write(codec.reply_to(header, msg_id, self.serial, body))

    def respond(self, header: Header, result: int) -> None:
        self.send(header, MsgId.PLATFORM_RESPONSE, codec.general_response(header.serial, header.msg_id, result))
        self.gw.metrics.acks.labels(Result(result).name.lower()).inc()

    async def _frame(self, content: bytes) -> None:
        metrics = self.gw.metrics
        try:
            message = codec.parse(codec.unframe(content))
        except FrameError as exc:
            metrics.frames.labels("invalid").inc()
            metrics.errors.labels("frame").inc()
            log.warning("JT/T 808 %s: malformed frame (%s): %s", self.remote, exc, content[:64].hex())
            self._answer_malformed(content)
            return
        h = message.header
        if self.vehicle_id is None:
            self.unauthenticated_frames += 1
            if self.unauthenticated_frames > self.gw.settings.jt808_max_unauthenticated_frames:
                metrics.errors.labels("unauthenticated_flood").inc()
                log.warning("JT/T 808 %s: too many frames without authentication: closing", self.remote)
                self.close()
                return
        # label by known message ids only: a terminal must not be able to grow the metric without bound
        metrics.frames.labels(f"{h.msg_id:#06x}" if h.msg_id in KNOWN_IDS else "other").inc()
        if h.encryption:
            metrics.errors.labels("encrypted").inc()
            self.respond(h, Result.UNSUPPORTED)
            return
        headers = [h]
        if h.segmented:
            joined = self.reassembler.add(message, asyncio.get_running_loop().time())
            if joined is None:
                return  # answered with the whole message
            message, headers = joined
        if self.vehicle_id is not None:
            if codec.normalise_phone(message.header.phone) != self.phone:
                metrics.errors.labels("phone_mismatch").inc()
                for each in headers:
                    self.respond(each, Result.FAILURE)
                return
            self.gw.last_seen[self.vehicle_id] = clock.now()
        try:
            await self._dispatch(message, headers)
        except FrameError as exc:
            metrics.errors.labels("body").inc()
            log.warning("JT/T 808 %s: malformed %#06x body (%s)", self.remote, message.header.msg_id, exc)
            for each in headers:
                self.respond(each, Result.MESSAGE_ERROR)
        except Exception:
            # the connection loop never dies on one message; unanswered, the terminal retransmits
            metrics.errors.labels("internal").inc()
            log.exception("JT/T 808 %s: error handling %#06x", self.remote, message.header.msg_id)

    def _answer_malformed(self, content: bytes) -> None:
        """A failure answer when the header is still readable (bad check code, bad body length)."""
        try:
            raw = codec.unescape(content)
        except FrameError:
            return
        header = _loose_header(raw[:-1])
        if header is not None:
            self.respond(header, Result.MESSAGE_ERROR)

    async def _dispatch(self, message: Message, headers: list[Header]) -> None:
        h = message.header
        if h.msg_id == MsgId.REGISTER:
            await self._register(message)
        elif h.msg_id == MsgId.AUTHENTICATE:
            await self._authenticate(message)
        elif h.msg_id == MsgId.HEARTBEAT:
            self.respond(h, Result.SUCCESS)
        elif h.msg_id == MsgId.LOGOUT:
            self.respond(h, Result.SUCCESS)
            await self.writer.drain()
            self.close()
        elif h.msg_id == MsgId.TERMINAL_RESPONSE:
            pass  # answers to platform commands: none are sent yet
        elif h.msg_id in (MsgId.LOCATION, MsgId.LOCATION_BATCH):
            if self.vehicle_id is None:
                self.gw.metrics.errors.labels("not_authenticated").inc()
                for each in headers:
                    self.respond(each, Result.FAILURE)
                return
            if h.msg_id == MsgId.LOCATION:
                locations = [codec.parse_location(message.body)]
            else:
                locations = codec.parse_batch(message.body).locations
            await self.inflight.acquire()
            task = asyncio.create_task(self._store(self.vehicle_id, locations, headers))
            self.tasks.add(task)
            task.add_done_callback(self._finished)
        else:
            for each in headers:
                self.respond(each, Result.UNSUPPORTED)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.inflight.release()

    async def _register(self, message: Message) -> None:
        h = message.header
        codec.parse_registration(message.body, h.edition)  # a malformed body is a message error
        phone = codec.normalise_phone(h.phone)
        vehicle_id = await self.gw.terminals.vehicle_for(phone)
        if vehicle_id is None:
            self.gw.metrics.errors.labels("unknown_terminal").inc()
            log.warning("JT/T 808 %s: registration refused, phone %s is not in the registry", self.remote, phone)
            body = codec.register_response(h.serial, RegisterResult.NO_SUCH_TERMINAL)
            self.send(h, MsgId.REGISTER_RESPONSE, body)
            return
        code = secrets.token_hex(8)
        await self.gw.terminals.register(
            vehicle_id=vehicle_id, phone=phone, protocol=protocol_name(h.edition), auth_code=code, at=clock.now()
        )
        self.send(h, MsgId.REGISTER_RESPONSE, codec.register_response(h.serial, RegisterResult.SUCCESS, code))

    async def _authenticate(self, message: Message) -> None:
        h = message.header
        code = codec.parse_authentication(message.body, h.edition)
        phone = codec.normalise_phone(h.phone)
        known = await self.gw.terminals.auth_code(phone)
        if known is None or known[1] is None or not hmac.compare_digest(known[1].encode(), code.encode()):
            self.gw.metrics.errors.labels("authentication").inc()
            self.respond(h, Result.FAILURE)
            return
        if self.vehicle_id is None:
            self.gw.metrics.connections.labels("authenticated").inc()
        self.vehicle_id, self.phone, self.edition = known[0], phone, h.edition
        await self.gw.terminals.connected(
            vehicle_id=known[0],
            phone=phone,
            protocol=protocol_name(h.edition),
            remote=self.remote,
            connected=True,
            at=clock.now(),
        )
        self.respond(h, Result.SUCCESS)

    async def _store(self, vehicle_id: str, locations: list[codec.Location], headers: list[Header]) -> None:
        gw, metrics = self.gw, self.gw.metrics
        topic = f"houqin/v1/vehicles/{vehicle_id}/positions"
        outcome = sort_reports(
            locations,
            vehicle_id=vehicle_id,
            received_at=clock.now(),
            limits=gw.limits,
            no_fix=gw.settings.jt808_no_fix,
            topic=topic,
        )
        try:
            if outcome.payloads:
                data = outcome.payloads[0] if len(outcome.payloads) == 1 else outcome.payloads
                await gw.publisher.publish(topic, json.dumps(data).encode())
                if gw.settings.jt808_ack_after == "stored":
                    await gw.confirmer.wait(outcome.keys)
            # after the positions: a retransmission (positions not safe) must not duplicate dead letters,
            # which have no natural key; positions repeat harmlessly
            if outcome.dead:
                await gw.terminals.dead_letter(outcome.dead)
        except (NotStored, OSError) as exc:
            metrics.acks.labels("none").inc(len(headers))
            log.warning(
                "JT/T 808 %s: %d report(s) of %s not stored (%s): left unanswered",
                self.remote,
                len(locations),
                vehicle_id,
                exc,
            )
            return
        except Exception as exc:  # psycopg errors writing dead letters included
            metrics.acks.labels("none").inc(len(headers))
            log.warning("JT/T 808 %s: reports of %s not stored (%s): left unanswered", self.remote, vehicle_id, exc)
            return
        metrics.positions.labels("published").inc(len(outcome.payloads))
        metrics.positions.labels("dead_letter").inc(len(outcome.dead))
        for each in headers:
            self.respond(each, Result.SUCCESS)


def _loose_header(raw: bytes) -> Header | None:
    """The header of a frame whose check code or length is wrong, to answer it with its serial."""
    if len(raw) < 12:
        return None
    try:
        full = codec.parse(raw)
    except FrameError:
        pass
    else:
        return full.header
    msg_id, attrs = int.from_bytes(raw[0:2], "big"), int.from_bytes(raw[2:4], "big")
    try:
        if attrs & 0x4000:
            if len(raw) < 17:
                return None
            return Header(msg_id, codec.bcd_decode(raw[5:15]), int.from_bytes(raw[15:17], "big"), 2019, raw[4])
        return Header(msg_id, codec.bcd_decode(raw[4:10]), int.from_bytes(raw[10:12], "big"), 2013)
    except FrameError:
        return None


async def run(settings: Settings) -> None:
    registry = CollectorRegistry()
    if settings.jt808_metrics_port:
        start_http_server(settings.jt808_metrics_port, registry=registry)
    gateway = Gateway(settings, GatewayMetrics(registry))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, gateway.stop.set)
    await gateway.serve_forever()
    log.warning("JT/T 808 gateway stopped")


def main() -> None:
    """Blocking entry point of the `jt808-gateway` worker; SIGTERM closes the connections and exits."""
    from houqin_common.observability import configure_logging

    settings = get_settings()
    configure_logging("telemetry-ingest.jt808", settings.log_level, settings.log_json)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
