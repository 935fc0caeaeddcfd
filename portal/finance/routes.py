"""The financial officer's pages: payouts to approve (never one's own), with the settlement in view, one
or several at once; payment files for the bank, and the bank's answer per payout or for several payouts
of a file at once (paid or failed). Every action on several payouts goes through a page that shows the
count and the total first, and is done for all of them or for none."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forms.payouts import (
    ApproveSelectionForm,
    BatchAnswerForm,
    ButtonForm,
    ConfirmBatchAnswerForm,
    FailedForm,
    PaidForm,
    PaymentBatchForm,
)
from portal.access import roles
from portal.actions import run
from portal.db import MAX_ID, brussels_today
from portal.extensions import db
from portal.i18n import eur
from portal.models import BatchOutcome, PaymentBatch, Payout
from portal.refusals import message_for, refusal_text
from portal.services import payment_batches, payouts
from portal.services.payment_batches import DebtorAccountMissing, NothingToTransfer
from portal.services.payouts import PayoutRefused, SelectionRefused
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


def _page(
    status: int = 200, selected: frozenset[int] = frozenset(), selection_error: str | None = None, **forms: Any
) -> ResponseReturnValue:
    approved = payouts.payouts_in((PayoutState.APPROVED,))
    # What awaits an answer: transfers in a payment file, and recoveries (money that comes in).
    awaiting = payouts.payouts_in((PayoutState.IN_FILE,)) + [p for p in approved if p.kind_enum not in TRANSFERS]
    context = {
        "planned": payouts.payouts_in((PayoutState.PLANNED,)),
        "ready": [p for p in approved if p.kind_enum in TRANSFERS],
        "awaiting": awaiting,
        "failed": payouts.payouts_in((PayoutState.FAILED,)),
        "button_form": ButtonForm(formdata=None),
        "selected": selected,
        "selection_error": selection_error,
        **_outcome_forms(awaiting, forms),
    }
    return render_template("finance/dashboard.html", **context), status


@bp.get("/")
@roles(Role.FINANCE)
def dashboard() -> ResponseReturnValue:
    if request.args.get("alles"):
        # "Alles selecteren" without JavaScript: the page again with every payout the reader may approve ticked.
        planned = payouts.payouts_in((PayoutState.PLANNED,))
        return _page(selected=frozenset(p.id for p in planned if payouts.approval_refusal(p, current_user) is None))
    return _page()


def _back_to(payout: Payout) -> str:
    """Where the bank's answer was given: the payment file's page, or the payouts."""
    batch_id = payment_batches.batch_of(payout.id)
    return url_for("finance.batch", batch_id=batch_id) if batch_id else url_for("finance.dashboard")


# --- approving: the settlement in view, one payout or several ------------------------------------


@bp.get("/uitbetalingen/<int:payout_id>/goedkeuren")
@roles(Role.FINANCE)
def review_payout(payout_id: int) -> ResponseReturnValue:
    """What is approved: the dossier, both governments, the money and the settlement, then the button."""
    payout = _payout(payout_id)
    return render_template(
        "finance/approve.html",
        facts=payouts.approval_facts(payout, current_user),
        button_form=ButtonForm(formdata=None),
    )


@bp.post("/uitbetalingen/<int:payout_id>/goedkeuren")
@roles(Role.FINANCE)
def approve_payout(payout_id: int) -> ResponseReturnValue:
    payout = _payout(payout_id)
    return run(
        lambda: payouts.approve(payout.id, current_user),
        back=url_for("finance.review_payout", payout_id=payout.id),
        then=url_for("finance.dashboard"),
        done=_("De betaling %(reference)s is goedgekeurd.", reference=payout.end_to_end_id),
    )


def _chosen_ids() -> list[int]:
    """The payouts ticked on the list (a query: choosing changes nothing); ids no row can have are dropped."""
    return sorted({i for i in request.args.getlist("payout", type=int) if 0 < i <= MAX_ID})


def _blocked_text(refused: SelectionRefused) -> str:
    return " ".join(
        _("%(reference)s: %(reason)s", reference=b.reference or _("een gekozen betaling"), reason=refusal_text(b.code))
        for b in refused.blocked
    )


@bp.get("/goedkeuren")
@roles(Role.FINANCE)
def confirm_approvals() -> ResponseReturnValue:
    """The confirmation before approving several payouts: how many, the total, each one; or which cannot be."""
    ids = _chosen_ids()
    if not ids:
        return _page(400, selection_error=_("Kies minstens één betaling om goed te keuren"))
    chosen = payouts.payouts_by_id(ids)
    blocked = [(p, code) for p in chosen if (code := payouts.approval_refusal(p, current_user)) is not None]
    return render_template(
        "finance/confirm_approvals.html",
        chosen=chosen,
        blocked=blocked,
        missing=len(ids) - len(chosen),
        total_cents=sum(p.amount_cents for p in chosen),
        form=ApproveSelectionForm(formdata=None),
    )


@bp.post("/goedkeuren")
@roles(Role.FINANCE)
def approve_payouts() -> ResponseReturnValue:
    form = ApproveSelectionForm()
    if not form.validate_on_submit():
        errors = form.payouts.errors or form.total_cents.errors
        return _page(
            400, selection_error=str(errors[0]) if errors else _("Kies minstens één betaling om goed te keuren")
        )
    ids = sorted(set(form.payouts.data))
    try:
        approved = payouts.approve_many(ids, current_user, form.total_cents.data)
    except SelectionRefused as refused:
        db.session.rollback()
        flash(_("Er is niets goedgekeurd. %(reasons)s", reasons=_blocked_text(refused)), "info")
        return redirect(url_for("finance.confirm_approvals", payout=ids))
    except PayoutRefused as refused:
        db.session.rollback()
        flash(_("Er is niets goedgekeurd. %(reason)s", reason=message_for(refused)), "info")
        return redirect(url_for("finance.dashboard"))
    db.session.commit()
    flash(ngettext("%(num)d betaling is goedgekeurd, samen %(total)s.", "%(num)d betalingen zijn goedgekeurd, samen %(total)s.",
                   len(approved), total=eur(sum(p.amount_cents for p in approved))), "success")  # fmt: skip
    return redirect(url_for("finance.dashboard"))


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
    return _batches_page(PaymentBatchForm(formdata=None, data={"execution_on": brussels_today()}))


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


def _awaiting_bank(found: PaymentBatch) -> list[Payout]:
    return [
        item.payout
        for item in found.items
        if item.payout.state_enum is PayoutState.IN_FILE and item.outcome == BatchOutcome.PENDING
    ]


def _batch_page(
    found: PaymentBatch,
    status: int = 200,
    answer_form: BatchAnswerForm | None = None,
    selected: frozenset[int] = frozenset(),
) -> ResponseReturnValue:
    awaiting = _awaiting_bank(found)
    if answer_form is not None:
        selected = frozenset(answer_form.payouts.data or [])
    return render_template(
        "finance/batch.html",
        batch=found,
        awaiting=awaiting,
        answer_form=answer_form or BatchAnswerForm(formdata=None),
        selected=selected,
        **_outcome_forms(awaiting, {}),
    ), status


@bp.get("/betaalbestanden/<int:batch_id>")
@roles(Role.FINANCE, Role.OFFICER)
def batch(batch_id: int) -> ResponseReturnValue:
    found = payment_batches.find_batch(batch_id) or abort(404)
    # "Alles selecteren" without JavaScript: every payment still awaiting the bank's answer ticked.
    selected = frozenset(p.id for p in _awaiting_bank(found)) if request.args.get("alles") else frozenset()
    return _batch_page(found, selected=selected)


def _answer_posted(batch_id: int, form_class: type[Any]) -> tuple[PaymentBatch, Any]:
    """The payment file and the bank's answers posted for it, validated (their errors set when they do not hold)."""
    found = payment_batches.find_batch(batch_id) or abort(404)
    form = form_class()
    form.validate_on_submit()
    return found, form


