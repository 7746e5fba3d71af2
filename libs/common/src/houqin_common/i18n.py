"""Messages in the reader's language: zh-CN by default, English on request.

Source strings are English msgids marked with ``_()`` (translated now, in the current locale) or
``N_()`` (a module-level constant, translated later with ``_()``). One gettext domain, ``houqin``,
covers the library and the three services; ``make i18n`` extracts it with Babel and compiles the
catalog, which is committed. The locale of a request comes from ``Accept-Language`` (set by the
request middleware); the CLI and workers use ``HOUQIN_LOCALE``; both default to zh-CN, because the
readers are a Chinese city office. Machine-readable values (codes, enum values, ``type`` URIs) are
never translated.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import Translations

DOMAIN = "houqin"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_CN"
#: locale -> the language tag a response announces in ``Content-Language``
SUPPORTED: dict[str, str] = {"zh_CN": "zh-CN", "en": "en"}

_current: ContextVar[str | None] = ContextVar("houqin_locale", default=None)


@lru_cache(maxsize=64)
def _match(tag: str) -> str | None:
    """The supported locale of one language tag (pure: cached, read on every request for the default)."""
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return {"zh": "zh_CN", "en": "en"}.get(primary)


def default_locale() -> str:
    """``HOUQIN_LOCALE`` when set to a supported locale, else zh-CN: the language of a request that
    names none (and of the CLI and the workers)."""
    return _match(os.environ.get("HOUQIN_LOCALE") or "") or DEFAULT_LOCALE


def current_locale() -> str:
    return _current.get() or default_locale()


@lru_cache(maxsize=8)
def _catalog(locale: str) -> gettext.NullTranslations:
    if locale == "en":
        return gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], DOMAIN)


def _(message: str, /, **params: object) -> str:
    """``message`` translated into the current locale, then formatted with ``params`` (``{name}``)."""
    text = _catalog(current_locale()).gettext(message)
    return text.format(**params) if params else text


def N_(message: str, /) -> str:  # noqa: N802 - the gettext convention extractors know
    """Marks a constant for extraction; translate it where it is shown, with ``_()``."""
    return message


def negotiate(header: str | None) -> str:
    """The best supported locale for an ``Accept-Language`` value (RFC 9110 q-values); the default locale
    (``HOUQIN_LOCALE``, else zh-CN) when the header is absent, ``*`` or names nothing supported."""
    return match_header(header) or default_locale()


@lru_cache(maxsize=256)
def match_header(header: str | None) -> str | None:
    """The supported locale an ``Accept-Language`` value asks for, None when it leaves the choice to the
    server. Pure, so cached per header value (a request's hot path); the default is read per request."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, tag.strip().lower().replace("_", "-")))
    for neg_quality, _index, tag in sorted(ranked):
        if neg_quality >= 0:
            break
        if tag == "*":
            return None
        found = _match(tag)
        if found:
            return found
    return None


def set_locale(locale: str) -> Token[str | None]:
    """Sets the current locale; returns the token for :func:`reset_locale` (used by the middleware)."""
    return _current.set(locale)


def reset_locale(token: Token[str | None]) -> None:
    _current.reset(token)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Runs a block in ``locale`` (e.g. a report rendered for a reader who asked for English)."""
    token = _current.set(locale)
    try:
        yield
    finally:
        _current.reset(token)


@dataclass(frozen=True, slots=True)
class Text:
    """A message kept as its English msgid and parameters and rendered in the reader's language when read.

    For texts that are stored (a dead letter's reason, written by a worker with no reader in sight): the
    stored form is :meth:`to_json`, and whoever shows it later calls :meth:`render` in the reader's locale.
    A parameter may itself be a :class:`Text`, or a list of them (rendered joined by the locale's list
    separator); ``translate=False`` keeps a foreign text (a library's English message) verbatim.
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    translate: bool = True

    @classmethod
    def verbatim(cls, text: str) -> Text:
        return cls(text, {}, False)

    @classmethod
    def named(cls, zh: str, en: str | None = None) -> Text:
        """A name kept in both languages (a project's ``name_zh`` and ``name``): Chinese unless the reader
        asked for English. For a parameter such as ``{project}``, so no code stands in a sentence."""
        return cls("{zh}", {"zh": zh, "en": en or zh}, False)

    def render(self) -> str:
        if not self.translate and self.msgid == "{zh}" and "en" in self.params:
            return str(self.params["en" if current_locale() == "en" else "zh"])
        template = _catalog(current_locale()).gettext(self.msgid) if self.translate else self.msgid
        if not self.params:
            return template
        params = {k: _render_param(v) for k, v in self.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
            return self.msgid.format(**params)

    def english(self) -> str:
        with use_locale("en"):
            return self.render()

    __str__ = render

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.params:
            data["params"] = {k: _param_json(v) for k, v in self.params.items()}
        if not self.translate:
            data["translate"] = False
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Text:
        params = {k: _param_from_json(v) for k, v in (data.get("params") or {}).items()}
        return cls(str(data["msgid"]), params, bool(data.get("translate", True)))

    @staticmethod
    def shown(item: Text | Mapping[str, Any] | str) -> str:
        """A stored text in the current locale: a :class:`Text`, its JSON, or a plain string stored before
        texts were kept as msgids (shown as it is)."""
        if isinstance(item, Text):
            return item.render()
        if isinstance(item, Mapping):
            return Text.from_json(item).render()
        return item


def _render_param(value: Any) -> Any:
    if isinstance(value, Text):
        return value.render()
    if isinstance(value, list):
        return _catalog(current_locale()).gettext("; ").join(str(_render_param(v)) for v in value)
    return value


def _param_json(value: Any) -> Any:
    if isinstance(value, Text):
        return value.to_json()
    if isinstance(value, list):
        return [_param_json(v) for v in value]
    return value


def _param_from_json(value: Any) -> Any:
    if isinstance(value, Mapping) and "msgid" in value:
        return Text.from_json(value)
    if isinstance(value, list):
        return [_param_from_json(v) for v in value]
    return value


class TextError(ValueError):
    """A ``ValueError`` whose message is a :class:`Text`: ``str()`` renders it in the current locale, and
    code that stores the error (the ingest's dead letters) keeps the msgid and parameters instead."""

    def __init__(self, msgid: str, /, **params: Any) -> None:
        self.text = Text(msgid, params)
        super().__init__(msgid)

    def __str__(self) -> str:
        return self.text.render()
