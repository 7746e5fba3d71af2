"""The partition rule of scaled-out consumers: every message has exactly one owner, stable across runs."""

from __future__ import annotations

import zlib

import pytest

from telemetry_ingest.ingest.partition import own_partition, partition_of


def test_device_topics_are_owned_by_the_crc_of_their_device_and_the_rest_by_partition_0() -> None:
    for device in ("M-A-0001", "V-001", "京A12345"):
        expected = zlib.crc32(device.encode()) % 3
        assert partition_of(f"houqin/v1/meters/{device}/readings", 3) == expected
        assert partition_of(f"houqin/v1/vehicles/{device}/positions", 3) == expected
    assert partition_of("v1/gateway/telemetry", 3) == 0
    assert partition_of("houqin/v1/meters", 3) == 0
    assert partition_of("houqin/v1/meters/M-1/readings", 1) == 0
    owners = {partition_of(f"houqin/v1/meters/M-{i}/readings", 4) for i in range(100)}
    assert owners == {0, 1, 2, 3}  # positive control: the devices do spread over every partition


def test_own_partition_from_the_statefulset_ordinal_or_configured() -> None:
    assert own_partition("telemetry-consumer-2", 3, None) == 2
    assert own_partition("anything", 3, 1) == 1
    assert own_partition("houqin-ingest-1", 1, None) == 0
    with pytest.raises(ValueError, match="outside"):
        own_partition("telemetry-consumer-3", 3, None)
    with pytest.raises(ValueError, match="ordinal"):
        own_partition("houqin-ingest", 2, None)
