"""Matchmaking (SPEC section 10): which offers suit a need, and the life of a proposed match. Pure.

A government registers an offer (expertise it can share, with mentor profiles) or a need. For each
need the matcher (VVSG) sees the open offers of other governments ranked by a score that puts theme
overlap first and practical fit second (same or neighbouring province, a similar size, mentors available now
or soon rather than later or no more); needs of
small governments with little staff come first. The matcher proposes a pair; the match is confirmed
when both governments accept, and refused as soon as one declines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum


class NeedState(StrEnum):
    OPEN = "open"
    MATCHED = "matched"  # a match was confirmed: the need is answered
    WITHDRAWN = "withdrawn"


class OfferState(StrEnum):
    OPEN = "open"  # an offer stays open after a match: its mentors may serve more than one government
    WITHDRAWN = "withdrawn"


class MatchState(StrEnum):
    PROPOSED = "proposed"  # waiting for the answers of both governments
    CONFIRMED = "confirmed"  # both accepted
    DECLINED = "declined"  # one of them declined
    CANCELLED = "cancelled"  # the matcher took it back, or the need or offer was withdrawn or answered


class Side(StrEnum):
    GIVING = "giving"  # the government of the offer: it provides the mentor and applies
    RECEIVING = "receiving"  # the government of the need


class Answer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


LIVE_MATCH_STATES = frozenset({MatchState.PROPOSED, MatchState.CONFIRMED})


# --- practical fit ---------------------------------------------------------------------------------

# The Flemish provinces (Statbel REFNIS codes) and the Flemish provinces each borders.
ANTWERPEN, VLAAMS_BRABANT, WEST_VLAANDEREN, OOST_VLAANDEREN, LIMBURG = "10000", "20001", "30000", "40000", "70000"
NEIGHBOURING_PROVINCES: dict[str, frozenset[str]] = {
    ANTWERPEN: frozenset({OOST_VLAANDEREN, VLAAMS_BRABANT, LIMBURG}),
    VLAAMS_BRABANT: frozenset({ANTWERPEN, OOST_VLAANDEREN, LIMBURG}),
    WEST_VLAANDEREN: frozenset({OOST_VLAANDEREN}),
    OOST_VLAANDEREN: frozenset({WEST_VLAANDEREN, ANTWERPEN, VLAAMS_BRABANT}),
    LIMBURG: frozenset({ANTWERPEN, VLAAMS_BRABANT}),
}


class ProvinceFit(StrEnum):
    SAME = "same"
    NEIGHBOURING = "neighbouring"
    FAR = "far"


def province_fit(a: str | None, b: str | None) -> ProvinceFit:
    if a is None or b is None:
        return ProvinceFit.FAR
    if a == b:
        return ProvinceFit.SAME
    return ProvinceFit.NEIGHBOURING if b in NEIGHBOURING_PROVINCES.get(a, frozenset()) else ProvinceFit.FAR


# The size classes of the VVSG survey of local poverty policy (seed 003, table 6), by inhabitants.
SIZE_CLASS_LOWER_BOUNDS: tuple[int, ...] = (0, 10_000, 20_000, 40_000)
# Below this a government counts as small: the two lowest classes, where the survey found too little time.
SMALL_GOVERNMENT_INHABITANTS = 20_000
# Less than one full-time equivalent on poverty policy counts as little staff (FTE in tenths).
LITTLE_STAFF_FTE_TENTHS = 10


def size_class(inhabitants: int) -> int:
    """0 for fewer than 10,000 inhabitants, up to 3 for 40,000 or more."""
    return sum(1 for bound in SIZE_CLASS_LOWER_BOUNDS[1:] if inhabitants >= bound)


def is_similar_size(a: int, b: int) -> bool:
    return size_class(a) == size_class(b)


class Availability(StrEnum):
    """When the offer's mentors can start, seen from today (the offer's first month and its number of months)."""

    NOW = "now"  # the availability has begun and not ended
    SOON = "soon"  # it begins within SOON_MONTHS
    LATER = "later"
    ENDED = "ended"  # its last month is over: a project would have no mentor
    UNKNOWN = "unknown"


SOON_MONTHS = 3


def _months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def availability(available_from: date | None, months_available: int | None, today: date | None) -> Availability:
    if available_from is None or months_available is None or today is None:
        return Availability.UNKNOWN
    elapsed = _months_between(available_from, today)  # whole months from the first month to this one
    if elapsed >= months_available:
        return Availability.ENDED
    if elapsed >= 0:
        return Availability.NOW
    return Availability.SOON if -elapsed <= SOON_MONTHS else Availability.LATER


# Points of practical fit; together always less than one shared theme, so theme overlap ranks first. An offer
# whose mentors are no longer available loses as much as one shared theme is worth.
PROVINCE_POINTS = {ProvinceFit.SAME: 2, ProvinceFit.NEIGHBOURING: 1, ProvinceFit.FAR: 0}
SIMILAR_SIZE_POINTS = 1
AVAILABILITY_POINTS = {Availability.NOW: 2, Availability.SOON: 1, Availability.LATER: 0, Availability.UNKNOWN: 0}
THEME_WEIGHT = 1 + max(PROVINCE_POINTS.values()) + SIMILAR_SIZE_POINTS + max(AVAILABILITY_POINTS.values())
AVAILABILITY_POINTS[Availability.ENDED] = -THEME_WEIGHT


# --- facts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFacts:
    id: int
    organisation_id: int
    province_code: str | None
    theme_codes: frozenset[str]
    inhabitants: int
    staff_fte_tenths: int  # full-time equivalents on poverty policy, in tenths (0.5 FTE = 5)
    state: NeedState = NeedState.OPEN


@dataclass(frozen=True)
class OfferFacts:
    id: int
    organisation_id: int
    province_code: str | None
    theme_codes: frozenset[str]
    inhabitants: int
    state: OfferState = OfferState.OPEN
    available_from: date | None = None  # the first month the mentors can start
    months_available: int | None = None


class Priority(StrEnum):
    HIGH = "high"  # small and little staff
    RAISED = "raised"  # small, or little staff
    NORMAL = "normal"


@dataclass(frozen=True)
class NeedPriority:
    priority: Priority
    is_small: bool
    has_little_staff: bool

    @property
    def rank(self) -> int:
        return {Priority.HIGH: 2, Priority.RAISED: 1, Priority.NORMAL: 0}[self.priority]


def need_priority(need: NeedFacts) -> NeedPriority:
    """Small governments with little staff first (SPEC section 10)."""
    small = need.inhabitants < SMALL_GOVERNMENT_INHABITANTS
    little_staff = need.staff_fte_tenths < LITTLE_STAFF_FTE_TENTHS
    priority = (
        Priority.HIGH if small and little_staff else Priority.RAISED if small or little_staff else Priority.NORMAL
    )
    return NeedPriority(priority, small, little_staff)


def order_needs(needs: Iterable[NeedFacts]) -> list[NeedFacts]:
    """Highest priority first; within a priority the smaller government, then the older need."""
    return sorted(needs, key=lambda need: (-need_priority(need).rank, need.inhabitants, need.id))


# --- the score -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One offer for one need, with everything the page shows as the reasons."""

    need_id: int
    offer_id: int
    shared_themes: tuple[str, ...]  # sorted by code
    province: ProvinceFit
    similar_size: bool
    score: int
    availability: Availability = Availability.UNKNOWN

    @property
    def shares_a_theme(self) -> bool:
        return bool(self.shared_themes)


