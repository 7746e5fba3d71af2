"""Reading a vendor spreadsheet (CSV or XLSX) into rows for `POST /v1/vendors/import`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

#: Chinese column headings accepted beside the field names
HEADINGS = {
    "名称": "name",
    "单位名称": "name",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "法人状态": "legal_status",
    "法定代表人": "legal_representative",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
    "电话": "contact_phone",
    "邮箱": "contact_email",
    "地址": "address",
}


class ImportFileError(Exception):
    """The file cannot be read as a vendor list."""


def _field(heading: Any) -> str:
    text = str(heading or "").strip()
    return HEADINGS.get(text, text.lower().replace(" ", "_"))


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The data rows of ``path`` keyed by field name; blank rows are skipped."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            table = [row for row in reader]
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError(f"{path.name} is not a readable workbook: {exc}") from exc
        sheet = book.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
    else:
        raise ImportFileError(f"{path.name}: use a .csv or .xlsx file")
    if not table:
        raise ImportFileError(f"{path.name} is empty")
    header = [_field(h) for h in table[0]]
    if "name" not in header or "credit_code" not in header:
        raise ImportFileError(
            f"{path.name}: the header row needs `name` and `credit_code` columns (or 名称, 统一社会信用代码)"
        )
    rows = []
    for raw in table[1:]:
        if not any(_cell(v) for v in raw):
            continue
        rows.append({k: _cell(v) for k, v in zip(header, raw, strict=False) if k})
    return rows
