"""A government's matchmaking pages (SPEC section 10): its offers of expertise and its needs, the
matches the matcher proposes to it, its answer, and the application a confirmed match starts.

Another government's offer, need or match reads as not found (404)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forms.applications import StartForm
from forms.fields import choices
from forms.matching import PROFILE_LIMIT, AnswerForm, NeedForm, OfferForm, WithdrawRegistrationForm
from portal.access import keeps_input, roles
from portal.actions import run
from portal.applicant.blueprint import bp
from portal.applicant.routes import chosen_call, open_calls_on
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import language_code
from portal.models.matching import Match, Need, Offer
from portal.services import matching as service
from portal.services import reference
from portal.services.matching import NeedDetails, OfferDetails, ProfileDetails
from portal.services.refusal import NotAllowed
from workflows.matching import Answer, MatchRefused, MatchState, NeedState, OfferState, Side
from workflows.roles import Role


def _theme_choices(form: Any) -> None:
    form.themes.choices = choices(reference.theme_names(language_code()))


def _government() -> int:
    """The user's government; an applicant account without one has nothing to show here."""
    if current_user.organisation_id is None:
        abort(404)
    return int(current_user.organisation_id)


@bp.get("/samenwerking")
@roles(Role.APPLICANT)
def matching() -> ResponseReturnValue:
    organisation_id = _government()
    matches = service.matches_of(organisation_id)
    sides = {match.id: service.side_of(current_user, match) for match in matches}
    to_answer = [m for m in matches if m.state_enum is MatchState.PROPOSED and m.answer_of(sides[m.id]) is None]
    return render_template(
        "applicant/matching/overview.html",
        offers=service.offers_of(organisation_id),
        needs=service.needs_of(organisation_id),
        matches=matches,
        sides=sides,
        to_answer=to_answer,
        Side=Side,
    )


# --- offers ----------------------------------------------------------------------------------------


def _offer_details(form: OfferForm) -> OfferDetails:
    return OfferDetails(
        theme_codes=list(form.themes.data or []),
        approach=form.approach.data.strip(),
        inhabitants=form.inhabitants.data,
        available_from_on=date(form.available_year.data, form.available_month.data, 1),
        months_available=form.months_available.data,
        time_share_bp=form.time_share.data,
        contact_name=form.contact_name.data.strip(),
        contact_email=form.contact_email.data.strip().lower(),
    )


def _profiles(form: OfferForm) -> list[ProfileDetails]:
    return [
        ProfileDetails(
            full_name=(entry.full_name.data or "").strip(),
            function=entry.function.data.strip(),
            years_experience=entry.years_experience.data,
            drew_up_plan=entry.drew_up_plan.data == "yes",
            plan_description=(entry.plan_description.data or "").strip() if entry.drew_up_plan.data == "yes" else "",
            plan_year=entry.plan_year.data if entry.drew_up_plan.data == "yes" else None,
        )
        for entry in (subform.form for subform in form.profiles)
    ]


def _listing_form(form_class: type[Any], row: Offer | Need | None, stored: Callable[[Any], dict[str, Any]]) -> Any:
    """The form of an offer or a need: as posted; as stored (`stored` maps the row to the form's fields); or new,
    with the signed-in person as the contact."""
    if row is None or request.method == "POST":
        form = form_class()
        if request.method == "GET":
            form.contact_name.data, form.contact_email.data = current_user.full_name, current_user.email
    else:
        form = form_class(data=stored(row))
    _theme_choices(form)
    return form


# The fields that the forms and the rows name alike.
_OFFER_FIELDS = ("approach", "inhabitants", "months_available", "contact_name", "contact_email")
_PROFILE_FIELDS = ("full_name", "function", "years_experience", "plan_description", "plan_year")
_NEED_FIELDS = ("context", "goals", "inhabitants", "contact_name", "contact_email")


def _offer_as_stored(offer: Offer) -> dict[str, Any]:
    return {name: getattr(offer, name) for name in _OFFER_FIELDS} | {
        "themes": offer.theme_codes,
        "available_month": offer.available_from_on.month,
        "available_year": offer.available_from_on.year,
        "time_share": offer.time_share_bp,
        "profiles": [
            {name: getattr(p, name) for name in _PROFILE_FIELDS} | {"drew_up_plan": "yes" if p.drew_up_plan else "no"}
            for p in offer.profiles
        ],
    }


def _need_as_stored(need: Need) -> dict[str, Any]:
    return {name: getattr(need, name) for name in _NEED_FIELDS} | {
        "themes": need.theme_codes,
        "staff_fte": need.staff_fte_tenths,
    }


