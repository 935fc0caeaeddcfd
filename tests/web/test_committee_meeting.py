"""The committee's meeting: opened with the members present, the scored dossiers in queue order with the running
total and where the envelope runs out, decisions taken from that table, closed with its minutes (a PDF)."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.models import AuditEntry, CommitteeMeeting, MeetingDecision
from portal.services import reviews
from portal.services.meetings import open_meeting
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import in_review, municipality, open_call, score_everything, scored_dossier, submitted_dossier


def reviewer(name):
    user = make_user("reviewer")
    user.full_name = name
    return user


def applicant_of(nis):
    return make_user("applicant", organisation=municipality(nis))


def after(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def hidden_total(page):
    return re.search(r'name="total" value="(\d+)"', page).group(1)


def meeting_actions(db_session, meeting_id):
    return [
        e.action
        for e in db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "committee_meeting", AuditEntry.entity_id == str(meeting_id))
            .order_by(AuditEntry.id)
        )
    ]


@pytest.fixture
def committee(db_session):
    """A call with two scored dossiers; Carl declared a conflict on the first and stepped aside for Bob."""
    call = open_call()
    officer = make_user("officer")
    ann, bob, carl = reviewer("Ann Analist"), reviewer("Bob Beoordeler"), reviewer("Carl Conflict")
    first = in_review(submitted_dossier(call, applicant=applicant_of("44021")), officer, [ann, carl])
    carl_review = next(r for r in reviews.reviews_of(first) if r.reviewer_id == carl.id)
    reviews.declare_conflict(carl_review.id, carl, "Ik werk bij het ontvangende bestuur.")
    reviews.assign_reviewers(first.id, [bob.id], officer)
    for member in (ann, bob):
        score_everything(first, member, 3)
    second = scored_dossier(call, officer, [ann, bob], applicant=applicant_of("11002"))
    db_session.commit()
    return {"call": call, "officer": officer, "ann": ann, "bob": bob, "carl": carl, "first": first, "second": second}


def _open(client, call, members, day="15 12 2026"):
    path = f"/behandeling/oproepen/{call.id}/vergadering"
    token = csrf_token(client, path)
    d, m, y = day.split()
    return client.post(
        path,
        data={
            "csrf_token": token,
            "held_on": [d, m, y],
            "members": [str(u.id) for u in members],
            "remarks": "Vergadering in Brussel.",
        },
    ), token


def test_a_meeting_is_opened_decided_in_closed_and_its_minutes_are_a_pdf(client, db_session, committee):
    call, officer, first, second = committee["call"], committee["officer"], committee["first"], committee["second"]
    sign_in(client, officer)
    decisions_page = client.get(f"/behandeling/oproepen/{call.id}/beslissingen").get_data(as_text=True)
    assert "Vergadering openen" in decisions_page

    opened, token = _open(client, call, [committee["ann"], committee["bob"]])
    page = after(client, opened)
    meeting = db_session.scalar(select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id))
    assert meeting.state == "open" and sorted(meeting.member_ids) == sorted([committee["ann"].id, committee["bob"].id])
    # The table: both dossiers in queue order, the conflict named, the running total.
    assert page.index(f'data-dossier="{first.reference}"') < page.index(f'data-dossier="{second.reference}"')
    assert "1: Carl Conflict" in page
    total = first.requested_cents + second.requested_cents
    assert f'data-running="{total}"' in page

    base = f"/behandeling/vergaderingen/{meeting.id}"
    summary = client.post(
        f"{base}/beslissen",
        data={"csrf_token": token, "dossiers": [str(first.id)], "decision": "grant", "motivation": "Sterk plan."},
    ).get_data(as_text=True)
    assert "data-count>1<" in summary and f'action="{base}/beslissen/bevestigen"' in summary
    done = after(
        client,
        client.post(
            f"{base}/beslissen/bevestigen",
            data={
                "csrf_token": token,
                "dossiers": [str(first.id)],
                "decision": "grant",
                "motivation": "Sterk plan.",
                "total": hidden_total(summary),
                "acknowledged": "y",
            },
        ),
    )
    assert f"Toegekend: {first.reference}." in done
    summary = client.post(
        f"{base}/beslissen",
        data={"csrf_token": token, "dossiers": [str(second.id)], "decision": "reject", "motivation": "Te vaag."},
    ).get_data(as_text=True)
    after(
        client,
        client.post(
            f"{base}/beslissen/bevestigen",
            data={
                "csrf_token": token,
                "dossiers": [str(second.id)],
                "decision": "reject",
                "motivation": "Te vaag.",
                "total": hidden_total(summary),
            },
        ),
    )
    kept = db_session.scalars(select(MeetingDecision).where(MeetingDecision.meeting_id == meeting.id)).all()
    assert {(d.application_id, d.decision) for d in kept} == {(first.id, "grant"), (second.id, "reject")}

    close_page = client.get(f"{base}/afsluiten").get_data(as_text=True)
    assert "Vergadering afsluiten" in close_page
    closed = after(client, client.post(f"{base}/afsluiten", data={"csrf_token": token}))
    assert "Het proces-verbaal staat klaar" in closed
    db_session.refresh(meeting)
    assert meeting.state == "closed" and meeting.minutes_name
    assert meeting_actions(db_session, meeting.id) == [
        "meeting.opened",
        "meeting.decision_taken",
        "meeting.decision_taken",
        "meeting.closed",
    ]

    download = client.get(f"{base}/proces-verbaal.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(download.data)).pages)
    text = " ".join(text.split())
    for expected in ("Ann Analist", "Bob Beoordeler", "Carl Conflict", first.reference, second.reference):
        assert expected in text
    assert "Sterk plan." in text and "Te vaag." in text and "Toegekend" in text and "Afgewezen" in text
    # Listed with the call; served again unchanged.
    assert f"{base}/proces-verbaal.pdf" in client.get(f"/behandeling/oproepen/{call.id}/beslissingen").get_data(
        as_text=True
    )
    assert client.get(f"{base}/proces-verbaal.pdf").data == download.data


def test_opening_without_members_is_refused_with_a_message(client, db_session, committee):
    sign_in(client, committee["officer"])
    refused, _token = _open(client, committee["call"], [])
    assert refused.status_code == 400 and "Kies minstens één aanwezig lid" in refused.get_data(as_text=True)
    assert db_session.scalar(select(CommitteeMeeting)) is None


def test_opening_with_a_bad_date_is_refused_with_a_message(client, db_session, committee):
    sign_in(client, committee["officer"])
    refused, _token = _open(client, committee["call"], [committee["ann"]], day="31 02 2026")
    assert refused.status_code == 400 and "Vul een bestaande datum in" in refused.get_data(as_text=True)


def test_a_second_open_meeting_for_the_call_is_refused(client, db_session, committee):
    sign_in(client, committee["officer"])
    after(client, _open(client, committee["call"], [committee["ann"]])[0])
    second = after(client, _open(client, committee["call"], [committee["bob"]])[0])
    assert "Er is al een open vergadering voor deze oproep" in second
    assert len(db_session.scalars(select(CommitteeMeeting)).all()) == 1


def test_a_meeting_is_closed_only_once(client, db_session, committee):
    meeting = open_meeting(
        committee["call"].id, committee["call"].opens_at.date(), [committee["ann"].id], "", committee["officer"]
    )
    db_session.commit()
    sign_in(client, committee["officer"])
    base = f"/behandeling/vergaderingen/{meeting.id}"
    token = csrf_token(client, base)
    after(client, client.post(f"{base}/afsluiten", data={"csrf_token": token}))
    db_session.refresh(meeting)
    minutes = meeting.minutes_name
    again = after(client, client.post(f"{base}/afsluiten", data={"csrf_token": token}))
    assert "Deze vergadering is afgesloten" in again
    db_session.refresh(meeting)
    assert meeting.minutes_name == minutes
    assert meeting_actions(db_session, meeting.id).count("meeting.closed") == 1
    # A closed meeting takes no decisions.
    refused = after(
        client,
        client.post(
            f"{base}/beslissen",
            data={"csrf_token": token, "dossiers": [str(committee["first"].id)], "decision": "grant"},
        ),
    )
    assert "Deze vergadering is afgesloten" in refused


def test_a_dossier_that_is_not_scored_cannot_be_decided_in_the_meeting(client, db_session, committee):
    call = committee["call"]
    unscored = submitted_dossier(call, applicant=applicant_of("37022"))
    meeting = open_meeting(call.id, call.opens_at.date(), [committee["ann"].id], "", committee["officer"])
    db_session.commit()
    sign_in(client, committee["officer"])
    base = f"/behandeling/vergaderingen/{meeting.id}"
    token = csrf_token(client, base)
    page = client.get(base).get_data(as_text=True)
    assert f'data-dossier="{unscored.reference}"' not in page
    chosen = client.post(
        f"{base}/beslissen", data={"csrf_token": token, "dossiers": [str(unscored.id)], "decision": "grant"}
    )
    assert chosen.status_code == 400
    refused = after(
        client,
        client.post(
            f"{base}/beslissen/bevestigen",
            data={"csrf_token": token, "dossiers": [str(unscored.id)], "decision": "grant", "total": "0"},
        ),
    )
    assert "De keuze is niet meer actueel" in refused
    db_session.refresh(unscored)
    assert unscored.state != "granted"
    assert db_session.scalar(select(MeetingDecision)) is None


def test_the_table_shows_where_the_envelope_runs_out(client, db_session):
    call = open_call("ARM-SMALL", envelope_cents=12_000_00, cap_cents=12_000_00)
    officer = make_user("officer")
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossiers = [
        scored_dossier(call, officer, [ann, bob], applicant=applicant_of(nis)) for nis in ("44021", "11002", "37022")
    ]
    meeting = open_meeting(call.id, call.opens_at.date(), [ann.id], "", officer)
    db_session.commit()
    sign_in(client, officer)
    page = client.get(f"/behandeling/vergaderingen/{meeting.id}").get_data(as_text=True)
    runs_out = page.index("data-runs-out")
    assert (
        page.index(f'data-dossier="{dossiers[1].reference}"')
        < runs_out
        < page.index(f'data-dossier="{dossiers[2].reference}"')
    )
    assert "Hier is de enveloppe op" in page


@pytest.mark.parametrize("role", ["reviewer", "applicant", "finance"])
def test_only_officers_see_or_act_on_a_meeting(app, client, db_session, committee, role):
    meeting = open_meeting(
        committee["call"].id, committee["call"].opens_at.date(), [committee["ann"].id], "", committee["officer"]
    )
    db_session.commit()
    sign_in(client, make_user(role))
    base = f"/behandeling/vergaderingen/{meeting.id}"
    for path in (
        base,
        f"{base}/afsluiten",
        f"{base}/proces-verbaal.pdf",
        f"/behandeling/oproepen/{committee['call'].id}/vergadering",
    ):
        assert client.get(path).status_code == 403
    for path in (f"{base}/afsluiten", f"{base}/beslissen", f"{base}/beslissen/bevestigen"):
        assert client.post(path, data={}).status_code in (400, 403)
    db_session.refresh(meeting)
    assert meeting.state == "open"


def test_the_demo_call_has_a_held_meeting_with_its_minutes(client, db_session):
    from portal.models import Call
    from portal.services.seed import DEMO_CALL_CODE, seed_demo

    seed_demo()
    call = db_session.scalar(select(Call).where(Call.code == DEMO_CALL_CODE))
    (meeting,) = db_session.scalars(select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id)).all()
    assert meeting.state == "closed" and meeting.minutes_name
    assert sorted(d.decision for d in meeting.decisions) == ["grant", "reject"]
    officer = db_session.get(type(meeting.opened_by), meeting.opened_by_id)
    db_session.commit()
    sign_in(client, officer)
    page = client.get(f"/behandeling/oproepen/{call.id}/beslissingen").get_data(as_text=True)
    assert f"/behandeling/vergaderingen/{meeting.id}/proces-verbaal.pdf" in page
    minutes = client.get(f"/behandeling/vergaderingen/{meeting.id}/proces-verbaal.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(minutes.data)).pages).split())
    assert "haalt de minimumscores niet" in text and "Sterk actieplan" in text
