"""The committee's meeting: open it for a call, decide from its table (the batch decision's confirmation
page), close it with its minutes, download them. Officers only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.fields import choices
from forms.meetings import CloseMeetingForm, OpenMeetingForm
from forms.review import BulkConfirmForm, BulkDecisionForm
from portal.access import roles
from portal.actions import run
from portal.answers import _send_stored_pdf
from portal.db import MAX_ID
from portal.extensions import db
from portal.models import Call, CommitteeMeeting
from portal.officer.blueprint import bp
from portal.officer.decisions import _bulk_confirmation, flash_outcomes
from portal.refusals import message_for, refusal_text
from portal.services import budget, decisions, meetings
from portal.services import calls as call_service
from portal.services.meetings import MeetingRefused
from workflows.meeting import MeetingState
from workflows.roles import Role
from workflows.safeguards import PartnerCheck


def _call(call_id: int) -> Call:
    return call_service.find_call(call_id) or abort(404)


def _meeting(meeting_id: int) -> CommitteeMeeting:
    meeting = db.session.get(CommitteeMeeting, meeting_id) if 0 < meeting_id <= MAX_ID else None
    return meeting or abort(404)


def _open_form(formdata: object = None) -> OpenMeetingForm:
    form = OpenMeetingForm(formdata=formdata)
    form.members.choices = choices((u.id, u.full_name) for u in meetings.active_reviewers())
    return form


def _open_page(call: Call, form: OpenMeetingForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "officer/meeting_open.html", call=call, form=form, open_meeting=meetings.open_meeting_of(call)
    ), status


@bp.get("/oproepen/<int:call_id>/vergadering")
@roles(Role.OFFICER)
def new_meeting(call_id: int) -> ResponseReturnValue:
    return _open_page(_call(call_id), _open_form())


@bp.post("/oproepen/<int:call_id>/vergadering")
@roles(Role.OFFICER)
def open_meeting(call_id: int) -> ResponseReturnValue:
    call = _call(call_id)
    form = _open_form(request.form)
    if not form.validate_on_submit():
        return _open_page(call, form, 400)
    try:
        meeting = meetings.open_meeting(
            call.id, form.held_on.data, list(form.members.data or []), form.remarks.data or "", current_user
        )
    except MeetingRefused as refused:
        db.session.rollback()
        if refused.code == "meeting_open":
            flash(message_for(refused), "info")
            return redirect(url_for("officer.decisions_page", call_id=call.id))
        form.members.errors = [message_for(refused)]
        return _open_page(call, form, 400)
    db.session.commit()
    flash(_("De vergadering is geopend."), "success")
    return redirect(url_for("officer.meeting", meeting_id=meeting.id))


def _decide_form(meeting: CommitteeMeeting, formdata: object = None) -> BulkDecisionForm:
    form = BulkDecisionForm(formdata=formdata)
    form.dossiers.choices = choices((a.id, a.reference or "") for a in meetings.scored_of(meeting.call))
    return form


def _meeting_page(meeting: CommitteeMeeting, form: BulkDecisionForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "officer/meeting.html",
        meeting=meeting,
        call=meeting.call,
        form=form,
        queue=meetings.table_of(meeting.call) if meeting.state_enum is MeetingState.OPEN else None,
        members=meetings.members_of(meeting),
        meter=budget.meter(meeting.call),
        is_open=meeting.state_enum is MeetingState.OPEN,
    ), status


@bp.get("/vergaderingen/<int:meeting_id>")
@roles(Role.OFFICER)
def meeting(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    return _meeting_page(meeting, _decide_form(meeting))


def _closed(meeting: CommitteeMeeting) -> ResponseReturnValue:
    flash(refusal_text("meeting_closed"), "info")
    return redirect(url_for("officer.meeting", meeting_id=meeting.id))


@bp.post("/vergaderingen/<int:meeting_id>/beslissen")
@roles(Role.OFFICER)
def meeting_decide(meeting_id: int) -> ResponseReturnValue:
    """The dossiers chosen from the meeting's table: the confirmation page with the count and the total."""
    meeting = _meeting(meeting_id)
    form = _decide_form(meeting, request.form)
    if meeting.state_enum is not MeetingState.OPEN:
        if not form.validate_on_submit() and form.csrf_token.errors:
            abort(400)
        return _closed(meeting)
    if "change" in request.form:
        valid = form.validate_on_submit()
        if form.csrf_token.errors:
            abort(400)
        if not valid:
            scored = {a.id for a in meetings.scored_of(meeting.call)}
            form.dossiers.data = [v for v in (form.dossiers.data or []) if v in scored]
        form.dossiers.errors, form.decision.errors, form.motivation.errors = [], [], []
        return _meeting_page(meeting, form)
    if not form.validate_on_submit():
        return _meeting_page(meeting, form, 400)
    return _bulk_confirmation(
        meeting.call,
        form,
        confirm_url=url_for("officer.meeting_confirm", meeting_id=meeting.id),
        change_url=url_for("officer.meeting_decide", meeting_id=meeting.id),
        meeting=meeting,
    )


