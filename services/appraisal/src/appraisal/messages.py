"""Texts that are decided once and read later (award reasons): stored as a msgid and its parameters,
rendered in the reader's language when read, so a decision taken under one locale reads in any."""

from __future__ import annotations

from typing import Any

from houqin_common.i18n import _

Message = dict[str, Any]


def message(msgid: str, /, **params: Any) -> Message:
    """A stored text: ``msgid`` (marked with ``N_()`` where it is written) and JSON-able ``params``."""
    return {"msgid": msgid, "params": params}


def render(item: Message | str) -> str:
    """The text in the current locale; a plain string (stored before messages existed) as it is."""
    if isinstance(item, str):
        return item
    return _(str(item.get("msgid", "")), **dict(item.get("params") or {}))
