from datetime import date
from typing import Any

from contracts_api.vendors.rules import QualificationFact, VetoFact, exclusion_reasons


def shown(**facts: Any) -> list[str]:
    """The grounds as the reader sees them (the test process reads English)."""
    return [r.render() for r in exclusion_reasons(**facts)]


TODAY = date(2026, 11, 27)


def test_registered_vendor_without_vetoes_is_eligible() -> None:
    assert exclusion_reasons(legal_status="registered", vetoes=[], qualifications=[], today=TODAY) == []


def test_each_active_veto_ground_is_a_reason_and_lifted_ones_are_not() -> None:
    reasons = shown(
        legal_status="registered",
        vetoes=[VetoFact("unfair_terms", "条款"), VetoFact("violation_of_law", "罚款", lifted=True)],
        qualifications=[],
        today=TODAY,
    )
    assert len(reasons) == 1 and reasons[0].startswith("one-vote veto: unfair terms")
    assert reasons[0].endswith("(条款)")  # the evidence recorded with the veto


def test_expired_mandatory_qualification_excludes_but_optional_or_valid_today_does_not() -> None:
    quals = [
        QualificationFact("食品经营许可证", "JY1", True, date(2026, 11, 26)),
        QualificationFact("ISO 9001", "Q1", False, date(2020, 1, 1)),
        QualificationFact("保安服务许可证", "BA1", True, TODAY),
    ]
    reasons = shown(legal_status="registered", vetoes=[], qualifications=quals, today=TODAY)
    assert reasons == ["食品经营许可证 no. JY1 expired on 2026-11-26"]


def test_revoked_legal_status_excludes() -> None:
    reasons = shown(legal_status="revoked", vetoes=[], qualifications=[], today=TODAY)
    assert reasons and reasons[0].startswith("the vendor is revoked (吊销)")
