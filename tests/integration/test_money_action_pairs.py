"""Every pair of actions that moves money, run at the same moment through the pages on PostgreSQL,
many times: no deadlock, no server error, the envelope held, and every dossier in one consistent state.

Each round builds a small scene on a call of its own: the dossiers both actions need, in the states
they need, where possible the same dossier for both (a grant and a withdrawal of one dossier; a batch
decision holding the dossier a government withdraws), a call whose envelope is nearly spent so that a
waiting dossier has a partial offer, and payouts approved or in a payment file. The two requests then
start together. The app refuses a lock out of order (LOCK_ORDER_CHECK), so a use case that breaks
"dossiers by id, then the call" fails here every time, not only when the race happens; PostgreSQL's
deadlock detector turns a real deadlock into a server error, which fails the test too.

MONEY_PAIR_ROUNDS (default 2) sets how many times each pair runs.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Application, AuditEntry, BudgetMovement, Call, PaymentBatchItem, Payout, Reservation, User
from portal.services import eligibility, payouts
from portal.services.budget import IN_QUEUE
from portal.services.seed import sample_report
from tests.conftest import csrf_token, make_user
from tests.factories import complete_draft, granted_dossier, open_call, scored_dossier, submitted_dossier, to_bank
from tests.integration.conftest import run_together, signed_in_browser
from tests.web.test_calls import call_form
from workflows.calls import BRUSSELS

pytestmark = pytest.mark.postgres

ROUNDS = int(os.environ.get("MONEY_PAIR_ROUNDS", "2"))
REQUEST = 5_400_00  # what every dossier of the scene asks: EUR 5.400 a month, half-time, four months, 50 %
ENVELOPE = 60_000_00
OFFER = 2_000_00  # what is left for the waiting dossier once the call is filled
ADVANCE = 2_160_00  # the scene's call pays 40 % of REQUEST at grant


# --- the people, each with two signed-in browsers (one per side of a pair) ------------------------


@dataclass
class Cast:
    ids: dict[str, int]  # applicant, officer, finance, finance2, reviewer1, reviewer2
    browsers: dict[str, list[FlaskClient]] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        """The user in the current app context's session (users outlive the context they were made in)."""
        if name == "reviewers":
            return [db.session.get(User, self.ids[f"reviewer{n}"]) for n in (1, 2)]
        if name in self.__dict__.get("ids", {}):
            return db.session.get(User, self.ids[name])
        raise AttributeError(name)

    def browser(self, role: str, side: int) -> tuple[FlaskClient, str]:
        client = self.browsers[role][side]
        return client, self.tokens[id(client)]


@pytest.fixture(scope="module")
def cast(live_app: Flask) -> Cast:
    with live_app.app_context():
        users = {
            "applicant": "applicant",
            "officer": "officer",
            "finance": "finance",
            "finance2": "finance",
            "reviewer1": "reviewer",
            "reviewer2": "reviewer",
        }
        made = {name: make_user(role) for name, role in users.items()}
        db.session.commit()
        people = Cast({name: user.id for name, user in made.items()})
        for role in ("applicant", "officer", "finance"):
            people.browsers[role] = [signed_in_browser(live_app, made[role]) for _ in range(2)]
    for role, clients in people.browsers.items():
        page = {"applicant": "/mijn-dossiers/", "officer": "/behandeling/", "finance": "/financien/"}[role]
        for client in clients:
            people.tokens[id(client)] = csrf_token(client, page)
    return people


# --- the scene --------------------------------------------------------------------------------------

_scene_numbers = itertools.count(1)


def _letters(number: int) -> str:
    text = ""
    while True:
        number, rest = divmod(number, 26)
        text = chr(ord("A") + rest) + text
        if number == 0:
            return text