def _without_dropped_profiles() -> OfferForm | None:
    """The posted form without the profiles marked "remove" and without an added profile left empty,
    renumbered, as if they had never been posted; None when nothing is dropped."""
    posted = request.form
    pattern = re.compile(r"profiles-(\d+)-(.+)")
    profiles: dict[int, list[tuple[str, str]]] = {}
    for key, value in posted.items(multi=True):
        found = pattern.fullmatch(key)
        if found:
            profiles.setdefault(int(found.group(1)), []).append((found.group(2), value))
    removed = {int(index) for index in posted.getlist("remove_profile") if index.isdecimal()}
    kept = [
        index
        for index in sorted(profiles)
        if index not in removed and any(value.strip() for _, value in profiles[index])
    ]
    if kept == sorted(profiles):
        return None
    formdata = MultiDict(
        [
            (key, value)
            for key, value in posted.items(multi=True)
            if not pattern.fullmatch(key) and key != "remove_profile"
        ]
    )
    for number, index in enumerate(kept or [0]):
        for name, value in profiles.get(index, []) if kept else []:
            formdata.add(f"profiles-{number}-{name}", value)
    form = OfferForm(formdata=formdata)
    _theme_choices(form)
    return form


def _own(find: Any, listing_id: int | None, *, for_update: bool) -> Any:
    """The government's own offer or need (404 for anyone else's), locked when it is about to change;
    None for a new one."""
    _government()
    if listing_id is None:
        return None
    return find(current_user, listing_id, for_update=for_update) or abort(404)


