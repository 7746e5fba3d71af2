#!/usr/bin/env bash
# The telemetry tests and `make bench` start their own Mosquitto with the project's broker config
# (services/telemetry-ingest/mosquitto/houqin.conf): the in-flight window and queue limits they need
# cannot be set on a broker that is already running. Install the broker binary when it is missing.
set -u
if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || [ -x /opt/homebrew/sbin/mosquitto ] \
   || [ -x /usr/local/sbin/mosquitto ]; then
    exit 0
fi
echo "mosquitto not found: installing it (the telemetry tests run their own broker)"
sudo=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
if command -v apt-get >/dev/null 2>&1; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto \
      || { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto; }
elif command -v brew >/dev/null 2>&1; then
    brew install mosquitto
else
    echo "warning: could not install mosquitto (no apt-get or brew); install it to run the telemetry tests" >&2
fi
# the Debian package starts a system broker on :1883; the tests do not need it and use their own
exit 0