@dataclass
class Scene:
    cast: Cast
    call: Call  # while the scene is built; the requests use the facts below
    targets: dict[str, int] = field(default_factory=dict)  # what a kind of target is, as an id
    call_id: int = 0
    call_code: str = ""
    call_prefix: str = ""
    window: tuple[date, date] = (date.min, date.min)

    @property
    def people(self) -> dict[str, Any]:
        return {
            "officer": self.cast.officer,
            "finance": self.cast.finance,
            "finance2": self.cast.finance2,
            "reviewers": self.cast.reviewers,
        }

    def draft(self) -> int:
        return complete_draft(self.cast.applicant, self.call).id

    def submitted(self) -> int:
        return submitted_dossier(self.call, applicant=self.cast.applicant).id

    # Each step commits, as each would be a request of its own: one transaction never takes a dossier
    # after a call (the app refuses that order here).

    def correction(self) -> int:
        dossier_id = self.submitted()
        db.session.commit()
        eligibility.request_correction(dossier_id, self.cast.officer, "Voeg de ondertekende overeenkomst toe.")
        return dossier_id

    def scored(self) -> int:
        return scored_dossier(self.call, self.cast.officer, self.cast.reviewers, applicant=self.cast.applicant).id

    def meeting(self) -> int:
        """The call's committee meeting, open, with both reviewers present. Returns the meeting's id."""
        from portal.services import meetings

        today = utcnow().astimezone(BRUSSELS).date()
        return meetings.open_meeting(self.call.id, today, [r.id for r in self.cast.reviewers], "", self.cast.officer).id

    def granted(self) -> Application:
        return granted_dossier(self.people, self.call, applicant=self.cast.applicant)

    def report(self) -> int:
        dossier = self.granted()
        db.session.commit()
        sample_report(dossier, self.cast.applicant)
        return dossier.id

    def approved(self) -> int:
        """A granted dossier's advance, approved: ready for a payment file. Returns the payout's id."""
        (advance,) = payouts.payouts_of(self.granted())
        db.session.commit()
        payouts.approve(advance.id, self.cast.finance2)
        db.session.commit()
        return advance.id

    def in_file(self) -> int:
        payout_id = self.approved()
        self.targets["batch"] = to_bank(self.cast.finance2).id
        return payout_id

    def planned(self) -> int:
        """A granted dossier's advance, prepared by the officer and waiting for approval. Returns the payout's id."""
        (advance,) = payouts.payouts_of(self.granted())
        return advance.id

    def fill_and_wait(self) -> int:
        """Fill the envelope up to OFFER with submitted dossiers, then one more that waits with an offer."""
        db.session.flush()
        db.session.refresh(self.call)
        while (left := self.call.envelope_cents - self.call.reserved_cents - self.call.committed_cents) > OFFER:
            wage = min(left - OFFER, self.call.cap_cents)
            submitted_dossier(self.call, wage_cents=wage, applicant=self.cast.applicant)
            db.session.commit()
            db.session.refresh(self.call)
        waiting = self.submitted()
        held = db.session.get(Reservation, waiting)
        assert (held.standing, held.offer_cents) == ("waiting", OFFER), (held.standing, held.offer_cents)
        return waiting


# The kinds of target in the order a scene prepares them: money granted first, then what needs a
# reservation, then what holds none, and the waiting dossier last, once the envelope is filled.
PREPARE: list[tuple[str, Callable[[Scene], int]]] = [
    ("planned", Scene.planned),
    ("planned2", Scene.planned),
    ("in_file", Scene.in_file),
    ("approved", Scene.approved),
    ("report", Scene.report),
    ("scored", Scene.scored),
    ("scored2", Scene.scored),
    ("meeting", Scene.meeting),
    ("submitted", Scene.submitted),
    ("correction", Scene.correction),
    ("draft", Scene.draft),
    ("waiting", Scene.fill_and_wait),
]


# --- the actions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyAction:
    name: str
    needs: tuple[str, ...]  # kinds of target; a pair shares a target both need
    request: Callable[[Scene, int], Any]  # (scene, side) -> the response


def _post(scene: Scene, role: str, side: int, path: str, data: dict[str, Any]) -> Any:
    client, token = scene.cast.browser(role, side)
    return client.post(path, data={"csrf_token": token, **data})


def _decide_in_meeting(scene: Scene, side: int) -> Any:
    """A decision taken in the committee's meeting, from its table: the summary, then its confirmation."""
    chosen = {"dossiers": [scene.targets["scored"]], "decision": "reject", "motivation": "Haalt de drempel niet."}
    path = f"/behandeling/vergaderingen/{scene.targets['meeting']}/beslissen"
    summary = _post(scene, "officer", side, path, chosen).get_data(as_text=True)
    total = re.search(r'name="total" value="(\d+)"', summary)
    return _post(scene, "officer", side, f"{path}/bevestigen", {**chosen, "total": total.group(1) if total else ""})


