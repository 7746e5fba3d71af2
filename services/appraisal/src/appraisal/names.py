"""Vendor names and project labels of appraisal's answers: the shared directory of `houqin_common.names`
(one per app, built in `appraisal.main`), re-exported where the domains import it from."""

from __future__ import annotations

from houqin_common.names import UNAVAILABLE, NameDirectory, Names, Register, name_records, name_vendors

__all__ = ["UNAVAILABLE", "NameDirectory", "Names", "Register", "name_records", "name_vendors"]
