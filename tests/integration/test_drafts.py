"""The drafts service on a real database: each section saved through it, the mentors, the account
number; what a refused field keeps; the refusals (another government's draft, a draft submitted
meanwhile); and an audit row per change that names fields, never their values. That a change holds
the dossier's lock is proved on PostgreSQL by an edit racing a submit (test_submit_concurrency.py)."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry
from portal.services import applications, drafts
from portal.services.refusal import NotAllowed
from tests.conftest import make_user
from tests.factories import complete_draft, municipality, open_call


@pytest.fixture
def applicant(db_session):
    return make_user("applicant")


@pytest.fixture
def draft(applicant):
    application = drafts.start(open_call(), applicant, utcnow())
    db.session.commit()
    return application


def _audit(application_id, action):
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_id == str(application_id), AuditEntry.action == action)
        .order_by(AuditEntry.id)
    ).all()


def test_saving_a_section_writes_the_accepted_fields_and_one_audit_row_naming_them(applicant, draft):
    receiving = municipality("45041")
    drafts.save_parties(
        draft.id,
        applicant,
        drafts.PartiesInput(
            receiving_organisation_id=receiving.id,
            receiving_contact_email="armoede@ronse.example",
            giving_contact_phone="055 00 00 00",
        ),
    )
    db.session.commit()
    assert draft.receiving_organisation_id == receiving.id
    assert draft.receiving_contact_email == "armoede@ronse.example"
    (entry,) = _audit(draft.id, "draft.section_saved")
    assert entry.actor_id == applicant.id
    assert entry.details == {
        "section": "parties",
        "fields": ["giving_contact_phone", "receiving_contact_email", "receiving_organisation_id"],
    }
    assert "armoede@ronse.example" not in str(entry.details)  # names, never values


def test_a_field_the_form_refused_keeps_what_the_draft_had(applicant, draft):
    drafts.save_exchange(draft.id, applicant, drafts.ExchangeInput(need="Eerste versie", goals="Doelen"))
    drafts.save_exchange(draft.id, applicant, drafts.ExchangeInput(need=drafts.KEEP, goals=""))
    db.session.commit()
    assert (draft.need, draft.goals) == ("Eerste versie", "")


def test_saving_what_is_already_there_writes_no_audit_row(applicant, draft):
    drafts.save_exchange(draft.id, applicant, drafts.ExchangeInput(need="Zelfde"))
    drafts.save_exchange(draft.id, applicant, drafts.ExchangeInput(need="Zelfde"))
    db.session.commit()
    assert len(_audit(draft.id, "draft.section_saved")) == 1


def test_a_government_not_among_the_choices_is_not_stored_as_the_receiving_party(applicant, draft):
    own = applicant.organisation_id
    drafts.save_parties(draft.id, applicant, drafts.PartiesInput(receiving_organisation_id=own))
    assert draft.receiving_organisation_id is None


def test_mentors_are_added_changed_and_removed_and_the_rest_move_up(applicant, draft):
    first = drafts.save_mentor(draft.id, applicant, None, drafts.MentorInput(full_name="Eerste"))
    second = drafts.save_mentor(draft.id, applicant, None, drafts.MentorInput(full_name="Tweede"))
    third = drafts.save_mentor(draft.id, applicant, None, drafts.MentorInput(full_name="Derde"))
    drafts.save_mentor(draft.id, applicant, second.id, drafts.MentorInput(function="Coördinator"))
    removed = drafts.remove_mentor(draft.id, applicant, first.id)
    db.session.commit()
    assert removed.full_name == "Eerste"
    assert [(m.full_name, m.position) for m in draft.mentors] == [("Tweede", 1), ("Derde", 2)]
    assert second.function == "Coördinator" and third.position == 2
    assert [e.details["position"] for e in _audit(draft.id, "draft.mentor_added")] == [1, 2, 3]
    (changed,) = _audit(draft.id, "draft.mentor_changed")
    assert changed.details == {"mentor_id": second.id, "fields": ["function"]}
    (gone,) = _audit(draft.id, "draft.mentor_removed")
    assert gone.details == {"mentor_id": first.id, "position": 1}


def test_a_reversed_period_is_never_stored(applicant, draft):
    mentor = drafts.save_mentor(
        draft.id, applicant, None, drafts.MentorInput(start_on=date(2026, 9, 1), end_on=date(2026, 12, 31))
    )
    drafts.save_mentor(
        draft.id, applicant, mentor.id, drafts.MentorInput(start_on=date(2027, 1, 1))
    )  # after the stored end
    assert (mentor.start_on, mentor.end_on) == (date(2027, 1, 1), None)


def test_another_drafts_mentor_is_not_found(applicant, draft):
    other_owner = make_user("applicant", organisation=municipality("11002"))
    other = drafts.start(open_call(), other_owner, utcnow())
    theirs = drafts.save_mentor(other.id, other_owner, None, drafts.MentorInput(full_name="Niet van u"))
    with pytest.raises(LookupError):
        drafts.save_mentor(draft.id, applicant, theirs.id, drafts.MentorInput(full_name="Overschreven"))
    with pytest.raises(LookupError):
        drafts.remove_mentor(draft.id, applicant, theirs.id)
    assert theirs.full_name == "Niet van u"


def test_the_iban_is_stored_compact_cleared_and_refused_when_invalid(applicant, draft):
    drafts.save_iban(draft.id, applicant, "be68 5390 0754 7034")
    assert draft.iban == "BE68539007547034"
    with pytest.raises(drafts.InvalidIban):
        drafts.save_iban(draft.id, applicant, "BE00 0000 0000 0000")
    assert draft.iban == "BE68539007547034"
    drafts.save_iban(draft.id, applicant, None)
    assert draft.iban is None
    assert [e.details for e in _audit(draft.id, "draft.iban_changed")] == [{"set": True}, {"set": False}]


def test_another_governments_draft_cannot_be_changed(draft):
    stranger = make_user("applicant", organisation=municipality("11002"))
    with pytest.raises(LookupError):
        drafts.save_exchange(draft.id, stranger, drafts.ExchangeInput(need="Ingebroken"))
    with pytest.raises(LookupError):
        drafts.save_iban(draft.id, stranger, "BE68539007547034")
    assert draft.need == "" and _audit(draft.id, "draft.section_saved") == []


def test_a_submitted_dossier_is_no_longer_a_draft(applicant):
    dossier = complete_draft(applicant, open_call())
    applications.submit(dossier.id, applicant, declared=True)
    db.session.commit()
    with pytest.raises(NotAllowed):
        drafts.save_exchange(dossier.id, applicant, drafts.ExchangeInput(need="Na het indienen"))
    with pytest.raises(NotAllowed):
        drafts.save_mentor(dossier.id, applicant, None, drafts.MentorInput(full_name="Te laat"))
    db.session.rollback()
    assert dossier.need != "Na het indienen" and len(dossier.mentors) == 1
