from datetime import time

import pytest

from telemetry_ingest.devices import rules

PARENTS = {"01000": None, "02000": None, "01A00": "01000", "01A20": "01A00", "01B00": "01000", "01B10": "01B00"}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("苏D12345", "ordinary"),
        ("苏d·a12b3", "ordinary"),
        ("京A1234学", "ordinary"),
        ("苏DD12345", "new_energy"),
        ("苏DFA1234", "new_energy"),
        ("苏D12345D", "new_energy"),
        ("粤B 12345F", "new_energy"),
    ],
)
def test_valid_plates(raw: str, kind: str) -> None:
    assert rules.plate_kind(rules.normalize_plate(raw)) == kind


@pytest.mark.parametrize(
    "raw", ["苏D1234", "AB12345", "苏DI2345", "苏D1234O", "苏DA123456", "苏DD1234A", "X苏D12345", ""]
)
def test_invalid_plates(raw: str) -> None:
    assert rules.plate_kind(rules.normalize_plate(raw)) is None


def test_sub_item_must_lie_under_the_energy_type() -> None:
    rules.check_energy_codes("01000", "01A20", PARENTS)
    rules.check_energy_codes("01000", None, PARENTS)
    with pytest.raises(ValueError, match="not a sub-item"):
        rules.check_energy_codes("02000", "01B10", PARENTS)
    with pytest.raises(ValueError, match="not an energy type"):
        rules.check_energy_codes("01A00", "01A20", PARENTS)
    with pytest.raises(ValueError, match="not in the energy code tree"):
        rules.check_energy_codes("01000", "01Z99", PARENTS)


def test_polygon_rings_must_be_closed_and_in_range() -> None:
    ring = [[119.97, 31.81], [119.98, 31.81], [119.98, 31.82], [119.97, 31.81]]
    rules.check_polygon({"type": "Polygon", "coordinates": [ring]})
    with pytest.raises(ValueError, match="not closed"):
        rules.check_polygon({"type": "Polygon", "coordinates": [[*ring[:-1], [119.0, 31.0]]]})
    with pytest.raises(ValueError, match="out of range"):
        rules.check_polygon({"type": "Polygon", "coordinates": [[[31.8, 191.9], *ring[1:]]]})
    with pytest.raises(ValueError, match="Polygon"):
        rules.check_polygon({"type": "Point", "coordinates": [119.97, 31.81]})


def test_calendar_hours_and_weekdays() -> None:
    rules.check_calendar(time(7, 30), time(18, 30), [1, 2, 3, 4, 5])
    with pytest.raises(ValueError):
        rules.check_calendar(time(18, 30), time(7, 30), [1])
    with pytest.raises(ValueError):
        rules.check_calendar(time(7, 30), time(18, 30), [0, 8])
