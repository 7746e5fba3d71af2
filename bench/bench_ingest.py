"""End-to-end ingest benchmark: real Mosquitto (the project's config) and real PostgreSQL.

Three consumers in the same run, on the same broker settings, the same database schema and the same
backlog size:
- **pipeline**: ``telemetry_ingest.ingest.consumer`` (decode, validate with the payload models, COPY +
  ON CONFLICT, dead letters, ack after commit);
- **baseline**: the honest alternative one would write by hand: paho (public API) with manual acknowledgement,
  batches of the same size and age, ``executemany`` INSERT ... ON CONFLICT DO NOTHING in one transaction
  per batch, ack after commit;
- **raw**: a client that acknowledges each message on receipt and writes nothing: the broker and MQTT
  client ceiling, not a consumer anyone should run.

(a) *drain*: N QoS 1 messages queued for the consumer's persistent session while it is offline; the drain
time is taken from **commit timestamps**: a deferred constraint trigger in the throw-away database
records ``clock_timestamp()`` once per transaction when it commits (first to last commit; process
start-up excluded and shown apart). (b) *live*: publisher processes at a fixed offered rate; the
publish-to-commit latency of each message is its commit timestamp minus the ``sent_at`` it carries.
CPU per message is the consumer process's user+system time over the messages it took.

Environment: ``BENCH_INGEST_N`` (default 50000), ``BENCH_INGEST_RATE`` (live msg/s, default 2000),
``BENCH_INGEST_SECONDS`` (live duration, default 8), ``BENCH_INGEST_PUBLISHERS`` (default 4),
``BENCH_DATABASE_URL`` (server to create a throw-away database on), ``BENCH_PROFILE`` (1 to add a
profiled pipeline drain), ``BENCH_PYSPY`` (a file: py-spy's raw stacks of the pipeline, its CPU
figures then include py-spy's), ``BENCH_INGEST_ONLY`` (comma list of `pipeline`, `baseline`, `raw`; default all).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as paho
import psutil
import psycopg
from psycopg.types.json import Jsonb

from houqin_common.db import libpq_url, run_migrations, with_database
from houqin_common.embedded import free_port

REPO = Path(__file__).resolve().parent.parent
BROKER_CONF = REPO / "services/telemetry-ingest/mosquitto/houqin.conf"
BASE_MS = 1_780_000_000_000
TOPICS = ("houqin/v1/meters/+/readings", "houqin/v1/vehicles/+/positions", "v1/gateway/telemetry")


# --- infrastructure -------------------------------------------------------------------------------


def start_broker(tmp: Path) -> tuple[subprocess.Popen[bytes] | None, str]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        print("mosquitto binary not found: using HOUQIN_MQTT_URL with its own config (results may be capped)")
        return None, os.environ.get("HOUQIN_MQTT_URL", "mqtt://127.0.0.1:1883")
    port = free_port()
    lines = []
    for line in BROKER_CONF.read_text().splitlines():
        key = line.split(" ", 1)[0]
        if key == "listener":
            line = f"listener {port} 127.0.0.1"
        elif key == "persistence_location":
            line = f"persistence_location {tmp}/"
        lines.append(line)
    lines.append("user root")  # keep root under the benchmark: the persistence dir is a private temp dir
    conf = tmp / "houqin.conf"
    conf.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"mqtt://127.0.0.1:{port}"


def create_database(admin_url: str, meters: list[str]) -> str:
    name = f"houqin_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin_url), name)
    run_migrations("telemetry_ingest", url)
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, 'bench', '01000')",
            [(m, m) for m in meters],
        )
        cur.execute(COMMIT_CLOCK)
    return url


#: Commit timestamps: a deferred trigger fires at COMMIT; the first firing of a transaction records the time.
COMMIT_CLOCK = """
CREATE TABLE public.bench_commit (xid bigint PRIMARY KEY, at timestamptz NOT NULL);
CREATE FUNCTION public.bench_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('bench.stamped', true) IS DISTINCT FROM 'y' THEN
        PERFORM set_config('bench.stamped', 'y', true);
        INSERT INTO public.bench_commit VALUES (txid_current() % 4294967296, clock_timestamp());
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER bench_commit_clock AFTER INSERT ON telemetry.reading
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.bench_stamp();
"""


def commit_span(url: str) -> tuple[float, float]:
    """First and last commit time (epoch seconds) of the transactions that inserted readings."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT extract(epoch FROM min(at)), extract(epoch FROM max(at)) FROM bench_commit"
        ).fetchone()
        assert row is not None and row[0] is not None
        return float(row[0]), float(row[1])


