"""The committee and the decisions: reviewers assigned by the officer, blind scoring, conflicts of interest,
grant or reject (one or many), the decision letter, and a partial offer accepted by the applicant."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from portal.models import AuditEntry, Reservation
from portal.services import budget, eligibility, reviews
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import in_review, municipality, open_call, score_everything, scored_dossier, submitted_dossier

CRITERIA = ["regierol", "leernood", "actieplan", "expertise", "participatie", "verankering", "evaluatie"]


# --- helpers -----------------------------------------------------------------------------------


def reviewer(name, organisation=None, locale="nl"):
    """A committee member with a name no other test user's name contains."""
    user = make_user("reviewer", organisation=organisation, locale=locale)
    user.full_name = name
    return user


def applicant_of(nis):
    return make_user("applicant", organisation=municipality(nis))


def dossier_of(call, nis):
    """A submitted dossier of the government `nis` (to Ronse), so that no two dossiers share a pair."""
    return submitted_dossier(call, applicant=applicant_of(nis))


def browser(app, user):
    signed_in = app.test_client()
    sign_in(signed_in, user)
    return signed_in


def after(client, response):
    """The page a post redirects to (where the flash message is shown)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def review_of(application, user):
    return next(r for r in reviews.reviews_of(application) if r.reviewer_id == user.id)


def audit_actions(db_session, entity_type, entity_id):
    return [
        e.action
        for e in db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.id)
        )
    ]


def checked_ids(page):
    return {int(v) for v in re.findall(r'name="reviewers" type="checkbox" value="(\d+)" checked', page)}


def offered_ids(page):
    return {int(v) for v in re.findall(r'name="reviewers" type="checkbox" value="(\d+)"', page)}


def all_scores(value, **changes):
    scores = {f"score_{code}": str(value) for code in CRITERIA}
    scores.update(changes)
    return scores


def pdf_text(data):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


# --- assigning reviewers -------------------------------------------------------------------------


def test_the_officer_is_offered_the_least_busy_reviewers_and_never_one_of_either_government(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    dossier = dossier_of(call, "44021")  # Gent gives, Ronse receives
    eligibility.declare_eligible(dossier.id, officer)
    busy_one, busy_two = reviewer("Bert Bezig"), reviewer("Bea Bezig")
    in_review(dossier_of(call, "11002"), officer, [busy_one, busy_two])  # each has one open review
    free_one, free_two = reviewer("Vera Vrij"), reviewer("Victor Vrij")
    reviewer("Rudy Ronse", organisation=municipality("45041"))
    from_gent = reviewer("Greta Gent", organisation=municipality("44021"))
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"

    page = client.get(base).get_data(as_text=True)
    assert "Nog nodig: 2 beoordelaar(s)" in page
    assert checked_ids(page) == {free_one.id, free_two.id}  # fewest open reviews
    assert offered_ids(page) == {free_one.id, free_two.id, busy_one.id, busy_two.id}
    affiliated = re.search(r"<p class=\"govuk-body\" data-affiliated>(.*?)</p>", page, re.S).group(1)
    assert "Rudy Ronse" in affiliated and "Greta Gent" in affiliated

    token = csrf_token(client, base)
    # An affiliated reviewer posted anyway is refused by name, and nothing is assigned.
    refused = client.post(
        f"{base}/beoordelaars", data={"csrf_token": token, "reviewers": [str(free_one.id), str(from_gent.id)]}
    )
    assert refused.status_code == 400
    assert "Greta Gent is verbonden aan een van beide besturen en kan dit dossier niet beoordelen." in refused.get_data(
        as_text=True
    )
    none = client.post(f"{base}/beoordelaars", data={"csrf_token": token})
    assert none.status_code == 400 and "Kies minstens één beoordelaar" in none.get_data(as_text=True)
    # The refusal page still offers the reviewers to tick, not "no one left to assign".
    assert f'value="{free_one.id}"' in none.get_data(as_text=True)
    assert "Er is geen lid van de selectiecommissie meer" not in none.get_data(as_text=True)
    officer_id = str(officer.id)
    not_a_reviewer = client.post(
        f"{base}/beoordelaars", data={"csrf_token": token, "reviewers": [str(free_one.id), officer_id, "999999"]}
    )
    assert not_a_reviewer.status_code == 400
    assert "Kies alleen actieve leden van de selectiecommissie." in not_a_reviewer.get_data(as_text=True)
    too_few = client.post(f"{base}/beoordelaars", data={"csrf_token": token, "reviewers": [str(free_one.id)]})
    assert too_few.status_code == 400 and "Dit dossier heeft meer beoordelaars nodig" in too_few.get_data(as_text=True)
    db_session.refresh(dossier)
    assert dossier.state == "eligible" and reviews.reviews_of(dossier) == []

    done = client.post(
        f"{base}/beoordelaars", data={"csrf_token": token, "reviewers": [str(free_one.id), str(free_two.id)]}
    )
    assert "De beoordelaars zijn toegewezen." in after(client, done)
    db_session.refresh(dossier)
    assert dossier.state == "in_review"
    assert {r.reviewer_id for r in reviews.reviews_of(dossier)} == {free_one.id, free_two.id}
    assert "application.reviewers_assigned" in audit_actions(db_session, "application", dossier.id)
    assert all("review.assigned" in audit_actions(db_session, "review", r.id) for r in reviews.reviews_of(dossier))


# --- the reviewer's pages ------------------------------------------------------------------------


def test_a_reviewers_list_puts_what_is_still_to_do_apart_from_what_is_done(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    done = in_review(dossier_of(call, "44021"), officer, [ann, bob])
    still_open = in_review(dossier_of(call, "11002"), officer, [ann, bob])
    score_everything(done, ann, 2)
    db_session.commit()
    sign_in(client, ann)
    page = client.get("/beoordeling/").get_data(as_text=True)
    open_table = re.search(r'data-table="open"(.*?)</table>', page, re.S).group(1)
    done_table = re.search(r'data-table="done"(.*?)</table>', page, re.S).group(1)
    assert still_open.reference in open_table and done.reference not in open_table
    assert done.reference in done_table and still_open.reference not in done_table
    assert "Nog te beoordelen" in page and "Al beoordeeld" in page


def test_a_reviewer_sees_only_their_own_reviews(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    ann, bob, carl = reviewer("Ann Analist"), reviewer("Bob Beoordeler"), reviewer("Carl Commissie")
    dossier = in_review(dossier_of(call, "44021"), officer, [ann, bob])
    db_session.commit()
    own, others = review_of(dossier, ann), review_of(dossier, bob)

    sign_in(client, ann)
    dashboard = client.get("/beoordeling/").get_data(as_text=True)
    assert f'data-assignment="{dossier.reference}"' in dashboard and f"/beoordeling/{own.id}" in dashboard
    page = client.get(f"/beoordeling/{own.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Focus op de lokale regierol" in text and "Evaluatieplan" in text and 'name="score_regierol"' in text
    assert client.get(f"/beoordeling/{others.id}").status_code == 404
    token = csrf_token(client, f"/beoordeling/{own.id}")
    assert (
        client.post(f"/beoordeling/{others.id}", data={"csrf_token": token, "save": "x", **all_scores(0)}).status_code
        == 404
    )
    assert (
        client.post(
            f"/beoordeling/{others.id}/belangenconflict", data={"csrf_token": token, "reason": "Ken ik"}
        ).status_code
        == 404
    )
    assert client.get(f"/beoordeling/{others.id}/bijlagen/action_plan").status_code == 404
    plan = client.get(f"/beoordeling/{own.id}/bijlagen/action_plan")
    assert plan.status_code == 200 and plan.data.startswith(b"%PDF")

    outsider = browser(app, carl)
    assert "Er zijn u nog geen dossiers toegewezen" in outsider.get("/beoordeling/").get_data(as_text=True)
    assert outsider.get(f"/beoordeling/{own.id}").status_code == 404
    assert outsider.get(f"/beoordeling/{others.id}").status_code == 404
    db_session.expire_all()
    assert all(r.scores == [] and r.is_open for r in reviews.reviews_of(dossier))


def test_saved_scores_are_kept_and_a_submit_with_a_missing_score_names_it_and_keeps_what_was_typed(client, db_session):
    call = open_call()
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier = in_review(dossier_of(call, "44021"), make_user("officer"), [ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)
    token = csrf_token(client, path)

    saved = client.post(
        path,
        data={"csrf_token": token, "save": "Opslaan en later verdergaan", "score_regierol": "2", "comment_regierol": "Duidelijke regierol", "comment": "Halfweg"},
    )  # fmt: skip
    assert "Uw scores zijn opgeslagen" in after(client, saved)
    page = client.get(path).get_data(as_text=True)
    assert 'name="score_regierol" type="radio" value="2" checked' in page
    assert "Duidelijke regierol" in page and "Halfweg" in page
    db_session.refresh(review)
    assert (
        review.submitted_at is None
        and review.score_of("regierol").score == 2
        and review.score_of("leernood").score is None
    )

    typed = all_scores(3, score_regierol="1")
    del typed["score_evaluatie"]
    incomplete = client.post(
        path, data={"csrf_token": token, "submit_review": "Beoordeling indienen", **typed, "comment_actieplan": "Haalbaar plan", "comment": "Bijna klaar"}
    )  # fmt: skip
    assert incomplete.status_code == 400
    page = incomplete.get_data(as_text=True)
    evaluation = page[page.index('id="criterion-evaluatie"') : page.index('name="comment"')]
    assert "Geef een score voor ‘Evaluatieplan’" in evaluation  # named: the error summary lists them together
    assert (
        "Geef een score voor" not in page[page.index('id="criterion-regierol"') : page.index('id="criterion-leernood"')]
    )
    assert 'name="score_regierol" type="radio" value="1" checked' in page
    assert 'name="score_leernood" type="radio" value="3" checked' in page
    assert "Haalbaar plan" in page and "Bijna klaar" in page
    db_session.refresh(review)
    assert review.submitted_at is None
    assert review.score_of("regierol").score == 1 and review.score_of("evaluatie").score is None
    assert "review.submitted" not in audit_actions(db_session, "review", review.id)


def test_a_score_outside_the_scale_is_refused_without_a_stack_trace(client, db_session):
    call = open_call()
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier = in_review(dossier_of(call, "44021"), make_user("officer"), [ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)
    token = csrf_token(client, path)
    for wrong in ("7", "-1", "veel"):
        response = client.post(
            path,
            data={"csrf_token": token, "submit_review": "Beoordeling indienen", **all_scores(2, score_regierol=wrong)},
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Traceback" not in page and "govuk-error-summary" in page
    db_session.refresh(review)
    assert review.submitted_at is None and review.scores == []


def test_reviews_are_blind_until_submitted_and_the_last_one_in_scores_the_dossier(app, client, db_session):
    call = open_call()
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier = in_review(dossier_of(call, "44021"), make_user("officer"), [ann, bob])
    score_everything(dossier, bob, 3)  # Bob is done first
    db_session.commit()
    own, bobs = review_of(dossier, ann), review_of(dossier, bob)
    path = f"/beoordeling/{own.id}"
    sign_in(client, ann)

    before = client.get(path).get_data(as_text=True)
    assert "Scores van de andere beoordelaars" not in before and 'data-table="other-reviews"' not in before
    assert "Bob Beoordeler" not in before and "data-score" not in before
    assert "De scores van de andere beoordelaars ziet u pas nadat u uw eigen beoordeling hebt ingediend." in before

    token = csrf_token(client, path)
    submitted = client.post(
        path,
        data={"csrf_token": token, "submit_review": "Beoordeling indienen", **all_scores(2), "comment": "Degelijk"},
    )
    page = after(client, submitted)
    assert "Uw beoordeling is ingediend" in page and "Uw scores" in page
    others = page[page.index('data-table="other-reviews"') :]
    assert "Bob Beoordeler" in others[: others.index("</table>")]
    assert 'name="score_regierol"' not in page  # no form any more once submitted

    bobs_page = browser(app, bob).get(f"/beoordeling/{bobs.id}").get_data(as_text=True)
    others = bobs_page[bobs_page.index('data-table="other-reviews"') :]
    assert "Ann Analist" in others[: others.index("</table>")]

    db_session.refresh(dossier)
    assert dossier.state == "scored"
    assert "review.submitted" in audit_actions(db_session, "review", own.id)
    assert "application.scored" in audit_actions(db_session, "application", dossier.id)
    # A submitted review is final.
    again = client.post(path, data={"csrf_token": token, "submit_review": "Beoordeling indienen", **all_scores(0)})
    assert "Deze beoordeling is al ingediend" in after(client, again)
    db_session.refresh(own)
    assert own.score_of("regierol").score == 2


def test_a_conflict_of_interest_needs_a_reason_and_lets_the_officer_assign_someone_else(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    ann, bob, carl = reviewer("Ann Analist"), reviewer("Bob Beoordeler"), reviewer("Carl Commissie")
    dossier = in_review(dossier_of(call, "44021"), officer, [ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)
    token = csrf_token(client, path)

    empty = client.post(f"{path}/belangenconflict", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 400 and "Geef kort de reden van het belangenconflict" in empty.get_data(as_text=True)
    declared = client.post(
        f"{path}/belangenconflict", data={"csrf_token": token, "reason": "Mijn partner werkt bij het OCMW van Ronse"}
    )
    assert declared.status_code == 302 and declared.headers["Location"].endswith("/beoordeling/")
    dashboard = after(client, declared)
    assert "Uw belangenconflict is gemeld" in dashboard and dossier.reference not in dashboard
    assert client.get(path).status_code == 404
    entries = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "review.conflict_declared", AuditEntry.entity_id == str(review.id)
        )
    ).all()
    assert [e.reason for e in entries] == ["Mijn partner werkt bij het OCMW van Ronse"]

    officer_browser = browser(app, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    page = officer_browser.get(base).get_data(as_text=True)
    row = page[page.index('data-review="' + ann.email + '"') :]
    assert "Belangenconflict gemeld" in row[: row.index("</tr>")]
    assert "Beoordelaars toewijzen" in page and "Nog nodig: 1 beoordelaar(s)" in page
    assert offered_ids(page) == {carl.id} and checked_ids(page) == {carl.id}  # Ann and Bob are not offered again
    token = csrf_token(officer_browser, base)
    again = officer_browser.post(f"{base}/beoordelaars", data={"csrf_token": token, "reviewers": [str(ann.id)]})
    assert again.status_code == 400 and "Ann Analist staat al op dit dossier" in again.get_data(as_text=True)
    assigned = officer_browser.post(f"{base}/beoordelaars", data={"csrf_token": token, "reviewers": [str(carl.id)]})
    assert assigned.status_code == 302
    db_session.refresh(dossier)
    assert dossier.state == "in_review"
    carls = review_of(dossier, carl)
    assert browser(app, carl).get(f"/beoordeling/{carls.id}").status_code == 200


# --- decisions -------------------------------------------------------------------------------------


def test_granting_commits_the_amount_and_a_lower_amount_frees_the_rest_for_the_waiting_list(app, client, db_session):
    call = open_call("ARM-SMALL", envelope_cents=12_000_00, cap_cents=12_000_00)
    officer = make_user("officer")
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    first = scored_dossier(call, officer, [ann, bob], applicant=applicant_of("44021"))
    dossier_of(call, "11002")
    waiting = dossier_of(call, "37022")
    assert budget.standing_of(waiting).offer_cents == 1_200_00
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{first.id}"
    page = client.get(base).get_data(as_text=True)
    assert f'action="{base}/toekennen"' in page
    token = csrf_token(client, base)

    too_much = client.post(f"{base}/toekennen", data={"csrf_token": token, "amount": "6.000,00"})
    assert "mag het gereserveerde bedrag niet overschrijden" in after(client, too_much)
    not_money = client.post(f"{base}/toekennen", data={"csrf_token": token, "amount": "veel"})
    assert not_money.status_code == 400 and "Vul een bedrag in euro in" in not_money.get_data(as_text=True)
    db_session.refresh(first)
    assert first.state == "scored" and first.granted_cents is None

    granted = client.post(
        f"{base}/toekennen", data={"csrf_token": token, "amount": "4.000,00", "motivation": "Sterk actieplan"}
    )
    page = after(client, granted)
    assert f"Het dossier {first.reference} is toegekend voor EUR\u00a04.000,00." in page
    assert re.search(r"data-granted>EUR\u00a04\.000,00<", page)
    db_session.refresh(first)
    assert (
        first.state == "granted" and first.granted_cents == 4_000_00 and first.decision_motivation == "Sterk actieplan"
    )
    db_session.refresh(call)
    assert call.committed_cents == 4_000_00
    reservation = db_session.get(Reservation, first.id)
    assert reservation.committed_cents == 4_000_00 and reservation.reserved_cents == 0
    db_session.expire_all()
    assert budget.standing_of(waiting).offer_cents == 2_600_00  # the EUR 1.400,00 not granted went to the waiting list
    assert "application.granted" in audit_actions(db_session, "application", first.id)
    letter = client.get(f"{base}/beslissing.pdf")
    assert letter.mimetype == "application/pdf"
    text = pdf_text(letter.data)
    assert (
        "uw aanvraag is toegekend" in text
        and "EUR 4.000,00" in text
        and "Sterk actieplan" in text
        and first.reference in text
    )
    # Deciding twice is refused.
    twice = client.post(f"{base}/afwijzen", data={"csrf_token": token, "motivation": "Toch niet"})
    assert "Beslissen kan pas als alle beoordelingen binnen zijn" in after(client, twice)
    db_session.refresh(first)
    assert first.state == "granted"


def test_a_rejection_needs_a_motivation_that_the_applicant_reads(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    applicant = applicant_of("44021")
    dossier = scored_dossier(call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")], applicant=applicant)
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    token = csrf_token(client, base)
    empty = client.post(f"{base}/afwijzen", data={"csrf_token": token, "motivation": "   "})
    assert empty.status_code == 400 and "Een negatieve beslissing vraagt een geschreven motivering" in empty.get_data(
        as_text=True
    )
    db_session.refresh(dossier)
    assert dossier.state == "scored"

    motivation = "Het actieplan beschrijft geen concrete stappen voor het ontvangende bestuur."
    rejected = client.post(f"{base}/afwijzen", data={"csrf_token": token, "motivation": motivation})
    assert f"Het dossier {dossier.reference} is afgewezen." in after(client, rejected)
    db_session.refresh(dossier)
    assert dossier.state == "rejected" and dossier.decision_motivation == motivation
    assert budget.standing_of(dossier).standing is None  # its money went back to the envelope
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "application.rejected", AuditEntry.entity_id == str(dossier.id))
    ).all()
    assert [(e.from_state, e.to_state, e.reason) for e in entries] == [("scored", "rejected", motivation)]
    page = browser(app, applicant).get(f"/mijn-dossiers/{dossier.id}").get_data(as_text=True)
    assert motivation in page and "Download de beslissingsbrief (PDF)" in page


def test_a_dossier_below_the_quality_threshold_cannot_be_granted(client, db_session):
    call = open_call()
    officer = make_user("officer")
    dossier = scored_dossier(
        call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")], score=0, applicant=applicant_of("44021")
    )
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"
    page = client.get(base).get_data(as_text=True)
    assert f'action="{base}/toekennen"' not in page and f'action="{base}/afwijzen"' in page
    assert "haalt de kwaliteitsdrempel of een minimumscore niet" in page
    token = csrf_token(client, base)
    refused = client.post(f"{base}/toekennen", data={"csrf_token": token})
    assert "kwaliteitsdrempel" in after(client, refused)
    db_session.refresh(dossier)
    assert dossier.state == "scored" and dossier.granted_cents is None
    assert "application.granted" not in audit_actions(db_session, "application", dossier.id)


def test_a_dossier_on_the_waiting_list_cannot_be_granted_until_money_is_reserved(client, db_session):
    call = open_call("ARM-SMALL", envelope_cents=12_000_00, cap_cents=12_000_00)
    officer = make_user("officer")
    dossier_of(call, "44021")
    dossier_of(call, "11002")
    waiting = scored_dossier(
        call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")], applicant=applicant_of("37022")
    )
    assert budget.standing_of(waiting).standing == "waiting"
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{waiting.id}"
    token = csrf_token(client, base)
    refused = client.post(f"{base}/toekennen", data={"csrf_token": token})
    assert "Voor dit dossier is nog geen budget gereserveerd" in after(client, refused)
    db_session.refresh(waiting)
    assert waiting.state == "scored" and waiting.granted_cents is None
    db_session.refresh(call)
    assert call.committed_cents == 0


def test_several_dossiers_are_decided_at_once_and_a_refused_one_is_named(client, db_session):
    call = open_call()
    officer = make_user("officer")
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    good = [scored_dossier(call, officer, [ann, bob], applicant=applicant_of(nis)) for nis in ("44021", "11002")]
    weak = scored_dossier(call, officer, [ann, bob], score=0, applicant=applicant_of("37022"))
    other = scored_dossier(call, officer, [ann, bob], applicant=applicant_of("31005"))
    db_session.commit()
    sign_in(client, officer)
    path = f"/behandeling/oproepen/{call.id}/beslissingen"
    page = client.get(path).get_data(as_text=True)
    for dossier in [*good, weak, other]:
        assert f'data-dossier="{dossier.reference}"' in page
    token = csrf_token(client, path)

    no_reason = client.post(
        path, data={"csrf_token": token, "dossiers": [str(other.id)], "decision": "reject", "motivation": ""}
    )
    assert (
        no_reason.status_code == 400
        and "Een negatieve beslissing vraagt een geschreven motivering" in no_reason.get_data(as_text=True)
    )
    nothing = client.post(path, data={"csrf_token": token, "decision": "grant"})
    assert nothing.status_code == 400 and "Kies minstens één dossier" in nothing.get_data(as_text=True)

    chosen = [str(d.id) for d in (*good, weak)]
    page = after(client, client.post(path, data={"csrf_token": token, "dossiers": chosen, "decision": "grant"}))
    assert f"Toegekend: {good[0].reference}, {good[1].reference}." in page
    assert f"{weak.reference}: Het dossier haalt de kwaliteitsdrempel" in page
    for dossier in good:
        db_session.refresh(dossier)
        assert dossier.state == "granted" and dossier.granted_cents == dossier.requested_cents
        assert "application.granted" in audit_actions(db_session, "application", dossier.id)
    db_session.refresh(weak)
    assert weak.state == "scored"

    motivation = "De enveloppe is voor deze ronde volledig besteed."
    page = after(
        client,
        client.post(
            path,
            data={
                "csrf_token": token,
                "dossiers": [str(weak.id), str(other.id)],
                "decision": "reject",
                "motivation": motivation,
            },
        ),
    )
    assert f"Afgewezen: {weak.reference}, {other.reference}." in page
    for dossier in (weak, other):
        db_session.refresh(dossier)
        assert dossier.state == "rejected" and dossier.decision_motivation == motivation
        assert "application.rejected" in audit_actions(db_session, "application", dossier.id)
    assert "Er zijn geen beoordeelde dossiers die op een beslissing wachten." in page


# --- the decision letter -----------------------------------------------------------------------------


def test_the_decision_letter_is_a_pdf_for_the_officer_and_the_parties_only_after_a_decision(app, client, db_session):
    call = open_call()
    officer = make_user("officer")
    applicant = applicant_of("44021")
    dossier = scored_dossier(call, officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")], applicant=applicant)
    db_session.commit()
    sign_in(client, officer)
    applicant_browser = browser(app, applicant)
    stranger = browser(app, applicant_of("37022"))  # Tielt is no party to it
    officer_letter = f"/behandeling/dossiers/{dossier.id}/beslissing.pdf"
    applicant_letter = f"/mijn-dossiers/{dossier.id}/beslissing.pdf"
    assert client.get(officer_letter).status_code == 404
    assert applicant_browser.get(applicant_letter).status_code == 404

    motivation = "Het project verankert de aanpak niet bij het ontvangende bestuur."
    base = f"/behandeling/dossiers/{dossier.id}"
    token = csrf_token(client, base)
    assert client.post(f"{base}/afwijzen", data={"csrf_token": token, "motivation": motivation}).status_code == 302
    assert "Download de beslissingsbrief (PDF)" in client.get(base).get_data(as_text=True)

    for response in (client.get(officer_letter), applicant_browser.get(applicant_letter)):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        text = pdf_text(response.data)
        assert dossier.reference in text and motivation in text and "Raad van State" in text
        assert "afgewezen" in text
    assert stranger.get(applicant_letter).status_code == 404
    # Made once and kept: the second download is the same document.
    assert client.get(officer_letter).data == applicant_browser.get(applicant_letter).data


# --- a partial offer -------------------------------------------------------------------------------


def test_the_first_waiting_dossier_accepts_the_partial_offer_it_saw(app, client, db_session):
    call = open_call("ARM-SMALL", envelope_cents=12_000_00, cap_cents=12_000_00)
    gent = applicant_of("44021")
    submitted_dossier(call, applicant=gent)
    submitted_dossier(call, applicant=applicant_of("11002"))
    tielt = applicant_of("37022")
    third = submitted_dossier(call, applicant=tielt)
    assert third.requested_cents == 5_400_00
    assert budget.standing_of(third).standing == "waiting" and budget.standing_of(third).offer_cents == 1_200_00
    db_session.commit()
    sign_in(client, tielt)
    path = f"/mijn-dossiers/{third.id}"
    page = client.get(path).get_data(as_text=True)
    assert "data-offer" in page and "Er is nog EUR\u00a01.200,00 vrij van de EUR\u00a05.400,00 die u vraagt" in page
    assert 'name="offer_cents" value="120000"' in page and "Het aangeboden bedrag aanvaarden" in page
    token = csrf_token(client, path)

    stale = client.post(f"{path}/aanbod-aanvaarden", data={"csrf_token": token, "offer_cents": "100000"})
    assert "Het aanbod is intussen gewijzigd" in after(client, stale)
    db_session.expire_all()
    assert budget.standing_of(third).standing == "waiting" and budget.standing_of(third).accepted_cents is None

    other_government = browser(app, gent)
    their_token = csrf_token(other_government, "/mijn-dossiers/")
    assert other_government.get(path).status_code == 404
    assert (
        other_government.post(
            f"{path}/aanbod-aanvaarden", data={"csrf_token": their_token, "offer_cents": "120000"}
        ).status_code
        == 404
    )
    db_session.expire_all()
    assert budget.standing_of(third).standing == "waiting"

    accepted = client.post(f"{path}/aanbod-aanvaarden", data={"csrf_token": token, "offer_cents": "120000"})
    page = after(client, accepted)
    assert "U hebt het aangeboden bedrag aanvaard" in page and "data-offer" not in page
    db_session.expire_all()
    standing = budget.standing_of(third)
    assert (
        standing.standing == "reserved" and standing.reserved_cents == 1_200_00 and standing.accepted_cents == 1_200_00
    )
    db_session.refresh(call)
    assert call.reserved_cents == 12_000_00
    assert "budget.offer_accepted" in audit_actions(db_session, "application", third.id)


# --- in English ----------------------------------------------------------------------------------


def test_an_english_speaking_reviewer_scores_in_english(client, db_session):
    call = open_call()
    ann, bob = reviewer("Ann Analist", locale="en"), reviewer("Bob Beoordeler")
    dossier = in_review(dossier_of(call, "44021"), make_user("officer"), [ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)
    page = client.get(path).get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Focus on the local directing role" in page and "Evaluation plan" in page
    assert "Focus op de lokale regierol" not in page
    token = csrf_token(client, path)
    submitted = client.post(path, data={"csrf_token": token, "submit_review": "Submit", **all_scores(3)})
    assert submitted.status_code == 302
    db_session.refresh(review)
    assert review.submitted_at is not None and review.score_of("evaluatie").score == 3


def test_a_field_error_on_a_dutch_page_is_announced_in_dutch(client, db_session):
    call = open_call()
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier = in_review(dossier_of(call, "44021"), make_user("officer"), [ann, bob])
    db_session.commit()
    path = f"/beoordeling/{review_of(dossier, ann).id}"
    sign_in(client, ann)
    token = csrf_token(client, path)
    typed = all_scores(2)
    del typed["score_evaluatie"]
    page = client.post(path, data={"csrf_token": token, "submit_review": "Beoordeling indienen", **typed}).get_data(
        as_text=True
    )
    assert '<html lang="nl"' in page
    assert '<span class="govuk-visually-hidden">Fout:</span> Geef een score voor ‘Evaluatieplan’' in page
    assert '<span class="govuk-visually-hidden">Error:</span>' not in page
