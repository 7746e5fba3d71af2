"""Eligibility of a vendor (one-vote veto 一票否决): a pure function of its facts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts_api.models.enums import LegalStatus, VetoGround
from houqin_common.i18n import N_, Text


@dataclass(frozen=True)
class VetoFact:
    ground: str
    evidence: str
    lifted: bool = False


@dataclass(frozen=True)
class QualificationFact:
    kind: str
    number: str
    mandatory: bool
    valid_to: date | None


def exclusion_reasons(
    *,
    legal_status: str,
    vetoes: Iterable[VetoFact],
    qualifications: Iterable[QualificationFact],
    today: date,
) -> list[Text]:
    """Every ground that excludes the vendor; empty when it may be awarded, renewed or signed. Each is a
    :class:`Text` naming the ground in words (no machine code before it), so a procurement can store it and
    show it later in its reader's language.

    A lifted veto no longer counts; a mandatory qualification counts as expired the day after `valid_to`.
    """
    reasons: list[Text] = []
    if legal_status != LegalStatus.registered:
        status = LegalStatus(legal_status)
        reasons.append(
            Text(
                N_("the vendor is {status} ({label}), not a registered legal person"),
                {"status": Text.named(status.label_zh, status.value), "label": status.label_zh},
            )
        )
    for veto in vetoes:
        if veto.lifted:
            continue
        ground = VetoGround(veto.ground)
        label = Text.named(ground.label_zh, ground.value.replace("_", " "))
        reasons.append(Text(N_("one-vote veto: {ground} ({evidence})"), {"ground": label, "evidence": veto.evidence}))
    for q in qualifications:
        if q.mandatory and q.valid_to is not None and q.valid_to < today:
            reasons.append(
                Text(
                    N_("{kind} no. {number} expired on {date}"),
                    {"kind": q.kind, "number": q.number, "date": q.valid_to.isoformat()},
                )
            )
    return reasons


def lapsing_qualifications(qualifications: Iterable[QualificationFact], *, today: date, term_start: date) -> list[Text]:
    """Mandatory qualifications valid today that lapse before a new term starts: a renewal must say so (the
    incumbent has to renew its licence before it can serve the new term). Already expired ones are
    exclusion grounds (:func:`exclusion_reasons`), not repeated here."""
    return [
        Text(
            N_("{kind} no. {number} expires on {date}, before the new term starts on {start}"),
            {"kind": q.kind, "number": q.number, "date": q.valid_to.isoformat(), "start": term_start.isoformat()},
        )
        for q in qualifications
        if q.mandatory and q.valid_to is not None and today <= q.valid_to < term_start
    ]
