"""The shapes of the OCDS 1.1 release and record packages this service publishes, for the OpenAPI document
(a frontend or a data user generates its types from them).

They describe the parts :mod:`contracts_api.ocds.builder` emits, a subset of the OCDS 1.1.5 release
schema, with OCDS's own field names. The routes document them but keep returning the builder's dicts, so
the bodies stay exactly what the OCDS tests validate against the official schemas. Every model allows
extra fields: the OCDS schema is open, and a compiled or versioned release may carry more.
"""

# OCDS names its fields in mixedCase (publishedDate, awardID): the models keep the standard's names.
# ruff: noqa: N815

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from contracts_api.ocds import merge

OPEN = ConfigDict(extra="allow")
DATE_TIME: JsonDict = {"format": "date-time"}
URI: JsonDict = {"format": "uri"}


class OcdsValue(BaseModel):
    model_config = OPEN
    amount: float
    currency: Literal["CNY"]


class OcdsPeriod(BaseModel):
    model_config = OPEN
    startDate: str = Field(json_schema_extra=DATE_TIME)
    endDate: str = Field(json_schema_extra=DATE_TIME)


class OcdsIdentifier(BaseModel):
    model_config = OPEN
    scheme: str = Field(description="`CN-USCC`: the unified social credit code (GB 32100-2015)")
    id: str
    legalName: str | None = None


class OcdsOrganizationReference(BaseModel):
    model_config = OPEN
    id: str
    name: str


class OcdsOrganization(BaseModel):
    """A party: the buyer (the Bureau) or a vendor, by its credit code."""

    model_config = OPEN
    id: str
    name: str
    identifier: OcdsIdentifier | None = None
    roles: list[Literal["buyer", "procuringEntity", "supplier", "tenderer"]]


class OcdsItem(BaseModel):
    model_config = OPEN
    id: str
    description: str
    quantity: float


class OcdsTender(BaseModel):
    model_config = OPEN
    id: str
    title: str
    description: str | None = Field(None, description="the project's Chinese name")
    status: Literal["active", "complete", "cancelled"] | None = None
    value: OcdsValue | None = None
    procurementMethod: Literal["open", "selective", "limited", "direct"] | None = None
    procurementMethodDetails: str | None = None
    procurementMethodRationale: str | None = None
    procuringEntity: OcdsOrganizationReference
    items: list[OcdsItem] | None = None
    tenderers: list[OcdsOrganizationReference] | None = None
    numberOfTenderers: int | None = None


class OcdsAward(BaseModel):
    model_config = OPEN
    id: str
    status: Literal["active"]
    date: str = Field(json_schema_extra=DATE_TIME)
    value: OcdsValue | None = None
    suppliers: list[OcdsOrganizationReference]
    contractPeriod: OcdsPeriod


class OcdsContract(BaseModel):
    model_config = OPEN
    id: str
    awardID: str
    title: str
    status: Literal["pending", "active", "terminated"]
    value: OcdsValue | None = None
    period: OcdsPeriod


class OcdsRelatedProcess(BaseModel):
    model_config = OPEN
    id: str
    relationship: list[Literal["prior"]]
    title: str
    scheme: Literal["ocid"]
    identifier: str


class OcdsRelease(BaseModel):
    """The state of one contracting process after one event (a full release: every field repeated)."""

    model_config = OPEN
    ocid: str
    id: str
    date: str = Field(json_schema_extra=DATE_TIME)
    tag: list[str] = Field(description="tender, tenderUpdate, award, contract, contractUpdate, implementation...")
    initiationType: Literal["tender"]
    language: Literal["zh"]
    parties: list[OcdsOrganization]
    buyer: OcdsOrganizationReference
    tender: OcdsTender
    awards: list[OcdsAward] | None = None
    contracts: list[OcdsContract] | None = None
    relatedProcesses: list[OcdsRelatedProcess] | None = None


class OcdsPublisher(BaseModel):
    model_config = OPEN
    name: str


class OcdsLinkedRelease(BaseModel):
    model_config = OPEN
    url: str = Field(json_schema_extra=URI)
    date: str = Field(json_schema_extra=DATE_TIME)
    tag: list[str]


class OcdsRecord(BaseModel):
    """One contracting process: its releases (linked), compiled and versioned."""

    model_config = OPEN
    ocid: str
    releases: list[OcdsLinkedRelease]
    compiledRelease: OcdsRelease = Field(
        description="the latest state, compiled from the releases by the OCDS merge routine (tag `compiled`)"
    )
    versionedRelease: dict[str, Any] = Field(
        description="every field as the list of its versions (releaseID, releaseDate, releaseTag, value)"
    )


