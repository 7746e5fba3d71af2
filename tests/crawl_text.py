"""The text crawl: every GET of every service's OpenAPI, every string a person reads, checked for language and names.

`crawl()` reads each service's ``/openapi.json``, calls every GET operation (path ids taken from the list
answers, required query parameters filled with values that exist in the seeded data, report endpoints in
every ``format`` they document) and hands each answer to `check_json` / `check_table`, which return
`Violation`s:

- ``english``: English prose in a human-text field of a zh-CN answer (every string field is human text but
  those named in `MACHINE_KEYS` / `MACHINE_SUFFIXES`, and words in `ALLOWED_WORDS`: units and acronyms);
- ``chinese``: Chinese in a human-text field of an English answer, outside proper names (`PROPER_NAME_KEYS`);
- ``bare-id``: a UUID or a raw code (snake_case value, meter / device code) inside a sentence, or as a
  human-text value, or as the key of a map;
- ``no-name``: an object carrying ``vendor_id`` / ``meter_id`` / ``vehicle_id`` / ``project_code`` without the
  matching name or plate beside it;
- ``header``: an English CSV / XLSX column header (zh-CN only).

A violation's `key` (language, service, path template, JSON path with list indices dropped, rule) is stable
across runs, so an allow-list of reviewed keys can name exactly what is still to be fixed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
SHORT_UUID = re.compile(r"(?<![0-9A-Za-z-])[0-9a-f]{8}(?![0-9A-Za-z])")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
DEVICE_CODE = re.compile(r"\b[A-Z]{1,4}-[A-Z0-9]{1,6}-\d{2,}\b")
WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Fields whose values are machine values, not text: codes, enums, ids, timestamps, URLs, hashes and the
# English alternates (`*_en`). Reviewed: add a key here only when no person is meant to read its value.
MACHINE_KEYS = frozenset(
    {
        # identity, codes and enums
        "id",
        "code",
        "ocid",
        "status",
        "kind",
        "type",
        "role",
        "roles",
        "sub",
        "tag",
        "scheme",
        "method",
        "route",
        "category",
        "sub_item",
        "service_type",
        "protocol",
        "grade",
        "tier",
        "channel",
        "source",
        "level",
        "severity",
        "direction",
        "profile",
        "period",
        "half",
        "quarter",
        "format",
        "sort",
        "locale",
        "language",
        "currency",
        "unit_code",
        "content_type",
        "media_type",
        "filename",
        "file_name",
        "sha256",
        "etag",
        "version",
        "instance",
        "checks",
        "database",
        "broker",
        "plate",
        "credit_code",
        "indicator",
        "component",
        "components_used",
        "dimension",
        "metric",
        "item",
        "item_code",
        "template_code",
        "question_code",
        "outcome",
        "decision",
        "result_code",
        "initiationType",
        "procurementMethod",
        "mainProcurementCategory",
        "awardCriteria",
        "submissionMethod",
        "uri",
        "url",
        "href",
        "link",
        "legalName_en",
        "publisher_uri",
        "license",
        "publicationPolicy",
        "publishedDate",
        "date",
        "ocid_prefix",
        "relatedProcesses",
        "relationship",
        "procurementMethodDetails_code",
        "valueType",
        "statusDetails_code",
        "email",
        "telephone",
        "releaseID",
        "releaseTag",
        "releaseDate",
        "awardID",
        "identifier",
        "phone",
        "timezone",
        "model",
        "firmware",
        "topic",
        "client_id",
        "error_type",
        "pointer",
        "loc",
        "instance_id",
        "title_en",
        "name_en",
        "label_en",
        "unit_en",
        "note_en",
        "reason_en",
    }
)
MACHINE_SUFFIXES = (
    "_id",
    "_ids",
    "_code",
    "_codes",
    "_en",
    "_at",
    "_date",
    "_url",
    "_hash",
    "_status",
    "_kind",
    "_type",
    "_route",
    "_method",
    "_category",
    "_key",
    "_keys",
    "_version",
    "_sha256",
)
# Units and acronyms that are written the same in Chinese text (国标 GB, kWh, OCDS …); never whole sentences.
ALLOWED_WORDS = frozenset(
    {
        "kWh",
        "kW",
        "kgce",
        "tce",
        "km",
        "CNY",
        "GB",
        "OCDS",
        "JT",
        "GPS",
        "API",
        "PDF",
        "CSV",
        "XLSX",
        "PNG",
        "SVG",
        "HTTP",
        "JSON",
        "MQTT",
        "ID",
        "PUE",
        "CO",
        "Wh",
        "MWh",
        "kVA",
        "SLA",
        "ISO",
        "WGS",
        "GCJ",
        "Swagger",
        "ReDoc",
    }
)
# In an English answer these fields hold proper names (a vendor's registered name, a plate, a person, a
# building, a document's own title): Chinese there is right.
PROPER_NAME_KEYS = frozenset(
    {
        "vendor_name",
        "vendor",
        "incumbent_name",
        "plate",
        "building",
        "address",
        "reviewer",
        "inspector",
        "contact",
        "contact_name",
        "legal_representative",
        "complainant",
        "author",
        "assignee",
        "uploaded_by",
        "actor",
        "legalName",
        "filename",
        "file_name",
        "winner_name",
        "supplier_name",
        "name_zh",
        "label_zh",
        "title_zh",
        "project_name_zh",
        "meter_name",
        "contract_title",
        # reviewed (issue 23): the canteen's catering vendor, an invited provider and the vendor or person who
        # acted on a record are registered names; a regulation's number (常政办发〔2020〕1号) and title, and
        # the document an emission factor is cited from, are a document's own name
        "catering_vendor_name",
        "provider_name",
        "by",
        "number",
        "regulation_title",
        "grid_emission_factor_source",
    }
)
# Records people typed in Chinese (a complaint's description, a campaign's title, a meter's location): their
# own words, shown as written in every language. Reference data is not among them: `name` of the paths in
# REFERENCE_NAMES must be in the answer's language.
USER_TEXT_KEYS = frozenset(
    {
        "name",
        "title",
        "description",
        "response",
        "resolution",
        "issuer",
        "agency",
        "department",
        "purpose",
        "origin",
        "destination",
        "zone",
        "suggestions",
        "overall_opinions",
        "text",
        "comment",
        "findings",
        "evidence_note",
        "opinion",
        # reviewed (issue 23): typed by office staff when they record a training, a guidance plan or visit,
        # a hazard or a conference booking, in their own words
        "place",
        "room",
        "room_name",
        "focus",
        "participants",
    }
)
# Keys that are the writer's own words only under some paths (elsewhere the same key is a text the service
# writes, and must be in the answer's language). Reviewed (issue 23), each with whose words they are.
USER_TEXT_AT: dict[str, frozenset[str]] = {
    # a guidance visit's summary, written by the officer who made the visit
    "/v1/guidance-visits": frozenset({"summary"}),
    # a conference booking's service issues and a room's equipment, typed by the conference centre's staff
    "/v1/conference/": frozenset({"issues", "equipment"}),
    # an invited service as the office booked it ("上门洗车")
    "/v1/invited/": frozenset({"service"}),
    # a settlement's fee source and a savings line's sources: the figures' provenance as the office entered it
    "/v1/canteen/": frozenset({"fee_source"}),
    "/v1/savings/": frozenset({"contract_cost_source", "office_figure_source"}),
    # the notes the energy office types on a tariff, a goal, an investment or a building's area
    "/v1/energy/": frozenset({"note"}),
}
# OCDS releases and records declare ``"language": "zh"`` (OCDS `language`: the language of the release's
# text), so their text is Chinese in every request language; an OCDS document is not localised per request.
CHINESE_DOCUMENTS = ("/v1/ocds/",)
# Reviewed (issue 23): a tariff is not among them: the energy office enters it under the name of its price
# notice (一般工商业分时电价（2026年）), a document's own title with no English alternate in the model.
REFERENCE_NAMES = ("/v1/projects", "/v1/service-items", "/v1/energy-codes")


def is_proper_name(key: str, where: str, json_where: str = "") -> bool:
    """Chinese is right here in an English answer: ``where`` is the path template, ``json_where`` the JSON
    path of the value (a value inside a ``*_zh`` object is a Chinese alternate too)."""
    if key.endswith("_zh") or "_zh." in json_where or "_zh[" in json_where:
        return True  # the Chinese alternate, as `*_en` is the English one
    if where.startswith(CHINESE_DOCUMENTS):
        return True
    if key in PROPER_NAME_KEYS:
        return True
    if any(where.startswith(prefix) and key in keys for prefix, keys in USER_TEXT_AT.items()):
        return True
    if key in USER_TEXT_KEYS:
        return not (key == "name" and where.startswith(REFERENCE_NAMES))
    return False


def strip_names(text: str, names: frozenset[str]) -> str:
    """``text`` without the registered names in ``names`` (a vendor's name inside a sentence is a proper
    name in every language); longest first, so a name containing another is removed whole."""
    for name in sorted(names, key=len, reverse=True):
        if name in text:
            text = text.replace(name, " ")
    return text


NAME_FOR = {
    "vendor_id": ("vendor_name", "vendor", "name"),
    "meter_id": ("meter_name", "meter"),
    "vehicle_id": ("plate", "vehicle"),
    "project_code": ("project_name", "project_name_zh", "project", "project_label"),
}
# an object whose own identity is the thing named (a vendor's `name` beside its `id`) is named already
SELF_NAMED = {"vendor_id": "vendor", "meter_id": "meter", "vehicle_id": "vehicle", "project_code": "project"}


@dataclass(frozen=True)
class Violation:
    lang: str
    service: str
    path: str
    where: str
    rule: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.lang} {self.service} {self.path} {self.where} {self.rule}"

    def __str__(self) -> str:
        return f"{self.key}  ←  {self.value[:160]!r}"


# Fields that are always read by a person: even a one-token value there must be a word of the answer's language.
TEXT_KEYS = frozenset(
    {
        "name",
        "label",
        "title",
        "description",
        "reason",
        "reasons",
        "explanation",
        "note",
        "notes",
        "detail",
        "message",
        "text",
        "comment",
        "summary",
        "headline",
        "remark",
        "remarks",
        "rationale",
        "advice",
        "finding",
    }
)
TEXT_SUFFIXES = (
    "_name",
    "_label",
    "_title",
    "_reason",
    "_note",
    "_text",
    "_description",
    "_explanation",
    "_message",
    "_comment",
    "_zh",
)
TOKEN = re.compile(r"[\w\-.:/+@#%?=&~]+", re.ASCII)


def is_machine_key(key: str) -> bool:
    return key in MACHINE_KEYS or key.endswith(MACHINE_SUFFIXES)


def is_text_key(key: str) -> bool:
    return key in TEXT_KEYS or key.endswith(TEXT_SUFFIXES)


def is_machine_value(key: str, value: str) -> bool:
    """A value of one token (a code, an enum, an id, a URL) outside a text field is a machine value."""
    return bool(TOKEN.fullmatch(value)) and not is_text_key(key)


def english_words(text: str) -> list[str]:
    words = []
    for m in WORD.finditer(text):
        w = m.group(0)
        if w in ALLOWED_WORDS:
            continue
        # part of a token with digits (2026H1, Q3, GB/T 2589 …) or of a URL / e-mail is not a word
        start, end = m.start(), m.end()
        if (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()):
            continue
        words.append(w)
    return words


# A problem's pointer to the field it refuses (``query.start``, ``body.items[0].code``) names the field the
# client sent, as RFC 9457 `invalid-params` do: a machine value even inside the `detail` sentence.
POINTER = re.compile(r"\b(?:query|body|path|header)(?:\.[\w\-]+|\[\d+\])+")


# The services' own names (a note saying telemetry-ingest could not be reached) are proper names.
SERVICE_NAMES = re.compile(r"\b(?:contracts-api|telemetry-ingest|appraisal(?= ))\b")


def check_text(
    text: str,
    *,
    key: str,
    lang: str,
    where: str = "",
    json_where: str = "",
    names: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """(rule, evidence) for one human-text string; ``names`` are registered names (vendors) seen in the
    platform's answers, proper names wherever they appear."""
    found: list[tuple[str, str]] = []
    evidence = text
    text = SERVICE_NAMES.sub("", POINTER.sub("", text))
    if UUID.search(text) or SNAKE.search(text) or DEVICE_CODE.search(text):
        found.append(("bare-id", evidence))
    if lang == "zh":
        without_ids = DEVICE_CODE.sub("", SNAKE.sub("", UUID.sub("", text)))
        if english_words(without_ids):
            found.append(("english", evidence))
    elif CJK.search(strip_names(text, names)) and not is_proper_name(key, where, json_where):
        found.append(("chinese", evidence))
    return found


