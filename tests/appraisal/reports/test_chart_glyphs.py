"""Charts draw Chinese with the CJK font installed with appraisal: no glyph is missing (matplotlib's
"Glyph ... missing from font" warning is an error here), while the same text in a Latin-only font does
warn (the check can fail)."""

from __future__ import annotations

import io
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image as mpimg
import pytest
from matplotlib.figure import Figure

from appraisal.reports import builder, fonts
from appraisal.reports.builder import GradeRow, VendorLabel
from houqin_common.i18n import use_locale
from houqin_common.schemas import VendorScore

NAME = "常州市鑫源物业管理有限公司"


def _inputs() -> tuple[list[VendorScore], dict[str, VendorLabel], list[GradeRow]]:
    scores = [
        VendorScore(vendor_id="v1", period="2026", total=91.5, complete=True, rank=1),
        VendorScore(vendor_id="v2", period="2026", total=78.0, complete=False, rank=2, missing=["energy"]),
    ]
    labels = {"v1": VendorLabel(NAME, "保洁 / 绿化养护"), "v2": VendorLabel("天厨餐饮服务中心", "食堂")}
    grades = [
        GradeRow("v1", NAME, "保洁", {"excellent": 3, "good": 1, "n/a": 1}, 95.0),
        GradeRow("v2", "天厨餐饮服务中心", "食堂", {"fair": 2, "poor": 1}, 40.0),
    ]
    return scores, labels, grades


def test_the_font_file_comes_with_the_install() -> None:
    path = fonts.font_path()
    assert path.is_file() and path.suffix == ".otf" and path.stat().st_size > 1_000_000
    assert fonts.cjk_family() == "Noto Sans CJK SC"


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_chinese_chart_renders_with_no_missing_glyph(fmt: str) -> None:
    scores, labels, grades = _inputs()
    with warnings.catch_warnings(), use_locale("zh_CN"):
        warnings.simplefilter("error")
        data = builder.year_chart("2026", scores, labels, grades, fmt)
        campaign = builder.campaign_chart("2026H1 满意度测评", "考核期：2026H1。", grades, grades, fmt)
    if fmt == "png":
        assert mpimg.imread(io.BytesIO(data), format="png").shape[1] > 800
        assert mpimg.imread(io.BytesIO(campaign), format="png").ndim == 3
    else:
        assert ET.fromstring(data).tag.endswith("svg")


def test_a_latin_only_font_would_be_caught(tmp_path: Path) -> None:
    fig = Figure()
    fig.text(0.1, 0.5, NAME, family="DejaVu Sans")
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        fig.savefig(tmp_path / "boxes.png")
