"""The matcher's pages (SPEC section 10): the open needs ranked with small governments with little staff
first, every offer for a need with the reasons it is suggested, proposing a pair, following and taking
back a proposal; every refusal is shown in Dutch and what was typed is kept."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.models.matching import Match
from portal.models.notifications import Notification, NotificationEvent
from portal.services import matching as service
from portal.services.matching import NeedDetails, OfferDetails, ProfileDetails
from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import municipality
from workflows.matching import MatchState, NeedState

PARTICIPATION = "Participatief werken met mensen in armoede"


def government(nis_code):
    return make_user("applicant", organisation=municipality(nis_code))


def offer_of(user, themes, inhabitants=9_000):
    details = OfferDetails(
        theme_codes=themes,
        approach="Een armoedetafel met ervaringsdeskundigen, elke maand.",
        inhabitants=inhabitants,
        available_from_on=date(2026, 9, 1),
        months_available=4,
        time_share_bp=5_000,
        contact_name="Ann Gever",
        contact_email=f"gever-{user.id}@gemeente.be",
    )
    profile = ProfileDetails("Mona Mentor", "Beleidsmedewerker armoede", 8, True, "Lokaal armoedeplan 2020-2025", 2020)
    return service.register_offer(user, details, [profile])


def need_of(user, themes, inhabitants, staff_fte_tenths):
    details = NeedDetails(
        theme_codes=themes,
        context="Wij hebben nog geen armoedeplan.",
        goals="Een eerste lokaal armoedeplan.",
        inhabitants=inhabitants,
        staff_fte_tenths=staff_fte_tenths,
        contact_name="Rik Ontvanger",
        contact_email=f"ontvanger-{user.id}@gemeente.be",
    )
    return service.register_need(user, details)


@pytest.fixture
def matcher(client, db_session):
    user = make_user("matcher")
    sign_in(client, user)
    return user


@pytest.fixture
def pairs(db_session):
    """A big government with plenty of staff and a small one with little staff both ask for help;
    one offer shares the small government's theme, the other shares nothing with it."""
    small_government = government("24062")
    big = need_of(government("44021"), ["lokale_regie"], 265_000, 30)
    small = need_of(small_government, ["participatie", "data_tools"], 8_000, 5)
    sharing = offer_of(government("11001"), ["participatie"])
    unrelated = offer_of(government("37022"), ["impactmeting"])
    return {
        "big": big,
        "small": small,
        "sharing": sharing,
        "unrelated": unrelated,
        "small_government": small_government,
    }


def propose(client, need, offer, message="Beide besturen werken met ervaringsdeskundigen."):
    url = f"/matching/vragen/{need.id}"
    token = csrf_token(client, url)
    return client.post(
        f"{url}/aanbod/{offer.id}", data={f"o{offer.id}-csrf_token": token, f"o{offer.id}-message": message}
    )


def section(html, attribute, value):
    """The HTML from an element with this data attribute up to the next element with the same attribute."""
    start = html.index(f'{attribute}="{value}"')
    following = html.find(f"{attribute}=", start + 1)
    return html[start : following if following != -1 else len(html)]