def _norm(where: str) -> str:
    return re.sub(r"\[\d+\]", "[]", where)


def check_json(
    value: Any, *, lang: str, where: str = "$", path: str = "", names: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str, str]]:
    """Yield (json path, rule, evidence) for every violation in a decoded JSON answer."""
    if isinstance(value, dict):
        for id_key, name_keys in NAME_FOR.items():
            if value.get(id_key) and not any(value.get(n) for n in name_keys):
                yield where, "no-name", f"{id_key}={value[id_key]}"
        for k, v in value.items():
            if UUID.fullmatch(str(k)) or (SNAKE.fullmatch(str(k)) and where.endswith(("reasons", "map"))):
                yield f"{where}.<key>", "bare-id", str(k)
                k = "<key>"
            if isinstance(v, str):
                if not is_machine_key(k) and not is_machine_value(k, v):
                    for rule, evidence in check_text(
                        v, key=k, lang=lang, where=path, json_where=f"{where}.{k}", names=names
                    ):
                        yield f"{where}.{k}", rule, evidence
            else:
                yield from check_json(v, lang=lang, where=f"{where}.{k}", path=path, names=names)
    elif isinstance(value, list):
        parent = where.rsplit(".", 1)[-1]
        for i, v in enumerate(value):
            if isinstance(v, str):
                if not is_machine_key(parent) and not is_machine_value(parent, v):
                    for rule, evidence in check_text(
                        v, key=parent, lang=lang, where=path, json_where=f"{where}[{i}]", names=names
                    ):
                        yield f"{where}[{i}]", rule, evidence
            else:
                yield from check_json(v, lang=lang, where=f"{where}[{i}]", path=path, names=names)


