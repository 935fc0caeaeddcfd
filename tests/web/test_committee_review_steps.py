"""A reviewer's working day in steps: the conflict-of-interest question before the scores, the scores
beside the dossier with what each level means, a page to check them before the final submit, and the
officer who sees every review's scores and comments only once all reviews are in."""

import re

from sqlalchemy import select

from portal.models import AuditEntry, Call
from portal.services import reviews
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import in_review, municipality, open_call, score_everything, submitted_dossier
from tests.web.test_calls import call_form

CRITERIA = ["regierol", "leernood", "actieplan", "expertise", "participatie", "verankering", "evaluatie"]


def reviewer(name, organisation=None, locale="nl"):
    user = make_user("reviewer", organisation=organisation, locale=locale)
    user.full_name = name
    return user


def dossier_in_review(reviewers, nis="44021"):
    officer = make_user("officer")
    dossier = in_review(
        submitted_dossier(open_call(), applicant=make_user("applicant", organisation=municipality(nis))),
        officer,
        reviewers,
    )
    return dossier, officer


def review_of(application, user):
    return next(r for r in reviews.reviews_of(application) if r.reviewer_id == user.id)


def all_scores(value, **changes):
    return {**{f"score_{code}": str(value) for code in CRITERIA}, **changes}


def after(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def actions(db_session, review):
    entries = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "review", AuditEntry.entity_id == str(review.id))
        .order_by(AuditEntry.id)
    )
    return [e.action for e in entries]


def section(page, start, end):
    """From `start` to the first `end` after it."""
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def test_the_conflict_question_comes_before_the_scores(client, db_session):
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier, _ = dossier_in_review([ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)

    question = client.get(path).get_data(as_text=True)
    assert "Hebt u een belangenconflict met een van beide besturen?" in question
    assert 'name="has_conflict"' in question and 'name="score_regierol"' not in question
    assert dossier.organisation.name in question  # the hint names both governments
    token = csrf_token(client, path)

    # Scores posted before the question is answered are not kept.
    early = client.post(path, data={"csrf_token": token, "save": "Opslaan", **all_scores(2)})
    assert "Beantwoord eerst de vraag over een belangenconflict." in after(client, early)
    early_submit = client.post(f"{path}/indienen", data={"csrf_token": token})
    assert "Beantwoord eerst de vraag over een belangenconflict." in after(client, early_submit)
    db_session.refresh(review)
    assert review.scores == [] and review.submitted_at is None

    answered = client.post(f"{path}/belangenconflict", data={"csrf_token": token, "has_conflict": "no"})
    assert "Geef nu uw scores" in after(client, answered)
    db_session.refresh(review)
    assert review.no_conflict_declared_at is not None and review.is_open
    assert "review.no_conflict_declared" in actions(db_session, review)

    scoring = client.get(path).get_data(as_text=True)
    assert 'name="score_regierol"' in scoring and "data-scoring-panel" in scoring
    assert 'name="has_conflict"' not in scoring
    # The levels of the call's rubric are the options' hints, per criterion.
    regie = section(scoring, 'id="criterion-regierol"', 'id="criterion-leernood"')
    assert "Het project raakt de lokale regierol niet" in regie and "Het plan bouwt de volledige regierol uit" in regie
    assert "Het project raakt de lokale regierol niet" not in section(
        scoring, 'id="criterion-leernood"', 'id="criterion-actieplan"'
    )

    # A conflict seen only while scoring can still be declared, from the same question.
    again = client.get(f"{path}/belangenconflict").get_data(as_text=True)
    assert re.search(r'name="has_conflict" type="radio" value="no" checked', again)
    declared = client.post(
        f"{path}/belangenconflict",
        data={"csrf_token": token, "has_conflict": "yes", "reason": "Mijn zus werkt in Gent"},
    )
    assert "Uw belangenconflict is gemeld" in after(client, declared)
    assert client.get(path).status_code == 404


def test_scores_are_checked_on_a_page_of_their_own_and_only_the_final_step_submits(app, client, db_session):
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier, _ = dossier_in_review([ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)
    token = csrf_token(client, path)
    client.post(f"{path}/belangenconflict", data={"csrf_token": token, "has_conflict": "no"})

    # Without a complete draft the check page sends the reviewer back.
    assert "Geef eerst een score voor elk criterium." in after(client, client.get(f"{path}/controleren"))

    checked = client.post(
        path,
        data={
            "csrf_token": token,
            "check": "Opslaan en controleren",
            **all_scores(2, score_regierol="3"),
            "comment_regierol": "Sterke regie",
            "comment": "Goed dossier",
        },
    )
    assert checked.status_code == 302 and checked.headers["Location"].endswith(f"{path}/controleren")
    db_session.refresh(review)
    assert review.submitted_at is None and review.score_of("regierol").score == 3  # a draft, not submitted
    assert "review.submitted" not in actions(db_session, review)

    page = client.get(f"{path}/controleren").get_data(as_text=True)
    assert "Controleer uw beoordeling van" in page
    regie = section(page, 'data-criterion="regierol"', 'data-criterion="leernood"')
    assert "Score 3" in regie and "Het plan bouwt de volledige regierol uit" in regie and "Sterke regie" in regie
    assert f'href="{path}#criterion-regierol">Wijzigen' in regie
    assert "Goed dossier" in page and f'action="{path}/indienen"' in page

    # Changing a score goes back to the form with everything kept.
    form = client.get(path).get_data(as_text=True)
    assert 'name="score_regierol" type="radio" value="3" checked' in form and "Sterke regie" in form

    submitted = client.post(f"{path}/indienen", data={"csrf_token": token})
    assert "Uw beoordeling is ingediend" in after(client, submitted)
    db_session.refresh(review)
    assert review.submitted_at is not None
    assert actions(db_session, review).count("review.submitted") == 1
    assert client.get(f"{path}/controleren").status_code == 302  # nothing left to check


def test_the_final_submit_without_saved_scores_names_every_missing_criterion(client, db_session):
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier, _ = dossier_in_review([ann, bob])
    db_session.commit()
    review = review_of(dossier, ann)
    path = f"/beoordeling/{review.id}"
    sign_in(client, ann)
    token = csrf_token(client, path)
    client.post(f"{path}/belangenconflict", data={"csrf_token": token, "has_conflict": "no"})
    client.post(path, data={"csrf_token": token, "save": "Opslaan", "score_regierol": "2"})

    refused = client.post(f"{path}/indienen", data={"csrf_token": token})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    summary = page[page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))]
    assert (
        "Geef een score voor ‘Evaluatieplan’" in summary
        and "Geef een score voor ‘Leernood van het ontvangende bestuur’" in summary
    )
    assert "Focus op de lokale regierol’" not in summary  # the one that was scored
    assert 'name="score_regierol" type="radio" value="2" checked' in page
    db_session.refresh(review)
    assert review.submitted_at is None and "review.submitted" not in actions(db_session, review)

    # A post without its token submits nothing either.
    assert client.post(f"{path}/indienen", data={}).status_code == 400


