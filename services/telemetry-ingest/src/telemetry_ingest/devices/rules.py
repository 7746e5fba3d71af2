"""Pure registry rules: Chinese plate numbers, geofence geometry, calendars, the energy code tree."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import time
from typing import Any

from houqin_common.i18n import _

#: Province abbreviations of mainland plates (GA 36-2018).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # letters used on plates: no I, no O
ORDINARY_PLATE = re.compile(rf"^[{PROVINCES}][{_L}][{_L}0-9]{{4}}[{_L}0-9挂学警领]$")
#: New-energy plates have 6 characters after the issuing authority: small vehicles D/F first
#: (D battery-electric, F others) then a letter or digit and 4 digits; large vehicles 5 digits then D/F.
NEW_ENERGY_PLATE = re.compile(rf"^[{PROVINCES}][{_L}](?:[DF][{_L}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$")


def normalize_plate(raw: str) -> str:
    return re.sub(r"[\s·.\-]", "", raw).upper()


def plate_kind(plate: str) -> str | None:
    """``ordinary``, ``new_energy`` or None when ``plate`` (normalized) is not a valid plate number."""
    if NEW_ENERGY_PLATE.match(plate):
        return "new_energy"
    if ORDINARY_PLATE.match(plate):
        return "ordinary"
    return None


def _position(value: Any) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value[:2])
    ):
        raise ValueError(_("a position is [lon, lat]"))
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(_("position [{lon}, {lat}] out of range (GeoJSON order is [lon, lat])", lon=lon, lat=lat))
    return lon, lat


def check_polygon(geometry: Mapping[str, Any]) -> None:
    """A GeoJSON Polygon: closed linear rings of at least 4 positions, WGS-84 [lon, lat]."""
    if geometry.get("type") != "Polygon":
        raise ValueError(_("geometry.type must be 'Polygon'"))
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise ValueError(_("geometry.coordinates must be a list of linear rings"))
    for i, ring in enumerate(rings):
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValueError(_("ring {i} needs at least 4 positions", i=i))
        points = [_position(p) for p in ring]
        if points[0] != points[-1]:
            raise ValueError(_("ring {i} is not closed (first position must equal the last)", i=i))


def check_calendar(work_start: time, work_end: time, weekdays: list[int]) -> None:
    if work_start >= work_end:
        raise ValueError(_("work_start must be before work_end"))
    if not weekdays or any(d < 1 or d > 7 for d in weekdays) or len(set(weekdays)) != len(weekdays):
        raise ValueError(_("working_weekdays are distinct ISO weekdays 1 (Monday) .. 7 (Sunday)"))


def code_lineage(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """``code`` and its ancestors up to the energy type, from the code tree as {code: parent}."""
    chain = [code]
    while (parent := parents.get(chain[-1])) is not None and len(chain) < 10:
        chain.append(parent)
    return chain


class CodeError(ValueError):
    """A bad energy code; ``field`` names the input at fault, whatever the language of the message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_energy_codes(energy_type: str, sub_item: str | None, parents: Mapping[str, str | None]) -> None:
    """The energy type is a top-level code; the sub-item, if any, lies under it."""
    if energy_type not in parents or parents[energy_type] is not None:
        raise CodeError(
            "energy_type",
            _("energy_type {code!r} is not an energy type code (01000 .. 05000)", code=energy_type),
        )
    if sub_item is not None:
        if sub_item not in parents:
            raise CodeError("sub_item", _("sub_item {code!r} is not in the energy code tree", code=sub_item))
        if sub_item == energy_type or energy_type not in code_lineage(sub_item, parents):
            raise CodeError(
                "sub_item",
                _("sub_item {code!r} is not a sub-item of {parent!r}", code=sub_item, parent=energy_type),
            )
