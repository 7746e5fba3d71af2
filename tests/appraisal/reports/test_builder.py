"""Report files survive whatever text the database holds."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from appraisal.reports.builder import GradeRow, VendorLabel, year_xlsx
from houqin_common.schemas import VendorScore


def test_year_xlsx_drops_control_characters_instead_of_failing() -> None:
    score = VendorScore(vendor_id="v1", period="2026", total=91.5, complete=True, rank=1)
    labels = {"v1": VendorLabel(name="常州\x01天厨\x1f", projects="食堂\x02餐饮")}
    grades = [GradeRow("v1", "常州\x01天厨", "Tian\x02chu", {"excellent": 3, "good": 1}, 95.0)]
    data = year_xlsx("2026", [score], labels, grades, "note\x00\x0b with controls")
    wb = load_workbook(io.BytesIO(data))
    text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    assert "常州天厨" in text and "note with controls" in text
    assert not any(ch in text for ch in "\x00\x01\x02\x0b\x1f")