def _today() -> list[str]:
    today = utcnow().astimezone(BRUSSELS).date()
    return [str(today.day), str(today.month), str(today.year)]


def _withdrawn_target(scene: Scene) -> int:
    """The partner's dossier when it can be withdrawn (the sharpest race: for a batch decision, the dossier
    it decides second), else a scored one."""
    for kind in ("scored2", "scored", "submitted", "waiting", "correction", "draft"):
        if kind in scene.targets:
            return scene.targets[kind]
    raise AssertionError("no dossier to withdraw")


def _pay(scene: Scene, side: int) -> Any:
    payout_id = scene.targets["in_file"]
    client, token = scene.cast.browser("finance", side)
    data = {
        f"p{payout_id}-csrf_token": token,
        f"p{payout_id}-bank_reference": f"BNK-{payout_id}",
        f"p{payout_id}-paid_on": _today(),
    }
    return client.post(f"/financien/uitbetalingen/{payout_id}/betaald", data=data)


def _approve_one(scene: Scene, side: int) -> Any:
    return _post(scene, "finance", side, f"/financien/uitbetalingen/{scene.targets['planned']}/goedkeuren", {})


def _approve_many(scene: Scene, side: int) -> Any:
    """Both planned advances of the scene (the one a single approval takes among them), as the confirmation showed them."""
    ids = [scene.targets["planned"]] + [scene.targets[k] for k in ("planned2",) if k in scene.targets]
    return _post(scene, "finance", side, "/financien/goedkeuren", {"payouts": ids, "total_cents": len(ids) * ADVANCE})


def _answer_file(scene: Scene, side: int) -> Any:
    """The bank's answer for the payment file's payouts together, as its confirmation page showed them."""
    payout_id = scene.targets["in_file"]
    data = {
        "payouts": [payout_id],
        "outcome": "paid",
        "paid_on": _today(),
        "bank_reference": f"VERZ-{payout_id}",
        "total_cents": ADVANCE,
    }
    return _post(
        scene, "finance", side, f"/financien/betaalbestanden/{scene.targets['batch']}/antwoord/bevestigen", data
    )


def _change_envelope(scene: Scene, side: int) -> Any:
    opens, closes = scene.window
    client, token = scene.cast.browser("officer", side)
    data = call_form(
        token,
        code=scene.call_code,
        reference_prefix=scene.call_prefix,
        envelope="62.000,00",  # serves the waiting dossier's whole request
        cap="50.000,00",
        shortfall_policy="partial",
        advance_percent="40",
        opens_on=[str(opens.day), str(opens.month), str(opens.year)],
        closes_on=[str(closes.day), str(closes.month), str(closes.year)],
    )
    return client.post(f"/behandeling/oproepen/{scene.call_id}", data=data)


def _decide_many(scene: Scene, side: int) -> Any:
    """The batch decision as an officer takes it: the summary page (it only reads), then its confirmation with
    the total the summary showed."""
    ids = [scene.targets["scored2"]] + [scene.targets[k] for k in ("scored",) if k in scene.targets]
    chosen = {"dossiers": ids, "decision": "grant", "motivation": ""}
    path = f"/behandeling/oproepen/{scene.call_id}/beslissingen"
    summary = _post(scene, "officer", side, path, chosen).get_data(as_text=True)
    total = re.search(r'name="total" value="(\d+)"', summary)
    return _post(
        scene,
        "officer",
        side,
        f"{path}/bevestigen",
        {**chosen, "total": total.group(1) if total else "", "acknowledged": "y"},
    )