@bp.post("/betaalbestanden/<int:batch_id>/antwoord")
@roles(Role.FINANCE)
def check_batch_answer(batch_id: int) -> ResponseReturnValue:
    """The bank's answer for the ticked payments, checked; then the page that shows the count and the total."""
    found, form = _answer_posted(batch_id, BatchAnswerForm)
    if form.errors:
        return _batch_page(found, 400, form)
    outcome = BatchOutcome.PAID if form.outcome.data == "paid" else BatchOutcome.FAILED
    chosen = payouts.payouts_by_id(form.payouts.data)
    if outcome is BatchOutcome.PAID:
        dates = {
            code
            for p in chosen
            if p.state_enum is PayoutState.IN_FILE
            and (code := payouts.refused_payment_date(p, form.paid_on.data)) is not None
        }
        if dates:
            form.paid_on.errors = [refusal_text(code) for code in sorted(dates)]  # a date to correct: said at the field
            return _batch_page(found, 400, form)
    blocked = [
        (p, code)
        for p in chosen
        if (code := payouts.answer_refusal(p, found.id, outcome, form.paid_on.data)) is not None
    ]
    return render_template(
        "finance/confirm_answers.html",
        batch=found,
        form=form,
        confirm_form=ConfirmBatchAnswerForm(formdata=None),
        outcome=outcome.value,
        chosen=chosen,
        blocked=blocked,
        missing=len(set(form.payouts.data)) - len(chosen),
        total_cents=sum(p.amount_cents for p in chosen),
    )


