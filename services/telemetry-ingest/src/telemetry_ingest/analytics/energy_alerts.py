"""Energy alert kinds: waste of a meter against its own expected profile (see ``energy/waste.py``)."""

from __future__ import annotations

from enum import StrEnum

from houqin_common.i18n import N_


class EnergyAlertKind(StrEnum):
    energy_waste_night = "energy_waste_night"
    energy_waste_weekend = "energy_waste_weekend"
    energy_waste_holiday = "energy_waste_holiday"
    energy_waste_daylight = "energy_waste_daylight"
    energy_waste_continuous = "energy_waste_continuous"


LABELS_ZH = {
    EnergyAlertKind.energy_waste_night: "夜间能耗浪费",
    EnergyAlertKind.energy_waste_weekend: "周末能耗浪费",
    EnergyAlertKind.energy_waste_holiday: "节假日能耗浪费",
    EnergyAlertKind.energy_waste_daylight: "白天照明浪费",
    EnergyAlertKind.energy_waste_continuous: "持续负荷异常",
}

MESSAGES = {
    kind: N_(
        "{meter_id}: {category} load {avg_kw} kW above its expected {threshold_kw} kW "
        "(percentile {percentile} of its own last {history_days} days)"
    )
    for kind in EnergyAlertKind
}
