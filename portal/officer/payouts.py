"""A dossier's money trail (requested, reserved, committed, paid, outstanding, recovered, with who did
what), and the steps on it that officers and finance take: accept or return the final report, prepare
a failed payout again."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.payouts import ButtonForm, ReturnReportForm
from portal.access import roles
from portal.actions import run
from portal.answers import send_report_document
from portal.i18n import eur
from portal.models import Application
from portal.models.payouts import ReportState
from portal.officer.blueprint import bp
from portal.officer.dossiers import submitted_dossier
from portal.services import budget, payouts
from workflows.payouts import Settlement
from workflows.roles import Role


def _trail_page(application: Application, status: int = 200, **forms: Any) -> ResponseReturnValue:
    report = payouts.report_of(application)
    payout_rows = payouts.payouts_of(application)
    return render_template(
        "officer/money_trail.html",
        application=application,
        call=application.call,
        trail=payouts.trail_of(application, payout_rows),
        payouts=payout_rows,
        movements=payouts.movements_of(application),
        history=payouts.history_of(application, payout_rows),
        reservation=budget.standing_of(application),
        report=report,
        settlement=payouts.settlement_of(report) if report and report.state_enum is ReportState.SUBMITTED else None,
        ReportState=ReportState,
        button_form=ButtonForm(formdata=None),
        return_form=forms.get("return_form") or ReturnReportForm(formdata=None),
    ), status


@bp.get("/dossiers/<int:application_id>/geld")
@roles(Role.OFFICER, Role.FINANCE)
def money_trail(application_id: int) -> ResponseReturnValue:
    return _trail_page(submitted_dossier(application_id))


def _trail(application: Application) -> str:
    return url_for("officer.money_trail", application_id=application.id)


@bp.post("/dossiers/<int:application_id>/eindrapport/aanvaarden")
@roles(Role.OFFICER, Role.FINANCE)
def settle_report(application_id: int) -> ResponseReturnValue:
    application = submitted_dossier(application_id)
    return run(
        lambda: payouts.settle_report(application.id, current_user),
        back=_trail(application),
        done=_settled,
    )


def _settled(settlement: Settlement) -> str:
    if settlement.to_recover_cents:
        return _(
            "Het eindrapport is aanvaard. Een terugvordering van %(amount)s wacht op goedkeuring door Financiën.",
            amount=eur(settlement.to_recover_cents),
        )
    if settlement.to_pay_cents:
        return _(
            "Het eindrapport is aanvaard. Het saldo van %(amount)s wacht op goedkeuring door Financiën.",
            amount=eur(settlement.to_pay_cents),
        )
    return _("Het eindrapport is aanvaard. Er valt niets meer te betalen; het dossier is afgesloten.")


@bp.post("/dossiers/<int:application_id>/eindrapport/terugsturen")
@roles(Role.OFFICER, Role.FINANCE)
def return_report(application_id: int) -> ResponseReturnValue:
    application = submitted_dossier(application_id)
    form = ReturnReportForm()
    return run(
        lambda: payouts.return_report(application.id, current_user, form.question.data),
        form=form,
        invalid=lambda refused: _trail_page(application, 400, return_form=refused),
        back=_trail(application),
        done=_("Het eindrapport is teruggestuurd met uw vraag."),
    )


@bp.get("/dossiers/<int:application_id>/eindrapport/bewijsstukken/<int:document_id>")
@roles(Role.OFFICER, Role.FINANCE)
def report_document(application_id: int, document_id: int) -> ResponseReturnValue:
    return send_report_document(submitted_dossier(application_id), document_id)


@bp.post("/uitbetalingen/<int:payout_id>/opnieuw-voorbereiden")
@roles(Role.OFFICER, Role.FINANCE)
def replan_payout(payout_id: int) -> ResponseReturnValue:
    payout = payouts.find_payout(payout_id) or abort(404)
    return run(
        lambda: payouts.replan(payout.id, current_user),
        back=_trail(payout.application),
        done=_(
            "De betaling %(reference)s is opnieuw voorbereid en wacht op goedkeuring.", reference=payout.end_to_end_id
        ),
    )
