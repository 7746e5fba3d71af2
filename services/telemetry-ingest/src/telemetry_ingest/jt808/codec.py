"""JT/T 808 wire format as pure functions: framing, escaping, check code, headers, message bodies.

Both editions: 2013 (6-byte BCD phone number) and 2019 (version flag in the body attributes, a
protocol version byte, 10-byte BCD phone number). No I/O here, so the gateway, the simulator, the
benchmark and the tests share one codec. Multi-byte integers are big-endian (the standard's WORD,
DWORD); strings are GBK.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum
from typing import Any

FLAG = 0x7E
ESCAPE = 0x7D
MAX_BODY = 0x3FF  # 10 bits of body length in the header
CST = timezone(timedelta(hours=8))  # the terminal's BCD time is GMT+8


class MsgId(IntEnum):
    TERMINAL_RESPONSE = 0x0001
    HEARTBEAT = 0x0002
    LOGOUT = 0x0003
    REGISTER = 0x0100
    AUTHENTICATE = 0x0102
    LOCATION = 0x0200
    LOCATION_BATCH = 0x0704
    PLATFORM_RESPONSE = 0x8001
    REGISTER_RESPONSE = 0x8100


class Result(IntEnum):
    """Result byte of the platform general response 0x8001."""

    SUCCESS = 0
    FAILURE = 1
    MESSAGE_ERROR = 2
    UNSUPPORTED = 3


class RegisterResult(IntEnum):
    """Result byte of the registration response 0x8100."""

    SUCCESS = 0
    VEHICLE_REGISTERED = 1
    NO_SUCH_VEHICLE = 2
    TERMINAL_REGISTERED = 3
    NO_SUCH_TERMINAL = 4


class FrameError(ValueError):
    """A frame that cannot be read (escaping, check code, header, body); answered with a failure."""


# --- framing ------------------------------------------------------------------------------------


def escape(raw: bytes) -> bytes:
    """0x7e -> 0x7d 0x02 and 0x7d -> 0x7d 0x01 (the escape byte first, so nothing is escaped twice)."""
    return raw.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02")


def unescape(data: bytes) -> bytes:
    if FLAG in data:
        raise FrameError(f"unescaped 0x7e inside the frame at byte {data.index(FLAG)}")
    if ESCAPE not in data:
        return data
    first, *rest = data.split(b"\x7d")
    out = [first]
    for part in rest:
        if not part or part[0] not in (0x01, 0x02):
            raise FrameError("invalid escape sequence")
        out.append((b"\x7d" if part[0] == 0x01 else b"\x7e") + part[1:])
    return b"".join(out)


def check_code(data: bytes) -> int:
    """XOR of every byte of header and body."""
    x = 0
    for b in data:
        x ^= b
    return x


def frame(message: bytes) -> bytes:
    """Header + body -> 0x7e + escaped(message + check code) + 0x7e."""
    return bytes([FLAG]) + escape(message + bytes([check_code(message)])) + bytes([FLAG])


def unframe(content: bytes) -> bytes:
    """The bytes between two 0x7e flags -> header + body, after unescaping and checking the check code."""
    raw = unescape(content)
    if len(raw) < 2:
        raise FrameError("frame too short")
    if check_code(raw[:-1]) != raw[-1]:
        raise FrameError(f"check code mismatch: computed {check_code(raw[:-1]):#04x}, frame says {raw[-1]:#04x}")
    return raw[:-1]


class Splitter:
    """Cuts a TCP byte stream into frame contents (without the 0x7e flags); bounded memory; resynchronises
    on a stray flag (the caller drops a content that does not unframe, and the next frame still arrives)."""

    def __init__(self, max_frame: int = 4096) -> None:
        self.buffer = bytearray()
        self.max_frame = max_frame
        self.dropped = 0

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        frames: list[bytes] = []
        while True:
            start = self.buffer.find(FLAG)
            if start < 0:
                self.dropped += len(self.buffer)
                self.buffer.clear()
                break
            if start:
                self.dropped += start
                del self.buffer[:start]
            end = self.buffer.find(FLAG, 1)
            if end < 0:
                if len(self.buffer) > self.max_frame * 2:  # escaped frames are at most twice as long
                    self.dropped += len(self.buffer)
                    self.buffer.clear()
                break
            if end == 1:  # two flags back to back: the second starts the next frame
                del self.buffer[:1]
                continue
            frames.append(bytes(self.buffer[1:end]))
            # Keep the closing flag: it may open the next frame. A stray 0x7e (noise, a frame cut short)
            # then costs one unreadable candidate, not the valid frame behind it; between well-formed
            # frames it meets the next opening flag and is skipped as "two flags back to back".
            del self.buffer[:end]
        return frames


# --- BCD ----------------------------------------------------------------------------------------


def bcd_decode(data: bytes) -> str:
    digits = []
    for b in data:
        hi, lo = b >> 4, b & 0x0F
        if hi > 9 or lo > 9:
            raise FrameError(f"invalid BCD byte {b:#04x}")
        digits.append(f"{hi}{lo}")
    return "".join(digits)


def bcd_encode(digits: str, size: int) -> bytes:
    if not digits.isdigit() or len(digits) > size * 2:
        raise ValueError(f"{digits!r} does not fit {size} BCD bytes")
    return bytes.fromhex(digits.rjust(size * 2, "0"))


def normalise_phone(digits: str) -> str:
    """Phone numbers are compared without leading zeros: 2013 pads to 12 digits, 2019 to 20."""
    return digits.lstrip("0") or "0"


# --- header -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Header:
    msg_id: int
    phone: str  # as encoded (12 or 20 digits)
    serial: int
    edition: int  # 2013 or 2019
    version: int = 0  # 2019 protocol version byte
    encryption: int = 0
    total: int = 0  # sub-package count, 0 when not segmented
    index: int = 0  # 1-based sub-package number

    @property
    def segmented(self) -> bool:
        return self.total > 0


@dataclass(frozen=True, slots=True)
class Message:
    header: Header
    body: bytes


def parse(message: bytes) -> Message:
    """Header + body (unescaped, check code removed) -> :class:`Message`."""
    if len(message) < 12:
        raise FrameError(f"message of {len(message)} bytes is shorter than a header")
    msg_id, attrs = struct.unpack_from(">HH", message, 0)
    length = attrs & MAX_BODY
    encryption = (attrs >> 10) & 0x07
    segmented = bool(attrs & 0x2000)
    if attrs & 0x4000:
        if len(message) < 17:
            raise FrameError("2019 header truncated")
        edition, version = 2019, message[4]
        phone = bcd_decode(message[5:15])
        (serial,) = struct.unpack_from(">H", message, 15)
        offset = 17
    else:
        edition, version = 2013, 0
        phone = bcd_decode(message[4:10])
        (serial,) = struct.unpack_from(">H", message, 10)
        offset = 12
    total = index = 0
    if segmented:
        if len(message) < offset + 4:
            raise FrameError("sub-package fields truncated")
        total, index = struct.unpack_from(">HH", message, offset)
        offset += 4
        if total < 1 or not 1 <= index <= total:
            raise FrameError(f"sub-package {index} of {total} is out of range")
    body = message[offset:]
    if len(body) != length:
        raise FrameError(f"body is {len(body)} bytes, header says {length}")
    header = Header(msg_id, phone, serial, edition, version, encryption, total, index)
    return Message(header, body)


def build(
    msg_id: int,
    phone: str,
    serial: int,
    body: bytes,
    *,
    edition: int = 2013,
    version: int = 1,
    total: int = 0,
    index: int = 0,
) -> bytes:
    """A complete frame (flags, escaping, check code) of one message or one sub-package."""
    if len(body) > MAX_BODY:
        raise ValueError(f"body of {len(body)} bytes exceeds {MAX_BODY}: split it into sub-packages")
    attrs = len(body)
    if total:
        attrs |= 0x2000
    if edition == 2019:
        attrs |= 0x4000
        head = struct.pack(">HHB", msg_id, attrs, version) + bcd_encode(phone, 10)
    else:
        head = struct.pack(">HH", msg_id, attrs) + bcd_encode(phone, 6)
    head += struct.pack(">H", serial & 0xFFFF)
    if total:
        head += struct.pack(">HH", total, index)
    return frame(head + body)


def build_segmented(
    msg_id: int, phone: str, first_serial: int, body: bytes, *, chunk: int = MAX_BODY, edition: int = 2013
) -> list[bytes]:
    """A long body as consecutive sub-packages (serials first_serial, first_serial + 1, ...)."""
    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    return [
        build(msg_id, phone, first_serial + i, part, edition=edition, total=len(parts), index=i + 1)
        for i, part in enumerate(parts)
    ]


def reply_to(header: Header, msg_id: int, serial: int, body: bytes) -> bytes:
    """A platform message to the terminal in the terminal's own edition and phone encoding."""
    return build(msg_id, header.phone, serial, body, edition=header.edition, version=header.version or 1)


