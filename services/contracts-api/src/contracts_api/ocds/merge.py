"""Compile and version OCDS releases by the OCDS 1.1 merge routine (as ``ocdsmerge`` / ``ocdskit compile``
do it): releases in date order; objects merged field by field; arrays of objects with an ``id`` merged by
that id (identifier merge); other arrays, and the release schema's ``wholeListMerge`` arrays, replaced
whole; ``null`` removes a field; the release's ``id``, ``date`` and ``tag`` are omitted when merged
(``omitWhenMerged``). In the versioned release every value becomes the list of its versions, a new
version only when the value changed; the ``id`` of an array item is its identity, never versioned.
Pure functions, no I/O."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

OMIT_WHEN_MERGED = frozenset({"id", "date", "tag"})
#: arrays the OCDS 1.1 release schema marks ``wholeListMerge``
WHOLE_LIST_MERGE = frozenset({"additionalIdentifiers", "additionalClassifications"})


def _identifier_array(key: str, value: Any) -> bool:
    return (
        isinstance(value, list)
        and key not in WHOLE_LIST_MERGE
        and bool(value)
        and all(isinstance(item, dict) and "id" in item for item in value)
    )


def _ordered(releases: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(releases, key=lambda r: str(r["date"]))


def _merge_into(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _merge_into(target[key], value)
        elif _identifier_array(key, value):
            existing = target.get(key)
            items: list[dict[str, Any]] = existing if isinstance(existing, list) else []
            target[key] = items
            for item in value:
                match = next((i for i in items if isinstance(i, dict) and i.get("id") == item["id"]), None)
                if match is None:
                    match = {}
                    items.append(match)
                _merge_into(match, item)
        else:
            target[key] = copy.deepcopy(value)


def compile_releases(releases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The compiledRelease: the latest state of the process."""
    ordered = _ordered(releases)
    last = ordered[-1]
    compiled: dict[str, Any] = {"tag": ["compiled"], "id": f"{last['ocid']}-{last['date']}", "date": last["date"]}
    body: dict[str, Any] = {}
    for release in ordered:
        _merge_into(body, {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED})
    compiled.update(body)
    return compiled


def _version_into(target: dict[str, Any], source: dict[str, Any], meta: dict[str, Any], *, array_item: bool) -> None:
    for key, value in source.items():
        if key == "id" and array_item:
            target[key] = value
        elif isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _version_into(target[key], value, meta, array_item=False)
        elif _identifier_array(key, value):
            items = target.setdefault(key, [])
            for item in value:
                match = next((i for i in items if i.get("id") == item["id"]), None)
                if match is None:
                    match = {}
                    items.append(match)
                _version_into(match, item, meta, array_item=True)
        else:
            versions = target.setdefault(key, [])
            if not versions or versions[-1]["value"] != value:
                versions.append({**meta, "value": copy.deepcopy(value)})


def versioned_release(releases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The versionedRelease: every field with the history of its values and the release that set each."""
    ordered = _ordered(releases)
    out: dict[str, Any] = {"ocid": ordered[-1]["ocid"]}
    for release in ordered:
        meta = {"releaseID": release["id"], "releaseDate": release["date"], "releaseTag": release["tag"]}
        body = {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED and k != "ocid"}
        _version_into(out, body, meta, array_item=False)
    return out
