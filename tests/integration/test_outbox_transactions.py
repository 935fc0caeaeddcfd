"""The outbox follows the transaction and its savepoints on the real database: a row is handed over
only when the outermost transaction that holds it commits, and a savepoint rolled back drops only
its own rows."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import select

from portal.extensions import db
from portal.models import Notification
from portal.models.notifications import NotificationEvent
from portal.services import notifications
from tests.conftest import make_user
from tests.factories import complete_draft, municipality, open_call


def _handed_over() -> list[int]:
    """The rows the relay would hand over when this context ends; taken, so the next check starts empty."""
    return list(g.pop("outbox_committed", []))


def _notify(dossier: Any, address: str) -> int:
    """One notification row, flushed in whatever transaction or savepoint is open."""
    (row,) = notifications.record(NotificationEvent.DECLARED_ELIGIBLE, [notifications.Recipient(address)], dossier)
    db.session.flush()
    return int(row.id)


def _saved(notification_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(Notification.id).where(Notification.id.in_(notification_ids))))


def _applicant_of(nis_code: str) -> Any:
    return make_user("applicant", organisation=municipality(nis_code))


def _a_dossier(db_session: Any) -> Any:
    dossier = complete_draft(make_user("applicant"), open_call())
    db_session.commit()
    _handed_over()
    return dossier


def test_a_row_flushed_before_a_savepoint_that_is_rolled_back_is_still_handed_over(db_session):
    dossier = _a_dossier(db_session)
    before = _notify(dossier, "before@example.be")
    savepoint = db_session.begin_nested()
    _notify(dossier, "refused@example.be")
    savepoint.rollback()
    db_session.commit()
    assert _handed_over() == [before]
    assert _saved([before]) == {before}


def test_a_row_flushed_inside_a_savepoint_that_is_rolled_back_is_not_handed_over_but_the_others_are(db_session):
    dossier = _a_dossier(db_session)
    before = _notify(dossier, "before@example.be")
    savepoint = db_session.begin_nested()
    inside = _notify(dossier, "refused@example.be")
    savepoint.rollback()
    after = _notify(dossier, "after@example.be")
    db_session.commit()
    assert _handed_over() == [before, after]
    assert _saved([before, inside, after]) == {before, after}  # the rolled-back row is gone from the database too


def test_a_row_of_a_released_savepoint_is_handed_over_only_when_the_outermost_transaction_commits(db_session):
    dossier = _a_dossier(db_session)
    savepoint = db_session.begin_nested()
    inside = _notify(dossier, "granted@example.be")
    savepoint.commit()
    assert _handed_over() == []  # released, but the outer transaction can still undo it
    outside = _notify(dossier, "outside@example.be")
    assert _handed_over() == []
    db_session.commit()
    assert sorted(_handed_over()) == sorted([inside, outside])


def test_a_released_savepoint_inside_one_rolled_back_is_not_handed_over(db_session):
    dossier = _a_dossier(db_session)
    kept = _notify(dossier, "kept@example.be")
    outer = db_session.begin_nested()
    inner = db_session.begin_nested()
    _notify(dossier, "inner@example.be")
    inner.commit()
    _notify(dossier, "outer@example.be")
    outer.rollback()
    db_session.commit()
    assert _handed_over() == [kept]


def test_an_outermost_rollback_hands_nothing_over(db_session):
    dossier = _a_dossier(db_session)
    flushed = _notify(dossier, "flushed@example.be")
    savepoint = db_session.begin_nested()
    released = _notify(dossier, "released@example.be")
    savepoint.commit()
    db_session.rollback()
    assert _handed_over() == []
    assert _saved([flushed, released]) == set()
    # and nothing of it lingers for the next transaction's commit
    db_session.commit()
    assert _handed_over() == []


def test_a_resend_is_handed_over_after_the_commit_unless_its_own_savepoint_is_rolled_back(db_session):
    from workflows.outbox import DeliveryStatus

    officer = make_user("officer")
    dossier = _a_dossier(db_session)
    failed = db_session.get(Notification, _notify(dossier, "failed@example.be"))
    failed.status, failed.attempts = DeliveryStatus.FAILED, 6
    db_session.commit()
    _handed_over()

    savepoint = db_session.begin_nested()
    notifications.resend(failed.id, officer)
    savepoint.rollback()
    db_session.commit()
    assert _handed_over() == []

    notifications.resend(failed.id, officer)
    savepoint = db_session.begin_nested()
    _notify(dossier, "refused@example.be")
    savepoint.rollback()
    assert _handed_over() == []
    db_session.commit()
    assert _handed_over() == [failed.id]


def test_a_batch_decision_hands_over_the_decided_dossiers_notifications_only_when_it_is_committed(db_session):
    from portal.services import decisions
    from tests.factories import scored_dossier

    officer = make_user("officer")
    reviewers = [make_user("reviewer"), make_user("reviewer")]
    call = open_call()
    first, second = (
        scored_dossier(call, officer, reviewers, applicant=_applicant_of(nis)) for nis in ("44021", "11002")
    )
    not_scored = complete_draft(make_user("applicant"), call)
    db_session.commit()
    _handed_over()

    # Each dossier is decided in a savepoint of its own; the draft's is refused and rolled back.
    outcomes = decisions.decide_many([first.id, not_scored.id, second.id], False, officer, "Onvoldoende middelen.")
    assert {o.application_id for o in outcomes if o.refused is None} == {first.id, second.id}
    assert _handed_over() == []  # the route has not committed yet
    db_session.commit()
    told = db_session.scalars(
        select(Notification.id).where(
            Notification.application_id.in_([first.id, second.id]), Notification.event == NotificationEvent.REJECTED
        )
    )
    assert sorted(_handed_over()) == sorted(told)
