"""Our merge against the reference implementation: `data/lifecycle_merge.json` holds four releases of a
tender → bid → award → implementation process shaped like ours, and the compiledRelease and
versionedRelease that ``ocdsmerge`` 0.8.0 (``Merger(release-schema.json of OCDS 1.1.5)``) made of them."""

from __future__ import annotations

import json
from pathlib import Path

from contracts_api.ocds.merge import compile_releases, versioned_release

DATA = json.loads((Path(__file__).parent / "data" / "lifecycle_merge.json").read_text(encoding="utf-8"))


def test_compiled_release_equals_ocdsmerge() -> None:
    assert compile_releases(DATA["releases"]) == DATA["ocdsmerge"]["compiled"]


def test_versioned_release_equals_ocdsmerge() -> None:
    assert versioned_release(DATA["releases"]) == DATA["ocdsmerge"]["versioned"]


def test_release_order_does_not_matter_only_dates() -> None:
    assert compile_releases(list(reversed(DATA["releases"]))) == DATA["ocdsmerge"]["compiled"]
