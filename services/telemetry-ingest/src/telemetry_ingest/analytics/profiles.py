"""Operating profiles of meters: how a meter's load is expected to vary (the device registry stores one,
waste detection judges by it)."""

from __future__ import annotations

from houqin_common.schemas import JsonStrEnum


class Profile(JsonStrEnum):
    office = "office"
    hvac_setback = "hvac_setback"
    outdoor_lighting = "outdoor_lighting"
    continuous = "continuous"
