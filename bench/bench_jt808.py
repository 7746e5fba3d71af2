"""JT/T 808 gateway benchmark: location reports per second through the gateway beside the MQTT path.

Same run, same broker (a private Mosquitto with the project's config), same database, same consumer
process (``telemetry_ingest.ingest.consumer``):
- **mqtt**: N single-position JSON messages published QoS 1 on the vehicles' native topics (what an
  external gateway such as Traccar would forward); clock stops when the last row is committed.
- **jt808**: V terminals over TCP (registered and authenticated beforehand, not timed) send N 0x0200
  frames, up to W unanswered per terminal; clock stops at the last 0x8001 success, which the gateway
  (``jt808_ack_after=stored``) sends only once the row is committed. Rows are counted afterwards.
- **jt808 (ack after PUBACK)**: the same through a second gateway with ``jt808_ack_after=broker``.

CPU per frame is the gateway process's user+system time over the frames it handled.

Environment: ``BENCH_JT808_N`` (default 20000), ``BENCH_JT808_TERMINALS`` (default 100),
``BENCH_JT808_WINDOW`` (default 16), ``BENCH_DATABASE_URL`` (server for a throw-away database),
``BENCH_JT808_PROFILE`` (1: run the gateways under pyinstrument, which prints where their time goes).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import psycopg

from bench.bench_ingest import create_database, create_session, drop_database, mqtt_client, start_broker
from houqin_common.embedded import free_port
from telemetry_ingest.jt808 import codec
from telemetry_ingest.simulator.jt808 import Terminal

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 6, 1, tzinfo=UTC)
SUBSCRIPTIONS = ["houqin/v1/meters/+/readings", "houqin/v1/vehicles/+/positions", "v1/gateway/telemetry"]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def register(url: str, vehicles: list[str], phones: list[str], group: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO telemetry.vehicle (id, plate, terminal_phone) VALUES (%s, %s, %s)",
            [(v, f"苏B{group}{i:04d}", p) for i, (v, p) in enumerate(zip(vehicles, phones, strict=True))],
        )


def count_positions(url: str, vehicles: list[str]) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM telemetry.position WHERE vehicle_id = ANY(%s)", (vehicles,)).fetchone()
        return int(row[0]) if row else 0


def child_env(database_url: str, mqtt_url: str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "HOUQIN_DATABASE_URL": database_url,
        "HOUQIN_MQTT_URL": mqtt_url,
        "HOUQIN_LOG_JSON": "false",
        "HOUQIN_LOG_LEVEL": "WARNING",
        **{f"HOUQIN_TELEMETRY_{k.upper()}": v for k, v in settings.items()},
    }


def start_gateway(database_url: str, mqtt_url: str, ack_after: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = child_env(
        database_url,
        mqtt_url,
        jt808_host="127.0.0.1",
        jt808_port=str(port),
        jt808_ack_after=ack_after,
        jt808_max_inflight="256",
        jt808_mqtt_client_id=f"bench-jt808-{uuid.uuid4().hex[:8]}",
    )
    profile = ["-m", "pyinstrument", "--interval", "0.0005"] if os.environ.get("BENCH_JT808_PROFILE") == "1" else []
    proc = subprocess.Popen([sys.executable, *profile, "-m", "telemetry_ingest.jt808.server"], env=env, cwd=REPO)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the gateway did not start")


def report(ts: datetime, i: int) -> codec.Location:
    return codec.Location(
        0, codec.ACC_ON | codec.POSITIONED, 31.81 + i * 1e-6, 119.97, 12, 40.5, 90, ts, mileage_km=1000.0, satellites=12
    )


def mqtt_path(url: str, mqtt_url: str, vehicles: list[str], n: int) -> float:
    import json

    per = n // len(vehicles)
    payloads = []
    for v in vehicles:
        for i in range(per):
            loc = report(T0 + timedelta(seconds=i), i)
            payloads.append((f"houqin/v1/vehicles/{v}/positions", json.dumps(codec.position_payload(loc, v))))
    client = mqtt_client(mqtt_url, f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.loop_start()
    started = time.perf_counter()
    infos = [client.publish(topic, payload, qos=1) for topic, payload in payloads]
    for info in infos:
        info.wait_for_publish(120)
    total = per * len(vehicles)
    deadline = time.monotonic() + 300
    while count_positions(url, vehicles) < total and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    client.disconnect()
    client.loop_stop()
    return elapsed


async def _jt808_path(port: int, phones: list[str], n: int, window: int) -> tuple[float, int]:
    terminals = [Terminal(p) for p in phones]
    for t in terminals:
        await t.connect("127.0.0.1", port)
    await asyncio.gather(*(t.login() for t in terminals))
    per = n // len(terminals)
    acked = 0

    async def stream(t: Terminal) -> None:
        nonlocal acked
        slots = asyncio.Semaphore(window)

        async def one(i: int) -> None:
            nonlocal acked
            async with slots:
                reply = await asyncio.wait_for(t.report(report(T0 + timedelta(seconds=i), i)), 60)
                acked += reply.result == codec.Result.SUCCESS

        await asyncio.gather(*(one(i) for i in range(per)))

    started = time.perf_counter()
    await asyncio.gather(*(stream(t) for t in terminals))
    elapsed = time.perf_counter() - started
    for t in terminals:
        await t.close()
    return elapsed, acked


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def main() -> None:
    n = env_int("BENCH_JT808_N", 20_000)
    terminals = env_int("BENCH_JT808_TERMINALS", 100)
    window = env_int("BENCH_JT808_WINDOW", 16)
    admin = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    tmp = Path(tempfile.mkdtemp(prefix="houqin-bench-jt808-"))
    broker, mqtt_url = start_broker(tmp)
    url = create_database(admin, [])
    procs: list[subprocess.Popen[bytes]] = []
    try:
        groups = {
            name: ([f"{name}-{i:04d}" for i in range(terminals)], [f"1{k}{i:09d}" for i in range(terminals)])
            for k, name in enumerate(("mqtt", "jt808", "jt808b"))
        }
        for group, (vehicles, phones) in enumerate(groups.values()):
            register(url, vehicles, phones, group)
        client_id = f"bench-ingest-{uuid.uuid4().hex[:8]}"
        create_session(mqtt_url, client_id, SUBSCRIPTIONS)
        consumer = subprocess.Popen(
            [sys.executable, "-m", "telemetry_ingest.ingest.consumer"],
            env=child_env(url, mqtt_url, mqtt_client_id=client_id, mqtt_shared="false"),
            cwd=REPO,
        )
        procs.append(consumer)
        print(f"N={n} positions, {terminals} vehicles/terminals, window {window} per terminal, one consumer")

        # warm-up: the consumer connects and loads its registry
        mqtt_path(url, mqtt_url, groups["mqtt"][0][:1], 1)

        elapsed = mqtt_path(url, mqtt_url, groups["mqtt"][0], n)
        print(
            f"  mqtt  (JSON on native topics, publish -> committed):   {n / elapsed:8.0f} positions/s ({elapsed:.2f} s)"
        )

        for mode, name, label in (
            ("stored", "jt808", "0x8001 after commit"),
            ("broker", "jt808b", "0x8001 after PUBACK"),
        ):
            gateway, port = start_gateway(url, mqtt_url, mode)
            procs.append(gateway)
            ps = psutil.Process(gateway.pid)
            cpu0 = _cpu(ps)
            vehicles, phones = groups[name]
            elapsed, acked = asyncio.run(_jt808_path(port, phones, n, window))
            cpu = _cpu(ps) - cpu0
            deadline = time.monotonic() + 120
            while (stored := count_positions(url, vehicles)) < acked and time.monotonic() < deadline:
                time.sleep(0.05)
            print(
                f"  jt808 ({label}, frames -> answers):      {acked / elapsed:8.0f} frames/s ({elapsed:.2f} s), "
                f"{acked}/{n} acknowledged, {stored} rows, gateway CPU {cpu / max(acked, 1) * 1e6:.0f} us/frame"
            )
            gateway.terminate()
            gateway.wait(30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        drop_database(admin, url)
        if broker is not None:
            broker.terminate()
            broker.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
