"""Run every benchmark module under bench/ that defines ``main()``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def run() -> int:
    only = set(sys.argv[1:])
    names = [m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")]
    for name in sorted(names):
        if only and name not in only:
            continue
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(f"bench.{name}")
        module.main()
    if not names:
        print("no benchmarks yet")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