def test_the_dashboard_lists_the_small_government_with_little_staff_first_with_the_offer_sharing_its_themes(
    client, matcher, pairs
):
    response = client.get("/matching/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    small, big = pairs["small"], pairs["big"]
    assert html.index(f'data-ranked-need="{small.id}"') < html.index(f'data-ranked-need="{big.id}"')

    card = section(html, "data-ranked-need", small.id)
    assert "Voorrang: klein bestuur met weinig personeel" in card
    assert "8.000" in card and "0,5 VTE" in card
    assert f'data-suggested-offer="{pairs["sharing"].id}"' in card
    assert f'data-suggested-offer="{pairs["unrelated"].id}"' not in card  # shares no theme: only on the need's page
    assert f"1 gedeeld thema: {PARTICIPATION}" in card
    assert "Naburige provincie" in card  # Vlaams-Brabant and Antwerpen
    assert "Gelijkaardige grootte" in card
    assert f'href="/matching/vragen/{small.id}"' in card

    # A big government with enough staff has no priority label.
    assert "Voorrang" not in section(html, "data-ranked-need", big.id)
    assert "Er wachten geen voorstellen op antwoord van de besturen." in html
    assert "Er zijn nog geen matches bevestigd of afgewezen." in html


def test_the_dashboard_says_so_when_there_is_nothing_to_match(client, matcher):
    html = client.get("/matching/").get_data(as_text=True)
    assert "Er zijn geen open vragen." in html


def test_the_need_page_puts_the_offer_sharing_a_theme_above_the_one_sharing_none(client, matcher, pairs):
    small, sharing, unrelated = pairs["small"], pairs["sharing"], pairs["unrelated"]
    response = client.get(f"/matching/vragen/{small.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    heading = html.index("Aanbod dat geen thema deelt met deze vraag")
    assert html.index(f'data-ranked-offer="{sharing.id}"') < heading < html.index(f'data-ranked-offer="{unrelated.id}"')
    assert "Geen gedeeld thema" in section(html, "data-ranked-offer", unrelated.id)
    assert "data-availability=" in section(
        html, "data-ranked-offer", sharing.id
    )  # when its mentors can start, as a reason
    # The matcher sees the names: the need's and the offer's contact, the mentor.
    assert "Rik Ontvanger" in html and "Ann Gever" in html and "Mona Mentor" in html
    # One form per offer, each with its own CSRF token and field ids.
    assert f'action="/matching/vragen/{small.id}/aanbod/{sharing.id}"' in html
    assert f'action="/matching/vragen/{small.id}/aanbod/{unrelated.id}"' in html
    assert f'id="o{sharing.id}-message"' in html and f'name="o{sharing.id}-csrf_token"' in html


def test_proposing_creates_a_proposed_match_and_tells_both_governments(client, db_session, matcher, pairs):
    small, sharing = pairs["small"], pairs["sharing"]
    response = propose(client, small, sharing)
    assert response.status_code == 302
    match = db_session.scalar(select(Match).where(Match.need_id == small.id, Match.offer_id == sharing.id))
    assert match is not None and match.state == MatchState.PROPOSED
    assert match.message == "Beide besturen werken met ervaringsdeskundigen." and match.proposed_by_id == matcher.id
    assert response.headers["Location"].endswith(f"/matching/matches/{match.id}")

    sent = db_session.scalars(select(Notification).where(Notification.event == NotificationEvent.MATCH_PROPOSED)).all()
    addresses = {n.email for n in sent if n.details.get("match_id") == match.id}
    assert {sharing.contact_email, small.contact_email} <= addresses

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De match is voorgesteld." in page
    assert 'data-state="proposed"' in page and "Voorgesteld" in page
    assert "Beide besturen werken met ervaringsdeskundigen." in page
    assert page.count("Nog geen antwoord") == 2
    assert f'action="/matching/matches/{match.id}/intrekken"' in page

    # The need page now shows the live match instead of a form for this pair, and the dashboard lists it.
    need_page = client.get(f"/matching/vragen/{small.id}").get_data(as_text=True)
    card = section(need_page, "data-ranked-offer", sharing.id)
    assert f'data-live-match="{match.id}"' in card and "data-propose" not in card
    assert f'data-match="{match.id}"' in client.get("/matching/").get_data(as_text=True)


def test_proposing_the_same_pair_twice_is_refused_in_dutch_and_keeps_the_message(client, db_session, matcher, pairs):
    small, sharing = pairs["small"], pairs["sharing"]
    assert propose(client, small, sharing).status_code == 302
    response = propose(client, small, sharing, message="Nog eens, voor de zekerheid.")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Deze match is al voorgesteld of bevestigd." in html
    assert "Nog eens, voor de zekerheid." in html
    assert "<title>Fout:" in html
    assert len(db_session.scalars(select(Match).where(Match.need_id == small.id)).all()) == 1


def test_a_message_that_is_too_long_is_refused_on_the_page_and_kept(client, db_session, matcher, pairs):
    small, sharing = pairs["small"], pairs["sharing"]
    response = propose(client, small, sharing, message="x" * 2001)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Gebruik hoogstens 2.000 tekens" in html and f'href="#o{sharing.id}-message"' in html
    assert "x" * 2001 in html
    assert db_session.scalar(select(Match).where(Match.need_id == small.id)) is None


def test_proposing_for_a_withdrawn_need_is_refused(client, db_session, matcher, pairs):
    small, sharing = pairs["small"], pairs["sharing"]
    token = csrf_token(client, f"/matching/vragen/{small.id}")
    service.withdraw_need(small, pairs["small_government"], utcnow())
    db_session.flush()

    page = client.get(f"/matching/vragen/{small.id}").get_data(as_text=True)
    assert 'data-need-state="withdrawn"' in page and "Deze vraag staat niet meer open." in page
    assert "data-propose" not in page

    response = client.post(
        f"/matching/vragen/{small.id}/aanbod/{sharing.id}",
        data={f"o{sharing.id}-csrf_token": token, f"o{sharing.id}-message": "Toch proberen."},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Deze vraag staat niet meer open: ze is ingetrokken of al gematcht." in html
    assert "Toch proberen." in html
    assert db_session.scalar(select(Match).where(Match.need_id == small.id)) is None
    assert small.state == NeedState.WITHDRAWN


def test_a_proposal_can_be_taken_back_once(client, db_session, matcher, pairs):
    small, sharing = pairs["small"], pairs["sharing"]
    location = propose(client, small, sharing).headers["Location"]
    match_id = int(re.search(r"/matches/(\d+)$", location).group(1))
    token = csrf_token(client, location)

    response = client.post(f"/matching/matches/{match_id}/intrekken", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(location)
    page = client.get(location).get_data(as_text=True)
    assert "Het voorstel is ingetrokken." in page
    assert 'data-state="cancelled"' in page and "data-cancel" not in page
    match = db_session.get(Match, match_id)
    db_session.refresh(match)
    assert match.state == MatchState.CANCELLED and match.closed_at is not None
    cancelled = db_session.scalars(
        select(Notification).where(Notification.event == NotificationEvent.MATCH_CANCELLED)
    ).all()
    assert any(n.details.get("match_id") == match_id for n in cancelled)

    again = client.post(f"/matching/matches/{match_id}/intrekken", data={"csrf_token": token})
    assert again.status_code == 302
    assert "Dit voorstel wacht niet meer op antwoord" in client.get(again.headers["Location"]).get_data(as_text=True)

    # Taken back, the pair can be proposed again.
    assert propose(client, small, sharing).status_code == 302


def test_the_lists_show_every_offer_and_every_need(client, db_session, matcher, pairs):
    limburg = government("71072")
    withdrawn = offer_of(limburg, ["lokale_regie"])
    service.withdraw_offer(withdrawn, limburg, utcnow())
    db_session.flush()
    offers = client.get("/matching/aanbod").get_data(as_text=True)
    assert offers.index(f'data-offer-row="{pairs["sharing"].id}"') < offers.index(f'data-offer-row="{withdrawn.id}"')
    assert "Ingetrokken" in section(offers, "data-offer-row", withdrawn.id)
    assert "Vanaf september 2026, 4 maanden" in offers

    needs = client.get("/matching/vragen").get_data(as_text=True)
    assert needs.index(f'data-need-row="{pairs["small"].id}"') < needs.index(f'data-need-row="{pairs["big"].id}"')
    assert f'href="/matching/vragen/{pairs["small"].id}"' in needs
    assert "Voorrang: klein bestuur met weinig personeel" in section(needs, "data-need-row", pairs["small"].id)


def test_the_lists_narrow_to_a_province_and_a_theme(client, db_session, matcher, pairs):
    # Leuven (24062) is in Vlaams-Brabant, Gent (44021) in Oost-Vlaanderen; Aartselaar (11001) in Antwerpen.
    needs = client.get("/matching/vragen?provincie=Vlaams-Brabant").get_data(as_text=True)
    assert f'data-need-row="{pairs["small"].id}"' in needs and f'data-need-row="{pairs["big"].id}"' not in needs
    needs = client.get("/matching/vragen?thema=lokale_regie").get_data(as_text=True)
    assert f'data-need-row="{pairs["big"].id}"' in needs and f'data-need-row="{pairs["small"].id}"' not in needs
    offers = client.get("/matching/aanbod?thema=participatie&provincie=Antwerpen").get_data(as_text=True)
    assert (
        f'data-offer-row="{pairs["sharing"].id}"' in offers
        and f'data-offer-row="{pairs["unrelated"].id}"' not in offers
    )
    everything = client.get("/matching/aanbod?provincie=Atlantis&thema=%00").get_data(
        as_text=True
    )  # unknown: no filter
    assert (
        f'data-offer-row="{pairs["sharing"].id}"' in everything
        and f'data-offer-row="{pairs["unrelated"].id}"' in everything
    )


def test_unknown_ids_give_404(client, matcher, pairs):
    token = csrf_token(client, "/matching/")
    assert client.get("/matching/vragen/999999").status_code == 404
    assert client.get("/matching/matches/999999").status_code == 404
    assert (
        client.post(
            f"/matching/vragen/999999/aanbod/{pairs['sharing'].id}", data={f"o{pairs['sharing'].id}-csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/matching/vragen/{pairs['small'].id}/aanbod/999999", data={"o999999-csrf_token": token}
        ).status_code
        == 404
    )
    assert client.post("/matching/matches/999999/intrekken", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/matching/", "/matching/aanbod", "/matching/vragen", "/matching/vragen/{need}", "/matching/matches/{match}"],
)
def test_a_government_user_has_no_access_to_the_matcher_pages(app, client, db_session, pairs, path):
    match = service.propose(pairs["small"].id, pairs["sharing"].id, make_user("matcher"), "", utcnow())
    sign_in(client, pairs["small_government"])
    response = client.get(path.format(need=pairs["small"].id, match=match.id))
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


def test_a_government_user_cannot_propose(app, client, db_session, pairs):
    sign_in(client, pairs["small_government"])
    token = csrf_token(client, "/mijn-dossiers/")
    response = client.post(
        f"/matching/vragen/{pairs['small'].id}/aanbod/{pairs['sharing'].id}",
        data={f"o{pairs['sharing'].id}-csrf_token": token},
    )
    assert response.status_code == 403
    assert db_session.scalar(select(Match).where(Match.need_id == pairs["small"].id)) is None
