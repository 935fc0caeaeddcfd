"""The giving government's final report: what was achieved, each mentor's actual costs, the evidence,
and the settlement it leads to (SPEC section 9). Every post saves what is valid; nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.payouts import AchievementsForm, ActualCostForm, ButtonForm, DocumentForm, EarlyEndForm
from portal.access import keeps_input, roles
from portal.actions import run
from portal.answers import send_report_document
from portal.applicant.blueprint import bp
from portal.applicant.routes import _own, _upload_message
from portal.extensions import db
from portal.i18n import day
from portal.models import Application, FinalReport
from portal.models.payouts import ReportState
from portal.refusals import message_for, refusal_text
from portal.services import files, payouts
from portal.services.payouts import CostInput, EarlyEndRefused
from workflows.applications import State
from workflows.roles import Role
from workflows.trajectory import REPORT_DUE_MONTHS

REPORTABLE = (State.GRANTED, State.CLOSED)


def problem_text(code: str) -> str:
    return {
        "achievements": _("Beschrijf wat het project heeft bereikt"),
        "costs": _("Vul voor elke mentor de werkelijke loonkost, tijdsbesteding en periode in"),
        "documents": _("Laad minstens één bewijsstuk op"),
    }[code]


def _granted(application_id: int) -> Application:
    application = _own(application_id)
    if application.state_enum not in REPORTABLE:
        abort(404)  # a report exists only for a granted dossier
    return application


def _draft(application: Application) -> FinalReport:
    """The report to change, started on the first save; the service refuses changes once it is submitted."""
    return payouts.start_report(application, current_user)


def _save(application: Application, action: Callable[[], Any], done: str) -> ResponseReturnValue:
    page = url_for("applicant.report", application_id=application.id)
    return run(
        action, back=page, done=done, otherwise=_("Het eindrapport is ingediend en kan niet meer worden gewijzigd.")
    )


def _page(application: Application, status: int = 200, **forms: Any) -> ResponseReturnValue:
    report = payouts.report_of(application)
    payout_rows = payouts.payouts_of(application)
    lines = (
        [(line.mentor, line) for line in report.lines]
        if report
        else [(mentor, None) for mentor in application.mentors]  # shown with the planned costs until the first save
    )
    context = {
        "application": application,
        "report": report,
        "lines": lines,
        "editable": report is None or report.state_enum is ReportState.DRAFT,
        "settlement": payouts.settlement_of(report) if report else None,
        "problems": [problem_text(code) for code in payouts.report_problems(report)]
        if report
        else [problem_text(c) for c in ("achievements", "documents")],
        "trail": payouts.trail_of(application, payout_rows),
        "payouts": payout_rows,
        "achievements_form": forms.get("achievements_form")
        or AchievementsForm(formdata=None, achievements=report.achievements if report else ""),
        "document_form": forms.get("document_form") or DocumentForm(formdata=None),
        "button_form": ButtonForm(formdata=None),
        "ReportState": ReportState,
        "window": payouts.report_window_of(application),
        "report_open": payouts.report_open(application),
        "may_declare_end": payouts.may_declare_end(application),
    }
    return render_template("applicant/report.html", **context), status


@bp.route("/<int:application_id>/eindrapport", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
def report(application_id: int) -> ResponseReturnValue:
    application = _granted(application_id)
    form = AchievementsForm()
    if not form.is_submitted():
        return _page(application)
    if not form.validate_on_submit():
        return _page(application, 400, achievements_form=form)
    return _save(
        application,
        lambda: payouts.save_achievements(_draft(application), form.achievements.data, current_user),
        _("Uw verslag is bewaard."),
    )


@bp.route("/<int:application_id>/eindrapport/mentoren/<int:mentor_id>", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
def report_cost(application_id: int, mentor_id: int) -> ResponseReturnValue:
    """One mentor's actual costs, first shown as planned in the application."""
    application = _granted(application_id)
    mentor = next((m for m in application.mentors if m.id == mentor_id), None) or abort(404)
    existing = payouts.report_of(application)
    line = next((c for c in existing.lines if c.mentor_id == mentor.id), None) if existing else None
    basis = line or mentor
    form = ActualCostForm(
        formdata=None,
        monthly_wage=basis.monthly_wage_cents,
        time_share=basis.time_share_bp,
        start_on=basis.start_on,
        end_on=basis.end_on,
    )
    if not form.is_submitted():
        return render_template(
            "applicant/report_cost.html",
            application=application,
            mentor=mentor,
            form=form,
            editable=existing is None or existing.state_enum is ReportState.DRAFT,
        )
    form = ActualCostForm()
    if not form.validate_on_submit():
        return render_template(
            "applicant/report_cost.html", application=application, mentor=mentor, form=form, editable=True
        ), 400
    cost = CostInput(form.monthly_wage.data, form.time_share.data, form.start_on.data, form.end_on.data)
    return _save(
        application,
        lambda: payouts.save_actual_cost_of(_draft(application), mentor.id, cost, current_user),
        _("De werkelijke kosten van %(name)s zijn bewaard.", name=mentor.full_name),
    )