@bp.route("/samenwerking/aanbod/nieuw", methods=["GET", "POST"])
@bp.route("/samenwerking/aanbod/<int:offer_id>", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
def offer(offer_id: int | None = None) -> ResponseReturnValue:
    existing = _own(service.own_offer, offer_id, for_update=request.method == "POST")
    form = _listing_form(OfferForm, existing, _offer_as_stored)
    if request.method == "POST":
        form = _without_dropped_profiles() or form
        if form.add_profile.data:  # re-show the form as typed with one more profile; nothing is saved yet
            if len(form.profiles) < PROFILE_LIMIT:
                form.profiles.append_entry()
            return render_template("applicant/matching/offer.html", form=form, offer=existing, limit=PROFILE_LIMIT)
    if existing is not None and request.method == "POST" and existing.state_enum is not OfferState.OPEN:
        flash(_("Dit aanbod is ingetrokken en kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("applicant.matching"))
    if form.validate_on_submit():
        if existing is None:
            service.register_offer(current_user, _offer_details(form), _profiles(form))
            flash(
                _(
                    "Uw aanbod is geregistreerd. De matcher van VVSG bekijkt het en stelt u voor aan besturen met een passende vraag."
                ),
                "success",
            )
        else:
            service.update_offer(existing, current_user, _offer_details(form), _profiles(form))
            flash(_("Uw aanbod is bijgewerkt."), "success")
        db.session.commit()
        return redirect(url_for("applicant.matching"))
    return render_template("applicant/matching/offer.html", form=form, offer=existing, limit=PROFILE_LIMIT), (
        400 if form.errors else 200
    )


# Withdrawing one's own offer or need: finding it, withdrawing it, what the government reads when it is done
# and when it was no longer open.
_WITHDRAWALS = {
    "offer": (
        service.own_offer,
        service.withdraw_offer,
        _l("Uw aanbod is ingetrokken. Voorstellen die nog op antwoord wachtten, zijn vervallen."),
        _l("Dit aanbod was al ingetrokken."),
    ),
    "need": (
        service.own_need,
        service.withdraw_need,
        _l("Uw vraag is ingetrokken. Voorstellen die nog op antwoord wachtten, zijn vervallen."),
        _l("Deze vraag is niet meer open en kan niet worden ingetrokken."),
    ),
}


def _withdraw(kind: str, listing_id: int) -> ResponseReturnValue:
    """Locked while its proposals are cancelled."""
    own, withdraw, done, otherwise = _WITHDRAWALS[kind]
    listing = _own(own, listing_id, for_update=True)
    return run(
        lambda: withdraw(listing, current_user, utcnow()),
        form=WithdrawRegistrationForm(),
        back=url_for("applicant.matching"),
        done=str(done),
        otherwise=str(otherwise),
    )


@bp.post("/samenwerking/aanbod/<int:offer_id>/intrekken")
@roles(Role.APPLICANT)
def withdraw_offer(offer_id: int) -> ResponseReturnValue:
    return _withdraw("offer", offer_id)


# --- needs -----------------------------------------------------------------------------------------


def _need_details(form: NeedForm) -> NeedDetails:
    return NeedDetails(
        theme_codes=list(form.themes.data or []),
        context=form.context.data.strip(),
        goals=form.goals.data.strip(),
        inhabitants=form.inhabitants.data,
        staff_fte_tenths=form.staff_fte.data,
        contact_name=form.contact_name.data.strip(),
        contact_email=form.contact_email.data.strip().lower(),
    )


@bp.route("/samenwerking/vragen/nieuw", methods=["GET", "POST"])
@bp.route("/samenwerking/vragen/<int:need_id>", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
def need(need_id: int | None = None) -> ResponseReturnValue:
    existing = _own(service.own_need, need_id, for_update=request.method == "POST")
    form = _listing_form(NeedForm, existing, _need_as_stored)
    if existing is not None and request.method == "POST" and existing.state_enum is not NeedState.OPEN:
        flash(_("Deze vraag is niet meer open en kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("applicant.matching"))
    if form.validate_on_submit():
        if existing is None:
            service.register_need(current_user, _need_details(form))
            flash(
                _(
                    "Uw vraag is geregistreerd. De matcher van VVSG zoekt een bestuur dat de gevraagde expertise kan delen."
                ),
                "success",
            )
        else:
            service.update_need(existing, current_user, _need_details(form))
            flash(_("Uw vraag is bijgewerkt."), "success")
        db.session.commit()
        return redirect(url_for("applicant.matching"))
    return render_template("applicant/matching/need.html", form=form, need=existing), (400 if form.errors else 200)


@bp.post("/samenwerking/vragen/<int:need_id>/intrekken")
@roles(Role.APPLICANT)
def withdraw_need(need_id: int) -> ResponseReturnValue:
    return _withdraw("need", need_id)


# --- a proposed match: answering, and starting the application ---------------------------------------


def _party_match(match_id: int, for_update: bool = False) -> tuple[Match, Side]:
    _government()
    match = service.lock_match(match_id) if for_update else db.session.get(Match, match_id)
    side = service.side_of(current_user, match) if match is not None else None
    if match is None or side is None:
        abort(404)
    return match, side


@bp.route("/samenwerking/matches/<int:match_id>", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def match(match_id: int) -> ResponseReturnValue:
    found, side = _party_match(match_id, for_update=request.method == "POST")
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            service.answer(found, side, current_user, Answer(form.answer.data), form.reason.data or "", utcnow())
        except MatchRefused:
            flash(_("Op dit voorstel kan niet meer worden geantwoord: het werd al beantwoord of ingetrokken."), "info")
            return redirect(url_for("applicant.match", match_id=found.id))
        db.session.commit()
        flash(_answered_message(found), "success")
        return redirect(url_for("applicant.match", match_id=found.id))
    return render_template("applicant/matching/match.html", match=found, side=side, form=form, Side=Side), (
        400 if form.errors else 200
    )


def _answered_message(found: Match) -> str:
    if found.state_enum is MatchState.CONFIRMED:
        return _("De match is bevestigd: beide besturen hebben aanvaard.")
    if found.state_enum is MatchState.DECLINED:
        return _("U hebt het voorstel afgewezen. De matcher en het andere bestuur zijn verwittigd.")
    return _("U hebt het voorstel aanvaard. We laten u weten wanneer het andere bestuur heeft geantwoord.")


@bp.route("/samenwerking/matches/<int:match_id>/aanvraag", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def start_from_match(match_id: int) -> ResponseReturnValue:
    found, side = _party_match(match_id, for_update=request.method == "POST")
    if side is not Side.GIVING or found.state_enum is not MatchState.CONFIRMED:
        abort(404)
    if found.application_id is not None:
        return redirect(url_for("applicant.overview", application_id=found.application_id))
    now = utcnow()
    form = StartForm()
    calls = open_calls_on(form, now)
    if form.validate_on_submit() and (call := chosen_call(form, calls)) is not None:
        try:
            application = service.start_application(found, call, current_user, now)
        except (service.CannotStart, NotAllowed):
            form.call_id.errors.append(_("Kies een oproep die open is en waarvoor uw bestuur kan aanvragen"))
        else:
            db.session.commit()
            flash(
                _(
                    "Uw aanvraag is gestart met beide besturen, de thema's en de mentoren van de match. Vul de rest aan."
                ),
                "success",
            )
            return redirect(url_for("applicant.overview", application_id=application.id))
    return render_template("applicant/matching/start.html", form=form, match=found, calls=calls), (
        400 if form.errors else 200
    )
