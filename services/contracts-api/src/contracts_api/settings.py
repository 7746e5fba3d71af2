"""Settings of contracts-api: env prefix ``HOUQIN_CONTRACTS_``, falling back to ``HOUQIN_``."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from houqin_common.settings import ServiceSettings


class Settings(ServiceSettings):
    """contracts-api settings; policy numbers live here with defaults from DOMAIN.md."""

    model_config = SettingsConfigDict(env_prefix="HOUQIN_CONTRACTS_", extra="ignore")

    open_tender_threshold: Decimal = Field(
        default=Decimal("500000"), gt=0, description="CNY; at or above it the first award is an open tender"
    )
    micro_projects: list[str] = Field(
        default=["post_office", "bookstore", "hairdresser", "laundry", "car_wash"],
        description="project codes of micro services, procured by price comparison",
    )
    appraisal_weighted_projects: list[str] = Field(
        default=["catering", "landscaping", "cleaning"],
        description="projects whose renewal weighs quality, satisfaction and overall appraisal",
    )
    renewal_min_total: float = Field(
        default=85.0, ge=0, le=100, description="overall appraisal an incumbent needs for a single-source renewal"
    )
    renewal_min_quality: float = Field(
        default=80.0, ge=0, le=100, description="quality score needed (appraisal-weighted projects)"
    )
    renewal_min_satisfaction: float = Field(
        default=85.0, ge=0, le=100, description="satisfaction score needed (appraisal-weighted projects)"
    )
    tender_default_scheme: dict[str, Decimal] = Field(
        default={"price": Decimal(30), "technical": Decimal(50), "service": Decimal(20)},
        description="综合评分法 components and weights (percent) when the procurement document names none",
    )
    min_price_weight_services: Decimal = Field(
        default=Decimal(10), ge=0, le=100, description="lowest price weight (percent) for services (Order 87 art. 55)"
    )
    min_price_weight_goods: Decimal = Field(
        default=Decimal(30), ge=0, le=100, description="lowest price weight (percent) for goods (Order 87 art. 55)"
    )
    min_valid_quotes: int = Field(default=3, ge=1, description="valid quotes a price comparison needs")
    archive_dir: Path = Field(default=Path(".houqin/archive"), description="where contract documents are stored")
    archive_max_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="largest document accepted")
    ocid_prefix: str = Field(default="ocds-houqin", description="OCDS ocid prefix (registered with OCP)")
    ocds_publisher: str = Field(default="常州市机关事务管理局", description="OCDS package publisher name")
    buyer_name: str = Field(default="常州市机关事务管理局", description="the buyer named in OCDS releases")


@lru_cache
def get_settings() -> Settings:
    return Settings()
