import pytest

from contracts_api.contracts.lifecycle import EDGES, IllegalTransition, after_review, check_transition
from contracts_api.models.enums import ContractStatus as S
from contracts_api.models.enums import ReviewVerdict as V


def test_happy_path_edges_are_allowed_outside_review_states() -> None:
    for current, target in (
        (S.draft, S.legal_review),
        (S.approved, S.signed),
        (S.signed, S.active),
        (S.active, S.completed),
        (S.signed, S.terminated),
        (S.active, S.terminated),
    ):
        check_transition(current, target, expert_review_required=True)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.draft, S.signed),
        (S.draft, S.approved),
        (S.completed, S.active),
        (S.terminated, S.active),
        (S.approved, S.terminated),
        (S.draft, S.terminated),
        (S.active, S.draft),
    ],
)
def test_illegal_moves_are_refused_with_what_is_allowed(current: S, target: S) -> None:
    with pytest.raises(IllegalTransition, match=f"from {current} to {target}"):
        check_transition(current, target, expert_review_required=False)


def test_review_states_are_left_only_by_a_review() -> None:
    with pytest.raises(IllegalTransition, match="only by a review"):
        check_transition(S.legal_review, S.approved, expert_review_required=False)


def test_tendered_contract_needs_expert_review_others_may_skip_it() -> None:
    assert after_review(S.legal_review, V.approve, expert_review_required=True) == S.expert_review
    assert after_review(S.legal_review, V.approve, expert_review_required=False) == S.approved
    assert (
        after_review(S.legal_review, V.approve, expert_review_required=False, request_expert_review=True)
        == S.expert_review
    )
    assert after_review(S.expert_review, V.approve, expert_review_required=True) == S.approved
    with pytest.raises(IllegalTransition, match="expert review"):
        check_transition(S.legal_review, S.approved, expert_review_required=True, by_review=True)


def test_rejecting_review_sends_back_to_draft() -> None:
    assert after_review(S.legal_review, V.reject, expert_review_required=True) == S.draft
    assert after_review(S.expert_review, V.reject, expert_review_required=True) == S.draft


def test_no_review_outside_review_states_and_final_states_have_no_exit() -> None:
    with pytest.raises(IllegalTransition, match="not under review"):
        after_review(S.draft, V.approve, expert_review_required=False)
    assert not EDGES[S.completed] and not EDGES[S.terminated]