def drop_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mqtt_client(mqtt_url: str, client_id: str, clean: bool = True) -> paho.Client:
    url = urlsplit(mqtt_url)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    return client


def create_session(mqtt_url: str, client_id: str, topics: list[str]) -> None:
    client = mqtt_client(mqtt_url, client_id, clean=False)
    done: list[int] = []
    client.on_subscribe = lambda *a: done.append(1)
    client.loop_start()
    client.subscribe([(t, 1) for t in topics])
    deadline = time.monotonic() + 10
    while not done and time.monotonic() < deadline:
        time.sleep(0.01)
    client.disconnect()
    client.loop_stop()


def reading(seq: int, sent: float | None = None) -> bytes:
    body: dict[str, Any] = {"ts": BASE_MS + seq * 1000, "energy_kwh": 1000 + seq * 0.01, "power_kw": 42.5}
    if sent is not None:
        body["sent_at"] = sent
    return json.dumps(body).encode()


def _publish_backlog(mqtt_url: str, meter: str, start: int, count: int) -> None:
    client = mqtt_client(mqtt_url, f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.loop_start()
    infos = [
        client.publish(f"houqin/v1/meters/{meter}/readings", reading(s), qos=1) for s in range(start, start + count)
    ]
    for info in infos:
        info.wait_for_publish(120)
    client.disconnect()
    client.loop_stop()


def publish_backlog(mqtt_url: str, meters: list[str], per_meter: int) -> float:
    started = time.perf_counter()
    procs = [mp.Process(target=_publish_backlog, args=(mqtt_url, m, 0, per_meter)) for m in meters]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return time.perf_counter() - started


def count_rows(url: str, meters: list[str]) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM telemetry.reading WHERE meter_id = ANY(%s)", (meters,)).fetchone()
        return int(row[0]) if row else 0


# --- consumers --------------------------------------------------------------------------------------


async def _baseline(database_url: str, mqtt_url: str, client_id: str, group: str) -> None:
    """Batches of 2000 or 100 ms, executemany in one transaction, PUBACK after the commit.

    paho's public API only: ``manual_ack=True`` in the constructor, its network loop in its own thread
    (``loop_start``), ``on_message`` handing each message to the asyncio loop, ``ack()`` after the commit.
    """
    url = urlsplit(mqtt_url)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    conn = await psycopg.AsyncConnection.connect(database_url)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True)
    client.max_inflight_messages_set(2000)
    inbox: list[paho.MQTTMessage] = []
    arrived = asyncio.Event()
    subscribed = asyncio.Event()

    def on_message(_c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        inbox.append(message)  # list.append is atomic: the network thread adds, the loop takes
        if not arrived.is_set():
            loop.call_soon_threadsafe(arrived.set)

    client.on_message = on_message

    def on_subscribe(*_a: Any) -> None:
        loop.call_soon_threadsafe(subscribed.set)

    client.on_subscribe = on_subscribe
    client.on_connect = lambda c, *_a: c.subscribe([(t, 1) for t in TOPICS])  # plain, as the pipeline
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    client.loop_start()
    await asyncio.wait_for(subscribed.wait(), 30)
    while not stop.is_set():
        deadline = time.monotonic() + 0.1
        while len(inbox) < 2000 and time.monotonic() < deadline:
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), max(deadline - time.monotonic(), 0.001))
        batch = inbox[:2000]
        del inbox[: len(batch)]
        if not batch:
            continue
        rows = []
        for message in batch:
            data = json.loads(message.payload)
            extra = {"sent_at": data["sent_at"]} if "sent_at" in data else None
            rows.append((message.topic.split("/")[3], data["ts"], data.get("energy_kwh"), data.get("power_kw"), extra))
        async with conn.transaction(), conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh, power_kw, extra, received_at) "
                "VALUES (%s, to_timestamp(%s / 1000.0), %s, %s, %s, now()) ON CONFLICT DO NOTHING",
                [(m, ts, e, p, Jsonb(x) if x else None) for m, ts, e, p, x in rows],
            )
        for message in batch:
            client.ack(message.mid, message.qos)
    client.disconnect()
    client.loop_stop()
    await conn.close()