def check_headers(headers: list[str], *, lang: str) -> Iterator[tuple[str, str, str]]:
    for h in headers:
        if lang == "zh" and (english_words(h) or (not CJK.search(h) and h.strip() and not h.strip().isdigit())):
            yield f"header:{h}", "header", h
        elif lang == "en" and CJK.search(h):
            yield f"header:{h}", "chinese", h


# A table may keep the id of a party in a column headed as an id (单位编号 / vendor id), for people who join
# the file with other data, *beside* the party's name: such a cell is not a bare id when its row names the
# party in a name column. Reviewed (issue 23): the ranking and grade sheets of the appraisal reports.
ID_HEADER = re.compile(r"(编号|\bid)$", re.I)
NAME_HEADER = re.compile(r"^(名称|服务单位|name|vendor)$", re.I)


def check_cells(rows: list[list[str]], *, lang: str, head: list[str] | None = None) -> Iterator[tuple[str, str, str]]:
    """Text cells of a table body: True/False and English words are English; UUIDs are bare ids (but in an
    id column of a row that names the party, see `ID_HEADER`)."""
    head = head or []
    id_cols = {i for i, h in enumerate(head) if ID_HEADER.search(str(h).strip())}
    name_cols = {i for i, h in enumerate(head) if NAME_HEADER.fullmatch(str(h).strip())}
    for row in rows:
        named = any(i < len(row) and str(row[i]).strip() and not UUID.search(str(row[i])) for i in name_cols)
        for i, cell in enumerate(row):
            if not isinstance(cell, str) or not cell:
                continue
            if UUID.search(cell):
                if i in id_cols and named and UUID.fullmatch(cell.strip()):
                    continue
                yield f"cell[{i}]", "bare-id", cell
            elif (
                lang == "zh"
                and english_words(cell)
                and re.fullmatch(r"[\w\-.:/+ ]+", cell) is not None
                and (cell in ("True", "False") or " " in cell.strip())
            ):
                yield f"cell[{i}]", "english", cell


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(body: bytes) -> dict[str, list[list[str]]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(body), read_only=True)
    return {
        ws.title: [[("" if c is None else str(c) if not isinstance(c, str) else c) for c in row] for row in ws.values]
        for ws in wb.worksheets
    }


