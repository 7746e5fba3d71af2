"""Which consumer stores which device: the partition rule of a scaled-out ingest (docs/mqtt.md).

Every consumer holds its own persistent session subscribed to every ingest topic (a plain subscription,
which Mosquitto restores after a restart, unlike ``$share``), and stores only the messages of its
partition: ``crc32(device id) mod partitions``. The broker queues each message once per consumer, so a
consumer that is down, or a broker restart, loses nothing: the owner finds the message in its own
session. Topics without a device in their path (ThingsBoard's gateway topic, topics of no known shape)
belong to partition 0, so exactly one consumer stores or dead-letters them.
"""

from __future__ import annotations

import re
import zlib

from telemetry_ingest.ingest.validation import PREFIX

_PREFIX_PARTS = PREFIX.count("/") + 1
_ORDINAL = re.compile(r"-(\d+)$")


def partition_of(topic: str, partitions: int) -> int:
    """The partition that owns a message on ``topic``: by the device id of a device topic, else 0."""
    if partitions == 1:
        return 0
    parts = topic.split("/", _PREFIX_PARTS + 2)
    if len(parts) >= _PREFIX_PARTS + 3 and topic.startswith(PREFIX + "/") and parts[_PREFIX_PARTS + 1]:
        return zlib.crc32(parts[_PREFIX_PARTS + 1].encode()) % partitions
    return 0


def own_partition(client_id: str, partitions: int, configured: int | None) -> int:
    """This consumer's partition: configured, or the ordinal ending its client id (``telemetry-consumer-2``)."""
    if partitions == 1:
        return 0
    if configured is None:
        match = _ORDINAL.search(client_id)
        if match is None:
            raise ValueError(
                f"{partitions} partitions but no HOUQIN_TELEMETRY_MQTT_PARTITION and the client id {client_id!r}"
                " does not end in -<ordinal>"
            )
        configured = int(match.group(1))
    if not 0 <= configured < partitions:
        raise ValueError(f"partition {configured} is outside 0..{partitions - 1}")
    return configured