class OcdsPackageMeta(BaseModel):
    model_config = OPEN
    uri: str = Field(json_schema_extra=URI)
    version: Literal["1.1"]
    publishedDate: str = Field(json_schema_extra=DATE_TIME)
    publisher: OcdsPublisher


_BUREAU = {"id": "CN-GOA-BUREAU", "name": "常州市机关事务管理局"}
_VENDOR_REF = {"id": "CN-USCC-91320400100023757P", "name": "江苏金盾保安服务有限公司"}
_OCID = "ocds-houqin-5f0c2a9e-3b1d-4c7e-9a44-2d8e6b1f0a17"
_RELEASE: dict[str, Any] = {
    "ocid": _OCID,
    "id": f"{_OCID}-000042",
    "date": "2026-03-02T08:00:00+00:00",
    "tag": ["award", "contract"],
    "initiationType": "tender",
    "language": "zh",
    "parties": [
        {**_BUREAU, "roles": ["buyer", "procuringEntity"]},
        {
            **_VENDOR_REF,
            "identifier": {"scheme": "CN-USCC", "id": "91320400100023757P", "legalName": "江苏金盾保安服务有限公司"},
            "roles": ["tenderer", "supplier"],
        },
    ],
    "buyer": _BUREAU,
    "tender": {
        "id": f"{_OCID}-tender",
        "title": "安保服务采购",
        "procuringEntity": _BUREAU,
        "description": "安保",
        "items": [{"id": "1", "description": "安保", "quantity": 1}],
        "procurementMethod": "open",
        "procurementMethodDetails": "公开招标",
        "status": "complete",
        "value": {"amount": 2400000.0, "currency": "CNY"},
        "procurementMethodRationale": "预算金额 2,400,000.00 元达到公开招标限额",
        "tenderers": [_VENDOR_REF],
        "numberOfTenderers": 1,
    },
    "awards": [
        {
            "id": "7c1e4f20-8d6b-4a53-b1f9-0e2c5d7a9b31-award",
            "status": "active",
            "date": "2026-03-02T08:00:00+00:00",
            "value": {"amount": 2350000.0, "currency": "CNY"},
            "suppliers": [_VENDOR_REF],
            "contractPeriod": {"startDate": "2026-04-01T00:00:00+00:00", "endDate": "2027-03-31T00:00:00+00:00"},
        }
    ],
    "contracts": [
        {
            "id": "7c1e4f20-8d6b-4a53-b1f9-0e2c5d7a9b31",
            "awardID": "7c1e4f20-8d6b-4a53-b1f9-0e2c5d7a9b31-award",
            "title": "2026年度安保服务合同",
            "status": "pending",
            "value": {"amount": 2350000.0, "currency": "CNY"},
            "period": {"startDate": "2026-04-01T00:00:00+00:00", "endDate": "2027-03-31T00:00:00+00:00"},
        }
    ],
}
_META: dict[str, Any] = {
    "version": "1.1",
    "publishedDate": "2026-03-05T09:30:00+00:00",
    "publisher": {"name": "常州市机关事务管理局"},
}


class ReleasePackage(OcdsPackageMeta):
    """An OCDS 1.1 release package."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"uri": "http://127.0.0.1:8001/v1/ocds/releases", **_META, "releases": [_RELEASE]}]
        },
    )
    releases: list[OcdsRelease]


#: compiled (and versioned, below) by the routine the service uses, so the example is what it would serve
_COMPILED = merge.compile_releases([_RELEASE])


class RecordPackage(OcdsPackageMeta):
    """An OCDS 1.1 record package."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "uri": "http://127.0.0.1:8001/v1/ocds/records",
                    **_META,
                    "packages": ["http://127.0.0.1:8001/v1/ocds/releases"],
                    "records": [
                        {
                            "ocid": _OCID,
                            "releases": [
                                {
                                    "url": f"http://127.0.0.1:8001/v1/ocds/releases/{_OCID}-000042",
                                    "date": "2026-03-02T08:00:00+00:00",
                                    "tag": ["award", "contract"],
                                }
                            ],
                            "compiledRelease": _COMPILED,
                            "versionedRelease": merge.versioned_release([_RELEASE]),
                        }
                    ],
                }
            ]
        },
    )
    packages: list[str] = Field(json_schema_extra={"items": {"type": "string", "format": "uri"}})
    records: list[OcdsRecord]