def check_tables(tables: dict[str, list[list[str]]], *, lang: str) -> Iterator[tuple[str, str, str]]:
    for sheet, rows in tables.items():
        rows = [r for r in rows if any(str(c).strip() for c in r)]
        if not rows:
            continue
        # a sheet may carry a title or note line above its header (a provisional ranking's first line is a
        # two-cell note): the header is the first row of >1 filled cells and at least half the widest row's;
        # a sheet of one-cell lines only (a summary: the campaign's own title, notes) has no header to check
        filled = [sum(1 for c in r if str(c).strip()) for r in rows]
        head = next((i for i, n in enumerate(filled) if n > 1 and 2 * n >= max(filled)), None)
        if head is None:
            for w, rule, ev in check_cells(rows, lang=lang):
                yield f"{sheet}:{w}", rule, ev
            continue
        for w, rule, ev in check_headers([c for c in rows[head] if str(c).strip()], lang=lang):
            yield f"{sheet}:{w}", rule, ev
        for w, rule, ev in check_cells(rows[head + 1 :], lang=lang, head=[str(c) for c in rows[head]]):
            yield f"{sheet}:{w}", rule, ev


def check_svg(body: bytes, *, lang: str) -> Iterator[tuple[str, str, str]]:
    text = body.decode("utf-8", "replace")
    for m in re.finditer(r"<text[^>]*>(.*?)</text>", text, re.S):
        inner = re.sub(r"<[^>]+>", "", m.group(1)).strip()
        if inner:
            for rule, ev in check_text(inner, key="svg", lang=lang):
                yield "svg:text", rule, ev


