"""`houqin up`'s default broker loses nothing: the simulator at full scale for a few minutes, every message stored.

Starts `houqin up` with no ``HOUQIN_MQTT_URL`` (so its default broker: the Mosquitto child with the project's
config) on a throw-away database, runs ``houqin simulate --vehicles 250 --meters 400 --speedup 300`` for
``BENCH_ZERO_LOSS_SECONDS`` (default 180) wall-clock seconds, then counts the rows stored for the
simulated devices against the messages the simulator reports as published (each message is one row).

Environment: ``BENCH_ZERO_LOSS_SECONDS``, ``BENCH_DATABASE_URL`` (server for the throw-away database).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from houqin_common.db import libpq_url, with_database

REPO = Path(__file__).resolve().parent.parent


def counts(url: str) -> tuple[int, int, int]:
    """Readings, positions and dead letters stored for the simulated devices."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM telemetry.reading WHERE meter_id LIKE 'M-%'), "
            "(SELECT count(*) FROM telemetry.position WHERE vehicle_id LIKE 'V-%'), "
            "(SELECT count(*) FROM telemetry.dead_letter)"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])


def stored(url: str) -> int:
    return sum(counts(url))


def main() -> None:
    seconds = float(os.environ.get("BENCH_ZERO_LOSS_SECONDS", "180"))
    admin = os.environ.get(
        "BENCH_DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    name = f"houqin_zero_loss_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin), name)
    home = Path(tempfile.mkdtemp(prefix="houqin-zero-loss-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOUQIN_")}
    env.update(HOUQIN_HOME=str(home), HOUQIN_DATABASE_URL=url, HOUQIN_LOG_LEVEL="WARNING", HOUQIN_LOG_JSON="false")
    up = subprocess.Popen(
        [sys.executable, "-m", "houqin_common", "up"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        mqtt_url = None
        assert up.stdout is not None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = up.stdout.readline()
            if not line:
                raise RuntimeError("houqin up exited before it was ready")
            print(line, end="", flush=True)
            m = re.match(r"houqin: MQTT broker\s+(\S+)", line)
            if m:
                mqtt_url = m.group(1)
            if "Ctrl-C stops everything" in line:
                break
        assert mqtt_url, "houqin up did not name its broker"
        print(f"[zero-loss] simulator at full scale (250 vehicles, 400 meters, x300) for {seconds:.0f} s ...")
        sim = subprocess.run(
            [
                sys.executable,
                "-m",
                "houqin_common",
                "simulate",
                "--vehicles",
                "250",
                "--meters",
                "400",
                "--speedup",
                "300",
                "--duration",
                str(seconds),
            ],
            cwd=REPO,
            env={**env, "HOUQIN_MQTT_URL": mqtt_url},
            capture_output=True,
            text=True,
            check=True,
        )
        published = int(re.findall(r"published (\d+) messages", sim.stdout)[-1])
        last, same_since = -1, time.monotonic()
        while time.monotonic() - same_since < 10:  # settled: nothing new for 10 s
            now = stored(url)
            if now != last:
                last, same_since = now, time.monotonic()
            if now >= published:
                break
            time.sleep(0.5)
        share = 100 * last / max(published, 1)
        readings, positions, dead = counts(url)
        print(
            f"\npublished {published} messages; stored {last} ({share:.2f} %): "
            f"{readings} readings, {positions} positions, {dead} dead letters"
        )
        if last < published:
            print(f"LOST {published - last} messages")
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
        with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
