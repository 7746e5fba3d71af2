"""The CJK font of the charts: Noto Sans CJK SC, installed with appraisal itself.

A server has no Chinese font to assume, and a chart of empty boxes is useless in a meeting, so the
font arrives as a Python dependency: the PyPI package ``mplfonts`` carries ``NotoSansCJKsc-Regular.otf``
(SIL Open Font License). It is located through the package's install record, without importing the
package, and registered with matplotlib once; the XLSX styles name the same family.
"""

from __future__ import annotations

import importlib.metadata
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from houqin_common.i18n import _

DISTRIBUTION = "mplfonts"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
FAMILY = "Noto Sans CJK SC"
#: the family spreadsheet cells are styled with (Excel/WPS substitute a CJK font when it is absent)
XLSX_FAMILY = FAMILY


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Where the installed font file is; a clear error when the dependency is missing."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise RuntimeError(
            _("the {package} package (CJK font of the charts) is not installed", package=DISTRIBUTION)
        ) from exc
    for entry in dist.files or ():
        if entry.name == FONT_FILE:
            return Path(str(dist.locate_file(entry)))
    raise RuntimeError(_("{file} not found in the {package} package", file=FONT_FILE, package=DISTRIBUTION))


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Registers the font with matplotlib (once) and returns its family name."""
    font_manager.fontManager.addfont(str(font_path()))
    return FAMILY


def use_in_matplotlib() -> None:
    """Every chart of the process draws with the CJK family first, DejaVu Sans for what it lacks, and
    prints every text literally (no math text)."""
    rc = matplotlib.rcParams
    rc["font.family"] = [cjk_family(), "DejaVu Sans"]
    rc["axes.unicode_minus"] = False
    rc["svg.fonttype"] = "path"
    # names and titles are data: a vendor called "A$1$" must print as written, not as math text (or a 500)
    rc["text.parse_math"] = False
    rc["text.usetex"] = False
