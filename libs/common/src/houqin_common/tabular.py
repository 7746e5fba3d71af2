"""The one spreadsheet reader: a CSV or XLSX file into rows keyed by field name, for every import command
and endpoint (vendors, tariffs).

The first row is the header, Chinese headings map to field names (each import passes its own), blank rows
are skipped, cells become stripped strings (an empty cell: None).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from houqin_common.i18n import _


class TableFileError(Exception):
    """The file cannot be read as a table."""


def _field(heading: Any, headings: Mapping[str, str]) -> str:
    text = str(heading or "").strip()
    return headings.get(text, text.lower().replace(" ", "_"))


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """The raw cells of the first sheet of a ``.csv`` (UTF-8, with or without BOM) or ``.xlsx`` file."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TableFileError(_("{name} is not UTF-8 text", name=filename)) from exc
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise TableFileError(_("{name} is not a readable workbook", name=filename)) from exc
        sheet = book.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        return table
    raise TableFileError(_("{name}: use a .csv or .xlsx file", name=filename))


def read_rows(
    data: bytes, filename: str, *, headings: Mapping[str, str], required: Iterable[str]
) -> list[dict[str, str | None]]:
    """Data rows keyed by field name (Chinese headings translated by ``headings``); blank rows skipped."""
    table = read_table(data, filename)
    if not table:
        raise TableFileError(_("{name} is empty", name=filename))
    header = [_field(h, headings) for h in table[0]]
    missing = [f for f in required if f not in header]
    if missing:
        raise TableFileError(
            _("{name}: the header row needs the columns {columns}", name=filename, columns=", ".join(missing))
        )
    rows = []
    for raw in table[1:]:
        cells = [_cell(v) for v in raw]
        if not any(cells):
            continue
        rows.append({k: v for k, v in zip(header, cells, strict=False) if k})
    return rows
