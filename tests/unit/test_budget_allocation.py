"""The first-come-first-served rule: never overspent, served in queue order, freed money flows on."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.budget import Claim, ShortfallPolicy, Standing, allocate

ENVELOPE = 250_000_00


def test_dossiers_reserve_in_queue_order_until_the_envelope_is_spent():
    queue = [Claim(1, 100_000_00), Claim(2, 100_000_00), Claim(3, 50_000_01), Claim(4, 10_000_00)]
    result = allocate(ENVELOPE, 0, queue, ShortfallPolicy.WAIT)
    assert [p.standing for p in result.positions] == [
        Standing.RESERVED,
        Standing.RESERVED,
        Standing.WAITING,
        Standing.WAITING,
    ]
    # Dossier 4 would fit in what remains, but it does not jump the queue.
    assert result.position_of(4).waiting_place == 2
    assert result.remaining_cents == 50_000_00
    assert result.waiting[0].offer_cents is None  # `wait`: no partial offer


def test_partial_offers_the_first_waiting_dossier_what_remains():
    queue = [Claim(1, 200_000_00), Claim(2, 50_000_01), Claim(3, 40_000_00)]
    result = allocate(ENVELOPE, 0, queue, ShortfallPolicy.PARTIAL)
    assert result.position_of(2).offer_cents == 50_000_00
    assert result.position_of(3).offer_cents is None
    accepted = allocate(
        ENVELOPE,
        0,
        [Claim(1, 200_000_00), Claim(2, 50_000_01, accepted_cents=50_000_00), Claim(3, 40_000_00)],
        ShortfallPolicy.PARTIAL,
    )
    assert accepted.position_of(2).reserved_cents == 50_000_00
    assert accepted.remaining_cents == 0 and accepted.position_of(3).waiting_place == 1


def test_a_withdrawal_hands_the_money_to_the_waiting_list_in_order():
    queue = [Claim(1, 150_000_00), Claim(2, 100_000_00), Claim(3, 30_000_00), Claim(4, 20_000_00)]
    before = allocate(ENVELOPE, 0, queue, ShortfallPolicy.WAIT)
    assert [p.application_id for p in before.waiting] == [3, 4]
    after = allocate(ENVELOPE, 0, [c for c in queue if c.application_id != 2], ShortfallPolicy.WAIT)
    assert [p.application_id for p in after.positions if p.standing is Standing.RESERVED] == [1, 3, 4]


def test_commitments_count_against_the_envelope():
    result = allocate(ENVELOPE, 240_000_00, [Claim(1, 10_000_00), Claim(2, 1)], ShortfallPolicy.WAIT)
    assert result.position_of(1).standing is Standing.RESERVED and result.position_of(2).standing is Standing.WAITING
    with pytest.raises(ValueError):
        allocate(ENVELOPE, ENVELOPE + 1, [], ShortfallPolicy.WAIT)


def test_impossible_claims_are_refused():
    with pytest.raises(ValueError):
        Claim(1, -1)
    with pytest.raises(ValueError):
        Claim(1, 100, accepted_cents=101)


amounts = st.integers(min_value=0, max_value=60_000_00)
queues = st.lists(amounts, max_size=40).map(lambda xs: [Claim(i + 1, x) for i, x in enumerate(xs)])
policies = st.sampled_from(list(ShortfallPolicy))
envelopes = st.integers(min_value=0, max_value=500_000_00)


@given(envelopes, st.integers(min_value=0, max_value=500_000_00), queues, policies)
def test_the_envelope_is_never_overspent(envelope, committed, queue, policy):
    committed = min(committed, envelope)
    result = allocate(envelope, committed, queue, policy)
    assert result.reserved_cents + committed <= envelope
    assert result.remaining_cents >= 0
    for position in result.positions:
        if position.offer_cents is not None:
            assert 0 < position.offer_cents <= result.remaining_cents


@given(envelopes, queues, policies)
def test_reservations_follow_the_queue_exactly(envelope, queue, policy):
    result = allocate(envelope, 0, queue, policy)
    standings = [p.standing for p in result.positions]
    # The reserved dossiers are exactly the head of the queue; everyone behind the first waiting one waits.
    first_waiting = standings.index(Standing.WAITING) if Standing.WAITING in standings else len(standings)
    assert all(s is Standing.RESERVED for s in standings[:first_waiting])
    assert all(s is Standing.WAITING for s in standings[first_waiting:])
    assert [p.waiting_place for p in result.waiting] == list(range(1, len(result.waiting) + 1))
    for position, claim in zip(result.positions, queue, strict=True):
        assert position.reserved_cents in (0, claim.claimed_cents)


@given(envelopes, queues, policies, st.data())
def test_removing_a_dossier_never_takes_a_reservation_from_another(envelope, queue, policy, data):
    if not queue:
        return
    before = allocate(envelope, 0, queue, policy)
    gone = data.draw(st.sampled_from(queue))
    after = allocate(envelope, 0, [c for c in queue if c is not gone], policy)
    for position in before.positions:
        if position.application_id != gone.application_id and position.standing is Standing.RESERVED:
            assert after.position_of(position.application_id).standing is Standing.RESERVED


@given(envelopes, st.integers(min_value=0, max_value=100_000_00), queues, policies)
def test_a_bigger_envelope_never_serves_fewer_dossiers(envelope, extra, queue, policy):
    smaller = allocate(envelope, 0, queue, policy)
    bigger = allocate(envelope + extra, 0, queue, policy)
    assert len(bigger.positions) - len(bigger.waiting) >= len(smaller.positions) - len(smaller.waiting)


def _held(queue: list[Claim], result) -> list[Claim]:
    """The queue as the next recomputation sees it: who holds a reservation now says so."""
    reserved = {p.application_id for p in result.positions if p.standing is Standing.RESERVED}
    return [
        Claim(c.application_id, c.requested_cents, c.accepted_cents, holds_reservation=c.application_id in reserved)
        for c in queue
    ]


def test_a_reservation_held_is_kept_even_when_a_claim_lands_ahead_of_it():
    # 2 holds its reservation; a claim ordered before it (however it got there) waits instead.
    result = allocate(100_00, 0, [Claim(3, 60_00), Claim(2, 70_00, holds_reservation=True)], ShortfallPolicy.WAIT)
    assert result.position_of(2).standing is Standing.RESERVED and result.position_of(2).reserved_cents == 70_00
    assert result.position_of(3).standing is Standing.WAITING


def test_held_reservations_beyond_the_envelope_are_refused():
    with pytest.raises(ValueError):
        allocate(100_00, 50_00, [Claim(1, 60_00, holds_reservation=True)], ShortfallPolicy.WAIT)


@given(envelopes, queues, queues, policies)
def test_appending_claims_to_the_queue_never_removes_a_reservation_already_held(envelope, queue, later, policy):
    before = allocate(envelope, 0, queue, policy)
    appended = _held(queue, before) + [Claim(len(queue) + c.application_id, c.requested_cents) for c in later]
    after = allocate(envelope, 0, appended, policy)
    for position in before.positions:
        if position.standing is Standing.RESERVED:
            kept = after.position_of(position.application_id)
            assert kept.standing is Standing.RESERVED and kept.reserved_cents == position.reserved_cents
    assert after.reserved_cents <= envelope


@given(envelopes, queues, policies, st.data())
def test_no_order_of_events_takes_a_held_reservation_away_or_overspends(envelope, queue, policy, data):
    """Claims arrive, leave, accept offers and the policy changes, in any order; what is held stays."""
    current: list[Claim] = []
    result = allocate(envelope, 0, current, policy)
    for claim in queue:
        event = data.draw(st.sampled_from(["arrive", "arrive", "leave", "accept", "policy"]))
        if event == "leave" and current:
            gone = data.draw(st.sampled_from(current))
            current = [c for c in current if c is not gone]
        elif event == "accept" and result.waiting and result.waiting[0].offer_cents:
            first = result.waiting[0]
            current = [
                Claim(c.application_id, c.requested_cents, first.offer_cents)
                if c.application_id == first.application_id
                else c
                for c in current
            ]
        elif event == "policy":
            policy = data.draw(policies)
        else:
            current = current + [claim]
        held_before = {p.application_id: p.reserved_cents for p in result.positions if p.standing is Standing.RESERVED}
        current = _held(current, result)
        result = allocate(envelope, 0, current, policy)
        assert result.reserved_cents <= envelope
        for application_id, cents in held_before.items():
            if any(c.application_id == application_id for c in current):
                assert result.position_of(application_id).reserved_cents == cents
