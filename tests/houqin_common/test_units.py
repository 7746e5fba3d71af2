"""Pure logic of houqin_common: settings layering, credit codes, periods, tokens."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic_settings import SettingsConfigDict

from houqin_common import credit_code
from houqin_common.auth import Role, create_token, decode_token
from houqin_common.errors import Unauthorized
from houqin_common.schemas import period_bounds
from houqin_common.settings import DEFAULT_DEV_SECRET, ServiceSettings


class _ServiceLike(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOUQIN_DEMO_", extra="ignore")


def test_service_prefix_overrides_shared_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOUQIN_DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("HOUQIN_HTTP_RETRIES", "7")
    monkeypatch.setenv("HOUQIN_DEMO_DATABASE_URL", "postgresql://own/db")
    s = _ServiceLike()
    assert s.database_url == "postgresql://own/db"
    assert s.http_retries == 7


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValueError, match="HOUQIN_JWT_SECRET"):
        ServiceSettings(environment="production", jwt_secret=DEFAULT_DEV_SECRET)
    assert ServiceSettings(environment="production", jwt_secret="x" * 40).jwt_secret == "x" * 40


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y43", None),
        ("91350100M000100Y44", "check character"),
        ("9135010", "18 characters"),
        ("91350100M000100YO3", "not allowed"),
        ("9135A100M000100Y43", "region code"),
    ],
)
def test_credit_code_problems(code: str, fragment: str | None) -> None:
    found = credit_code.problems(code)
    if fragment is None:
        assert found == []
    else:
        assert found and fragment in found[0]


def test_made_credit_codes_are_valid() -> None:
    assert all(credit_code.problems(credit_code.make(i)) == [] for i in range(0, 5000, 37))


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1)),
        ("2026H1", date(2026, 1, 1), date(2026, 7, 1)),
        ("2026H2", date(2026, 7, 1), date(2027, 1, 1)),
        ("2026Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_period_bounds(period: str, start: date, end: date) -> None:
    assert period_bounds(period) == (start, end)


def test_vendor_token_round_trip_and_tampering() -> None:
    settings = ServiceSettings(jwt_secret="s" * 40)
    token = create_token(settings, subject="u1", roles=[Role.vendor], vendor_id="V1")
    principal = decode_token(token, settings)
    assert principal.vendor_id == "V1" and principal.is_vendor_only
    with pytest.raises(Unauthorized):
        decode_token(token, ServiceSettings(jwt_secret="t" * 40))
    no_vendor = create_token(settings, subject="u2", roles=[Role.vendor])
    with pytest.raises(Unauthorized, match="vendor_id"):
        decode_token(no_vendor, settings)


def test_client_path_ids_are_one_segment() -> None:
    """An id read from stored data cannot make the typed clients build another URL (or an invalid one)."""
    import httpx

    from houqin_common.clients import _segment

    assert _segment("0b8f1c2e-uuid") == "0b8f1c2e-uuid"
    url = httpx.URL("http://contracts/v1/vendors/" + _segment("a/../b?x=1 \x01"))
    assert url.path == "/v1/vendors/a/../b?x=1 \x01"
    assert url.raw_path == b"/v1/vendors/a%2F..%2Fb%3Fx%3D1%20%01"