@bp.post("/<int:application_id>/eindrapport/bewijsstukken")
@roles(Role.APPLICANT)
def report_upload(application_id: int) -> ResponseReturnValue:
    application = _granted(application_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.document.data
    checked = files.check_pdf(upload.read() if upload else None, application.call.max_attachment_mb * 1024 * 1024)
    if isinstance(checked, files.UploadProblem):
        form.document.errors = [_upload_message(checked, application.call.max_attachment_mb)]
        return _page(application, 400, document_form=form)
    return _save(
        application,
        lambda: payouts.add_document(_draft(application), upload.filename or "bewijsstuk.pdf", checked, current_user),
        _("%(file)s is opgeladen.", file=upload.filename),
    )


@bp.post("/<int:application_id>/eindrapport/bewijsstukken/<int:document_id>/verwijderen")
@roles(Role.APPLICANT)
def report_remove_document(application_id: int, document_id: int) -> ResponseReturnValue:
    application = _granted(application_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    report = payouts.report_of(application)
    document = next((d for d in report.documents if d.id == document_id), None) if report else None
    if report is None or document is None:
        abort(404)
    return _save(
        application, lambda: payouts.remove_document(report, document, current_user), _("Het bewijsstuk is verwijderd.")
    )


@bp.get("/<int:application_id>/eindrapport/bewijsstukken/<int:document_id>")
@roles(Role.APPLICANT)
def report_document(application_id: int, document_id: int) -> ResponseReturnValue:
    return send_report_document(_granted(application_id), document_id)


@bp.post("/<int:application_id>/eindrapport/indienen")
@roles(Role.APPLICANT)
def submit_report(application_id: int) -> ResponseReturnValue:
    application = _granted(application_id)
    return run(
        lambda: payouts.submit_report(application.id, current_user),
        back=url_for("applicant.report", application_id=application.id),
        done=_("Uw eindrapport is ingediend. De administratie berekent het saldo en bereidt de betaling voor."),
        otherwise=_("Het eindrapport is al ingediend."),
    )


def _early_end_message(code: str, application: Application) -> str:
    start = payouts.trajectory_start(application)
    return {
        "in_future": _("De dag waarop het traject eindigde, kan niet in de toekomst liggen"),
        "before_start": _("Het traject kan niet eindigen voor het begon, op %(day)s", day=day(start)),
        "reason_missing": _("Schrijf kort waarom het traject vroeger eindigde"),
        "reason_too_long": _("Gebruik maximaal 1000 tekens"),
    }.get(code, "")


@bp.route("/<int:application_id>/eindrapport/einde-traject", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
def declare_end(application_id: int) -> ResponseReturnValue:
    """The giving government declares that the trajectory ended before its planned end: the report opens."""
    application = _granted(application_id)
    page = url_for("applicant.report", application_id=application.id)
    if not payouts.may_declare_end(application):
        report = payouts.report_of(application)
        flash(
            refusal_text(
                "report_submitted"
                if report is not None and report.state_enum is not ReportState.DRAFT
                else "already_ended"
            ),
            "info",
        )
        return redirect(page)
    form = EarlyEndForm()
    if form.validate_on_submit():
        try:
            payouts.declare_early_end(application.id, current_user, form.ended_on.data, form.reason.data or "")
        except EarlyEndRefused as refused:
            db.session.rollback()
            message = _early_end_message(refused.code, application)
            if not message:  # the report was submitted, or the planned end came, meanwhile
                flash(message_for(refused), "info")
                return redirect(page)
            (form.reason if refused.code.startswith("reason") else form.ended_on).errors = [message]
        else:
            db.session.commit()
            flash(
                _(
                    "U meldde dat het traject eindigde op %(day)s. U kunt het eindrapport nu indienen.",
                    day=day(form.ended_on.data),
                ),
                "success",
            )
            return redirect(page)
    planned = payouts.report_window_of(application)
    return render_template(
        "applicant/early_end.html",
        application=application,
        form=form,
        planned=planned,
        start=payouts.trajectory_start(application),
        due_months=REPORT_DUE_MONTHS,
    ), (400 if form.errors else 200)
