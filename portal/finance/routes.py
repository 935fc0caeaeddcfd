"""The financial officer's pages: payouts to approve (never one's own), to record as paid or failed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.payouts import ButtonForm, FailedForm, PaidForm
from portal.access import roles
from portal.extensions import db
from portal.models import Payout
from portal.services import payouts
from portal.services.payouts import PayoutRefused
from workflows.payouts import PayoutState
from workflows.roles import Role

bp = Blueprint("finance", __name__, url_prefix="/financien")


def refusal_text(code: str) -> str:
    """Why a payout step was refused, for the person who tried it."""
    return {
        "not_allowed": _("Dat kan niet in de huidige status van de betaling, of niet met uw rol."),
        "four_eyes": _("U hebt deze betaling zelf voorbereid. Een andere medewerker van Financiën moet ze goedkeuren."),
        "payout_in_flight": _("Er is een goedgekeurde betaling onderweg. Registreer eerst of ze betaald of mislukt is."),
        "report_not_submitted": _("Er is geen ingediend eindrapport om te aanvaarden."),
        "paid_on_future": _("De datum van de betaling ligt in de toekomst."),
        "paid_before_approval": _("De datum van de betaling ligt voor de goedkeuring."),
        "bank_reference": _("Vul de referentie van de bank in"),
        "reason": _("Schrijf waarom de betaling mislukt is"),
        "question": _("Schrijf wat het bestuur moet aanvullen of verbeteren"),
    }.get(code, _("Dat kan niet in de huidige fase van het dossier."))


def _payout(payout_id: int) -> Payout:
    return payouts.find_payout(payout_id) or abort(404)


def _page(status: int = 200, **forms: Any) -> ResponseReturnValue:
    approved = payouts.payouts_in((PayoutState.APPROVED,))
    context = {
        "planned": payouts.payouts_in((PayoutState.PLANNED,)),
        "approved": approved,
        "failed": payouts.payouts_in((PayoutState.FAILED,)),
        "button_form": ButtonForm(formdata=None),
        "paid_forms": {p.id: forms.get(f"paid_{p.id}") or PaidForm(formdata=None, prefix=f"p{p.id}") for p in approved},
        "failed_forms": {p.id: forms.get(f"failed_{p.id}") or FailedForm(formdata=None, prefix=f"f{p.id}") for p in approved},
    }
    return render_template("finance/dashboard.html", **context), status


@bp.get("/")
@roles(Role.FINANCE)
def dashboard() -> ResponseReturnValue:
    return _page()


def _refused(refused: PayoutRefused) -> ResponseReturnValue:
    db.session.rollback()
    flash(refusal_text(refused.code), "info")
    return redirect(url_for("finance.dashboard"))


@bp.post("/uitbetalingen/<int:payout_id>/goedkeuren")
@roles(Role.FINANCE)
def approve_payout(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        payouts.approve(payout.id, current_user)
    except PayoutRefused as refused:
        return _refused(refused)
    db.session.commit()
    flash(_("De betaling %(reference)s is goedgekeurd.", reference=payout.end_to_end_id), "success")
    return redirect(url_for("finance.dashboard"))


@bp.post("/uitbetalingen/<int:payout_id>/betaald")
@roles(Role.FINANCE)
def record_paid(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    form = PaidForm(prefix=f"p{payout.id}")
    if not form.validate_on_submit():
        return _page(400, **{f"paid_{payout.id}": form})
    try:
        payouts.pay(payout.id, current_user, form.paid_on.data, form.bank_reference.data)
    except PayoutRefused as refused:
        if refused.code in ("paid_on_future", "paid_before_approval"):
            db.session.rollback()
            form.paid_on.errors = [refusal_text(refused.code)]
            return _page(400, **{f"paid_{payout.id}": form})
        return _refused(refused)
    db.session.commit()
    flash(_("De betaling %(reference)s is geregistreerd als betaald.", reference=payout.end_to_end_id), "success")
    return redirect(url_for("finance.dashboard"))


@bp.post("/uitbetalingen/<int:payout_id>/mislukt")
@roles(Role.FINANCE)
def record_failed(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    form = FailedForm(prefix=f"f{payout.id}")
    if not form.validate_on_submit():
        return _page(400, **{f"failed_{payout.id}": form})
    try:
        payouts.fail(payout.id, current_user, form.reason.data)
    except PayoutRefused as refused:
        return _refused(refused)
    db.session.commit()
    flash(_("De betaling %(reference)s is geregistreerd als mislukt. Ze kan opnieuw worden voorbereid.", reference=payout.end_to_end_id), "success")
    return redirect(url_for("finance.dashboard"))