@bp.post("/betaalbestanden/<int:batch_id>/antwoord/bevestigen")
@roles(Role.FINANCE)
def record_batch_answer(batch_id: int) -> ResponseReturnValue:
    found, form = _answer_posted(batch_id, ConfirmBatchAnswerForm)
    if form.errors:
        return _batch_page(found, 400, form)
    back = url_for("finance.batch", batch_id=found.id)
    outcome = BatchOutcome.PAID if form.outcome.data == "paid" else BatchOutcome.FAILED
    try:
        done = payouts.record_answers(
            found.id, sorted(set(form.payouts.data)), current_user, outcome,
            paid_on=form.paid_on.data, bank_reference=form.bank_reference.data or "", reason=form.reason.data or "",
            expected_total_cents=form.total_cents.data,
        )  # fmt: skip
    except SelectionRefused as refused:
        db.session.rollback()
        flash(_("Er is niets geregistreerd. %(reasons)s", reasons=_blocked_text(refused)), "info")
        return redirect(back)
    except PayoutRefused as refused:
        db.session.rollback()
        flash(_("Er is niets geregistreerd. %(reason)s", reason=message_for(refused)), "info")
        return redirect(back)
    db.session.commit()
    total = eur(sum(p.amount_cents for p in done))
    if outcome is BatchOutcome.PAID:
        message = ngettext(
            "%(num)d betaling is geregistreerd als betaald, samen %(total)s.",
            "%(num)d betalingen zijn geregistreerd als betaald, samen %(total)s.",
            len(done),
            total=total,
        )
    else:
        message = ngettext("%(num)d betaling is geregistreerd als mislukt, samen %(total)s. Ze kan opnieuw worden voorbereid.",
                           "%(num)d betalingen zijn geregistreerd als mislukt, samen %(total)s. Ze kunnen opnieuw worden voorbereid.", len(done), total=total)  # fmt: skip
    flash(message, "success")
    return redirect(back)


@bp.get("/betaalbestanden/<int:batch_id>/pain001.xml")
@roles(Role.FINANCE, Role.OFFICER)
def download_batch(batch_id: int) -> ResponseReturnValue:
    """The stored file, byte for byte: a second download is the same file with the same message id."""
    found = payment_batches.find_batch(batch_id) or abort(404)
    return send_file(
        io.BytesIO(found.content), mimetype="application/xml", as_attachment=True, download_name=found.file_name
    )
