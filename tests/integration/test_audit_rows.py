"""The audit helpers that name the changed row: a new row and a moved row are recorded with the states the row
really has, under the trail's name of the row (a match is `match`, not its table `expertise_match`)."""

from __future__ import annotations

from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import AccessRequest, AuditEntry, Organisation
from portal.models.matching import Match
from portal.services import audit
from tests.conftest import make_user
from workflows.access import AccessRequestState
from workflows.roles import Role


def _request() -> AccessRequest:
    organisation = db.session.scalars(select(Organisation).order_by(Organisation.id)).first()
    assert organisation is not None
    return AccessRequest(
        full_name="Ans Peeters",
        function="Armoedecoördinator",
        organisation=organisation,
        email="ans.peeters@example.be",
        state=AccessRequestState.PENDING,
    )


def test_a_new_row_is_added_and_recorded_in_the_state_it_starts_in(db_session):
    request = _request()
    entry = audit.record_added(None, "access_request.received", request, details={"why": "test"})
    assert request in db.session and request.id is not None  # added and flushed: the audit row can name it
    assert (entry.entity_type, entry.entity_id) == ("access_request", str(request.id))
    assert (entry.from_state, entry.to_state, entry.details) == (None, "pending", {"why": "test"})


def test_a_moved_row_takes_its_new_state_and_the_trail_says_from_which(db_session):
    request = _request()
    audit.record_added(None, "access_request.received", request)
    admin = make_user(Role.ADMIN)
    request.decided_at, request.decided_by_id, request.refusal_reason = utcnow(), admin.id, "Onbekend"
    entry = audit.record_move(admin, "access_request.refused", request, AccessRequestState.REFUSED, reason="Onbekend")
    db.session.flush()
    assert request.state == "refused"
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.from_state, stored.to_state, stored.reason) == ("pending", "refused", "Onbekend")


def test_the_trail_names_a_row_by_its_own_word_where_the_table_is_longer():
    assert audit._ENTITY_NAMES[Match.__tablename__] == "match"
