"""A dossier joining the end of the queue gets, from the totals alone, the place the whole recomputation gives."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.budget import Claim, ShortfallPolicy, Standing, allocate, append

ENVELOPE = 250_000_00

amounts = st.integers(min_value=0, max_value=60_000_00)


@st.composite
def queues(draw):
    """A queue as the portal can hold it: some claims hold a reservation already (kept whatever comes before)."""
    envelope = draw(st.integers(min_value=0, max_value=ENVELOPE))
    committed = draw(st.integers(min_value=0, max_value=envelope))
    claims, held = [], 0
    for number in range(draw(st.integers(min_value=0, max_value=25))):
        requested = draw(amounts)
        accepted = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=requested))) if requested else None
        claim = Claim(number, requested, accepted)
        holds = draw(st.booleans()) and held + claim.claimed_cents <= envelope - committed
        if holds:
            held += claim.claimed_cents
        claims.append(Claim(number, requested, accepted, holds_reservation=holds))
    return envelope, committed, claims


@settings(max_examples=400)
@given(queues(), amounts, st.sampled_from(list(ShortfallPolicy)))
def test_appending_gives_the_place_the_whole_recomputation_gives(queue, requested, policy):
    envelope, committed, claims = queue
    before = allocate(envelope, committed, claims, policy)
    newcomer = Claim(10_000, requested)
    waiting = [p.waiting_place for p in before.positions if p.waiting_place is not None]
    appended = append(envelope, committed, before.reserved_cents, max(waiting) if waiting else None, newcomer, policy)
    whole = allocate(envelope, committed, [*claims, newcomer], policy)
    assert whole.positions[-1] == appended
    assert whole.positions[:-1] == before.positions  # nobody ahead moves


def test_the_first_one_who_does_not_fit_is_offered_the_rest_under_partial():
    place = append(ENVELOPE, 0, 240_000_00, None, Claim(1, 20_000_00), ShortfallPolicy.PARTIAL)
    assert (place.standing, place.waiting_place, place.offer_cents) == (Standing.WAITING, 1, 10_000_00)
    behind = append(ENVELOPE, 0, 240_000_00, 1, Claim(2, 5_000_00), ShortfallPolicy.PARTIAL)
    assert (behind.standing, behind.waiting_place, behind.offer_cents) == (
        Standing.WAITING,
        2,
        None,
    )  # no jumping the queue


def test_a_newcomer_never_holds_a_reservation_and_totals_never_exceed_the_envelope():
    with pytest.raises(ValueError, match="holds no reservation"):
        append(ENVELOPE, 0, 0, None, Claim(1, 10, holds_reservation=True), ShortfallPolicy.WAIT)
    with pytest.raises(ValueError, match="exceed the envelope"):
        append(ENVELOPE, 200_000_00, 60_000_00, None, Claim(1, 10), ShortfallPolicy.WAIT)