def baseline_main() -> None:
    """The honest baseline consumer (run as a child process by the benchmark)."""
    asyncio.run(
        _baseline(
            os.environ["BENCH_DB"], os.environ["BENCH_MQTT"], os.environ["BENCH_CLIENT_ID"], os.environ["BENCH_GROUP"]
        )
    )


def raw_main() -> None:
    """Receive and acknowledge, store nothing; writes first/last receipt time once BENCH_EXPECT arrived."""
    url = urlsplit(os.environ["BENCH_MQTT"])
    expect = int(os.environ["BENCH_EXPECT"])
    out = Path(os.environ["BENCH_RAW_OUT"])
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=os.environ["BENCH_CLIENT_ID"], clean_session=False)
    client.manual_ack_set(True)
    seen: list[float] = []

    def on_message(c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        now = time.time()
        if not seen:
            seen.extend([now, time.process_time()])
        seen[2:] = [now, time.process_time()]
        c.ack(message.mid, message.qos)
        global _raw_count
        _raw_count += 1
        if _raw_count == expect:
            out.write_text(json.dumps({"first": seen[0], "cpu_first": seen[1], "last": seen[2], "cpu_last": seen[3]}))

    client.on_message = on_message
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    client.subscribe([(t, 1) for t in TOPICS])
    signal.signal(signal.SIGTERM, lambda *_: client.disconnect())
    client.loop_forever()


_raw_count = 0


class Consumer:
    def __init__(
        self, kind: str, database_url: str, mqtt_url: str, profile: Path | None = None, tmp: Path | None = None
    ) -> None:
        self.kind = kind
        self.raw_out = (tmp or Path(tempfile.gettempdir())) / f"raw-{uuid.uuid4().hex[:6]}.json"
        self.client_id = f"bench-{kind}-{uuid.uuid4().hex[:6]}"
        self.group = f"bench-{uuid.uuid4().hex[:6]}"
        self.env = {
            **os.environ,
            "HOUQIN_DATABASE_URL": database_url,
            "HOUQIN_MQTT_URL": mqtt_url,
            "HOUQIN_LOG_LEVEL": "WARNING",
            "HOUQIN_LOG_JSON": "false",
            "HOUQIN_TELEMETRY_MQTT_CLIENT_ID": self.client_id,
            "HOUQIN_TELEMETRY_MQTT_SHARE_GROUP": self.group,
            "BENCH_DB": database_url,
            "BENCH_MQTT": mqtt_url,
            "BENCH_CLIENT_ID": self.client_id,
            "BENCH_GROUP": self.group,
            "BENCH_RAW_OUT": str(self.raw_out),
        }
        if kind == "pipeline":
            module = ["-m", "telemetry_ingest.ingest.consumer"]
            self.cmd = [sys.executable, *module]
            if profile is not None:
                self.cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(profile), *module]
            pyspy = os.environ.get("BENCH_PYSPY")  # a path: py-spy's collapsed stacks of the pipeline's drain
            if pyspy and profile is None:
                spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
                self.cmd = [spy, "record", "--format", "raw", "-r", "200", "-o", pyspy, "--", *self.cmd]
        else:
            self.cmd = [sys.executable, "-c", f"from bench.bench_ingest import {kind}_main; {kind}_main()"]
        self.proc: subprocess.Popen[bytes] | None = None
        create_session(mqtt_url, self.client_id, list(TOPICS))  # plain subscriptions, as the consumer makes

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=REPO)

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        proc = psutil.Process(self.proc.pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            t = p.cpu_times()
            total += t.user + t.system
        return total

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            children: list[psutil.Process] = []
            with contextlib.suppress(psutil.Error):
                children = psutil.Process(self.proc.pid).children() if os.environ.get("BENCH_PYSPY") else []
            # under py-spy stop the consumer itself: py-spy writes its file once its target has exited
            for p in children or [psutil.Process(self.proc.pid)]:
                p.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# --- scenarios --------------------------------------------------------------------------------------


def drain(
    consumer: Consumer, database_url: str, mqtt_url: str, meters: list[str], n: int, broker: psutil.Process | None
) -> dict[str, float]:
    per_meter = n // len(meters)
    total = per_meter * len(meters)
    pub_s = publish_backlog(mqtt_url, meters, per_meter)
    raw_out = consumer.raw_out
    consumer.env["BENCH_EXPECT"] = str(total)
    started = time.time()
    consumer.start()
    cpu_start = None
    broker_start = 0.0
    deadline = time.monotonic() + 600
    # polling only decides when to look; the drain time itself comes from commit (or receipt) timestamps
    while True:
        done = raw_out.exists() if consumer.kind == "raw" else count_rows(database_url, meters) >= total
        if cpu_start is None and (consumer.kind == "raw" or count_rows(database_url, meters)):
            cpu_start = consumer.cpu_seconds()
            broker_start = _cpu(broker)
        if done:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{consumer.kind}: not drained after 600 s")
        time.sleep(0.05)
    cpu = consumer.cpu_seconds() - (cpu_start or 0.0)
    broker_cpu = _cpu(broker) - broker_start
    if consumer.kind == "raw":
        marks = json.loads(raw_out.read_text())
        first, last = marks["first"], marks["last"]
        cpu = marks["cpu_last"] - marks["cpu_first"]  # its own clock: start-up excluded like the others
    else:
        first, last = commit_span(database_url)
    drain_s = max(last - first, 1e-9)
    return {
        "messages": total,
        "publish_s": pub_s,
        "startup_s": first - started,
        "drain_s": drain_s,
        "msgs_per_s": total / drain_s,
        "cpu_us_per_msg": cpu / total * 1e6,
        "broker_us_per_msg": broker_cpu / total * 1e6,
    }


def _cpu(proc: psutil.Process | None) -> float:
    if proc is None:
        return float("nan")
    t = proc.cpu_times()
    return float(t.user + t.system)


def _live_publisher(mqtt_url: str, meter: str, rate: float, seconds: float, start_seq: int, out: Any) -> None:
    client = mqtt_client(mqtt_url, f"bench-live-{uuid.uuid4().hex[:8]}")
    client.loop_start()
    sent: list[float] = []
    t0 = time.time()
    seq = start_seq
    total = int(rate * seconds)
    tick = 0.01
    for i in range(total):
        due = t0 + i / rate
        delay = due - time.time()
        if delay > tick:
            time.sleep(delay)
        now = time.time()
        client.publish(f"houqin/v1/meters/{meter}/readings", reading(seq, now), qos=1)
        sent.append(now)
        seq += 1
    time.sleep(0.5)
    client.disconnect()
    client.loop_stop()
    out.put((meter, start_seq, sent))


def live(
    database_url: str, mqtt_url: str, meters: list[str], start_seq: int, rate: float, seconds: float
) -> dict[str, float]:
    queue: Any = mp.Queue()
    procs = [
        mp.Process(target=_live_publisher, args=(mqtt_url, m, rate / len(meters), seconds, start_seq, queue))
        for m in meters
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    offered = sum(len(s) for _m, _f, s in results)
    deadline = time.monotonic() + 120
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM telemetry.reading WHERE meter_id = ANY(%s) AND extra ? 'sent_at'", (meters,)
            ).fetchone()
            if row and row[0] >= offered:
                break
            time.sleep(0.05)
        # publish-to-commit: the commit timestamp of the row's transaction minus the time it was published
        latencies = sorted(
            float(lat)
            for (lat,) in conn.execute(
                "SELECT extract(epoch FROM c.at) - (r.extra->>'sent_at')::float8 FROM telemetry.reading r "
                "JOIN bench_commit c ON c.xid = r.xmin::text::bigint "
                "WHERE r.meter_id = ANY(%s) AND r.extra ? 'sent_at'",
                (meters,),
            ).fetchall()
        )
    return {
        "offered": offered,
        "committed": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000 if latencies else float("nan"),
    }


def main() -> None:
    n = int(os.environ.get("BENCH_INGEST_N", "50000"))
    rate = float(os.environ.get("BENCH_INGEST_RATE", "2000"))
    seconds = float(os.environ.get("BENCH_INGEST_SECONDS", "8"))
    publishers = int(os.environ.get("BENCH_INGEST_PUBLISHERS", "4"))
    admin = os.environ.get(
        "BENCH_DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    tmp = Path(tempfile.mkdtemp(prefix="houqin-bench-"))
    broker, mqtt_url = start_broker(tmp)
    broker_ps = psutil.Process(broker.pid) if broker is not None else None
    results: dict[str, dict[str, float]] = {}
    urls: list[str] = []
    try:
        kinds = os.environ.get("BENCH_INGEST_ONLY", "pipeline,baseline,raw").split(",")
        if os.environ.get("BENCH_PROFILE", "0") == "1":
            kinds.append("profiled")
        for kind in kinds:
            meters = [f"bench-{kind}-{i}" for i in range(publishers)]
            url = create_database(admin, meters)
            urls.append(url)
            profile = tmp / "profile.txt" if kind == "profiled" else None
            consumer = Consumer("pipeline" if kind == "profiled" else kind, url, mqtt_url, profile, tmp)
            try:
                print(f"[{kind}] drain of {n} queued QoS 1 messages ...", flush=True)
                results[f"{kind} drain"] = drain(consumer, url, mqtt_url, meters, n, broker_ps)
                if kind in ("pipeline", "baseline"):
                    print(
                        f"[{kind}] live: {publishers} publishers, {rate:.0f} msg/s for {seconds:.0f} s ...", flush=True
                    )
                    cpu0 = consumer.cpu_seconds()
                    res = live(url, mqtt_url, meters, n, rate, seconds)
                    res["cpu_us_per_msg"] = (consumer.cpu_seconds() - cpu0) / max(res["offered"], 1) * 1e6
                    results[f"{kind} live"] = res
            finally:
                consumer.stop()
        print()
        print(
            f"{'run':<18}{'msgs':>8}{'msgs/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'ingest CPU us/msg':>19}{'1-core msgs/s':>15}{'broker CPU us/msg':>19}{'startup s':>11}"
        )
        nan = float("nan")
        for name, r in results.items():
            print(
                f"{name:<18}{int(r.get('messages', r.get('offered', 0))):>8}"
                f"{r.get('msgs_per_s', nan):>10.0f}{r.get('p50_ms', nan):>9.1f}{r.get('p99_ms', nan):>9.1f}"
                f"{r['cpu_us_per_msg']:>19.1f}{1e6 / max(r['cpu_us_per_msg'], 1e-9):>15.0f}"
                f"{r.get('broker_us_per_msg', nan):>19.1f}{r.get('startup_s', nan):>11.2f}"
            )
        if "pipeline drain" in results and "baseline drain" in results:
            ratio = results["pipeline drain"]["msgs_per_s"] / results["baseline drain"]["msgs_per_s"]
            print(f"\npipeline drain / honest baseline drain: {ratio:.2f}x (same backlog, same broker)")
        print(
            "drain msgs/s from commit timestamps (raw: receipt times) on this shared machine; '1-core msgs/s' =\n"
            "1e6 / ingest CPU per message, what one process sustains with a core to itself "
            f"(load average now {os.getloadavg()[0]:.1f}).\n"
            "fast path (hand-decoded PUBLISH, batched PUBACK): removed; last measured on/off in docs/mqtt.md"
        )
        profile_file = tmp / "profile.txt"
        if profile_file.exists():
            print("\nwhere the pipeline's time goes (pyinstrument, profiled drain; top of the call tree):")
            lines = profile_file.read_text().splitlines()
            print("\n".join(lines[:70]))
    finally:
        for url in urls:
            drop_database(admin, url)
        if broker is not None:
            broker.terminate()
            broker.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