@bp.post("/vergaderingen/<int:meeting_id>/beslissen/bevestigen")
@roles(Role.OFFICER)
def meeting_confirm(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    call = meeting.call
    form = BulkConfirmForm()
    form.dossiers.choices = choices(
        (int(v), v) for v in request.form.getlist("dossiers") if v.isdecimal() and 0 < int(v) <= MAX_ID
    )
    grant_them = request.form.get("decision") == "grant"
    chosen_ids = [i for i in request.form.getlist("dossiers", type=int) if 0 < i <= MAX_ID]
    planned = decisions.plan_many(chosen_ids, grant_them)
    form.asking_acknowledgement(
        grant_them and any(p.refused is None and p.partner is PartnerCheck.WARN for p in planned)
    )
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if meeting.state_enum is not MeetingState.OPEN:
            return _closed(meeting)
        if form.dossiers.errors or form.decision.errors or form.motivation.errors:
            chosen = _decide_form(meeting, request.form)
            chosen.validate()
            return _meeting_page(meeting, chosen, 400)
        return _bulk_confirmation(
            call,
            form,
            400,
            confirm_url=url_for("officer.meeting_confirm", meeting_id=meeting.id),
            change_url=url_for("officer.meeting_decide", meeting_id=meeting.id),
            meeting=meeting,
        )
    if meeting.state_enum is not MeetingState.OPEN:
        return _closed(meeting)
    scored = {a.id for a in meetings.scored_of(call)}
    if (
        not set(form.dossiers.data) <= scored
        or form.total.data != sum(p.amount_cents for p in planned)
        or len(planned) != len(set(form.dossiers.data))
    ):
        flash(
            _(
                "De keuze is niet meer actueel: een of meer dossiers zijn intussen beslist of gewijzigd. Er is niets beslist; kies opnieuw."
            ),
            "info",
        )
        return redirect(url_for("officer.meeting", meeting_id=meeting.id))
    try:
        outcomes = meetings.decide_in_meeting(
            meeting.id,
            form.dossiers.data,
            grant_them,
            current_user,
            form.motivation.data or "",
            partner_acknowledged=bool(form.acknowledged.data),
        )
    except MeetingRefused as refused:
        db.session.rollback()
        flash(message_for(refused), "info")
        return redirect(url_for("officer.meeting", meeting_id=meeting.id))
    db.session.commit()
    flash_outcomes(outcomes, grant_them)
    return redirect(url_for("officer.meeting", meeting_id=meeting.id))


@bp.get("/vergaderingen/<int:meeting_id>/afsluiten")
@roles(Role.OFFICER)
def close_meeting_page(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    if meeting.state_enum is not MeetingState.OPEN:
        return _closed(meeting)
    minutes = meetings.minutes_of(meeting)
    return render_template(
        "officer/meeting_close.html", meeting=meeting, call=meeting.call, minutes=minutes, form=CloseMeetingForm()
    )


@bp.post("/vergaderingen/<int:meeting_id>/afsluiten")
@roles(Role.OFFICER)
def close_meeting(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    back = url_for("officer.meeting", meeting_id=meeting.id)
    return run(
        lambda: meetings.close_meeting(meeting.id, current_user),
        form=CloseMeetingForm(),
        back=back,
        done=_("De vergadering is afgesloten. Het proces-verbaal staat klaar."),
    )


@bp.get("/vergaderingen/<int:meeting_id>/proces-verbaal.pdf")
@roles(Role.OFFICER)
def meeting_minutes(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    if meeting.minutes_name is None:
        abort(404)
    return _send_stored_pdf(
        meeting.minutes_name, f"proces-verbaal-{meeting.call.code}-{meeting.held_on.isoformat()}.pdf"
    )
