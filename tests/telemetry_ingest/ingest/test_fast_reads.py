"""The buffered PUBLISH reader in front of paho, fed packets split at every awkward boundary."""

from __future__ import annotations

import socket
import struct

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from telemetry_ingest.ingest.consumer import acknowledge, fast_reads


def publish_packet(topic: bytes, payload: bytes, mid: int, qos: int = 1) -> bytes:
    body = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", mid) if qos else b"") + payload
    length = len(body)
    encoded = bytearray()
    while True:
        byte, length = length % 128, length // 128
        encoded.append(byte | (128 if length else 0))
        if not length:
            break
    return bytes([0x30 | (qos << 1)]) + bytes(encoded) + body


@pytest.mark.parametrize(("chunk", "step"), [(7, 5), (64, 3), (1 << 16, 1000), (1 << 16, 1 << 20)])
def test_publishes_split_anywhere_are_delivered_once_and_in_order(chunk: int, step: int) -> None:
    client = paho.Client(CallbackAPIVersion.VERSION2)
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    client._sock = ours  # type: ignore[assignment]
    got: list[tuple[int, int, bytes, bytes]] = []
    client.manual_ack_set(True)
    # as in the consumer: packets paho parses itself arrive through on_message
    client.on_message = lambda _c, _u, m: got.append((m.mid, m.qos, m._topic, m.payload))
    fast: list[int] = []

    def deliver(mid: int, qos: int, topic: bytes, payload: bytes) -> None:
        fast.append(mid)
        got.append((mid, qos, topic, payload))

    fast_reads(client, deliver, chunk=chunk)
    packets = [
        publish_packet(b"houqin/v1/meters/m1/readings", b'{"ts": 1}', 1),
        publish_packet(b"houqin/v1/meters/m2/readings", b"x" * 300, 2),  # two-byte remaining length
        publish_packet(b"t", b"", 3, qos=0),
        bytes([0xD0, 0x00]),  # PINGRESP goes through paho
        publish_packet(b"v1/gateway/telemetry", b"{}" * 20_000, 65535),  # three-byte length
    ]
    stream = b"".join(packets)
    for cut in range(0, len(stream), step):
        theirs.sendall(stream[cut : cut + step])
        client.loop_read()
    client.loop_read()
    assert [(m, q, t) for m, q, t, _p in got] == [
        (1, 1, b"houqin/v1/meters/m1/readings"),
        (2, 1, b"houqin/v1/meters/m2/readings"),
        (0, 0, b"t"),
        (65535, 1, b"v1/gateway/telemetry"),
    ]
    assert got[1][3] == b"x" * 300 and len(got[3][3]) == 40_000
    if step > 1000:
        assert len(fast) >= 2  # all but the first packet of a read bypass paho's parser
    ours.close()
    theirs.close()


def test_batched_acknowledgement_writes_the_same_bytes_as_paho() -> None:
    batched, single = paho.Client(CallbackAPIVersion.VERSION2), paho.Client(CallbackAPIVersion.VERSION2)
    single.manual_ack_set(True)
    acknowledge(batched, [1, 2, 300], batched=True)
    acknowledge(single, [1, 2, 300], batched=False)
    wire = b"".join(bytes(p["packet"]) for p in batched._out_packet)
    assert wire == b"".join(bytes(p["packet"]) for p in single._out_packet)
    assert wire == b"\x40\x02\x00\x01\x40\x02\x00\x02\x40\x02\x01\x2c"
