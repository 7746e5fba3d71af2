"""The message catalog is complete and current: every msgid the code marks today has a non-empty zh-CN
translation with the same placeholders, the committed catalog holds no msgid the code no longer uses,
and the compiled .mo says what the .po says."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from houqin_common.i18n import DOMAIN, LOCALE_DIR
from support import REPO

#: the directories `make i18n` extracts (keep in step with the Makefile)
SOURCES = [
    "libs/common/src",
    "services/contracts-api/src",
    "services/telemetry-ingest/src",
    "services/appraisal/src",
]
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")


def extracted(sources: list[Path]) -> dict[str, str]:
    """msgid -> first place it is marked, extracted afresh from the sources (Babel's own extractor)."""
    found: dict[str, str] = {}
    for root in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map=[("**.py", "python")]
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, f"{root.name}/{filename}:{lineno}")
    return found


def committed() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh)


def gaps(marked: dict[str, str], catalog: Catalog) -> list[str]:
    """Each marked msgid without a usable zh-CN translation, with why."""
    problems = []
    for msgid, where in sorted(marked.items()):
        entry = catalog.get(msgid)
        text = entry.string if entry is not None else None
        if not text or not isinstance(text, str) or not text.strip():
            problems.append(f"{msgid!r} ({where}): no zh-CN translation")
        elif set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid)):
            problems.append(f"{msgid!r} ({where}): placeholders differ in {text!r}")
    return problems


def test_every_marked_message_has_a_zh_cn_translation() -> None:
    marked = extracted([REPO / s for s in SOURCES])
    assert len(marked) > 150
    problems = gaps(marked, committed())
    assert not problems, "run `make i18n` and translate:\n" + "\n".join(problems)


def test_the_committed_catalog_holds_no_message_the_code_dropped() -> None:
    marked = extracted([REPO / s for s in SOURCES])
    stale = sorted(m.id for m in committed() if m.id and isinstance(m.id, str) and m.id not in marked)
    assert not stale, f"stale msgids (run `make i18n`): {stale}"


def test_the_compiled_catalog_matches_the_po() -> None:
    with MO.open("rb") as fh:
        compiled = read_mo(fh)
    po = committed()
    differ = [m.id for m in po if m.id and m.string and compiled.get(m.id) is None]
    differ += [m.id for m in po if m.id and m.string and (c := compiled.get(m.id)) is not None and c.string != m.string]
    assert not differ, f"houqin.mo is older than houqin.po (run `make i18n`): {differ[:10]}"


def test_the_completeness_check_catches_an_untranslated_message(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "mod.py").write_text(
        'from houqin_common.i18n import N_, _\nA = N_("Not found")\nB = _("a message nobody translated {x}", x=1)\n',
        encoding="utf-8",
    )
    marked = extracted([pkg])
    assert set(marked) == {"Not found", "a message nobody translated {x}"}
    problems = gaps(marked, committed())
    assert len(problems) == 1 and "nobody translated" in problems[0]
    broken = Catalog(locale="zh_CN")
    broken.add("Not found", "未找到 {id}")
    assert "placeholders differ" in gaps({"Not found": "x"}, broken)[0]
