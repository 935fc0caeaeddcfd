"""The administration's pages (ABB officers): overview and the calls as configuration."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forms.calls import CallForm
from forms.fields import choices
from portal.access import keeps_input, roles
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import eur, language_code
from portal.models import Call
from portal.officer.blueprint import bp
from portal.services import budget, notifications, reference, reports, reviews
from portal.services import calls as call_service
from portal.services.calls import (
    CallInput,
    CriterionInput,
    DuplicateCallCode,
    DuplicateReferencePrefix,
    EnvelopeBelowAllocated,
)
from workflows.calls import BRUSSELS
from workflows.roles import Role

BLANK_CRITERION_ROWS = 2


@bp.get("/")
@roles(Role.OFFICER)
def dashboard() -> ResponseReturnValue:
    now = utcnow()
    calls = call_service.all_calls()
    return render_template(
        "officer/dashboard.html",
        calls=calls,
        now=now,
        meters={c.id: budget.meter(c) for c in calls},
        overdue=reviews.overdue_reviews(),
        tasks=reports.task_counts(),
        owned=reports.owned_open_count(current_user.id),
        undelivered=notifications.attention_count(),
    )


@bp.get("/oproepen/<int:call_id>/wachtrij")
@roles(Role.OFFICER)
def queue(call_id: int) -> ResponseReturnValue:
    """Every submitted dossier in queue order with its standing, and the history of every euro."""
    call = call_service.find_call(call_id) or abort(404)
    return render_template(
        "officer/queue.html",
        call=call,
        meter=budget.meter(call),
        queue=budget.queue_of(call),
        history=budget.history_of(call),
    )


@bp.get("/oproepen")
@roles(Role.OFFICER)
def calls() -> ResponseReturnValue:
    return render_template("officer/calls.html", calls=call_service.all_calls(), now=utcnow())


def _theme_choices(lang: str) -> list[SelectChoice]:
    return choices(reference.theme_names(lang))


def _form_data(call: Call) -> dict[str, Any]:
    return {
        "code": call.code,
        "title_nl": call.title_nl,
        "title_en": call.title_en,
        "summary_nl": call.summary_nl,
        "summary_en": call.summary_en,
        "action_code": call.action_code,
        "reference_prefix": call.reference_prefix,
        "envelope": call.envelope_cents,
        "cap": call.cap_cents,
        "compensation_rate_percent": call.compensation_rate_percent,
        "opens_on": call.opens_at.astimezone(BRUSSELS).date(),
        "closes_on": call.closes_at.astimezone(BRUSSELS).date(),
        "exchange_types": call.exchange_types,
        "themes": [theme.code for theme in call.themes],
        "eligible_organisation_kinds": call.eligible_organisation_kinds,
        "required_attachments": call.required_attachments,
        "max_attachment_mb": call.max_attachment_mb,
        "scale_min": call.scale_min,
        "scale_max": call.scale_max,
        "pass_threshold_percent": call.pass_threshold_percent,
        "spread_flag_percent": call.spread_flag_percent,
        "reviews_per_dossier": call.reviews_per_dossier,
        "review_days": call.review_days,
        "allocation_policy": call.allocation_policy,
        "shortfall_policy": call.shortfall_policy,
        "advance_percent": call.advance_percent,
        "allows_repeat_pair": call.allows_repeat_pair,
        "is_published": call.is_published,
        "unconfirmed_partner_policy": call.unconfirmed_partner_policy,
        "signatory_name": call.signatory_name,
        "signatory_function": call.signatory_function,
        "retention_granted_months": call.retention_granted_months,
        "retention_refused_months": call.retention_refused_months,
        "retention_listing_months": call.retention_listing_months,
        "criteria": [criterion.snapshot() for criterion in call.criteria] + [{}] * BLANK_CRITERION_ROWS,
    }


NEW_CALL_DEFAULTS: dict[str, Any] = {
    "compensation_rate_percent": 50,
    "reference_prefix": "ARM",
    "exchange_types": ["mentoring", "stage"],
    "eligible_organisation_kinds": ["municipality"],
    "required_attachments": ["action_plan", "agreement"],
    "max_attachment_mb": 10,
    "scale_min": 0,
    "scale_max": 3,
    "pass_threshold_percent": 50,
    "spread_flag_percent": 25,
    "reviews_per_dossier": 2,
    "review_days": 14,
    "allocation_policy": "first_come",
    "shortfall_policy": "partial",
    "advance_percent": 0,
    "is_published": True,
    "unconfirmed_partner_policy": "warn",
    "retention_granted_months": 120,
    "retention_refused_months": 24,
    "retention_listing_months": 12,
    "criteria": [{}] * (BLANK_CRITERION_ROWS + 3),
}


def _call_input(form: CallForm) -> CallInput:
    return CallInput(
        code=form.code.data.strip(),
        title_nl=form.title_nl.data.strip(),
        title_en=form.title_en.data.strip(),
        summary_nl=(form.summary_nl.data or "").strip(),
        summary_en=(form.summary_en.data or "").strip(),
        action_code=form.action_code.data.strip(),
        reference_prefix=form.reference_prefix.data.strip(),
        envelope_cents=form.envelope.data,
        cap_cents=form.cap.data,
        compensation_rate_percent=form.compensation_rate_percent.data,
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        exchange_types=form.exchange_types.data,
        theme_codes=form.themes.data,
        eligible_organisation_kinds=form.eligible_organisation_kinds.data,
        required_attachments=form.required_attachments.data or [],
        max_attachment_mb=form.max_attachment_mb.data,
        scale_min=form.scale_min.data,
        scale_max=form.scale_max.data,
        pass_threshold_percent=form.pass_threshold_percent.data,
        spread_flag_percent=form.spread_flag_percent.data,
        reviews_per_dossier=form.reviews_per_dossier.data,
        review_days=form.review_days.data,
        allocation_policy=form.allocation_policy.data,
        shortfall_policy=form.shortfall_policy.data,
        advance_percent=form.advance_percent.data,
        allows_repeat_pair=form.allows_repeat_pair.data,
        is_published=form.is_published.data,
        unconfirmed_partner_policy=form.unconfirmed_partner_policy.data,
        signatory_name=(form.signatory_name.data or "").strip(),
        signatory_function=(form.signatory_function.data or "").strip(),
        retention_granted_months=form.retention_granted_months.data,
        retention_refused_months=form.retention_refused_months.data,
        retention_listing_months=form.retention_listing_months.data,
        criteria=[
            CriterionInput(
                code=row.form.code.data,
                name_nl=row.form.name_nl.data.strip(),
                name_en=row.form.name_en.data.strip(),
                weight=row.form.weight.data,
                minimum_score=row.form.minimum_score.data,
                level_descriptions_nl=tuple(row.form.level_descriptions_nl.data or ()),
                level_descriptions_en=tuple(row.form.level_descriptions_en.data or ()),
            )
            for row in form.criteria.entries
            if row.form.code.data
        ],
    )


def _edit_page(form: CallForm, call: Call | None) -> ResponseReturnValue:
    return render_template(
        "officer/call_form.html", form=form, call=call, now=utcnow()
    ), 200 if not form.errors else 400


@bp.route("/oproepen/nieuw", methods=["GET", "POST"])
@roles(Role.OFFICER)
@keeps_input
def new_call() -> ResponseReturnValue:
    form = CallForm(data=NEW_CALL_DEFAULTS if request.method == "GET" else None)
    form.themes.choices = _theme_choices(language_code())
    if form.validate_on_submit():
        try:
            call = call_service.create_call(_call_input(form), current_user)
        except (DuplicateCallCode, DuplicateReferencePrefix) as refused:
            _refused_call(form, refused)
        else:
            db.session.commit()
            flash(_("De oproep %(code)s is aangemaakt.", code=call.code), "success")
            return redirect(url_for("officer.calls"))
    return _edit_page(form, None)


def _refused_call(form: CallForm, refused: Exception) -> None:
    """The service's refusal as an error on the field it is about (shown in the summary too)."""
    if isinstance(refused, DuplicateReferencePrefix):
        form.reference_prefix.errors.append(
            _(
                "De oproep %(code)s gebruikt dit voorvoegsel al in hetzelfde jaar. Kies een ander voorvoegsel, zodat elk dossier een eigen referentienummer krijgt.",
                code=refused.other_code,
            )
        )
    elif isinstance(refused, EnvelopeBelowAllocated):
        form.envelope.errors.append(
            _(
                "De enveloppe kan niet kleiner zijn dan wat al gereserveerd en vastgelegd is: %(amount)s.",
                amount=eur(refused.allocated_cents),
            )
        )
    else:
        form.code.errors.append(_("Er bestaat al een oproep met deze code"))


@bp.route("/oproepen/<int:call_id>", methods=["GET", "POST"])
@roles(Role.OFFICER)
@keeps_input
def edit_call(call_id: int) -> ResponseReturnValue:
    call = call_service.find_call(call_id) or abort(404)
    form = CallForm(data=_form_data(call) if request.method == "GET" else None)
    form.themes.choices = _theme_choices(language_code())
    if form.validate_on_submit():
        try:
            changes = call_service.update_call(call, _call_input(form), current_user)
        except (DuplicateCallCode, DuplicateReferencePrefix, EnvelopeBelowAllocated) as refused:
            db.session.rollback()
            _refused_call(form, refused)
        else:
            db.session.commit()
            if changes:
                flash(_("De oproep %(code)s is opgeslagen.", code=call.code), "success")
            else:
                flash(_("Er was niets gewijzigd."), "info")
            return redirect(url_for("officer.calls"))
    return _edit_page(form, call)
