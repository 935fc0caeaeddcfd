"""Matchmaking: practical fit, the priority of needs, the score and ranking of offers, proposing,
answering and cancelling a match."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.matching import (
    ANTWERPEN,
    LIMBURG,
    OOST_VLAANDEREN,
    VLAAMS_BRABANT,
    WEST_VLAANDEREN,
    Answer,
    MatchFacts,
    MatchProblem,
    MatchRefused,
    MatchState,
    NeedFacts,
    NeedState,
    OfferFacts,
    OfferState,
    Priority,
    ProvinceFit,
    Side,
    answer,
    cancel,
    need_priority,
    order_needs,
    proposal_problems,
    province_fit,
    score,
    size_class,
    suggestions_for,
)

PROVINCES = [ANTWERPEN, VLAAMS_BRABANT, WEST_VLAANDEREN, OOST_VLAANDEREN, LIMBURG]
THEMES = ["lokale_regie", "participatie", "data_tools", "grondrechten", "goede_praktijken", "impactmeting"]

RECEIVING, GIVING, OTHER = 1, 2, 3  # organisation ids


def need(
    id: int = 1,
    *,
    organisation_id: int = RECEIVING,
    province: str | None = LIMBURG,
    themes: tuple[str, ...] = ("participatie", "data_tools"),
    inhabitants: int = 8_000,
    staff: int = 5,
    state: NeedState = NeedState.OPEN,
) -> NeedFacts:
    return NeedFacts(id, organisation_id, province, frozenset(themes), inhabitants, staff, state)


def offer(
    id: int = 10,
    *,
    organisation_id: int = GIVING,
    province: str | None = LIMBURG,
    themes: tuple[str, ...] = ("participatie",),
    inhabitants: int = 8_000,
    state: OfferState = OfferState.OPEN,
) -> OfferFacts:
    return OfferFacts(id, organisation_id, province, frozenset(themes), inhabitants, state)


# --- practical fit -------------------------------------------------------------------------------


def test_two_governments_in_the_same_province_fit_best():
    assert province_fit(LIMBURG, LIMBURG) is ProvinceFit.SAME
    assert province_fit(WEST_VLAANDEREN, WEST_VLAANDEREN) is ProvinceFit.SAME


def test_neighbouring_provinces_are_neighbours_in_both_directions():
    assert province_fit(ANTWERPEN, LIMBURG) is ProvinceFit.NEIGHBOURING
    assert province_fit(LIMBURG, ANTWERPEN) is ProvinceFit.NEIGHBOURING
    assert province_fit(OOST_VLAANDEREN, WEST_VLAANDEREN) is ProvinceFit.NEIGHBOURING
    assert province_fit(WEST_VLAANDEREN, OOST_VLAANDEREN) is ProvinceFit.NEIGHBOURING


@pytest.mark.parametrize("a", PROVINCES)
@pytest.mark.parametrize("b", PROVINCES)
def test_the_fit_of_two_provinces_does_not_depend_on_which_is_named_first(a, b):
    assert province_fit(a, b) is province_fit(b, a)


def test_provinces_that_do_not_touch_are_far():
    assert province_fit(WEST_VLAANDEREN, LIMBURG) is ProvinceFit.FAR
    assert province_fit(LIMBURG, WEST_VLAANDEREN) is ProvinceFit.FAR
    assert province_fit(WEST_VLAANDEREN, ANTWERPEN) is ProvinceFit.FAR


def test_a_government_without_a_known_province_is_far_from_everyone():
    assert province_fit(None, LIMBURG) is ProvinceFit.FAR
    assert province_fit(LIMBURG, None) is ProvinceFit.FAR
    assert province_fit(None, None) is ProvinceFit.FAR


@pytest.mark.parametrize(
    ("inhabitants", "expected"),
    [(1, 0), (9_999, 0), (10_000, 1), (19_999, 1), (20_000, 2), (39_999, 2), (40_000, 3), (500_000, 3)],
)
def test_size_classes_follow_the_survey_bounds(inhabitants, expected):
    assert size_class(inhabitants) == expected


# --- the priority of needs -----------------------------------------------------------------------


def test_a_small_government_with_little_staff_has_high_priority():
    priority = need_priority(need(inhabitants=8_000, staff=5))
    assert (priority.priority, priority.is_small, priority.has_little_staff) == (Priority.HIGH, True, True)


def test_being_small_or_having_little_staff_alone_raises_the_priority():
    small = need_priority(need(inhabitants=19_999, staff=20))
    assert (small.priority, small.is_small, small.has_little_staff) == (Priority.RAISED, True, False)
    little_staff = need_priority(need(inhabitants=60_000, staff=9))
    assert (little_staff.priority, little_staff.is_small, little_staff.has_little_staff) == (
        Priority.RAISED,
        False,
        True,
    )


def test_a_large_government_with_enough_staff_has_normal_priority():
    assert need_priority(need(inhabitants=60_000, staff=30)).priority is Priority.NORMAL


def test_twenty_thousand_inhabitants_is_not_small_and_one_full_time_equivalent_is_not_little_staff():
    at_the_bounds = need_priority(need(inhabitants=20_000, staff=10))
    assert (at_the_bounds.priority, at_the_bounds.is_small, at_the_bounds.has_little_staff) == (
        Priority.NORMAL,
        False,
        False,
    )


def test_priorities_rank_high_above_raised_above_normal():
    high = need_priority(need(inhabitants=5_000, staff=0))
    raised = need_priority(need(inhabitants=5_000, staff=10))
    normal = need_priority(need(inhabitants=50_000, staff=10))
    assert high.rank > raised.rank > normal.rank


def test_needs_are_ordered_by_priority_then_the_smaller_government_then_the_older_need():
    normal = need(1, inhabitants=50_000, staff=20)
    raised_large = need(2, inhabitants=50_000, staff=5)
    raised_small = need(3, inhabitants=15_000, staff=20)
    high_newer = need(5, inhabitants=9_000, staff=5)
    high_older = need(4, inhabitants=9_000, staff=5)
    high_smallest = need(6, inhabitants=3_000, staff=8)
    ordered = order_needs([normal, raised_large, raised_small, high_newer, high_older, high_smallest])
    assert [n.id for n in ordered] == [6, 4, 5, 3, 2, 1]


# --- the score and the suggestions ---------------------------------------------------------------


def test_the_score_names_its_reasons():
    suggestion = score(
        need(themes=("participatie", "data_tools", "lokale_regie")),
        offer(themes=("lokale_regie", "participatie", "impactmeting")),
    )
    assert suggestion.shared_themes == ("lokale_regie", "participatie")  # sorted
    assert suggestion.shares_a_theme
    assert suggestion.province is ProvinceFit.SAME
    assert suggestion.similar_size
    assert (suggestion.need_id, suggestion.offer_id) == (1, 10)


def test_an_offer_sharing_more_themes_ranks_above_a_closer_one():
    the_need = need(province=LIMBURG, inhabitants=8_000, themes=("participatie", "data_tools"))
    close_one_theme = offer(10, province=LIMBURG, inhabitants=8_000, themes=("participatie",))
    far_two_themes = offer(11, province=WEST_VLAANDEREN, inhabitants=90_000, themes=("participatie", "data_tools"))
    suggestions = suggestions_for(the_need, [close_one_theme, far_two_themes])
    assert [s.offer_id for s in suggestions] == [11, 10]
    assert suggestions[0].score > suggestions[1].score


def test_with_the_same_themes_the_same_province_ranks_above_a_neighbouring_one_above_a_far_one():
    the_need = need(province=LIMBURG, inhabitants=8_000)
    far = offer(10, province=WEST_VLAANDEREN, inhabitants=8_000)
    neighbouring = offer(11, province=ANTWERPEN, inhabitants=8_000)
    same = offer(12, province=LIMBURG, inhabitants=8_000)
    assert [s.offer_id for s in suggestions_for(the_need, [far, neighbouring, same])] == [12, 11, 10]


def test_with_the_same_themes_and_province_a_similar_size_ranks_higher():
    the_need = need(inhabitants=8_000)
    larger = offer(10, inhabitants=80_000)
    similar = offer(11, inhabitants=9_500)
    suggestions = suggestions_for(the_need, [larger, similar])
    assert [(s.offer_id, s.similar_size) for s in suggestions] == [(11, True), (10, False)]


def test_the_governments_own_offers_are_never_suggested_for_its_need():
    own = offer(10, organisation_id=RECEIVING)
    other = offer(11, organisation_id=GIVING)
    assert [s.offer_id for s in suggestions_for(need(organisation_id=RECEIVING), [own, other])] == [11]


def test_a_withdrawn_offer_is_never_suggested():
    withdrawn = offer(10, state=OfferState.WITHDRAWN)
    open_one = offer(11)
    assert [s.offer_id for s in suggestions_for(need(), [withdrawn, open_one])] == [11]


def test_equal_offers_are_listed_oldest_first():
    offers = [offer(30, organisation_id=OTHER), offer(12), offer(21, organisation_id=OTHER)]
    suggestions = suggestions_for(need(), offers)
    assert [s.offer_id for s in suggestions] == [12, 21, 30]
    assert len({s.score for s in suggestions}) == 1


def test_an_offer_sharing_no_theme_is_listed_last_even_when_it_fits_best_otherwise():
    the_need = need(province=LIMBURG, inhabitants=8_000, themes=("participatie",))
    nothing_shared_but_next_door = offer(10, province=LIMBURG, inhabitants=8_000, themes=("impactmeting",))
    one_theme_far_away = offer(11, province=WEST_VLAANDEREN, inhabitants=200_000, themes=("participatie",))
    suggestions = suggestions_for(the_need, [nothing_shared_but_next_door, one_theme_far_away])
    assert [s.offer_id for s in suggestions] == [11, 10]
    assert not suggestions[-1].shares_a_theme and suggestions[-1].shared_themes == ()


@given(
    need_themes=st.frozensets(st.sampled_from(THEMES), min_size=1),
    more_themes=st.frozensets(st.sampled_from(THEMES)),
    fewer_themes=st.frozensets(st.sampled_from(THEMES)),
    need_province=st.sampled_from([*PROVINCES, None]),
    provinces=st.tuples(st.sampled_from([*PROVINCES, None]), st.sampled_from([*PROVINCES, None])),
    need_inhabitants=st.integers(1, 600_000),
    inhabitants=st.tuples(st.integers(1, 600_000), st.integers(1, 600_000)),
    ids=st.tuples(st.integers(1, 1_000), st.integers(1, 1_000)).filter(lambda pair: pair[0] != pair[1]),
)
def test_an_offer_sharing_more_themes_always_ranks_higher_whatever_the_province_and_size(
    need_themes, more_themes, fewer_themes, need_province, provinces, need_inhabitants, inhabitants, ids
):
    the_need = NeedFacts(1, RECEIVING, need_province, need_themes, need_inhabitants, 5)
    a = OfferFacts(ids[0], GIVING, provinces[0], more_themes, inhabitants[0])
    b = OfferFacts(ids[1], OTHER, provinces[1], fewer_themes, inhabitants[1])
    shared_a, shared_b = len(need_themes & more_themes), len(need_themes & fewer_themes)
    if shared_a == shared_b:
        return
    better, worse = (a, b) if shared_a > shared_b else (b, a)
    assert score(the_need, better).score > score(the_need, worse).score
    assert [s.offer_id for s in suggestions_for(the_need, [worse, better])] == [better.id, worse.id]
    assert [s.offer_id for s in suggestions_for(the_need, [better, worse])] == [better.id, worse.id]


# --- proposing -----------------------------------------------------------------------------------


def test_an_open_need_and_an_open_offer_of_two_governments_may_be_proposed():
    assert proposal_problems(need(), offer(), pair_is_live=False) == []


def test_a_proposal_is_refused_for_a_need_or_offer_no_longer_open():
    assert proposal_problems(need(state=NeedState.MATCHED), offer(), False) == [MatchProblem.NEED_NOT_OPEN]
    assert proposal_problems(need(state=NeedState.WITHDRAWN), offer(), False) == [MatchProblem.NEED_NOT_OPEN]
    assert proposal_problems(need(), offer(state=OfferState.WITHDRAWN), False) == [MatchProblem.OFFER_NOT_OPEN]


def test_a_government_is_never_matched_with_itself():
    assert proposal_problems(need(organisation_id=GIVING), offer(organisation_id=GIVING), False) == [
        MatchProblem.SAME_GOVERNMENT
    ]


def test_a_pair_with_a_live_match_is_not_proposed_again():
    assert proposal_problems(need(), offer(), pair_is_live=True) == [MatchProblem.ALREADY_PROPOSED]


def test_every_problem_of_a_proposal_is_named():
    problems = proposal_problems(
        need(organisation_id=GIVING, state=NeedState.WITHDRAWN),
        offer(organisation_id=GIVING, state=OfferState.WITHDRAWN),
        True,
    )
    assert problems == [
        MatchProblem.NEED_NOT_OPEN,
        MatchProblem.OFFER_NOT_OPEN,
        MatchProblem.SAME_GOVERNMENT,
        MatchProblem.ALREADY_PROPOSED,
    ]


# --- answering and cancelling --------------------------------------------------------------------

PROPOSED = MatchFacts(MatchState.PROPOSED)


def test_one_acceptance_keeps_the_match_waiting_for_the_other_government():
    after = answer(PROPOSED, Side.GIVING, Answer.ACCEPTED)
    assert after == MatchFacts(MatchState.PROPOSED, giving_answer=Answer.ACCEPTED)


def test_a_match_is_confirmed_when_both_governments_accept_in_either_order():
    giving_first = answer(answer(PROPOSED, Side.GIVING, Answer.ACCEPTED), Side.RECEIVING, Answer.ACCEPTED)
    receiving_first = answer(answer(PROPOSED, Side.RECEIVING, Answer.ACCEPTED), Side.GIVING, Answer.ACCEPTED)
    both = MatchFacts(MatchState.CONFIRMED, Answer.ACCEPTED, Answer.ACCEPTED)
    assert giving_first == receiving_first == both


def test_one_decline_declines_the_match_at_once():
    after = answer(PROPOSED, Side.RECEIVING, Answer.DECLINED)
    assert after == MatchFacts(MatchState.DECLINED, receiving_answer=Answer.DECLINED)


def test_a_decline_after_the_other_accepted_still_declines_the_match():
    accepted = answer(PROPOSED, Side.RECEIVING, Answer.ACCEPTED)
    after = answer(accepted, Side.GIVING, Answer.DECLINED)
    assert after == MatchFacts(MatchState.DECLINED, Answer.DECLINED, Answer.ACCEPTED)


def test_a_government_answers_only_once():
    accepted = answer(PROPOSED, Side.GIVING, Answer.ACCEPTED)
    for second in Answer:
        with pytest.raises(MatchRefused) as refused:
            answer(accepted, Side.GIVING, second)
        assert refused.value.problem is MatchProblem.ALREADY_ANSWERED


@pytest.mark.parametrize("state", [MatchState.CONFIRMED, MatchState.DECLINED, MatchState.CANCELLED])
def test_only_a_proposed_match_can_be_answered(state):
    with pytest.raises(MatchRefused) as refused:
        answer(MatchFacts(state), Side.RECEIVING, Answer.ACCEPTED)
    assert refused.value.problem is MatchProblem.NOT_PROPOSED


def test_after_a_decline_the_other_government_can_no_longer_answer():
    declined = answer(PROPOSED, Side.GIVING, Answer.DECLINED)
    with pytest.raises(MatchRefused) as refused:
        answer(declined, Side.RECEIVING, Answer.ACCEPTED)
    assert refused.value.problem is MatchProblem.NOT_PROPOSED


def test_a_proposal_can_be_cancelled_even_after_one_acceptance():
    assert cancel(PROPOSED).state is MatchState.CANCELLED
    half_accepted = answer(PROPOSED, Side.GIVING, Answer.ACCEPTED)
    assert cancel(half_accepted) == MatchFacts(MatchState.CANCELLED, giving_answer=Answer.ACCEPTED)


@pytest.mark.parametrize("state", [MatchState.CONFIRMED, MatchState.DECLINED, MatchState.CANCELLED])
def test_only_a_proposal_can_be_cancelled(state):
    with pytest.raises(MatchRefused) as refused:
        cancel(MatchFacts(state))
    assert refused.value.problem is MatchProblem.NOT_PROPOSED


# --- availability ---------------------------------------------------------------------------------


def test_availability_is_read_from_todays_month():
    from datetime import date

    from workflows.matching import Availability, availability

    september = date(2026, 9, 1)
    assert availability(september, 4, date(2026, 9, 30)) is Availability.NOW
    assert availability(september, 4, date(2026, 12, 31)) is Availability.NOW  # the fourth month
    assert availability(september, 4, date(2027, 1, 1)) is Availability.ENDED
    assert availability(september, 4, date(2026, 6, 15)) is Availability.SOON  # three months ahead
    assert availability(september, 4, date(2026, 5, 31)) is Availability.LATER
    assert availability(None, 4, date(2026, 9, 1)) is Availability.UNKNOWN


def test_an_offer_available_now_ranks_above_one_available_later_and_one_that_ended_ranks_below_any_theme():
    from dataclasses import replace
    from datetime import date

    from workflows.matching import Availability

    today = date(2026, 12, 7)
    the_need = need(themes=("participatie",))
    now = replace(offer(10, themes=("participatie",)), available_from=date(2026, 11, 1), months_available=6)
    later = replace(offer(11, themes=("participatie",)), available_from=date(2027, 9, 1), months_available=6)
    ended = replace(
        offer(12, themes=("participatie", "data_tools")), available_from=date(2025, 1, 1), months_available=6
    )
    nothing_shared = replace(offer(13, themes=("impactmeting",)), available_from=date(2026, 12, 1), months_available=6)
    ranked = suggestions_for(the_need, [later, ended, now, nothing_shared], today)
    assert [s.offer_id for s in ranked][:2] == [10, 11]
    assert ranked[0].availability is Availability.NOW and ranked[1].availability is Availability.LATER
    # A shared theme but no mentor left: below the later one, and below an available offer sharing no theme.
    assert [s.offer_id for s in ranked].index(12) > [s.offer_id for s in ranked].index(11)
    assert [s.offer_id for s in ranked].index(12) > [s.offer_id for s in ranked].index(13)
