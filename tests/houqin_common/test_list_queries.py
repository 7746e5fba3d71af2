"""The cheaper forms of the hot lists: a ``JsonStrEnum`` writes the same JSON as a plain ``StrEnum``, and a
list's query model (``limit_field``, ``offset_field``, ``sort_field``) documents and checks its parameters
as ``sorted_page`` and ``Query`` parameters do."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from houqin_common.pagination import (
    PageParams,
    limit_field,
    offset_field,
    page_of_query,
    sort_field,
    sorted_page,
)
from houqin_common.schemas import JsonStrEnum


class Plain(StrEnum):
    open = "open"
    closed_for_good = "closed_for_good"


class Fast(JsonStrEnum):
    open = "open"
    closed_for_good = "closed_for_good"


class PlainRow(BaseModel):
    state: Plain
    maybe: Plain | None = None
    many: list[Plain] = []


class FastRow(BaseModel):
    state: Fast
    maybe: Fast | None = None
    many: list[Fast] = []


ROWS = [
    {"state": "open"},
    {"state": "closed_for_good", "maybe": "open", "many": ["open", "closed_for_good"]},
]


@pytest.mark.parametrize("row", ROWS)
def test_a_json_str_enum_writes_the_json_of_a_plain_str_enum(row: dict[str, Any]) -> None:
    plain, fast = PlainRow.model_validate(row), FastRow.model_validate(row)
    assert fast.model_dump_json() == plain.model_dump_json()
    assert fast.model_dump(mode="json") == plain.model_dump(mode="json")
    # Python mode still answers the members, as a plain StrEnum does
    assert isinstance(fast.model_dump()["state"], Fast)
    assert isinstance(plain.model_dump()["state"], Plain)


def test_a_json_str_enum_validates_and_documents_as_a_plain_str_enum() -> None:
    assert isinstance(FastRow.model_validate({"state": "open"}).state, Fast)  # positive control
    with pytest.raises(ValidationError) as refused:
        FastRow.model_validate({"state": "shut"})
    assert refused.value.errors()[0]["type"] == "enum"
    plain, fast = PlainRow.model_json_schema(), FastRow.model_json_schema()
    assert fast["$defs"]["Fast"] == {**plain["$defs"]["Plain"], "title": "Fast"}


def test_a_json_str_enum_serialises_without_reading_the_members_value() -> None:
    """The point of it: pydantic's enum serialiser is not used (it reads ``.value`` per member)."""
    assert "Enum" not in repr(FastRow.__pydantic_serializer__)
    assert "Enum" in repr(PlainRow.__pydantic_serializer__)  # positive control


class Filters(BaseModel):
    q: str | None = Field(None, max_length=10, description="part of the name")
    state: Fast | None = Field(None, description="only this state")
    limit: int = limit_field()
    offset: int = offset_field()
    sort: str | None = sort_field("name")


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/model")
    async def by_model(query: Annotated[Filters, Query()]) -> dict[str, Any]:
        page = page_of_query(query)
        return {"q": query.q, "state": query.state, "page": [page.limit, page.offset, page.sort]}

    @app.get("/params")
    async def by_params(
        q: str | None = Query(None, max_length=10, description="part of the name"),
        state: Fast | None = Query(None, description="only this state"),
        page: PageParams = Depends(sorted_page("name")),
    ) -> dict[str, Any]:
        return {"q": q, "state": state, "page": [page.limit, page.offset, page.sort]}

    return app


def test_a_query_model_documents_the_parameters_of_sorted_page_and_query() -> None:
    document = _app().openapi()
    by_model = document["paths"]["/model"]["get"]["parameters"]
    by_params = document["paths"]["/params"]["get"]["parameters"]
    assert [p["name"] for p in by_model] == ["q", "state", "limit", "offset", "sort"]
    assert by_model == by_params


@pytest.mark.parametrize(
    "query",
    [
        "",
        "limit=5&offset=10&sort=-name",
        "q=abc&state=closed_for_good",
        "limit=0",
        "limit=x&state=shut",
        "q=" + "x" * 11,
    ],
)
def test_a_query_model_answers_and_refuses_as_the_parameters_do(query: str) -> None:
    client = TestClient(_app())
    by_model, by_params = client.get(f"/model?{query}"), client.get(f"/params?{query}")
    assert by_model.status_code == by_params.status_code
    if by_model.status_code != 422:
        assert by_model.json() == by_params.json()
        return
    # the same errors; with several, the model lists them in its fields' order (the documented order of the
    # parameters), where FastAPI lists a dependency's parameters before the route's own
    assert sorted(by_model.json()["detail"], key=str) == sorted(by_params.json()["detail"], key=str)


def test_the_query_models_answers_are_the_defaults_and_the_values_given() -> None:
    client = TestClient(_app())
    assert client.get("/model").json() == {"q": None, "state": None, "page": [50, 0, None]}
    assert client.get("/model?limit=5&sort=-name&state=open").json() == {
        "q": None,
        "state": "open",
        "page": [5, 0, "-name"],
    }
    assert client.get("/model?limit=501").status_code == 422