def shared_themes(need_themes: Iterable[str], offer_themes: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(need_themes) & set(offer_themes)))


def score(need: NeedFacts, offer: OfferFacts, today: date | None = None) -> Suggestion:
    shared = shared_themes(need.theme_codes, offer.theme_codes)
    province = province_fit(need.province_code, offer.province_code)
    similar = is_similar_size(need.inhabitants, offer.inhabitants)
    available = availability(offer.available_from, offer.months_available, today)
    points = (
        THEME_WEIGHT * len(shared)
        + PROVINCE_POINTS[province]
        + (SIMILAR_SIZE_POINTS if similar else 0)
        + AVAILABILITY_POINTS[available]
    )
    return Suggestion(need.id, offer.id, shared, province, similar, points, available)


def suggestions_for(need: NeedFacts, offers: Iterable[OfferFacts], today: date | None = None) -> list[Suggestion]:
    """The open offers of other governments, best first; an offer sharing no theme is listed last
    (the matcher may still know better), ties by the older offer."""
    candidates = [
        offer for offer in offers if offer.state is OfferState.OPEN and offer.organisation_id != need.organisation_id
    ]
    return sorted((score(need, offer, today) for offer in candidates), key=lambda s: (-s.score, s.offer_id))


# --- proposing and answering -----------------------------------------------------------------------


class MatchProblem(StrEnum):
    NEED_NOT_OPEN = "need_not_open"
    OFFER_NOT_OPEN = "offer_not_open"
    SAME_GOVERNMENT = "same_government"
    ALREADY_PROPOSED = "already_proposed"  # a live match for the same pair exists
    NOT_PROPOSED = "not_proposed"  # the match is no longer waiting for answers
    ALREADY_ANSWERED = "already_answered"


class MatchRefused(Exception):
    def __init__(self, problem: MatchProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def proposal_problems(need: NeedFacts, offer: OfferFacts, pair_is_live: bool) -> list[MatchProblem]:
    problems = []
    if need.state is not NeedState.OPEN:
        problems.append(MatchProblem.NEED_NOT_OPEN)
    if offer.state is not OfferState.OPEN:
        problems.append(MatchProblem.OFFER_NOT_OPEN)
    if need.organisation_id == offer.organisation_id:
        problems.append(MatchProblem.SAME_GOVERNMENT)
    if pair_is_live:
        problems.append(MatchProblem.ALREADY_PROPOSED)
    return problems


@dataclass(frozen=True)
class MatchFacts:
    state: MatchState
    giving_answer: Answer | None = None
    receiving_answer: Answer | None = None

    def answer_of(self, side: Side) -> Answer | None:
        return self.giving_answer if side is Side.GIVING else self.receiving_answer


def answer(match: MatchFacts, side: Side, given: Answer) -> MatchFacts:
    """One government's answer. Both accepted: confirmed; one declined: declined, whatever the other said."""
    if match.state is not MatchState.PROPOSED:
        raise MatchRefused(MatchProblem.NOT_PROPOSED)
    if match.answer_of(side) is not None:
        raise MatchRefused(MatchProblem.ALREADY_ANSWERED)
    answered = replace(match, giving_answer=given) if side is Side.GIVING else replace(match, receiving_answer=given)
    if given is Answer.DECLINED:
        return replace(answered, state=MatchState.DECLINED)
    if answered.giving_answer is Answer.ACCEPTED and answered.receiving_answer is Answer.ACCEPTED:
        return replace(answered, state=MatchState.CONFIRMED)
    return answered


def cancel(match: MatchFacts) -> MatchFacts:
    """Only a proposal can be taken back: a confirmed match has become the governments' own."""
    if match.state is not MatchState.PROPOSED:
        raise MatchRefused(MatchProblem.NOT_PROPOSED)
    return replace(match, state=MatchState.CANCELLED)