def general_response(reply_serial: int, reply_id: int, result: int) -> bytes:
    """Body of 0x8001: the terminal's serial number and message id, and the result."""
    return struct.pack(">HHB", reply_serial, reply_id, result)


def parse_general_response(body: bytes) -> tuple[int, int, int]:
    if len(body) != 5:
        raise FrameError("0x8001/0x0001 body must be 5 bytes")
    serial, msg_id, result = struct.unpack(">HHB", body)
    return serial, msg_id, result


def register_response(reply_serial: int, result: int, auth_code: str = "") -> bytes:
    """Body of 0x8100; the authentication code only on success."""
    body = struct.pack(">HB", reply_serial, result)
    return body + auth_code.encode("gbk") if result == RegisterResult.SUCCESS else body


def parse_register_response(body: bytes) -> tuple[int, int, str]:
    if len(body) < 3:
        raise FrameError("0x8100 body too short")
    serial, result = struct.unpack_from(">HB", body, 0)
    return serial, result, body[3:].decode("gbk")


# --- terminal messages --------------------------------------------------------------------------


def _gbk(data: bytes) -> str:
    return data.rstrip(b"\x00 ").decode("gbk", "replace")


@dataclass(frozen=True, slots=True)
class Registration:
    province: int
    city: int
    manufacturer: str
    model: str
    terminal_id: str
    plate_color: int
    plate: str