def test_the_officer_sees_every_review_only_once_all_are_in(app, client, db_session):
    ann, bob = reviewer("Ann Analist"), reviewer("Bob Beoordeler")
    dossier, officer = dossier_in_review([ann, bob])
    own = review_of(dossier, ann)
    reviews.declare_no_conflict(own.id, ann)
    reviews.save_scores(
        own.id, ann, {code: (3, "Sterk punt" if code == "actieplan" else "") for code in CRITERIA}, "Uitstekend plan"
    )
    reviews.submit_review(own.id, ann, own.assigned_at)
    db_session.commit()
    sign_in(client, officer)
    base = f"/behandeling/dossiers/{dossier.id}"

    page = client.get(base).get_data(as_text=True)
    assert "1 van de 2 beoordelingen is binnen." in page
    assert 'data-table="review-scores"' not in page and "data-score-percent" not in page
    assert "Uitstekend plan" not in page and "Sterk punt" not in page

    score_everything(dossier, bob, 0)
    db_session.commit()
    page = client.get(base).get_data(as_text=True)
    assert "beoordelingen is binnen" not in page and "beoordelingen zijn binnen" not in page
    table = section(page, 'data-table="review-scores"', "</table>")
    assert "Ann Analist" in table and "Bob Beoordeler" in table
    actieplan = table[table.index("Kwaliteit en haalbaarheid van het actieplan") :]
    assert re.findall(r">\s*(\d)\s*<", actieplan[: actieplan.index("</tr>")]) == ["3", "0"]
    comments = section(page, f'data-review-comments="{ann.email}"', "</dl>")
    assert "Sterk punt" in comments and "Uitstekend plan" in comments
    assert "Grote spreiding tussen beoordelaars" in page  # 3s against 0s: the spread flag


def test_the_officer_writes_what_each_score_means_where_the_rubric_is_edited(client, db_session):
    sign_in(client, make_user("officer"))
    token = csrf_token(client, "/behandeling/oproepen/nieuw")
    levels = ["Geen regie", "Wat regie", "Goede regie", "Sterke regie", "Voorbeeldige regie", "Uitmuntende regie"]
    short = client.post(
        "/behandeling/oproepen/nieuw",
        data=call_form(token, **{"criteria-0-level_descriptions_nl": "Geen regie\nWat regie"}),
    )
    assert short.status_code == 400
    assert "Geef bij ‘Regierol’ één regel per score: 6 regels, van 0 tot 5" in short.get_data(as_text=True)
    created = client.post(
        "/behandeling/oproepen/nieuw",
        data=call_form(
            token,
            **{"criteria-0-level_descriptions_nl": "\n".join(levels) + "\n\n", "criteria-0-level_descriptions_en": ""},
        ),
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2027"))
    criterion = call.criteria[0]
    assert criterion.level_descriptions_nl == levels and criterion.level_descriptions_en == []
    assert criterion.level_description(3, "nl") == "Sterke regie" and criterion.level_description(3, "en") == ""
    page = client.get(f"/behandeling/oproepen/{call.id}").get_data(as_text=True)
    assert "Geen regie\nWat regie\nGoede regie" in page  # shown again one per line
