"""The applicant's pages: the task list of an application, submitting it, and following it up.

Every page saves what is valid as soon as it is posted, so nothing typed is lost: a field with an
error is shown again as typed, the others are already in the draft.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.applications import (
    AcceptOfferForm,
    AttachmentForm,
    BudgetForm,
    ConfirmParticipationForm,
    DeclineParticipationForm,
    ExchangeForm,
    MentorForm,
    PartiesForm,
    StartForm,
    SubmitForm,
    WithdrawForm,
)
from forms.calls import ATTACHMENT_LABELS
from forms.fields import choices
from portal.access import keeps_input, roles
from portal.answers import answers_context, send_attachment, send_document, send_letter
from portal.applicant.blueprint import bp
from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.i18n import day, language_code, moment
from portal.models import Application, Call, FundamentalRight, Mentor
from portal.models.payouts import ReportState
from portal.public.selfcheck import kept_answers, kept_mentor
from portal.refusals import message_for, refusal_text
from portal.services import agreements, decisions, dossiers, drafts, files, notifications, payouts, receipts
from portal.services import applications as service
from portal.services import budget as budget_service
from portal.services import calls as call_service
from portal.services.dossiers import Relation
from portal.services.files import UploadProblem
from portal.services.partner import receiving_answer
from portal.services.refusal import NotAllowed
from workflows.applications import Action, Section, SectionStatus, State, SubmitProblem, allowed_actions
from workflows.participation import Answer, decline_refusal, may_confirm, may_decline
from workflows.roles import Role

# --- loading, with the object-level rule: another government's dossier is a 404 ---------------


def _visible(application_id: int, *, for_update: bool = False) -> dossiers.Visible:
    # Read only, unless for_update: every change goes through a service that locks the dossier and
    # looks again, which is free when the route has locked it already.
    found = dossiers.visible_to(current_user, application_id, for_update=for_update)
    if found is None:
        abort(404)
    return found


def _own(application_id: int, *, for_update: bool = False) -> Application:
    found = _visible(application_id, for_update=for_update)
    if found.relation is not Relation.GIVING:
        abort(404)
    return found.application


def _own_draft(application_id: int) -> Application | None:
    """The giving government's draft, or None when it is no longer editable (the caller redirects)."""
    application = _own(application_id)
    return application if drafts.is_editable(application) else None


