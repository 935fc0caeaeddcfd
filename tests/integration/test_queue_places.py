"""The call's count of places in the queue: what a submission's receipt says of its place, without the
queue being counted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, Call
from portal.services import applications, eligibility
from portal.services.dossiers import move
from portal.services.locks import LockOrderError, lock_dossier
from tests.conftest import make_user
from tests.factories import complete_draft, municipality, open_call
from workflows.applications import Action


def _placed(call: Call) -> int:
    """Counted the long way: the dossiers of the call that are submitted and neither withdrawn nor sent back."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.call_id == call.id,
                Application.submitted_at.is_not(None),
                Application.state.not_in(["withdrawn", "correction_requested"]),
            )
        )
    )


def test_each_receipt_names_its_place_and_the_call_keeps_count_through_corrections_and_withdrawals(db_session):
    call = open_call("PLACES")
    officer = make_user("officer")
    applicants = [
        make_user("applicant", organisation=municipality(nis)) for nis in ("11002", "12025", "24062", "34022")
    ]
    a, b, c, d = (complete_draft(applicant, call) for applicant in applicants)
    never_submitted = complete_draft(applicants[0], call, receiving_nis="71016")

    def submit(dossier: Application, who: int) -> int:
        return applications.submit(dossier.id, applicants[who], declared=True).submission.content["queue_position"]

    assert [submit(a, 0), submit(b, 1), submit(c, 2)] == [1, 2, 3]
    eligibility.request_correction(b.id, officer, "Voeg het actieplan toe.")
    assert (call.queue_places, _placed(call)) == (2, 2)
    assert submit(b, 1) == 3  # a resubmission queues behind a and c
    applications.withdraw(a.id, applicants[0], "project gaat niet door")
    applications.withdraw(never_submitted.id, applicants[0], "")  # a draft held no place
    assert (call.queue_places, _placed(call)) == (2, 2)
    assert submit(d, 3) == 3  # c and b are ahead
    db.session.expire_all()
    assert db.session.get(Call, call.id).queue_places == _placed(call) == 3


def test_taking_or_leaving_a_place_without_the_calls_lock_is_refused(db_session):
    applicant = make_user("applicant")
    dossier = complete_draft(applicant, open_call("PLACES-LOCK"))
    applications.submit(dossier.id, applicant, declared=True)
    db.session.commit()
    with pytest.raises(LockOrderError):
        move(lock_dossier(dossier.id), Action.WITHDRAW, applicant, "application.withdrawn")