ACTIONS = [
    MoneyAction(
        "submit",
        ("draft",),
        lambda s, i: _post(s, "applicant", i, f"/mijn-dossiers/{s.targets['draft']}/controleren", {"declaration": "y"}),
    ),
    MoneyAction(
        "resubmit",
        ("correction",),
        lambda s, i: _post(
            s, "applicant", i, f"/mijn-dossiers/{s.targets['correction']}/controleren", {"declaration": "y"}
        ),
    ),
    MoneyAction(
        "withdraw",
        ("scored",),
        lambda s, i: _post(
            s,
            "applicant",
            i,
            f"/mijn-dossiers/{_withdrawn_target(s)}/intrekken",
            {"confirm": "y", "reason": "Gaat niet door"},
        ),
    ),
    MoneyAction(
        "correction",
        ("submitted",),
        lambda s, i: _post(
            s, "officer", i, f"/behandeling/dossiers/{s.targets['submitted']}/aanvulling", {"question": "Welke mentor?"}
        ),
    ),
    MoneyAction(
        "ineligible",
        ("submitted",),
        lambda s, i: _post(
            s,
            "officer",
            i,
            f"/behandeling/dossiers/{s.targets['submitted']}/niet-ontvankelijk",
            {"motivation": "Geen overeenkomst."},
        ),
    ),
    MoneyAction(
        "grant",
        ("scored",),
        lambda s, i: _post(
            s, "officer", i, f"/behandeling/dossiers/{s.targets['scored']}/toekennen/bevestigen", {"acknowledged": "y"}
        ),
    ),
    MoneyAction(
        "reject",
        ("scored",),
        lambda s, i: _post(
            s,
            "officer",
            i,
            f"/behandeling/dossiers/{s.targets['scored']}/afwijzen/bevestigen",
            {"motivation": "Haalt de drempel niet.", "acknowledged": "y"},
        ),
    ),
    MoneyAction("batch decision", ("scored2",), _decide_many),
    MoneyAction("meeting decision", ("scored", "meeting"), _decide_in_meeting),
    MoneyAction(
        "accept offer",
        ("waiting",),
        lambda s, i: _post(
            s, "applicant", i, f"/mijn-dossiers/{s.targets['waiting']}/aanbod-aanvaarden", {"offer_cents": OFFER}
        ),
    ),
    MoneyAction(
        "report acceptance",
        ("report",),
        lambda s, i: _post(s, "officer", i, f"/behandeling/dossiers/{s.targets['report']}/eindrapport/aanvaarden", {}),
    ),
    MoneyAction("payment recorded", ("in_file",), _pay),
    MoneyAction("envelope change", ("waiting",), _change_envelope),
    MoneyAction(
        "payment batch",
        ("approved",),
        lambda s, i: _post(s, "finance", i, "/financien/betaalbestanden", {"execution_on": _today()}),
    ),
    MoneyAction("approval", ("planned",), _approve_one),
    MoneyAction("bulk approval", ("planned", "planned2"), _approve_many),
    MoneyAction("bulk payment recorded", ("in_file",), _answer_file),
]
PAIRS = list(itertools.combinations_with_replacement(ACTIONS, 2))


def _build(app: Flask, cast: Cast, first: MoneyAction, second: MoneyAction) -> Scene:
    with app.app_context():
        number = next(_scene_numbers)
        call = open_call(f"PAIR-{number}", reference_prefix="P" + _letters(number), envelope_cents=ENVELOPE, cap_cents=50_000_00,
                         shortfall_policy="partial", advance_percent=40, allows_repeat_pair=True)  # fmt: skip
        scene = Scene(cast, call)
        wanted = set(first.needs) | set(second.needs)
        for kind, prepare in PREPARE:
            if kind in wanted:
                scene.targets[kind] = prepare(scene)
                db.session.commit()
        scene.call_id, scene.call_code, scene.call_prefix = call.id, call.code, call.reference_prefix
        scene.window = (call.opens_at.astimezone(BRUSSELS).date(), call.closes_at.astimezone(BRUSSELS).date())
    return scene


# --- what must hold afterwards -------------------------------------------------------------------------