# ---------------------------------------------------------------------------------------------------- crawl


@dataclass
class CrawlResult:
    violations: list[Violation]
    calls: int
    statuses: dict[str, int]


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        for key in ("items", "releases", "records", "results", "data"):
            if isinstance(body.get(key), list):
                return [x for x in body[key] if isinstance(x, dict)]
        return []
    if isinstance(body, list):
        return [x for x in body if isinstance(x, dict)]
    return []


def _required_query(op: dict[str, Any]) -> bool:
    return any(p.get("required") and p["in"] == "query" for p in op.get("parameters", []))


def _pool_values(body: Any, pool: dict[str, list[str]]) -> None:
    """Every id-like value seen anywhere, by key: the fallback source of a path parameter."""
    if isinstance(body, dict):
        for k, v in body.items():
            if isinstance(v, str | int) and not isinstance(v, bool) and (k.endswith("_id") or k in ("code",)):
                seen = pool.setdefault(k, [])
                if str(v) not in seen:
                    seen.append(str(v))
            else:
                _pool_values(v, pool)
    elif isinstance(body, list):
        for v in body:
            _pool_values(v, pool)


def _licence_names(body: Any, found: set[str]) -> None:
    """The kind of each qualification record (an object with ``kind``, ``number`` and ``valid_to``): the office
    types a licence's own name there (营业执照, 食品经营许可证), a proper name inside any sentence."""
    if isinstance(body, dict):
        if isinstance(body.get("kind"), str) and "number" in body and "valid_to" in body:
            found.add(body["kind"])
        for v in body.values():
            _licence_names(v, found)
    elif isinstance(body, list):
        for v in body:
            _licence_names(v, found)


