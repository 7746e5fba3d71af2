from __future__ import annotations

import base64
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="dead letter id")
    source: str = Field(description="`mqtt` or `http`")
    topic: str | None = Field(default=None, description="MQTT topic (or the HTTP item it came from)")
    reason: str = Field(description="why it was rejected")
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
        return self