def editing_draft(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """The route edits the giving government's own draft and receives it; once the dossier is submitted
    (or withdrawn), the route answers with the dossier's page and a word why."""

    @wraps(view)
    def with_draft(application_id: int, **arguments: Any) -> ResponseReturnValue:
        application = _own_draft(application_id)
        if application is None:
            return _to_overview(_own(application_id))
        return view(application, **arguments)

    return with_draft


def _to_overview(application: Application) -> ResponseReturnValue:
    flash(_("Deze aanvraag is ingediend en kan niet meer worden gewijzigd."), "info")
    return redirect(url_for("applicant.overview", application_id=application.id))


def _continue(form: Any, application: Application) -> ResponseReturnValue:
    """After saving: back to the task list, with a word on what happened."""
    if form.save_draft.data:
        flash(_("Uw antwoorden zijn bewaard. U kunt later verdergaan."), "success")
    return redirect(url_for("applicant.overview", application_id=application.id))


def _accepted(field: Any, empty: Any = "") -> Any:
    """What the form accepted for the draft (`empty` for an emptied field), or KEEP for a refused value."""
    if field.errors:
        return drafts.KEEP
    return field.data if field.data is not None else empty


def _accepted_list(field: Any) -> Any:
    # An emptied multiple choice is accepted as empty even when the form asks for at least one.
    return drafts.KEEP if field.errors and field.data else list(field.data or [])


def _save_section(application: Application, save: Callable[[], Any]) -> ResponseReturnValue | None:
    """Run a draft service; None when it saved, else the answer for a draft that is gone or not a draft."""
    try:
        save()
    except LookupError:
        abort(404)
    except NotAllowed:  # submitted meanwhile, from another tab
        db.session.rollback()
        return _to_overview(application)
    db.session.commit()
    return None


def typed_but_refused(form: Any) -> bool:
    """A value the user typed that the draft cannot keep (an e-mail address that is none, a control
    character): saving for later stays on the page to say so, rather than drop it unseen. An empty
    required field is no such value: a draft may lack it."""
    return any(
        field.errors and any(str(value).strip() for value in getattr(field, "raw_data", None) or ()) for field in form
    )


def _section(
    application: Application, form: Any, save: Callable[[], Any], template: str, **context: Any
) -> ResponseReturnValue:
    """A section of the draft: a post keeps every answer the form accepted, even beside refused ones
    (`save` reads the form after it was validated); complete, or saved for later, it returns to the task
    list, otherwise the page again says what to correct."""
    if form.is_submitted():
        valid = form.validate()
        if (gone := _save_section(application, save)) is not None:
            return gone
        if valid or (form.save_draft.data and not typed_but_refused(form)):
            return _continue(form, application)
    return _page(template, form, application=application, **context)


def _page(template: str, form: Any, status_ok: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(template, form=form, **context), (400 if form.errors else status_ok)


# --- the dashboard and starting ---------------------------------------------------------------


@bp.get("/")
@roles(Role.APPLICANT)
def dashboard() -> ResponseReturnValue:
    giving, receiving = service.dossiers_of(current_user.organisation_id) if current_user.organisation_id else ([], [])
    return render_template(
        "applicant/dashboard.html",
        giving=giving,
        receiving=receiving,
        open_calls=[c for c in call_service.published_calls() if drafts.may_start_in(c, utcnow())],
        unread=notifications.unread_count(current_user),
    )


def open_calls_on(form: StartForm, now: datetime) -> list[Call]:
    """The calls a draft may start in now, as the form's choices; a single one is chosen already."""
    calls = [c for c in call_service.published_calls() if drafts.may_start_in(c, now)]
    form.call_id.choices = choices((c.id, c.title(language_code())) for c in calls)
    if request.method == "GET" and len(calls) == 1:
        form.call_id.data = calls[0].id
    return calls


def chosen_call(form: StartForm, calls: list[Call]) -> Call | None:
    """The posted call if it is still open; otherwise None, with the message on the field."""
    call = call_service.find_call(form.call_id.data)
    if call is None or call not in calls:
        form.call_id.errors.append(_("Kies een oproep die open is"))
        return None
    return call


@bp.route("/nieuw", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def start() -> ResponseReturnValue:
    now = utcnow()
    form = StartForm()
    calls = open_calls_on(form, now)
    if form.validate_on_submit():
        call = chosen_call(form, calls)
        if call is not None:
            try:
                application = drafts.start(call, current_user, now)
            except NotAllowed:
                form.call_id.errors.append(_("Uw organisatie kan niet aanvragen voor deze oproep"))
            else:
                db.session.commit()
                return redirect(url_for("applicant.overview", application_id=application.id))
    return _page("applicant/start.html", form, calls=calls)


# --- the task list and the read-only view -----------------------------------------------------


@bp.get("/<int:application_id>")
@roles(Role.APPLICANT)
def overview(application_id: int) -> ResponseReturnValue:
    found = _visible(application_id)
    application = found.application
    if found.relation is Relation.GIVING and application.state_enum in (State.DRAFT, State.CORRECTION_REQUESTED):
        statuses = service.section_statuses_of(application)
        return render_template(
            "applicant/task_list.html",
            application=application,
            statuses=statuses,
            all_done=all(s is SectionStatus.COMPLETED for s in statuses.values()),
            section_names=_section_names(),
            Section=Section,
            SectionStatus=SectionStatus,
        )
    answer = receiving_answer(application)
    return render_template(
        "applicant/dossier.html",
        application=application,
        relation=found.relation,
        Relation=Relation,
        submission=application.latest_submission,
        queue_position=service.queue_position(application),
        reservation=budget_service.standing_of(application),
        actions=allowed_actions(Role.APPLICANT, application.state_enum),
        Action=Action,
        confirm_form=ConfirmParticipationForm(),
        accept_form=AcceptOfferForm(formdata=None),
        answer=answer,
        Answer=Answer,
        may_confirm=may_confirm(application.state_enum, answer),
        may_decline=may_decline(application.state_enum, answer),
        window=payouts.report_window_of(application)
        if application.state_enum in (State.GRANTED, State.CLOSED)
        else None,
        report=payouts.report_of(application) if application.state_enum in (State.GRANTED, State.CLOSED) else None,
        has_letter=decisions.has_letter(application),
        payout_under_way=payouts.payout_under_way(application),
        **_summary_context(application),
    )


def _summary_context(application: Application) -> dict[str, Any]:
    return answers_context(
        application, lambda kind: url_for("applicant.download_attachment", application_id=application.id, kind=kind)
    )


# --- sections -----------------------------------------------------------------------------------

PARTY_FIELDS = [
    "giving_contact_name", "giving_contact_function", "giving_contact_email", "giving_contact_phone",
    "receiving_contact_name", "receiving_contact_function", "receiving_contact_email", "receiving_contact_phone",
]  # fmt: skip


@bp.route("/<int:application_id>/partijen", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
@editing_draft
def parties(application: Application) -> ResponseReturnValue:
    form = PartiesForm(obj=application if request.method == "GET" else None)
    form.receiving_organisation_id.choices = choices(
        [(0, _("Kies een bestuur"))] + [(org.id, org.name) for org in drafts.receiving_choices(application)]
    )
    if request.method == "GET":
        form.receiving_organisation_id.data = application.receiving_organisation_id or 0
    return _section(
        application,
        form,
        lambda: drafts.save_parties(application.id, current_user, _party_changes(form)),
        "applicant/parties.html",
    )


def _party_changes(form: PartiesForm) -> drafts.PartiesInput:
    return drafts.PartiesInput(
        receiving_organisation_id=_accepted(form.receiving_organisation_id, None) or None,
        **{name: _accepted(form[name]) for name in PARTY_FIELDS},
    )


EXCHANGE_TEXTS = ["approach", "need", "goals", "participation", "embedding"]


def _exchange_choices(form: ExchangeForm, application: Application) -> None:
    lang = language_code()
    form.set_choices(
        application.call.exchange_types,
        [(t.code, t.name(lang)) for t in application.call.themes],
        [
            (r.code, f"{r.code} {r.name(lang)}")
            for r in db.session.scalars(select(FundamentalRight).order_by(FundamentalRight.code))
        ],
    )


@bp.route("/<int:application_id>/uitwisseling", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
@editing_draft
def exchange(application: Application) -> ResponseReturnValue:
    # A new draft starts from the self-check's answers on this call, if the browser made one.
    kept = (
        kept_answers(application.call.code)
        if application.exchange_type is None and not application.theme_codes
        else None
    )
    if request.method != "GET":
        form = ExchangeForm()
    elif kept is not None:
        # Not `obj=`: WTForms prefers the object's (empty) attributes to the keywords.
        form = ExchangeForm(
            exchange_type=kept.get("exchange_type"),
            themes=kept.get("themes"),
            rights=application.right_codes,
            **{name: getattr(application, name) for name in EXCHANGE_TEXTS},
        )
    else:
        form = ExchangeForm(obj=application, themes=application.theme_codes, rights=application.right_codes)
    _exchange_choices(form, application)
    return _section(
        application,
        form,
        lambda: drafts.save_exchange(application.id, current_user, _exchange_changes(form)),
        "applicant/exchange.html",
        from_self_check=kept is not None and request.method == "GET",
    )


def _exchange_changes(form: ExchangeForm) -> drafts.ExchangeInput:
    return drafts.ExchangeInput(
        exchange_type=_accepted(form.exchange_type, None) or None,
        theme_codes=_accepted_list(form.themes),
        right_codes=_accepted_list(form.rights),
        **{name: _accepted(form[name]) for name in EXCHANGE_TEXTS},
    )


@bp.get("/<int:application_id>/mentoren")
@roles(Role.APPLICANT)
@editing_draft
def mentors(application: Application) -> ResponseReturnValue:
    lines, money = dossiers.compensation_of(application)
    return render_template(
        "applicant/mentors.html", application=application, lines=dict(lines), confirm_form=ConfirmParticipationForm()
    )


MENTOR_FIELDS = ["full_name", "function", "years_experience", "plan_description", "plan_year", "start_on", "end_on"]
MENTOR_TEXTS = {"full_name", "function", "plan_description"}


def _mentor_form(application: Application, mentor: Mentor | None) -> MentorForm:
    if request.method == "GET" and mentor is not None:
        form = MentorForm(
            obj=mentor,
            drew_up_plan=None if mentor.drew_up_plan is None else ("yes" if mentor.drew_up_plan else "no"),
            themes=mentor.theme_codes,
            monthly_wage=mentor.monthly_wage_cents,
            time_share=mentor.time_share_bp,
        )
    elif request.method == "GET" and (kept := kept_mentor(application.call.code, len(application.mentors))):
        form = MentorForm(**kept)  # the next mentor's cost from the self-check on this call
    else:
        form = MentorForm()
    lang = language_code()
    form.themes.choices = choices((t.code, t.name(lang)) for t in application.call.themes)
    return form


def _mentor_changes(form: MentorForm) -> drafts.MentorInput:
    plan = _accepted(form.drew_up_plan, None)
    return drafts.MentorInput(
        drew_up_plan=plan if plan is drafts.KEEP else {"yes": True, "no": False}.get(plan or ""),
        theme_codes=_accepted_list(form.themes),
        monthly_wage_cents=_accepted(form.monthly_wage, None),
        time_share_bp=_accepted(form.time_share, None),
        **{name: _accepted(form[name], "" if name in MENTOR_TEXTS else None) for name in MENTOR_FIELDS},
    )


@bp.route("/<int:application_id>/mentoren/nieuw", methods=["GET", "POST"])
@bp.route("/<int:application_id>/mentoren/<int:mentor_id>", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
@editing_draft
def mentor(application: Application, mentor_id: int | None = None) -> ResponseReturnValue:
    existing = next((m for m in application.mentors if m.id == mentor_id), None) if mentor_id else None
    if mentor_id and existing is None:
        abort(404)
    form = _mentor_form(application, existing)
    if form.is_submitted():
        valid = form.validate()
        changes = _mentor_changes(form)
        saved: list[Mentor] = []
        if (
            gone := _save_section(
                application, lambda: saved.append(drafts.save_mentor(application.id, current_user, mentor_id, changes))
            )
        ) is not None:
            return gone
        target = saved[0]
        if valid or (form.save_draft.data and not typed_but_refused(form)):
            if form.save_draft.data:
                flash(_("Uw antwoorden zijn bewaard. U kunt later verdergaan."), "success")
            return redirect(url_for("applicant.mentors", application_id=application.id))
        if existing is None:
            # Saved as a new mentor: further corrections go to that mentor, not to yet another one.
            return _page(
                "applicant/mentor.html",
                form,
                application=application,
                mentor=target,
                action_url=url_for("applicant.mentor", application_id=application.id, mentor_id=target.id),
            )
    return _page(
        "applicant/mentor.html",
        form,
        application=application,
        mentor=existing,
        action_url=request.path,
        from_self_check=existing is None and kept_mentor(application.call.code, len(application.mentors)) is not None,
    )


@bp.post("/<int:application_id>/mentoren/<int:mentor_id>/verwijderen")
@roles(Role.APPLICANT)
@editing_draft
def remove_mentor(application: Application, mentor_id: int) -> ResponseReturnValue:
    if not ConfirmParticipationForm().validate_on_submit():  # CSRF only
        abort(400)
    removed: list[Mentor] = []
    if (
        gone := _save_section(
            application, lambda: removed.append(drafts.remove_mentor(application.id, current_user, mentor_id))
        )
    ) is not None:
        return gone
    flash(_("%(name)s is verwijderd.", name=removed[0].full_name or _("De mentor")), "success")
    return redirect(url_for("applicant.mentors", application_id=application.id))


@bp.route("/<int:application_id>/budget", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
@editing_draft
def budget(application: Application) -> ResponseReturnValue:
    form = BudgetForm(iban=application.iban) if request.method == "GET" else BudgetForm()
    if form.is_submitted():
        valid = form.validate()
        if not form.iban.errors:
            try:
                gone = _save_section(
                    application, lambda: drafts.save_iban(application.id, current_user, form.iban.data or None)
                )
            except drafts.InvalidIban:
                db.session.rollback()
                form.iban.errors.append(
                    _("Dit is geen geldig IBAN-rekeningnummer. Controleer het, bijvoorbeeld BE68 5390 0754 7034")
                )
                valid = False
            else:
                if gone is not None:
                    return gone
        if valid or (form.save_draft.data and not typed_but_refused(form)):
            return _continue(form, application)
    lines, money = dossiers.compensation_of(application)
    incomplete = [m for m in application.mentors if dossiers.cost_basis(m) is None]
    return _page(
        "applicant/budget.html",
        form,
        application=application,
        lines=lines,
        money=money,
        incomplete=incomplete,
        call=application.call,
    )


def _upload_message(problem: UploadProblem, max_mb: int) -> str:
    return {
        UploadProblem.MISSING: _("Kies een bestand om op te laden"),
        UploadProblem.EMPTY: _("Het gekozen bestand is leeg"),
        UploadProblem.TOO_LARGE: _("Het bestand is groter dan %(mb)s MB", mb=max_mb),
        UploadProblem.NOT_PDF: _("Het bestand is geen PDF. Bewaar het document als PDF en probeer opnieuw"),
        UploadProblem.BROKEN_PDF: _(
            "Het PDF-bestand is beschadigd of kan niet worden gelezen. Bewaar het opnieuw als PDF"
        ),
        UploadProblem.ACTIVE_CONTENT: _(
            "Het PDF-bestand bevat actieve inhoud, zoals JavaScript, een opdracht die een programma start of een "
            "ingesloten bestand. Om veiligheidsredenen aanvaarden wij zo'n bestand niet. Druk het document af als "
            "nieuwe PDF en probeer opnieuw"
        ),
    }[problem]


@bp.route("/<int:application_id>/bijlagen", methods=["GET", "POST"])
@roles(Role.APPLICANT)
@keeps_input
@editing_draft
def attachments(application: Application) -> ResponseReturnValue:
    kinds = application.call.required_attachments or list(ATTACHMENT_LABELS)
    forms = {kind: AttachmentForm(prefix=kind) for kind in kinds}
    posted = next((kind for kind, form in forms.items() if form.upload.data), None)
    if posted is not None:
        form = forms[posted]
        if form.validate_on_submit():
            upload = form.document.data
            data = upload.read() if upload else None
            checked = files.check_pdf(data, application.call.max_attachment_mb * 1024 * 1024)
            if isinstance(checked, UploadProblem):
                form.document.errors = [_upload_message(checked, application.call.max_attachment_mb)]
            else:
                files.store_attachment(application, posted, upload.filename or "bijlage.pdf", checked, current_user)
                db.session.commit()
                flash(_("%(file)s is opgeladen.", file=upload.filename), "success")
                return redirect(url_for("applicant.attachments", application_id=application.id))
    errors = {kind: form for kind, form in forms.items() if form.errors}
    return render_template(
        "applicant/attachments.html", application=application, forms=forms, errors=errors, labels=ATTACHMENT_LABELS
    ), (400 if errors else 200)


@bp.get("/<int:application_id>/bijlagen/<kind>")
@roles(Role.APPLICANT)
def download_attachment(application_id: int, kind: str) -> ResponseReturnValue:
    return send_attachment(_visible(application_id).application, kind)


@bp.get("/<int:application_id>/overeenkomst.pdf")
@roles(Role.APPLICANT)
def agreement(application_id: int) -> ResponseReturnValue:
    """The cooperation agreement to sign, made now from the application (a draft too, for the giving
    government; the receiving government sees it once submitted, like the dossier). Nothing is stored."""
    application = _visible(application_id).application
    return send_file(
        io.BytesIO(agreements.render_agreement(application)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=agreements.download_name(application),
    )


# --- check, declare, submit -------------------------------------------------------------------


@bp.route("/<int:application_id>/controleren", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def check(application_id: int) -> ResponseReturnValue:
    # A submission locks the dossier in the statement that reads it: one read less when every
    # government submits at once.
    application = _own(application_id, for_update=request.method == "POST")
    if application.state_enum not in (State.DRAFT, State.CORRECTION_REQUESTED):
        # A retried or doubled submit lands where the first one did.
        target = "applicant.confirmation" if application.latest_submission else "applicant.overview"
        return redirect(url_for(target, application_id=application.id))
    form = SubmitForm()
    now = utcnow()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            result = service.submit(application.id, current_user, declared=bool(form.declaration.data))
        except NotAllowed:
            return redirect(url_for("applicant.overview", application_id=application.id))
        if result.submission is not None:
            # The receipt is made from the frozen content at its first download, outside this
            # transaction: submitting stays quick when every government submits at once.
            db.session.commit()
            # The id from the address: the committed row is not read again only to name itself.
            return redirect(url_for("applicant.confirmation", application_id=application_id))
        problems = _submit_messages(result.check, application)
    elif request.method == "GET":
        precheck = service.submit_check(application, now, declared=True)
        problems = _submit_messages(precheck, application)
    return _page(
        "applicant/check.html",
        form,
        status_ok=200 if not (request.method == "POST" and problems) else 400,
        application=application,
        problems=problems,
        **_summary_context(application),
    )


def _submit_messages(check: Any, application: Application) -> list[str]:
    call = application.call
    section_names = _section_names()
    messages = []
    for problem in check.problems:
        if problem is SubmitProblem.CALL_NOT_OPEN_YET:
            messages.append(
                _("De oproep is nog niet open. U kunt indienen vanaf %(moment)s.", moment=moment(call.opens_at))
            )
        elif problem is SubmitProblem.CALL_CLOSED:
            messages.append(
                _("De oproep is afgesloten. Indienen kon tot en met %(moment)s.", moment=moment(call.closes_at))
            )
        elif problem is SubmitProblem.INCOMPLETE:
            names = ", ".join(section_names[s] for s in check.incomplete_sections)
            messages.append(_("Vul eerst deze onderdelen volledig in: %(sections)s.", sections=names))
        elif problem is SubmitProblem.NOT_A_DRAFT:
            messages.append(_("Deze aanvraag is al ingediend."))
    return messages


def _section_names() -> dict[Section, str]:
    return {
        Section.PARTIES: _("Partijen"),
        Section.EXCHANGE: _("Uitwisseling"),
        Section.MENTORS: _("Mentoren"),
        Section.BUDGET: _("Budget"),
        Section.ATTACHMENTS: _("Bijlagen"),
    }


@bp.get("/<int:application_id>/bevestiging")
@roles(Role.APPLICANT)
def confirmation(application_id: int) -> ResponseReturnValue:
    application = _own(application_id)
    submission = application.latest_submission or abort(404)
    return render_template(
        "applicant/confirmation.html",
        application=application,
        submission=submission,
        queue_position=service.queue_position(application),
        reservation=budget_service.standing_of(application),
    )


@bp.route("/<int:application_id>/ontvangstbewijs.pdf", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def receipt(application_id: int) -> ResponseReturnValue:
    application = _visible(application_id).application
    submission = application.latest_submission or abort(404)
    return send_document(
        receipts.stored_receipt(submission),
        lambda: receipts.receipt_bytes(submission, current_user.locale),
        f"ontvangstbewijs-{application.reference}.pdf",
        _("Ontvangstbewijs"),
    )


@bp.route("/<int:application_id>/beslissing.pdf", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def decision_letter(application_id: int) -> ResponseReturnValue:
    return send_letter(_visible(application_id).application)


@bp.post("/<int:application_id>/aanbod-aanvaarden")
@roles(Role.APPLICANT)
def accept_offer(application_id: int) -> ResponseReturnValue:
    """The first waiting dossier takes the lower amount on offer (shortfall policy `partial`)."""
    application = _own(application_id)
    form = AcceptOfferForm()
    if not form.validate_on_submit() or form.offer_cents.data is None:
        abort(400)
    try:
        service.accept_offer(application.id, current_user, form.offer_cents.data)
    except NotAllowed:
        db.session.rollback()
        flash(_("Het aanbod is intussen gewijzigd; bekijk de stand van uw dossier opnieuw."), "info")
        return redirect(url_for("applicant.overview", application_id=application_id))
    db.session.commit()
    flash(_("U hebt het aangeboden bedrag aanvaard; het is voor uw dossier gereserveerd."), "success")
    return redirect(url_for("applicant.overview", application_id=application_id))


# --- the receiving government, and withdrawing ------------------------------------------------


def _receiving(application_id: int) -> Application:
    """A dossier in which the user's government is the receiving party; any other is a 404."""
    found = _visible(application_id)
    if found.relation is not Relation.RECEIVING:
        abort(404)
    return found.application


@bp.post("/<int:application_id>/deelname-bevestigen")
@roles(Role.APPLICANT)
def confirm_participation(application_id: int) -> ResponseReturnValue:
    _receiving(application_id)
    form = ConfirmParticipationForm()
    if form.validate_on_submit():
        try:
            service.confirm_participation(application_id, current_user, utcnow())
        except LookupError:
            abort(404)
        except NotAllowed:
            db.session.rollback()
            flash(_("Deelname bevestigen kan niet meer in deze fase."), "info")
        else:
            db.session.commit()
            flash(_("De deelname van uw bestuur is bevestigd."), "success")
    return redirect(url_for("applicant.overview", application_id=application_id))


@bp.route("/<int:application_id>/deelname-weigeren", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def decline_participation(application_id: int) -> ResponseReturnValue:
    """The receiving government declines, on a page that first says what that means."""
    application = _receiving(application_id)
    back = url_for("applicant.overview", application_id=application_id)
    if not may_decline(application.state_enum, receiving_answer(application)):
        reason = decline_refusal(application.state_enum, receiving_answer(application), "-")
        flash(refusal_text(reason.value if reason else ""), "info")
        return redirect(back)
    form = DeclineParticipationForm()
    if form.validate_on_submit():
        try:
            service.decline_participation(application_id, current_user, form.reason.data or "", utcnow())
        except LookupError:
            abort(404)
        except NotAllowed as refused:  # answered meanwhile, from another tab
            db.session.rollback()
            flash(message_for(refused), "info")
            return redirect(back)
        db.session.commit()
        flash(
            _(
                "U hebt laten weten dat uw bestuur niet deelneemt. %(giver)s en de administratie zijn op de hoogte gebracht.",
                giver=application.organisation.name,
            ),
            "success",
        )
        return redirect(back)
    return _page("applicant/decline.html", form, application=application)


@bp.route("/<int:application_id>/intrekken", methods=["GET", "POST"])
@roles(Role.APPLICANT)
def withdraw(application_id: int) -> ResponseReturnValue:
    application = _own(application_id)
    if Action.WITHDRAW not in allowed_actions(Role.APPLICANT, application.state_enum) or payouts.payout_under_way(
        application
    ):
        flash(_("Deze aanvraag kan niet meer worden ingetrokken."), "info")
        return redirect(url_for("applicant.overview", application_id=application.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw(application.id, current_user, form.reason.data or "")
        except NotAllowed:  # a payout was approved meanwhile
            db.session.rollback()
            flash(_("Deze aanvraag kan niet meer worden ingetrokken."), "info")
            return redirect(url_for("applicant.overview", application_id=application.id))
        db.session.commit()
        flash(_("De aanvraag is ingetrokken."), "success")
        return redirect(url_for("applicant.dashboard"))
    return _page("applicant/withdraw.html", form, application=application)


BEFORE_DECISION = (State.SUBMITTED, State.CORRECTION_REQUESTED, State.ELIGIBLE, State.IN_REVIEW, State.SCORED)


def _report_step(application: Application) -> str:
    """A granted dossier's next step: the project, then the final report from its end, by its deadline."""
    window = payouts.report_window_of(application)
    report = payouts.report_of(application)
    if report is not None and report.state_enum is not ReportState.DRAFT:
        return _("De administratie behandelt uw eindrapport. U hoeft niets te doen.")
    if window is None:
        return _("Voer het project uit en bezorg daarna het eindrapport.")
    if not window.is_open(brussels_today()):
        return _(
            "Voer het project uit. U kunt het eindrapport indienen vanaf %(opens)s, uiterlijk op %(due)s.",
            opens=day(window.opens_on),
            due=day(window.due_on),
        )
    return _("Het traject is afgelopen. Dien het eindrapport in, uiterlijk op %(due)s.", due=day(window.due_on))


@bp.app_template_filter("next_step")
def next_step(application: Application) -> str:
    """What the applicant should do next, in plain words."""
    state = application.state_enum
    if state is State.DRAFT:
        return _(
            "Vul de onderdelen in en dien de aanvraag uiterlijk op %(day)s in.", day=day(application.call.closes_at)
        )
    if receiving_answer(application) is Answer.DECLINED and state in BEFORE_DECISION:
        return _(
            "%(receiving)s neemt niet deel. Zolang het niet bevestigt, kan de aanvraag niet worden toegekend. "
            "Overleg met %(receiving)s: het kan later alsnog bevestigen. Of trek de aanvraag in.",
            receiving=application.receiving_organisation.name
            if application.receiving_organisation
            else _("Het ontvangende bestuur"),
        )
    if state is State.SUBMITTED:
        return _("Wij controleren of de aanvraag ontvankelijk is. U hoeft niets te doen.")
    if state is State.CORRECTION_REQUESTED:
        return _("Vul de aanvraag aan zoals gevraagd en dien ze opnieuw in.")
    if state in (State.ELIGIBLE, State.IN_REVIEW, State.SCORED):
        return _("De selectiecommissie beoordeelt de aanvraag. U hoeft niets te doen.")
    if state is State.GRANTED:
        return _report_step(application)
    return _("Er is niets meer te doen.")
