"""Response body of a dead letter, its reason rendered in the reader's language."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from houqin_common.i18n import Text


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="dead letter id")
    source: str = Field(description="`mqtt` or `http`")
    topic: str | None = Field(default=None, description="MQTT topic (or the HTTP item it came from)")
    code: str | None = Field(
        default=None,
        description="why it was rejected, for machines: not_utf8, not_json, duplicate_key, bad_text, invalid, "
        "oversize, future_ts, unknown_topic, unknown_device, id_mismatch, no_fix, db_refused, internal",
    )
    reason: str = Field(description="why it was rejected, in the reader's language (Accept-Language)")
    reason_parts: list[dict[str, Any]] | None = Field(default=None, exclude=True)
    received_at: datetime = Field(description="when it was received")
    payload: bytes = Field(exclude=True, description="raw bytes")
    payload_text: str = Field(default="", description="the raw payload decoded as UTF-8 (invalid bytes replaced)")
    payload_base64: str = Field(default="", description="the raw payload, base64")
    payload_size: int = Field(default=0, description="payload size in bytes")

    @model_validator(mode="after")
    def _render(self) -> DeadLetterRead:
        self.payload_text = self.payload[:4096].decode("utf-8", "replace")
        self.payload_base64 = base64.b64encode(self.payload).decode()
        self.payload_size = len(self.payload)
        if self.reason_parts:
            self.reason = "; ".join(Text.shown(p) for p in self.reason_parts)
        return self