# field widths of manufacturer, model, terminal id
_REGISTER_LAYOUT = {2013: (5, 20, 7), 2019: (11, 30, 30)}


def parse_registration(body: bytes, edition: int) -> Registration:
    maker_n, model_n, id_n = _REGISTER_LAYOUT[edition]
    fixed = 4 + maker_n + model_n + id_n + 1
    if len(body) < fixed:
        raise FrameError(f"0x0100 body of {len(body)} bytes, needs at least {fixed}")
    province, city = struct.unpack_from(">HH", body, 0)
    p = 4
    maker = _gbk(body[p : p + maker_n])
    p += maker_n
    model = _gbk(body[p : p + model_n])
    p += model_n
    terminal_id = _gbk(body[p : p + id_n])
    p += id_n
    return Registration(province, city, maker, model, terminal_id, body[p], _gbk(body[p + 1 :]))


def encode_registration(reg: Registration, edition: int) -> bytes:
    maker_n, model_n, id_n = _REGISTER_LAYOUT[edition]
    return (
        struct.pack(">HH", reg.province, reg.city)
        + reg.manufacturer.encode("gbk")[:maker_n].ljust(maker_n, b"\x00")
        + reg.model.encode("gbk")[:model_n].ljust(model_n, b"\x00")
        + reg.terminal_id.encode("gbk")[:id_n].ljust(id_n, b"\x00")
        + bytes([reg.plate_color])
        + reg.plate.encode("gbk")
    )


def parse_authentication(body: bytes, edition: int) -> str:
    """The authentication code (2019: length-prefixed, followed by IMEI and software version)."""
    if edition == 2019:
        if not body or len(body) < 1 + body[0]:
            raise FrameError("0x0102 body truncated")
        return body[1 : 1 + body[0]].decode("gbk", "replace")
    return body.decode("gbk", "replace")


def encode_authentication(code: str, edition: int, imei: str = "", software: str = "") -> bytes:
    raw = code.encode("gbk")
    if edition == 2019:
        return (
            bytes([len(raw)]) + raw + imei.encode()[:15].ljust(15, b"\x00") + software.encode()[:20].ljust(20, b"\x00")
        )
    return raw


