"""Markup that assistive technology and password managers rely on, read from the pages as the server sends them:
ids unique on a page, every label pointing at its own field, the purpose of each password field said once.

The Nu HTML checker (tests/browser) checks every page the browser tests visit; these pin the defects it found
on pages those tests do not reach, with a parser that keeps an attribute written twice (a browser would not)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from tests.conftest import csrf_token, make_user, sign_in
from tests.factories import complete_draft, open_call, scored_dossier
from tests.web.test_committee_and_decisions import applicant_of, reviewer
from tests.web.test_invitations_and_resets import link_in


class Markup(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: dict[str, str] = {}  # field id -> label text
        self.fields: list[
            tuple[str | None, dict[str, str], list[tuple[str, str | None]]]
        ] = []  # (form action, attrs, raw)
        self._form_action: str | None = None
        self._label: str | None = None
        self._label_text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        single = {name: value or "" for name, value in attrs}
        if "id" in single:
            self.ids.append(single["id"])
        if tag == "form":
            self._form_action = single.get("action", "")
        elif tag == "label":
            self._label, self._label_text = single.get("for"), ""
        elif tag in ("input", "textarea", "select"):
            self.fields.append((self._form_action, single, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form_action = None
        elif tag == "label" and self._label:
            self.label_for[self._label] = self._label_text.strip()
            self._label = None

    def handle_data(self, data: str) -> None:
        if self._label:
            self._label_text += data

    def duplicate_ids(self) -> list[str]:
        return [name for name, count in Counter(self.ids).items() if count > 1]

    def field(self, name: str, action_ending: str = "") -> tuple[dict[str, str], list[tuple[str, str | None]]]:
        [(single, raw)] = [
            (single, raw)
            for action, single, raw in self.fields
            if single.get("name") == name and (action or "").endswith(action_ending)
        ]
        return single, raw


def test_the_grant_and_the_reject_motivation_each_have_their_own_label(app, client, db_session):
    officer = make_user("officer")
    dossier = scored_dossier(
        open_call(), officer, [reviewer("Ann Analist"), reviewer("Bob Beoordeler")], applicant=applicant_of("44021")
    )
    db_session.commit()
    sign_in(client, officer)
    page = Markup(client.get(f"/behandeling/dossiers/{dossier.id}").get_data(as_text=True))
    assert page.duplicate_ids() == []
    grant, _ = page.field("motivation", "/toekennen")
    reject, _ = page.field("motivation", "/afwijzen")
    assert grant["id"] != reject["id"]
    assert page.label_for[reject["id"]] == "Motivering van de afwijzing"  # clicking it focuses the reject textarea
    assert page.label_for[grant["id"]] == "Motivering (optioneel)"


def test_a_page_with_several_calls_gives_each_budget_meter_its_own_id(app, client, db_session):
    open_call("ARM-EEN")
    open_call("ARM-TWEE")
    db_session.commit()
    sign_in(client, make_user("officer"))
    page = Markup(client.get("/behandeling/").get_data(as_text=True))
    assert len([name for name in page.ids if name.startswith("budget")]) >= 2  # the seeded call's too
    assert page.duplicate_ids() == []


def _autocomplete(raw: list[tuple[str, str | None]]) -> list[str | None]:
    return [value for name, value in raw if name == "autocomplete"]


def test_changing_a_password_says_which_field_is_the_current_and_which_the_new_one(app, client, db_session):
    sign_in(client, make_user("applicant"))
    page = Markup(client.get("/account/wachtwoord").get_data(as_text=True))
    assert _autocomplete(page.field("current_password")[1]) == ["current-password"]
    assert _autocomplete(page.field("password")[1]) == ["new-password"]  # once: a second one would be ignored
    assert _autocomplete(page.field("confirm")[1]) == ["new-password"]
    assert page.duplicate_ids() == []


def test_a_reset_link_asks_for_a_new_password_with_autocomplete_new_password(app, client, db_session, smtp_sink):
    user = make_user("applicant")
    client.post(
        "/wachtwoord-vergeten", data={"csrf_token": csrf_token(client, "/wachtwoord-vergeten"), "email": user.email}
    )
    [message] = smtp_sink.to(user.email)
    page = Markup(client.get(link_in(message)).get_data(as_text=True))
    assert _autocomplete(page.field("password")[1]) == ["new-password"]
    assert _autocomplete(page.field("confirm")[1]) == ["new-password"]


def test_a_required_list_starts_with_an_empty_choice(app, client, db_session):
    sign_in(client, make_user("applicant"))
    html = client.get("/mijn-dossiers/samenwerking/aanbod/nieuw").get_data(as_text=True)
    month = re.search(r'<select[^>]*name="available_month"[^>]*>\s*<option value=""[^>]*>', html)
    assert month is not None and "required" in month.group(0)
    assert Markup(html).duplicate_ids() == []


def test_a_day_field_is_three_boxes_without_required_on_their_wrapper(app, client, db_session):
    applicant = make_user("applicant")
    draft = complete_draft(applicant, open_call())
    db_session.commit()
    sign_in(client, applicant)
    html = client.get(f"/mijn-dossiers/{draft.id}/mentoren/nieuw").get_data(as_text=True)
    assert 'name="start_on"' in html  # the page does hold day fields
    assert not re.search(r"<div[^>]*\brequired\b", html)
