"""Public pages: the open calls, a call's rules with its live budget meter, the offers of expertise,
language switch."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forms.account import LanguageSwitchForm
from forms.calls import ATTACHMENT_LABELS
from portal.access import public, safe_next
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import SESSION_LANGUAGE_KEY, language_code
from portal.services import accounts, budget, matching, reference, retention
from portal.services import calls as call_service
from workflows.calls import CallPhase

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home() -> ResponseReturnValue:
    now = utcnow()
    calls = call_service.published_calls()
    grouped = {phase: [c for c in calls if c.window.phase(now) is phase] for phase in CallPhase}
    return render_template("public/home.html", grouped=grouped, CallPhase=CallPhase)


@bp.get("/oproepen/<code>")
@public
def call_detail(code: str) -> ResponseReturnValue:
    call = call_service.find_published_call(code)
    if call is None:
        abort(404)
    now = utcnow()
    return render_template(
        "public/call.html",
        call=call,
        phase=call.window.phase(now),
        days_left=call.window.days_left(now),
        meter=budget.meter(call),
        attachment_labels=ATTACHMENT_LABELS,
    )


@bp.post("/taal")
@public
def switch_language() -> ResponseReturnValue:
    form = LanguageSwitchForm()
    target = safe_next(form.next.data) or url_for("public.home")
    if not form.validate():
        return redirect(target)
    session[SESSION_LANGUAGE_KEY] = form.language.data
    if current_user.is_authenticated:
        accounts.set_locale(current_user, form.language.data)
        db.session.commit()
    return redirect(target)


@bp.get("/toegankelijkheid")
@public
def accessibility() -> ResponseReturnValue:
    return render_template("public/accessibility.html")


@bp.get("/privacy")
@public
def privacy() -> ResponseReturnValue:
    """The privacy statement (GDPR art. 13-14): who, why, what, to whom, how long (each call's periods), the rights."""
    config = current_app.config
    controller = {
        "name": config["PRIVACY_CONTROLLER_NAME"],
        "address": config["PRIVACY_CONTROLLER_ADDRESS"],
        "dpo_email": config["PRIVACY_DPO_EMAIL"],
        "authority_name": config["PRIVACY_AUTHORITY_NAME"],
        "authority_url": config["PRIVACY_AUTHORITY_URL"],
    }
    return render_template(
        "public/privacy.html",
        controller=controller,
        calls=call_service.published_calls(),
        listing_months=retention.listing_periods().listing_months,
    )


@bp.get("/aanbod")
@public
def offers() -> ResponseReturnValue:
    """The open offers of expertise, each once with its themes, for anyone: governments and mentors' functions,
    no person's name. `?thema=` narrows the list to one theme; a theme the portal does not know shows all."""
    themes = reference.theme_names(language_code())
    every = matching.public_offers()
    chosen = request.args.get("thema", "")
    theme = chosen if chosen in dict(themes) else None
    counts = Counter(code for offer in every for code in offer.theme_codes)
    shown = [offer for offer in every if theme is None or theme in offer.theme_codes]
    return render_template(
        "public/offers.html",
        themes=themes,
        counts=counts,
        theme=theme,
        theme_name=dict(themes).get(theme or ""),
        offers=shown,
        total=len(every),
    )
