"""The contract lifecycle as a pure state machine.

draft → legal_review → expert_review → approved → signed → active → completed, and terminated from
signed or active. Expert review (专家会审) is required for tendered contracts and skippable otherwise; a
rejecting review sends the contract back to draft. Moves out of a review state are made by a review.
"""

from __future__ import annotations

from contracts_api.models.enums import ContractStatus as S
from contracts_api.models.enums import ReviewKind, ReviewVerdict
from houqin_common.i18n import _

EDGES: dict[S, frozenset[S]] = {
    S.draft: frozenset({S.legal_review}),
    S.legal_review: frozenset({S.expert_review, S.approved, S.draft}),
    S.expert_review: frozenset({S.approved, S.draft}),
    S.approved: frozenset({S.signed}),
    S.signed: frozenset({S.active, S.terminated}),
    S.active: frozenset({S.completed, S.terminated}),
    S.completed: frozenset(),
    S.terminated: frozenset(),
}
REVIEW_STATES = frozenset({S.legal_review, S.expert_review})
#: transitions into these need the vendor to be eligible (signing, and starting performance)
NEEDS_ELIGIBLE = frozenset({S.signed, S.active})


class IllegalTransition(Exception):
    """The move is not allowed; the message says why."""


def check_transition(current: S, target: S, *, expert_review_required: bool, by_review: bool = False) -> None:
    """Raise :class:`IllegalTransition` unless ``current → target`` is allowed."""
    if target not in EDGES[current]:
        allowed = ", ".join(sorted(EDGES[current])) or _("none (final state)")
        raise IllegalTransition(
            _(
                "cannot move a contract from {current} to {target}; allowed from {current}: {allowed}",
                current=current,
                target=target,
                allowed=allowed,
            )
        )
    if current in REVIEW_STATES and not by_review:
        raise IllegalTransition(
            _("a contract in {status} leaves it only by a review (POST .../reviews)", status=current)
        )
    if current == S.legal_review and target == S.approved and expert_review_required:
        raise IllegalTransition(_("expert review is required for a tendered contract before approval"))


def review_kind_for(status: S) -> ReviewKind:
    """Which review a contract in ``status`` waits for."""
    if status == S.legal_review:
        return ReviewKind.legal
    if status == S.expert_review:
        return ReviewKind.expert
    raise IllegalTransition(_("a contract in {status} is not under review", status=status))


def after_review(
    current: S, verdict: ReviewVerdict, *, expert_review_required: bool, request_expert_review: bool = False
) -> S:
    """The status a review moves the contract to (and checks it is a legal move)."""
    review_kind_for(current)
    if verdict == ReviewVerdict.reject:
        target = S.draft
    elif current == S.legal_review and (expert_review_required or request_expert_review):
        target = S.expert_review
    else:
        target = S.approved
    check_transition(current, target, expert_review_required=expert_review_required, by_review=True)
    return target
