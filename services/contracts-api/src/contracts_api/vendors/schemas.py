from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.schemas import VendorRef


class VendorCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="registered name")
    credit_code: str = Field(min_length=18, max_length=18, description="unified social credit code")


class VendorRead(VendorRef):
    model_config = ConfigDict(from_attributes=True)

    created_at: datetime = Field(description="when the vendor was registered")
