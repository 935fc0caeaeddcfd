"""The public self-check on a call: may we apply, and how much? No account, nothing stored in the portal; the
answers stay in the visitor's own session cookie, so that a new application can start from them after signing in."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template, session
from flask.typing import ResponseReturnValue

from forms.fields import choices
from forms.selfcheck import SelfCheckForm
from portal.access import public
from portal.db import utcnow
from portal.i18n import language_code
from portal.labels import exchange_label
from portal.models import Call
from portal.public.routes import bp
from portal.services import calls as call_service
from portal.services import selfcheck
from workflows.compensation import MentorCost
from workflows.selfcheck import SelfCheckAnswers

SESSION_KEY = "self_check"  # {call code: answers}, read by the application's forms after signing in


def kept_answers(call_code: str) -> dict[str, Any] | None:
    """The self-check's answers for this call, if this browser made one: a new application starts from them."""
    kept = session.get(SESSION_KEY)
    found = kept.get(call_code) if isinstance(kept, dict) else None
    return found if isinstance(found, dict) else None


def kept_mentor(call_code: str, number: int) -> dict[str, Any] | None:
    """The `number`-th mentor (0 for the first) of the self-check, as the mentor form's initial data."""
    kept = kept_answers(call_code)
    mentors = kept.get("mentors", []) if kept else []
    if kept is None or not 0 <= number < len(mentors):
        return None
    mentor = mentors[number]
    try:
        return {
            "monthly_wage": int(mentor["monthly_wage_cents"]),
            "time_share": int(mentor["time_share_bp"]),
            "start_on": date.fromisoformat(mentor["start_on"]),
            "end_on": date.fromisoformat(mentor["end_on"]),
            "drew_up_plan": "yes" if kept.get("drew_up_plan") else "no",
        }
    except (KeyError, TypeError, ValueError):  # a cookie from an older version: start empty
        return None


def _form(call: Call) -> SelfCheckForm:
    form = SelfCheckForm()
    form.exchange_type.choices = choices((kind, exchange_label(kind)) for kind in call.exchange_types)
    form.themes.choices = choices((theme.code, theme.name(language_code())) for theme in call.themes)
    return form


def _answers(form: SelfCheckForm) -> SelfCheckAnswers:
    rows = [row.form for row in form.mentors if not row.form.is_blank()]
    return SelfCheckAnswers(
        applicant_kind=form.applicant_kind.data,
        receiving_kind=form.receiving_kind.data,
        exchange_type=form.exchange_type.data,
        theme_codes=frozenset(form.themes.data or ()),
        mentors_drew_up_plan=form.drew_up_plan.data == "yes",
        mentors=tuple(MentorCost(r.monthly_wage.data, r.time_share.data, r.start_on.data, r.end_on.data) for r in rows),
    )


def _kept(answers: SelfCheckAnswers) -> dict[str, Any]:
    """What the application's forms can start from: the form, the themes and each mentor's cost (JSON-safe)."""
    return {
        "exchange_type": answers.exchange_type,
        "themes": sorted(answers.theme_codes),
        "drew_up_plan": answers.mentors_drew_up_plan,
        "mentors": [
            {
                "monthly_wage_cents": m.monthly_wage_cents,
                "time_share_bp": m.time_share_bp,
                "start_on": m.start_on.isoformat(),
                "end_on": m.end_on.isoformat(),
            }  # fmt: skip
            for m in answers.mentors
        ],
    }


@bp.route("/oproepen/<code>/zelftest", methods=["GET", "POST"])
@public
def self_check(code: str) -> ResponseReturnValue:
    call = call_service.find_published_call(code) or abort(404)
    form = _form(call)
    outcome = None
    status = 200
    if form.is_submitted():
        if form.validate():
            answers = _answers(form)
            outcome = selfcheck.check(call, answers, utcnow())
            session[SESSION_KEY] = {call.code: _kept(answers)}
        else:
            status = 400
    return render_template("public/selfcheck.html", call=call, form=form, outcome=outcome), status
