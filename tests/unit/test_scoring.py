"""Committee scoring and reviewer assignment rules (workflows/scoring.py)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.scoring import (
    Candidate,
    Criterion,
    Parties,
    Rubric,
    check_scores,
    due_on,
    is_affiliated,
    is_overdue,
    reviews_complete,
    score_dossier,
    suggest_reviewers,
    weighted_total,
)

# The 2022 call's rubric: weights 3-2-3-2-2-2-1, minimum 1 on the first four, scale 0-3, threshold 50%.
RUBRIC = Rubric(
    criteria=(
        Criterion("regierol", 3, 1),
        Criterion("leernood", 2, 1),
        Criterion("actieplan", 3, 1),
        Criterion("expertise", 2, 1),
        Criterion("participatie", 2),
        Criterion("verankering", 2),
        Criterion("evaluatie", 1),
    ),
    scale_min=0,
    scale_max=3,
    pass_threshold_percent=50,
    spread_flag_percent=25,
)
CODES = [c.code for c in RUBRIC.criteria]


def review(*scores: int) -> dict[str, int]:
    return dict(zip(CODES, scores, strict=True))


def test_weighted_total_is_the_sum_of_weight_times_score() -> None:
    assert RUBRIC.max_total == 45
    assert weighted_total(RUBRIC, review(3, 3, 3, 3, 3, 3, 3)) == 45
    assert weighted_total(RUBRIC, review(1, 2, 0, 3, 1, 0, 2)) == 3 + 4 + 0 + 6 + 2 + 0 + 2


def test_dossier_score_is_the_mean_of_the_weighted_totals() -> None:
    score = score_dossier(RUBRIC, [review(2, 2, 2, 2, 2, 2, 2), review(3, 3, 3, 3, 3, 3, 3)])
    assert score.mean_total == Fraction(30 + 45, 2)
    assert score.percent == Fraction(75 * 100, 2 * 45)  # 83.33...%
    assert score.passes


def test_exactly_the_threshold_passes_and_just_below_does_not() -> None:
    # Threshold 50% of 45 = 22.5: totals 22 and 23 have a mean of 22.5 exactly.
    at = score_dossier(RUBRIC, [review(2, 1, 2, 1, 1, 1, 2), review(2, 2, 2, 1, 1, 1, 1)])
    assert at.mean_total == Fraction(45, 2) and at.reaches_threshold
    below = score_dossier(RUBRIC, [review(2, 1, 2, 1, 1, 1, 2), review(2, 1, 2, 1, 1, 1, 2)])
    assert below.mean_total < Fraction(45, 2) and not below.reaches_threshold and not below.passes


def test_a_criterion_below_its_minimum_fails_the_dossier_whatever_the_total() -> None:
    # Full marks everywhere except the first criterion, which averages 0.5 against a minimum of 1.
    score = score_dossier(RUBRIC, [review(0, 3, 3, 3, 3, 3, 3), review(1, 3, 3, 3, 3, 3, 3)])
    assert score.reaches_threshold
    assert score.below_minimum == ("regierol",)
    assert not score.passes


def test_a_large_spread_between_reviewers_is_flagged() -> None:
    low, high = review(1, 1, 1, 1, 1, 1, 1), review(3, 3, 3, 3, 3, 3, 3)  # 15 and 45: spread 30/45 = 66%
    assert score_dossier(RUBRIC, [low, high]).is_spread_flagged
    close = review(2, 2, 2, 2, 2, 2, 2)  # 30 and 45: 33% > 25%
    assert score_dossier(RUBRIC, [close, high]).is_spread_flagged
    near = review(3, 3, 3, 3, 2, 2, 2)  # 40 and 45: 11%
    assert not score_dossier(RUBRIC, [near, high]).is_spread_flagged
    assert not score_dossier(RUBRIC, [low]).is_spread_flagged  # one review has no spread


def test_incomplete_or_out_of_scale_reviews_are_named() -> None:
    problems = check_scores(RUBRIC, {"regierol": 4, "leernood": None, "onbekend": 1})
    named = {(p.code, str(p)) for p in problems}
    assert ("regierol", "out of scale") in named
    assert ("leernood", "missing") in named
    assert ("onbekend", "unknown criterion") in named
    assert ("actieplan", "missing") in named
    with pytest.raises(ValueError):
        weighted_total(RUBRIC, {"regierol": 1})
    with pytest.raises(ValueError):
        score_dossier(RUBRIC, [])


def test_a_scale_that_does_not_start_at_zero_is_measured_over_its_range() -> None:
    rubric = Rubric((Criterion("a", 1),), scale_min=1, scale_max=5, pass_threshold_percent=50, spread_flag_percent=25)
    assert score_dossier(rubric, [{"a": 1}]).percent == 0
    assert score_dossier(rubric, [{"a": 3}]).percent == 50
    assert score_dossier(rubric, [{"a": 5}]).percent == 100


@given(st.lists(st.lists(st.integers(0, 3), min_size=7, max_size=7), min_size=1, max_size=6))
def test_the_score_lies_between_the_lowest_and_highest_review(raw: list[list[int]]) -> None:
    reviews = [review(*scores) for scores in raw]
    totals = [weighted_total(RUBRIC, r) for r in reviews]
    score = score_dossier(RUBRIC, reviews)
    assert min(totals) <= score.mean_total <= max(totals)
    assert 0 <= score.percent <= 100
    assert score.spread_percent == Fraction(max(totals) - min(totals)) * 100 / 45


GIVING, RECEIVING, OTHER = 10, 20, 30


def candidate(user_id: int, organisation_id: int | None, open_reviews: int, name: str = "") -> Candidate:
    return Candidate(user_id, name or f"reviewer {user_id}", organisation_id, open_reviews)


def test_a_reviewer_of_either_government_is_affiliated() -> None:
    parties = Parties(GIVING, RECEIVING)
    assert is_affiliated(candidate(1, GIVING, 0), parties)
    assert is_affiliated(candidate(2, RECEIVING, 0), parties)
    assert not is_affiliated(candidate(3, OTHER, 0), parties)
    assert not is_affiliated(candidate(4, None, 0), parties)


def test_suggestions_skip_affiliated_and_excluded_reviewers_and_prefer_fewest_open_reviews() -> None:
    candidates = [
        candidate(1, GIVING, 0),  # affiliated
        candidate(2, None, 5),
        candidate(3, OTHER, 1),
        candidate(4, None, 0),  # declared a conflict earlier
        candidate(5, RECEIVING, 0),  # affiliated
        candidate(6, None, 1, name="Ann"),
    ]
    parties = Parties(GIVING, RECEIVING, excluded_user_ids=frozenset({4}))
    suggested = suggest_reviewers(candidates, parties, 2)
    assert [c.user_id for c in suggested] == [6, 3]  # both have 1 open review; Ann before "reviewer 3"
    assert [c.user_id for c in suggest_reviewers(candidates, parties, 9)] == [6, 3, 2]
    assert suggest_reviewers(candidates, parties, 0) == []


def test_due_dates_and_overdue_reviews() -> None:
    due = due_on(date(2026, 11, 23), 14)
    assert due == date(2026, 12, 7)
    assert not is_overdue(due, date(2026, 12, 7), submitted=False)
    assert is_overdue(due, date(2026, 12, 8), submitted=False)
    assert not is_overdue(due, date(2026, 12, 8), submitted=True)


def test_reviews_are_complete_only_with_enough_submitted_and_none_open() -> None:
    assert reviews_complete(2, 2, 0)
    assert not reviews_complete(2, 1, 0)
    assert not reviews_complete(2, 2, 1)  # an extra reviewer still working
    assert reviews_complete(2, 3, 0)
