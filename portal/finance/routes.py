"""The financial officer's pages: payouts to approve (never one's own), payment files for the bank, and
the bank's answer per payout (paid or failed)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forms.payouts import ButtonForm, FailedForm, PaidForm, PaymentBatchForm
from portal.access import roles
from portal.actions import run
from portal.extensions import db
from portal.models import Payout
from portal.refusals import message_for, refusal_text
from portal.services import payment_batches, payouts
from portal.services.payment_batches import DebtorAccountMissing, NothingToTransfer
from portal.services.payouts import PayoutRefused
from workflows.calls import BRUSSELS
from workflows.payouts import TRANSFERS, PayoutState
from workflows.roles import Role

bp = Blueprint("finance", __name__, url_prefix="/financien")


def _payout(payout_id: int) -> Payout:
    return payouts.find_payout(payout_id) or abort(404)


def _outcome_forms(awaiting: list[Payout], forms: dict[str, Any]) -> dict[str, Any]:
    """A paid and a failed form per payout awaiting the bank's answer (the posted one kept)."""
    return {
        "paid_forms": {p.id: forms.get(f"paid_{p.id}") or PaidForm(formdata=None, prefix=f"p{p.id}") for p in awaiting},
        "failed_forms": {
            p.id: forms.get(f"failed_{p.id}") or FailedForm(formdata=None, prefix=f"f{p.id}") for p in awaiting
        },
    }


def _page(status: int = 200, **forms: Any) -> ResponseReturnValue:
    approved = payouts.payouts_in((PayoutState.APPROVED,))
    # What awaits an answer: transfers in a payment file, and recoveries (money that comes in).
    awaiting = payouts.payouts_in((PayoutState.IN_FILE,)) + [p for p in approved if p.kind_enum not in TRANSFERS]
    context = {
        "planned": payouts.payouts_in((PayoutState.PLANNED,)),
        "ready": [p for p in approved if p.kind_enum in TRANSFERS],
        "awaiting": awaiting,
        "failed": payouts.payouts_in((PayoutState.FAILED,)),
        "button_form": ButtonForm(formdata=None),
        **_outcome_forms(awaiting, forms),
    }
    return render_template("finance/dashboard.html", **context), status


@bp.get("/")
@roles(Role.FINANCE)
def dashboard() -> ResponseReturnValue:
    return _page()


def _back_to(payout: Payout) -> str:
    """Where the bank's answer was given: the payment file's page, or the payouts."""
    batch_id = payment_batches.batch_of(payout.id)
    return url_for("finance.batch", batch_id=batch_id) if batch_id else url_for("finance.dashboard")


@bp.post("/uitbetalingen/<int:payout_id>/goedkeuren")
@roles(Role.FINANCE)
def approve_payout(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    return run(
        lambda: payouts.approve(payout.id, current_user),
        form=ButtonForm(),
        back=url_for("finance.dashboard"),
        done=_("De betaling %(reference)s is goedgekeurd.", reference=payout.end_to_end_id),
    )


@bp.post("/uitbetalingen/<int:payout_id>/betaald")
@roles(Role.FINANCE)
def record_paid(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    form = PaidForm(prefix=f"p{payout.id}")
    if not form.validate_on_submit():
        return _page(400, **{f"paid_{payout.id}": form})
    if (refused := payouts.refused_payment_date(payout, form.paid_on.data)) is not None:
        form.paid_on.errors = [refusal_text(refused)]  # a date to correct: said at the field, the rest kept
        return _page(400, **{f"paid_{payout.id}": form})
    return run(
        lambda: payouts.pay(payout.id, current_user, form.paid_on.data, form.bank_reference.data),
        back=url_for("finance.dashboard"),
        then=_back_to(payout),
        done=_("De betaling %(reference)s is geregistreerd als betaald.", reference=payout.end_to_end_id),
    )


@bp.post("/uitbetalingen/<int:payout_id>/mislukt")
@roles(Role.FINANCE)
def record_failed(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    form = FailedForm(prefix=f"f{payout.id}")
    return run(
        lambda: payouts.fail(payout.id, current_user, form.reason.data),
        form=form,
        invalid=lambda refused: _page(400, **{f"failed_{payout.id}": refused}),
        back=url_for("finance.dashboard"),
        then=_back_to(payout),
        done=_(
            "De betaling %(reference)s is geregistreerd als mislukt. Ze kan opnieuw worden voorbereid.",
            reference=payout.end_to_end_id,
        ),
    )


# --- payment files ------------------------------------------------------------------------------


def _batches_page(form: PaymentBatchForm, status: int = 200) -> ResponseReturnValue:
    ready = payment_batches.ready_for_batch()
    return render_template(
        "finance/batches.html",
        form=form,
        ready=ready,
        ready_cents=sum(p.amount_cents for p in ready),
        batches=payment_batches.batches(),
    ), status


@bp.get("/betaalbestanden")
@roles(Role.FINANCE, Role.OFFICER)
def batches() -> ResponseReturnValue:
    return _batches_page(PaymentBatchForm(formdata=None, data={"execution_on": datetime.now(BRUSSELS).date()}))


@bp.post("/betaalbestanden")
@roles(Role.FINANCE)
def create_batch() -> ResponseReturnValue:
    form = PaymentBatchForm()
    if not form.validate_on_submit():
        return _batches_page(form, 400)
    try:
        batch = payment_batches.create_batch(current_user, form.execution_on.data)
    except NothingToTransfer:
        db.session.rollback()
        flash(_("Er zijn geen goedgekeurde overschrijvingen die nog niet in een betaalbestand staan."), "info")
        return redirect(url_for("finance.batches"))
    except DebtorAccountMissing:
        db.session.rollback()
        flash(
            _(
                "De rekening van de administratie voor overschrijvingen is niet ingesteld (SEPA_DEBTOR_IBAN). Vraag het aan de beheerder."
            ),
            "info",
        )
        return redirect(url_for("finance.batches"))
    except PayoutRefused as refused:
        db.session.rollback()
        flash(message_for(refused), "info")
        return redirect(url_for("finance.batches"))
    db.session.commit()
    flash(ngettext("Het betaalbestand %(id)s is gemaakt met %(num)d betaling. Download het en laad het op in de toepassing van de bank.",
                   "Het betaalbestand %(id)s is gemaakt met %(num)d betalingen. Download het en laad het op in de toepassing van de bank.",
                   batch.payout_count, id=batch.message_id), "success")  # fmt: skip
    return redirect(url_for("finance.batch", batch_id=batch.id))


@bp.get("/betaalbestanden/<int:batch_id>")
@roles(Role.FINANCE, Role.OFFICER)
def batch(batch_id: int) -> ResponseReturnValue:
    found = payment_batches.find_batch(batch_id) or abort(404)
    awaiting = [
        item.payout
        for item in found.items
        if item.payout.state_enum is PayoutState.IN_FILE and item.outcome == "pending"
    ]
    return render_template("finance/batch.html", batch=found, **_outcome_forms(awaiting, {}))


@bp.get("/betaalbestanden/<int:batch_id>/pain001.xml")
@roles(Role.FINANCE, Role.OFFICER)
def download_batch(batch_id: int) -> ResponseReturnValue:
    """The stored file, byte for byte: a second download is the same file with the same message id."""
    found = payment_batches.find_batch(batch_id) or abort(404)
    return send_file(
        io.BytesIO(found.content), mimetype="application/xml", as_attachment=True, download_name=found.file_name
    )
