"""Committee scoring and reviewer assignment (SPEC section 6). Pure: standard library only.

A review scores every criterion of the call's rubric on the call's scale. Its weighted total is
the sum of weight x score; the dossier's score is the mean of the weighted totals, expressed as a
share of the highest possible total. Under first come, first served the score is a quality
threshold: a dossier passes when that share reaches the call's threshold and the mean score of
every criterion with a minimum reaches that minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int
    minimum: int | None = None

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise ValueError("a criterion's weight is positive")


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    scale_min: int
    scale_max: int
    pass_threshold_percent: int
    spread_flag_percent: int

    def __post_init__(self) -> None:
        if not self.criteria:
            raise ValueError("a rubric has at least one criterion")
        if not 0 <= self.scale_min < self.scale_max:
            raise ValueError("the scale runs from a lower to a higher whole number, from 0 up")

    @property
    def max_total(self) -> int:
        return sum(c.weight for c in self.criteria) * self.scale_max

    @property
    def min_total(self) -> int:
        return sum(c.weight for c in self.criteria) * self.scale_min

    def percent_of(self, total: Fraction) -> Fraction:
        """Where a weighted total lies between the lowest and the highest possible total, in percent."""
        return (total - self.min_total) * 100 / (self.max_total - self.min_total)


class ScoreProblem(ValueError):
    """A review that cannot be submitted as it is; `code` names the criterion concerned."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_scores(rubric: Rubric, scores: dict[str, int | None]) -> list[ScoreProblem]:
    """Every criterion scored, each within the scale; nothing else scored."""
    problems = []
    for criterion in rubric.criteria:
        score = scores.get(criterion.code)
        if score is None:
            problems.append(ScoreProblem(criterion.code, "missing"))
        elif not rubric.scale_min <= score <= rubric.scale_max:
            problems.append(ScoreProblem(criterion.code, "out of scale"))
    known = {c.code for c in rubric.criteria}
    problems.extend(ScoreProblem(code, "unknown criterion") for code in scores if code not in known)
    return problems


def weighted_total(rubric: Rubric, scores: dict[str, int]) -> int:
    if check_scores(rubric, dict(scores)):
        raise ValueError("a weighted total needs a complete review within the scale")
    return sum(c.weight * scores[c.code] for c in rubric.criteria)


@dataclass(frozen=True)
class DossierScore:
    review_count: int
    mean_total: Fraction  # mean of the weighted totals
    percent: Fraction  # mean_total as a share of the possible range
    spread_percent: Fraction  # highest minus lowest weighted total, as a share of the range
    criterion_means: dict[str, Fraction]
    below_minimum: tuple[str, ...]  # criteria whose mean is under their minimum
    reaches_threshold: bool
    is_spread_flagged: bool

    @property
    def passes(self) -> bool:
        return self.reaches_threshold and not self.below_minimum


def score_dossier(rubric: Rubric, reviews: list[dict[str, int]]) -> DossierScore:
    """The dossier's score from its submitted reviews (at least one)."""
    if not reviews:
        raise ValueError("a score needs at least one submitted review")
    totals = [weighted_total(rubric, review) for review in reviews]
    mean_total = Fraction(sum(totals), len(totals))
    percent = rubric.percent_of(mean_total)
    spread = Fraction(max(totals) - min(totals)) * 100 / (rubric.max_total - rubric.min_total)
    means = {c.code: Fraction(sum(r[c.code] for r in reviews), len(reviews)) for c in rubric.criteria}
    below = tuple(c.code for c in rubric.criteria if c.minimum is not None and means[c.code] < c.minimum)
    return DossierScore(
        review_count=len(reviews),
        mean_total=mean_total,
        percent=percent,
        spread_percent=spread,
        criterion_means=means,
        below_minimum=below,
        reaches_threshold=percent >= rubric.pass_threshold_percent,
        is_spread_flagged=len(reviews) > 1 and spread > rubric.spread_flag_percent,
    )


# --- reviewers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    organisation_id: int | None
    open_reviews: int


@dataclass(frozen=True)
class Parties:
    giving_organisation_id: int
    receiving_organisation_id: int | None
    # Reviewers already on the dossier, or who declared a conflict on it: never again.
    excluded_user_ids: frozenset[int] = frozenset()


def is_affiliated(candidate: Candidate, parties: Parties) -> bool:
    """A reviewer from either government can never score the dossier (conflict by affiliation)."""
    return candidate.organisation_id is not None and candidate.organisation_id in (
        parties.giving_organisation_id,
        parties.receiving_organisation_id,
    )


def may_assign(candidate: Candidate, parties: Parties) -> bool:
    return not is_affiliated(candidate, parties) and candidate.user_id not in parties.excluded_user_ids


def suggest_reviewers(candidates: list[Candidate], parties: Parties, needed: int) -> list[Candidate]:
    """The assignable reviewers with the fewest open reviews first (then by name); `needed` of them."""
    assignable = sorted(
        (c for c in candidates if may_assign(c, parties)), key=lambda c: (c.open_reviews, c.name, c.user_id)
    )
    return assignable[: max(needed, 0)]


def due_on(assigned_on: date, review_days: int) -> date:
    return date.fromordinal(assigned_on.toordinal() + review_days)


def is_overdue(due: date, today: date, submitted: bool) -> bool:
    return not submitted and today > due


def reviews_complete(required: int, active_submitted: int, active_open: int) -> bool:
    """All reviews in: the call's number of reviews submitted and none of the assigned still open."""
    return active_submitted >= required and active_open == 0