class Crawler:
    """Walks the GET operations of the services at ``urls`` with ``token``; `run(lang)` checks each answer."""

    def __init__(self, urls: dict[str, str], token: str, *, now: datetime, per_param: int = 40) -> None:
        self.urls = urls
        self.token = token
        self.now = now
        self.per_param = per_param
        self.trace = False
        self.timeout_s = 60.0
        self.specs = {name: httpx.get(f"{url}/openapi.json", timeout=30).json() for name, url in urls.items()}
        self.pool: dict[str, list[str]] = {}
        self.lists: dict[str, list[dict[str, Any]]] = {}
        #: the vendors' registered names (contracts-api's vendor list) and the licences' names of their
        #: qualification records: proper names inside any sentence
        self.names: set[str] = set()

    def query_value(self, name: str, schema: dict[str, Any]) -> str | None:
        tz_now = self.now
        start = (tz_now - timedelta(days=7)).isoformat()
        end = tz_now.isoformat()
        year = str(tz_now.year)
        fixed = {
            "start": start,
            "end": end,
            "baseline_start": (tz_now - timedelta(days=30)).date().isoformat(),
            "baseline_end": (tz_now - timedelta(days=15)).date().isoformat(),
            "year": year,
            "value": "500000",
        }
        if name in fixed:
            value = fixed[name]
            return value[:10] if schema.get("format") == "date" else value
        if name == "period":
            pattern = schema.get("pattern") or ""
            return f"{year}H1" if "H[12]" in pattern else year
        if self.pool.get(name):
            return self.pool[name][0]
        if name == "project_code" and self.pool.get("code"):
            return self.pool["code"][0]
        return None

    def run(self, lang: str) -> CrawlResult:
        accept_language = {"zh": "zh-CN", "en": "en"}[lang]
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": accept_language}
        violations: list[Violation] = []
        statuses: dict[str, int] = {}
        calls = 0
        with httpx.Client(timeout=self.timeout_s, headers=headers) as client:
            if "contracts" in self.urls:  # every registered name, not only the first page's
                r = client.get(f"{self.urls['contracts']}/v1/vendors", params={"limit": 500})
                if r.status_code == 200:
                    self.names.update(str(v["name"]) for v in _items(r.json()) if v.get("name"))
                r = client.get(
                    f"{self.urls['contracts']}/v1/vendors/qualifications/expiring",
                    params={"within_days": 3650, "limit": 500},
                )
                if r.status_code == 200:
                    _licence_names(r.json(), self.names)
            for service, spec in self.specs.items():
                base = self.urls[service]
                ops = [
                    (path, item["get"])
                    for path, item in spec["paths"].items()
                    if "get" in item and path not in ("/healthz", "/readyz", "/metrics", "/v1/stream")
                ]
                # lists first (they give the ids), then deeper paths
                ops.sort(key=lambda po: (po[0].count("{"), _required_query(po[1]), po[0]))
                for path, op in ops:
                    for url_path in self.expand(base, client, path):
                        for params, fmt in self.queries(op):
                            calls += 1
                            try:
                                r = client.get(f"{base}{url_path}", params=params)
                            except httpx.TimeoutException as exc:
                                violations.append(Violation(lang, service, path, fmt or "$", "timeout", str(exc)))
                                continue
                            if self.trace:
                                print(r.status_code, r.elapsed.total_seconds(), url_path, params)
                            statuses[f"{r.status_code // 100}xx"] = statuses.get(f"{r.status_code // 100}xx", 0) + 1
                            if r.status_code >= 500:
                                violations.append(Violation(lang, service, path, fmt or "$", "5xx", r.text))
                                continue
                            for where, rule, ev in self.check_response(r, lang=lang, path=path):
                                violations.append(Violation(lang, service, path, _norm(where), rule, ev))
                            if r.status_code == 200 and r.headers.get("content-type", "").startswith(
                                "application/json"
                            ):
                                body = r.json()
                                _pool_values(body, self.pool)
                                if "{" not in path and not params.get("format"):
                                    self.lists.setdefault(path, _items(body))
                                if service == "contracts":
                                    _licence_names(body, self.names)
        return CrawlResult(violations, calls, statuses)

    def check_response(self, r: httpx.Response, *, lang: str, path: str) -> Iterator[tuple[str, str, str]]:
        ctype = r.headers.get("content-type", "")
        if ctype.startswith(("application/json", "application/problem+json")):
            yield from check_json(r.json(), lang=lang, path=path, names=frozenset(self.names))
        elif ctype.startswith("text/csv"):
            yield from check_tables({"csv": csv_rows(r.content)}, lang=lang)
        elif "spreadsheetml" in ctype:
            yield from check_tables(xlsx_rows(r.content), lang=lang)
        elif ctype.startswith("image/svg"):
            yield from check_svg(r.content, lang=lang)

    def queries(self, op: dict[str, Any]) -> list[tuple[dict[str, str], str | None]]:
        params: dict[str, str] = {}
        formats: list[str] = []
        for p in op.get("parameters", []):
            if p["in"] != "query":
                continue
            schema = p.get("schema", {})
            if p["name"] == "format":
                enum = schema.get("enum") or next((s.get("enum") for s in schema.get("anyOf", []) if s.get("enum")), [])
                formats = [f for f in enum if f != "png"]
                continue
            if p.get("required"):
                value = self.query_value(p["name"], schema)
                if value is not None:
                    params[p["name"]] = value
        if not formats:
            return [(params, None)]
        return [(params, None)] + [({**params, "format": f}, f) for f in formats]

    def expand(self, base: str, client: httpx.Client, path: str) -> list[str]:
        """Concrete paths for a template: each parameter from the list above it (or the pool)."""
        names = re.findall(r"{(\w+)}", path)
        if not names:
            return [path]
        results = [path]
        for name in names:
            expanded: list[str] = []
            for partial in results:
                prefix = partial.split("{" + name + "}", 1)[0].rstrip("/")
                values = self.param_values(base, client, prefix, name)
                limit = self.per_param if name == names[-1] else 1
                expanded += [partial.replace("{" + name + "}", quote(v, safe="")) for v in values[:limit]]
            results = expanded
        return results

    def param_values(self, base: str, client: httpx.Client, prefix: str, name: str) -> list[str]:
        if name in ("year",):
            return [str(self.now.year), str(self.now.year - 1)]
        if name == "period":
            return [str(self.now.year), str(self.now.year - 1)]
        items = self.lists.get(prefix)
        if items is None and "{" not in prefix:
            r = client.get(f"{base}{prefix}")
            items = _items(r.json()) if r.status_code == 200 and "json" in r.headers.get("content-type", "") else []
        values = [str(it.get(name) or it.get("id") or it.get("code") or "") for it in (items or [])]
        values = [v for v in values if v]
        if not values and name == "code":
            values = self.pool.get("code", [])
        return values or self.pool.get(name, [])[: self.per_param]