def _check_money(call_id: int) -> None:
    call = db.session.get(Call, call_id)
    reservations = {
        r.application_id: r for r in db.session.scalars(select(Reservation).where(Reservation.call_id == call_id))
    }
    dossiers = {a.id: a for a in db.session.scalars(select(Application).where(Application.call_id == call_id))}

    assert call.reserved_cents + call.committed_cents <= call.envelope_cents
    assert call.reserved_cents == sum(r.reserved_cents for r in reservations.values())
    assert call.committed_cents == sum(r.committed_cents for r in reservations.values())
    assert call.paid_cents == sum(r.paid_cents for r in reservations.values())

    # The queue is served in ticket order: waiting places count 1, 2, ... in that order, and the first
    # waiting dossier waits only because what it claims does not fit what is left.
    queue = sorted((a for a in dossiers.values() if a.state in IN_QUEUE), key=lambda a: a.queue_number)
    waiting = [reservations[a.id] for a in queue if reservations[a.id].standing == "waiting"]
    assert [r.waiting_place for r in waiting] == list(range(1, len(waiting) + 1))
    if waiting:
        first = waiting[0]
        claimed = first.accepted_cents or dossiers[first.application_id].requested_cents
        assert claimed > call.envelope_cents - call.reserved_cents - call.committed_cents

    # Each dossier is in one consistent state: what it holds fits its state, and its history adds up.
    movements = dict(
        db.session.execute(
            select(BudgetMovement.application_id, func.sum(BudgetMovement.amount_cents))
            .where(BudgetMovement.call_id == call_id)
            .group_by(BudgetMovement.application_id)
        ).all()
    )
    for dossier in dossiers.values():
        held = reservations.get(dossier.id)
        reserved, committed = (held.reserved_cents, held.committed_cents) if held else (0, 0)
        assert movements.get(dossier.id, 0) == reserved + committed, dossier.id
        if dossier.state in IN_QUEUE:
            assert held is not None and held.standing in ("reserved", "waiting") and committed == 0, (
                dossier.id,
                dossier.state,
            )
        elif dossier.state in ("granted", "closed"):
            assert held is not None and held.standing is None and reserved == 0 and committed >= held.paid_cents, (
                dossier.id
            )
        else:  # draft, correction requested, ineligible, rejected, withdrawn: nothing held
            assert reserved == 0 and committed == 0 and (held is None or held.standing is None), (
                dossier.id,
                dossier.state,
            )

    # A payout in a payment file is pending in exactly that one; a paid or failed one in none.
    for payout in db.session.scalars(select(Payout).where(Payout.call_id == call_id)):
        pending = db.session.scalar(
            select(func.count())
            .select_from(PaymentBatchItem)
            .where(PaymentBatchItem.payout_id == payout.id, PaymentBatchItem.outcome == "pending")
        )
        assert pending == (1 if payout.state == "in_file" else 0), (payout.id, payout.state)
        # Approved once and paid once (no scene prepares a payout again): never a double approval or payment.
        steps = db.session.execute(
            select(AuditEntry.action, func.count())
            .where(AuditEntry.entity_type == "payout", AuditEntry.entity_id == str(payout.id))
            .group_by(AuditEntry.action)
        ).all()
        assert all(count == 1 for action, count in steps if action in ("payout.approved", "payout.paid")), (
            payout.id,
            steps,
        )
        assert (dict(steps).get("payout.approved") == 1) == (payout.state not in ("planned", "cancelled")), (
            payout.id,
            payout.state,
            steps,
        )


@pytest.mark.parametrize("round_", range(ROUNDS))
@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a.name} + {b.name}" for a, b in PAIRS])
def test_a_pair_of_money_actions_at_the_same_moment(live_app, cast, first, second, round_):
    scene = _build(live_app, cast, first, second)
    responses = run_together([lambda: first.request(scene, 0), lambda: second.request(scene, 1)])

    statuses = [r.status_code if r is not None else None for r in responses]
    # Every outcome is an answer the user can read: done (302) or refused with a message (302, 400).
    assert all(status in (302, 400) for status in statuses), (
        first.name,
        second.name,
        statuses,
        [r.get_data(as_text=True)[-800:] for r in responses if r is not None and r.status_code >= 500],
    )
    with live_app.app_context():
        _check_money(scene.call_id)


def test_every_money_action_of_the_spec_is_in_the_pairs():
    assert {a.name for a in ACTIONS} == {
        "submit", "resubmit", "withdraw", "correction", "ineligible", "grant", "reject", "batch decision", "accept offer",
        "report acceptance", "payment recorded", "envelope change", "payment batch", "approval", "bulk approval", "bulk payment recorded",
        "meeting decision",
    }  # fmt: skip
    assert len(PAIRS) == 17 * 18 // 2


@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_each_money_action_alone_takes_effect(live_app, cast, action):
    """The pairs accept a refusal as an answer: here, with nothing in its way, each action must do its work (an
    action whose request no longer reaches its use case, such as a step moved behind a confirmation page, fails)."""
    scene = _build(live_app, cast, action, action)
    with live_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
        db.session.remove()
    response = action.request(scene, 0)
    assert response.status_code == 302, (action.name, response.status_code)
    with live_app.app_context():
        after = db.session.scalar(select(func.count()).select_from(AuditEntry))
        db.session.remove()
        _check_money(scene.call_id)
    assert after > before, action.name
