"""Matchmaking through a government's pages: registering offers and needs, answering a proposal,
starting the pre-filled application; the public overview of offers. Every refusal is in Dutch and
keeps what was typed; another government's offer, need or match is not found."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.models import Application, AuditEntry, Call, Notification
from portal.models.matching import Match, Need, Offer
from portal.services import matching
from portal.services.seed import sample_need, sample_offer
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import municipality, open_call

OFFER_URL = "/mijn-dossiers/samenwerking/aanbod/nieuw"
NEED_URL = "/mijn-dossiers/samenwerking/vragen/nieuw"


@pytest.fixture
def people(db_session):
    return {
        "gent": make_user("applicant", organisation=municipality("44021")),
        "ronse": make_user("applicant", organisation=municipality("45041")),
        "tielt": make_user("applicant", organisation=municipality("37022")),
        "matcher": make_user("matcher"),
    }


def browser(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def offer_form(token, **changes):
    data = {
        "csrf_token": token,
        "themes": ["lokale_regie", "participatie"],
        "approach": "Ons armoedeplan kwam tot stand met een klankbordgroep.",
        "inhabitants": "265000",
        "available_month": "9",
        "available_year": "2027",
        "months_available": "4",
        "time_share": "50",
        "contact_name": "Greet Gent",
        "contact_email": "Greet@Gent.example",
        "profiles-0-full_name": "Mona Mentor",
        "profiles-0-function": "Beleidsmedewerker armoede",
        "profiles-0-years_experience": "11",
        "profiles-0-drew_up_plan": "yes",
        "profiles-0-plan_description": "Lokaal armoedeplan Gent 2020-2025",
        "profiles-0-plan_year": "2020",
        "save": "Aanbod opslaan",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def need_form(token, **changes):
    data = {
        "csrf_token": token,
        "themes": ["lokale_regie"],
        "context": "Eén medewerker doet het armoedebeleid naast andere taken.",
        "goals": "Een eerste lokaal armoedeplan.",
        "inhabitants": "26000",
        "staff_fte": "0,5",
        "contact_name": "Rik Ronse",
        "contact_email": "rik@ronse.example",
        "save": "Vraag opslaan",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_government_registers_an_offer_with_two_mentor_profiles(app, db_session, people):
    gent = browser(app, people["gent"])
    token = csrf_token(gent, OFFER_URL)
    # "Add another profile" shows the form again with what was typed and a second, empty profile.
    page = gent.post(OFFER_URL, data=offer_form(token, save=None, add_profile="Nog een mentorprofiel toevoegen"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Mona Mentor"' in html and 'name="profiles-1-function"' in html
    assert db_session.scalar(select(Offer.id)) is None  # nothing saved yet

    extra = {
        "profiles-1-full_name": "",
        "profiles-1-function": "Teamverantwoordelijke welzijn",
        "profiles-1-years_experience": "6",
        "profiles-1-drew_up_plan": "no",
    }
    response = gent.post(OFFER_URL, data=offer_form(token, **extra))
    assert response.status_code == 302
    offer = db_session.scalar(select(Offer))
    assert offer.organisation_id == people["gent"].organisation_id
    assert offer.time_share_bp == 5_000 and offer.available_from_on.isoformat() == "2027-09-01"
    assert offer.contact_email == "greet@gent.example"
    assert [(p.function, p.years_experience, p.drew_up_plan) for p in offer.profiles] == [
        ("Beleidsmedewerker armoede", 11, True),
        ("Teamverantwoordelijke welzijn", 6, False),
    ]
    assert db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "offer.registered", AuditEntry.entity_id == str(offer.id))
    )
    told = db_session.scalars(select(Notification).where(Notification.event == "offer_registered")).all()
    assert [n.email for n in told] == [people["matcher"].email]
    overview = gent.get("/mijn-dossiers/samenwerking").get_data(as_text=True)
    assert "Lokale regie; Participatief werken met mensen in armoede" in overview
    assert "Vanaf september 2027, 4 maanden" in overview


def test_an_incomplete_offer_is_refused_in_dutch_and_keeps_what_was_typed(app, db_session, people):
    gent = browser(app, people["gent"])
    token = csrf_token(gent, OFFER_URL)
    response = gent.post(
        OFFER_URL,
        data=offer_form(
            token, themes=None, time_share="zestig", **{"profiles-0-function": "", "profiles-0-plan_description": ""}
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Er is een probleem" in html
    for message in (
        "Kies minstens één thema",
        "Vul een percentage in, bijvoorbeeld 50 of 33,33",
        "Vul de functie van de mentor in",
        "Vul in welk plan de mentor opstelde",
    ):
        assert message in html
    assert "Ons armoedeplan kwam tot stand met een klankbordgroep." in html
    assert 'value="zestig"' in html and 'value="Mona Mentor"' in html
    assert db_session.scalar(select(Offer.id)) is None


def test_a_marked_profile_is_removed_and_an_added_empty_one_ignored(app, db_session, people):
    gent = browser(app, people["gent"])
    token = csrf_token(gent, OFFER_URL)
    two = {
        "profiles-1-function": "Teamverantwoordelijke",
        "profiles-1-years_experience": "3",
        "profiles-1-drew_up_plan": "no",
        "profiles-2-function": "",
    }
    assert gent.post(OFFER_URL, data=offer_form(token, remove_profile="0", **two)).status_code == 302
    offer = db_session.scalar(select(Offer))
    assert [(p.position, p.function) for p in offer.profiles] == [(1, "Teamverantwoordelijke")]


def test_a_need_is_registered_changed_and_withdrawn(app, db_session, people):
    ronse = browser(app, people["ronse"])
    token = csrf_token(ronse, NEED_URL)
    refused = ronse.post(NEED_URL, data=need_form(token, staff_fte="een halve", goals=""))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Vul een aantal VTE in, bijvoorbeeld 0,5 of 2" in html and "Beschrijf wat u wilt bereiken" in html
    assert 'value="een halve"' in html and "Eén medewerker doet het armoedebeleid naast andere taken." in html

    assert ronse.post(NEED_URL, data=need_form(token)).status_code == 302
    need = db_session.scalar(select(Need))
    assert (need.inhabitants, need.staff_fte_tenths, need.state) == (26_000, 5, "open")

    edit_url = f"/mijn-dossiers/samenwerking/vragen/{need.id}"
    assert 'value="0,5"' in ronse.get(edit_url).get_data(as_text=True)
    assert (
        ronse.post(
            edit_url, data=need_form(token, staff_fte="1,5", themes=["lokale_regie", "impactmeting"])
        ).status_code
        == 302
    )
    db_session.refresh(need)
    assert need.staff_fte_tenths == 15 and need.theme_codes == ["lokale_regie", "impactmeting"]

    withdrawn = ronse.post(f"{edit_url}/intrekken", data={"csrf_token": token}, follow_redirects=True)
    assert "Uw vraag is ingetrokken." in withdrawn.get_data(as_text=True)
    db_session.refresh(need)
    assert need.state == "withdrawn" and need.withdrawn_at is not None
    # A withdrawn need is kept as it was.
    after = ronse.post(edit_url, data=need_form(token, goals="Iets anders"), follow_redirects=True)
    assert "Deze vraag is niet meer open en kan niet meer worden gewijzigd." in after.get_data(as_text=True)
    db_session.refresh(need)
    assert need.goals == "Een eerste lokaal armoedeplan."


def test_withdrawing_an_offer_cancels_its_waiting_proposals(app, db_session, people):
    offer = sample_offer(people["gent"], ["lokale_regie"])
    need = sample_need(people["ronse"], ["lokale_regie"])
    match = matching.propose(need.id, offer.id, people["matcher"], "", utcnow())
    gent = browser(app, people["gent"])
    token = csrf_token(gent, "/mijn-dossiers/samenwerking")
    response = gent.post(
        f"/mijn-dossiers/samenwerking/aanbod/{offer.id}/intrekken", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Voorstellen die nog op antwoord wachtten, zijn vervallen." in response.get_data(as_text=True)
    db_session.refresh(match)
    assert match.state == "cancelled"
    assert {
        n.email for n in db_session.scalars(select(Notification).where(Notification.event == "match_cancelled"))
    } == {
        people["gent"].email,
        people["ronse"].email,
    }


def test_another_governments_offer_need_and_match_are_not_found(app, db_session, people):
    offer = sample_offer(people["gent"], ["lokale_regie"])
    need = sample_need(people["ronse"], ["lokale_regie"])
    match = matching.propose(need.id, offer.id, people["matcher"], "", utcnow())
    tielt = browser(app, people["tielt"])
    token = csrf_token(tielt, "/mijn-dossiers/samenwerking")
    for url in (
        f"/mijn-dossiers/samenwerking/aanbod/{offer.id}",
        f"/mijn-dossiers/samenwerking/vragen/{need.id}",
        f"/mijn-dossiers/samenwerking/matches/{match.id}",
        f"/mijn-dossiers/samenwerking/matches/{match.id}/aanvraag",
    ):
        assert tielt.get(url).status_code == 404, url
    for url in (
        f"/mijn-dossiers/samenwerking/aanbod/{offer.id}/intrekken",
        f"/mijn-dossiers/samenwerking/vragen/{need.id}/intrekken",
        f"/mijn-dossiers/samenwerking/matches/{match.id}",
    ):
        assert tielt.post(url, data={"csrf_token": token, "answer": "declined"}).status_code == 404, url
    # The receiving government reads the offer but can not edit it.
    assert browser(app, people["ronse"]).get(f"/mijn-dossiers/samenwerking/aanbod/{offer.id}").status_code == 404
    db_session.refresh(match)
    assert match.state == "proposed" and offer.state == "open" and need.state == "open"


def test_both_governments_accept_and_the_giving_one_starts_a_prefilled_application(app, db_session, people):
    call = open_call()
    offer = sample_offer(people["gent"], ["lokale_regie", "participatie", "grondrechten"], profiles=2)
    need = sample_need(
        people["ronse"], ["lokale_regie", "participatie", "impactmeting"], contact_email="armoede@ronse.example"
    )
    match = matching.propose(need.id, offer.id, people["matcher"], "Gent kent de regierol door en door.", utcnow())
    url = f"/mijn-dossiers/samenwerking/matches/{match.id}"
    gent, ronse = browser(app, people["gent"]), browser(app, people["ronse"])

    page = gent.get(url).get_data(as_text=True)
    assert "Gent kent de regierol door en door." in page and "Gaat uw bestuur in op dit voorstel?" in page
    # No answer chosen: refused in Dutch.
    token = csrf_token(gent, url)
    refused = gent.post(url, data={"csrf_token": token})
    assert refused.status_code == 400 and "Kies of u de match aanvaardt" in refused.get_data(as_text=True)

    accepted = gent.post(url, data={"csrf_token": token, "answer": "accepted"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "U hebt het voorstel aanvaard." in accepted
    assert "Aanvraag starten" not in accepted
    assert "1 voorstel wacht op uw antwoord." in ronse.get("/mijn-dossiers/samenwerking").get_data(as_text=True)
    confirmed = ronse.post(
        url, data={"csrf_token": csrf_token(ronse, url), "answer": "accepted"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "De match is bevestigd: beide besturen hebben aanvaard." in confirmed
    db_session.refresh(match)
    db_session.refresh(need)
    assert match.state == "confirmed" and need.state == "matched"
    # Only the giving government starts the application.
    assert ronse.get(f"{url}/aanvraag").status_code == 404

    start_url = f"{url}/aanvraag"
    html = gent.get(start_url).get_data(as_text=True)
    assert call.title("nl") in html
    # No call chosen, or a call that is closed: refused in Dutch, nothing started.
    token = csrf_token(gent, start_url)
    closed = db_session.scalar(select(Call).where(Call.code == "ARM-2022"))
    for posted, message in (({}, "Kies een oproep"), ({"call_id": str(closed.id)}, "Kies een oproep die open is")):
        refused = gent.post(start_url, data={"csrf_token": token, **posted})
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert db_session.scalar(select(Match.application_id).where(Match.id == match.id)) is None
    started = gent.post(start_url, data={"csrf_token": csrf_token(gent, start_url), "call_id": str(call.id)})
    assert started.status_code == 302
    application = db_session.scalar(
        select(Application).where(Application.organisation_id == people["gent"].organisation_id)
    )
    assert started.headers["Location"].endswith(f"/mijn-dossiers/{application.id}")
    assert application.state == "draft" and application.receiving_organisation_id == people["ronse"].organisation_id
    assert application.receiving_contact_email == "armoede@ronse.example"
    assert application.theme_codes == ["lokale_regie", "participatie"]
    assert [m.full_name for m in application.mentors] == [p.full_name for p in offer.profiles]
    assert all(
        m.time_share_bp == 5_000 and m.theme_codes == ["lokale_regie", "participatie"] for m in application.mentors
    )
    # Starting again leads to the same draft, not a second one.
    again = gent.post(start_url, data={"csrf_token": csrf_token(gent, url), "call_id": str(call.id)})
    assert again.headers["Location"].endswith(f"/mijn-dossiers/{application.id}")
    assert db_session.scalar(select(Match.application_id).where(Match.id == match.id)) == application.id


def test_a_declined_proposal_keeps_the_reason_and_tells_the_others(app, db_session, people):
    offer = sample_offer(people["gent"], ["lokale_regie"])
    need = sample_need(people["ronse"], ["lokale_regie"])
    match = matching.propose(need.id, offer.id, people["matcher"], "", utcnow())
    url = f"/mijn-dossiers/samenwerking/matches/{match.id}"
    ronse = browser(app, people["ronse"])
    token = csrf_token(ronse, url)
    page = ronse.post(
        url,
        data={"csrf_token": token, "answer": "declined", "reason": "Wij zoeken een bestuur in onze regio."},
        follow_redirects=True,
    )
    assert "U hebt het voorstel afgewezen." in page.get_data(as_text=True)
    db_session.refresh(match)
    assert match.state == "declined" and match.decline_reason == "Wij zoeken een bestuur in onze regio."
    told = db_session.scalars(select(Notification).where(Notification.event == "match_declined")).all()
    assert {n.email for n in told} == {people["gent"].email, people["matcher"].email}
    # Answering again is refused politely.
    again = ronse.post(url, data={"csrf_token": token, "answer": "accepted"}, follow_redirects=True)
    assert "Op dit voorstel kan niet meer worden geantwoord" in again.get_data(as_text=True)


def test_the_public_overview_shows_each_open_offer_once_with_its_themes_and_no_personal_data(
    app, client, db_session, people
):
    offer = sample_offer(
        people["gent"], ["participatie", "impactmeting"], profiles=2, contact_email="greet@gent.example"
    )
    withdrawn = sample_offer(people["tielt"], ["impactmeting"])
    matching.withdraw_offer(withdrawn, people["tielt"], utcnow())
    response = client.get("/aanbod")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count(f'data-public-offer="{offer.id}"') == 1  # once, though it has two themes
    assert f'data-public-offer="{withdrawn.id}"' not in html
    card = re.search(rf'data-public-offer="{offer.id}">(.*?)</dl>', html, re.S).group(1)
    assert "Gent (Oost-Vlaanderen)" in card and "Participatie" in card and "Impactmeting" in card
    assert "Beleidsmedewerker armoede: 9 jaar ervaring; stelde een lokaal armoedeplan op" in card
    # One theme at a time: the offer under a theme it has, nothing under one it has not.
    assert f'data-public-offer="{offer.id}"' in client.get("/aanbod?thema=impactmeting").get_data(as_text=True)
    other = client.get("/aanbod?thema=lokale_regie").get_data(as_text=True)
    assert "Voor dit thema is er nog geen aanbod." in other and "data-public-offer" not in other
    assert client.get("/aanbod?thema=%3Cscript%3E").status_code == 200  # an unknown theme shows all
    for personal in [p.full_name for p in offer.profiles] + ["greet@gent.example", people["gent"].full_name]:
        assert personal not in html
    english = app.test_client()
    english.post("/taal", data={"csrf_token": csrf_token(english, "/aanbod"), "language": "en", "next": "/aanbod"})
    assert "Offers of expertise" in english.get("/aanbod").get_data(as_text=True)


def test_in_the_demo_the_matcher_finds_theme_sharing_offers_first_and_a_confirmed_match_becomes_a_draft(
    app, db_session
):
    from portal.models import User
    from portal.services.seed import seed_demo

    seed_demo()
    seed_demo()  # idempotent: no second set of offers and needs
    assert len(db_session.scalars(select(Offer)).all()) == 4 and len(db_session.scalars(select(Need)).all()) == 4
    user = {u.email: u for u in db_session.scalars(select(User))}
    matcher = browser(app, user["matcher@vvsg.demo"])
    dashboard = matcher.get("/matching/").get_data(as_text=True)
    # Aartselaar (14.800 inhabitants, 0,3 FTE) is the first need, with its priority and reasons.
    first_need = re.search(r'href="/matching/vragen/(\d+)"', dashboard)
    aartselaar = db_session.scalar(select(Need).where(Need.organisation.has(nis_code="11001")))
    assert first_need.group(1) == str(aartselaar.id)
    assert "Voorrang: klein bestuur met weinig personeel" in dashboard
    page = matcher.get(f"/matching/vragen/{aartselaar.id}").get_data(as_text=True)
    ranked = re.findall(r'data-ranked-offer="(\d+)"', page)
    sharing = {o.id for o in db_session.scalars(select(Offer)) if set(o.theme_codes) & set(aartselaar.theme_codes)}
    assert sharing and set(ranked[: len(sharing)]) == {str(i) for i in sharing}  # the theme-sharing offers on top
    assert "1 gedeeld thema: Lokale regie" in page and "1 gedeeld thema: Organisatorische inbedding" in page

    # Mechelen and Leuven confirmed theirs: Leuven starts the application, pre-filled.
    confirmed = db_session.scalar(select(Match).where(Match.state == "confirmed"))
    leuven = browser(app, user["aanvrager@leuven.demo"])
    start_url = f"/mijn-dossiers/samenwerking/matches/{confirmed.id}/aanvraag"
    response = leuven.post(
        start_url, data={"csrf_token": csrf_token(leuven, start_url), "call_id": str(open_call("ARM-DEMO").id)}
    )
    assert response.status_code == 302
    db_session.refresh(confirmed)
    draft = db_session.get(Application, confirmed.application_id)
    assert (
        draft.state == "draft"
        and draft.organisation.name == "Leuven"
        and draft.receiving_organisation.name == "Mechelen"
    )
    assert draft.theme_codes == ["data_tools", "impactmeting"] and len(draft.mentors) == 1