# status bits of 0x0200
ACC_ON = 1 << 0
POSITIONED = 1 << 1
SOUTH = 1 << 2
WEST = 1 << 3


@dataclass(slots=True)
class Location:
    """One location report (0x0200 body, or one item of a 0x0704 batch), in the standard's units."""

    alarm: int
    status: int
    lat: float  # degrees, signed by the hemisphere bit
    lon: float
    altitude: int  # m
    speed_kmh: float
    heading: int  # 0-359
    ts: datetime  # aware, UTC
    mileage_km: float | None = None  # 0x01
    fuel_l: float | None = None  # 0x02
    signal: int | None = None  # 0x30
    satellites: int | None = None  # 0x31
    extra: dict[int, bytes] = field(default_factory=dict)  # every other item, raw

    @property
    def acc_on(self) -> bool:
        return bool(self.status & ACC_ON)

    @property
    def positioned(self) -> bool:
        return bool(self.status & POSITIONED)


def parse_bcd_time(data: bytes) -> datetime:
    digits = bcd_decode(data)
    try:
        local = datetime(
            2000 + int(digits[0:2]),
            int(digits[2:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            tzinfo=CST,
        )
    except ValueError as exc:
        raise FrameError(f"invalid time {digits}: {exc}") from None
    return local.astimezone(UTC)


def encode_bcd_time(ts: datetime) -> bytes:
    return bytes.fromhex(ts.astimezone(CST).strftime("%y%m%d%H%M%S"))


_ITEM_SIZES = {0x01: 4, 0x02: 2, 0x30: 1, 0x31: 1}


def parse_location(body: bytes) -> Location:
    if len(body) < 28:
        raise FrameError(f"location body of {len(body)} bytes, needs at least 28")
    alarm, status, lat_raw, lon_raw, altitude, speed, heading = struct.unpack_from(">IIIIHHH", body, 0)
    lat = lat_raw / 1e6 * (-1 if status & SOUTH else 1)
    lon = lon_raw / 1e6 * (-1 if status & WEST else 1)
    loc = Location(alarm, status, lat, lon, altitude, speed / 10, heading, parse_bcd_time(body[22:28]))
    p = 28
    while p < len(body):
        if p + 2 > len(body):
            raise FrameError(f"additional item header truncated at byte {p}")
        item, size = body[p], body[p + 1]
        value = body[p + 2 : p + 2 + size]
        if len(value) != size:
            raise FrameError(f"additional item {item:#04x} truncated")
        expected = _ITEM_SIZES.get(item)
        if expected is not None and size != expected:
            raise FrameError(f"additional item {item:#04x} has {size} bytes, expected {expected}")
        if item == 0x01:
            loc.mileage_km = int.from_bytes(value, "big") / 10
        elif item == 0x02:
            loc.fuel_l = int.from_bytes(value, "big") / 10
        elif item == 0x30:
            loc.signal = value[0]
        elif item == 0x31:
            loc.satellites = value[0]
        else:
            loc.extra[item] = value
        p += 2 + size
    return loc


def encode_location(loc: Location) -> bytes:
    """The inverse of :func:`parse_location` (simulator, tests); hemisphere bits follow the signs."""
    status = loc.status & ~(SOUTH | WEST)
    status |= SOUTH if loc.lat < 0 else 0
    status |= WEST if loc.lon < 0 else 0
    body = struct.pack(
        ">IIIIHHH",
        loc.alarm,
        status,
        round(abs(loc.lat) * 1e6),
        round(abs(loc.lon) * 1e6),
        loc.altitude,
        round(loc.speed_kmh * 10),
        loc.heading,
    ) + encode_bcd_time(loc.ts)
    if loc.mileage_km is not None:
        body += b"\x01\x04" + struct.pack(">I", round(loc.mileage_km * 10))
    if loc.fuel_l is not None:
        body += b"\x02\x02" + struct.pack(">H", round(loc.fuel_l * 10))
    if loc.signal is not None:
        body += bytes([0x30, 1, loc.signal])
    if loc.satellites is not None:
        body += bytes([0x31, 1, loc.satellites])
    for item, value in loc.extra.items():
        body += bytes([item, len(value)]) + value
    return body


@dataclass(frozen=True, slots=True)
class Batch:
    backfill: bool  # type 1: blind-area (stored while out of coverage) reports
    locations: list[Location]


def parse_batch(body: bytes) -> Batch:
    if len(body) < 3:
        raise FrameError("0x0704 body too short")
    count, kind = struct.unpack_from(">HB", body, 0)
    if kind not in (0, 1):
        raise FrameError(f"0x0704 data type {kind} is neither 0 (normal) nor 1 (blind area)")
    p = 3
    locations = []
    for i in range(count):
        if p + 2 > len(body):
            raise FrameError(f"0x0704 item {i} length truncated")
        (size,) = struct.unpack_from(">H", body, p)
        item = body[p + 2 : p + 2 + size]
        if len(item) != size:
            raise FrameError(f"0x0704 item {i} truncated")
        locations.append(parse_location(item))
        p += 2 + size
    if p != len(body):
        raise FrameError(f"0x0704 has {len(body) - p} bytes after its {count} items")
    return Batch(kind == 1, locations)


def encode_batch(locations: list[Location], *, backfill: bool) -> bytes:
    body = struct.pack(">HB", len(locations), 1 if backfill else 0)
    for loc in locations:
        item = encode_location(loc)
        body += struct.pack(">H", len(item)) + item
    return body


def position_payload(loc: Location, vehicle_id: str) -> dict[str, Any]:
    """The native-topic JSON of one position (the ingest's ``position_row`` reads the known keys;
    the JT/T 808 specifics travel along under ``jt808`` for the dead letters and later use)."""
    payload: dict[str, Any] = {
        "vehicle_id": vehicle_id,
        "ts": loc.ts.isoformat().replace("+00:00", "Z"),
        "lat": loc.lat,
        "lon": loc.lon,
        "speed_kmh": loc.speed_kmh,
        "heading": float(loc.heading),
        "altitude": float(loc.altitude),
        "ignition": loc.acc_on,
    }
    if loc.satellites is not None:
        payload["satellites"] = loc.satellites
    if loc.mileage_km is not None:
        payload["odometer_km"] = loc.mileage_km
    jt: dict[str, Any] = {"alarm": loc.alarm, "status": loc.status, "positioned": loc.positioned}
    if loc.fuel_l is not None:
        jt["fuel_l"] = loc.fuel_l
    if loc.signal is not None:
        jt["signal"] = loc.signal
    if loc.extra:
        jt["items"] = {f"{k:#04x}": v.hex() for k, v in sorted(loc.extra.items())}
    payload["jt808"] = jt
    return payload


class Reassembler:
    """Joins sub-packages of one connection into the whole message.

    Sub-packages of one message carry consecutive serial numbers, so ``serial - index`` names the
    message. An incomplete message expires after ``max_age`` seconds (the terminal retransmits: none
    of its sub-packages was acknowledged); ``max_pending`` bounds the memory a connection can hold.
    """

    def __init__(self, max_age: float = 60.0, max_pending: int = 16) -> None:
        self.max_age = max_age
        self.max_pending = max_pending
        self.pending: dict[tuple[int, int, int], tuple[float, dict[int, Message]]] = {}

    def add(self, message: Message, now: float) -> tuple[Message, list[Header]] | None:
        """The reassembled message and the headers of all its sub-packages once the last one arrived."""
        h = message.header
        for key, (started, _) in list(self.pending.items()):
            if now - started > self.max_age:
                del self.pending[key]
        key = (h.msg_id, h.total, (h.serial - h.index) & 0xFFFF)
        if key not in self.pending:
            if len(self.pending) >= self.max_pending:
                oldest = min(self.pending, key=lambda k: self.pending[k][0])
                del self.pending[oldest]
            self.pending[key] = (now, {})
        parts = self.pending[key][1]
        parts[h.index] = message
        if len(parts) < h.total:
            return None
        del self.pending[key]
        ordered = [parts[i] for i in range(1, h.total + 1)]
        body = b"".join(m.body for m in ordered)
        first = ordered[0].header
        whole = Header(h.msg_id, h.phone, first.serial, h.edition, h.version, h.encryption)
        return Message(whole, body), [m.header for m in ordered]
