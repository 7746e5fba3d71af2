#!/usr/bin/env bash
# `make bench` drives the HTTP services with wrk (a C load generator, so the client is not the bottleneck).
# Install it when missing; bench/bench_api.py falls back to several Python client processes if this fails.
set -u
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
echo "wrk not found: installing it (the API benchmark's load generator)"
sudo=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
if command -v apt-get >/dev/null 2>&1; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk \
      || { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk; }
elif command -v brew >/dev/null 2>&1; then
    brew install wrk
else
    echo "warning: could not install wrk (no apt-get or brew); the API benchmark uses Python client processes" >&2
fi
exit 0
