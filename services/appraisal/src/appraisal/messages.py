"""Texts that are decided once and read later (award reasons): stored as a msgid and its parameters,
rendered in the reader's language when read, so a decision taken under one locale reads in any. The
stored form is :class:`houqin_common.i18n.Text`'s JSON."""

from __future__ import annotations

from typing import Any

from houqin_common.i18n import Text

Message = dict[str, Any]


def message(msgid: str, /, **params: Any) -> Message:
    """A stored text: ``msgid`` (marked with ``N_()`` where it is written) and JSON-able ``params``."""
    return Text(msgid, params).to_json()


def render(item: Message | str) -> str:
    """The text in the current locale; a plain string (stored before messages existed) as it is."""
    return Text.shown(item)
