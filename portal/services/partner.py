"""The receiving government's answer, as the safeguard before eligibility and grant sees it: one small
module both use cases build on (workflows/safeguards.py holds the rule)."""

from __future__ import annotations

from portal.models import Application, User
from portal.services import audit
from portal.services.refusal import Refused
from workflows.participation import Answer, answer_of
from workflows.safeguards import PartnerCheck, UnconfirmedPartnerPolicy, check_partner


class PartnerRefused(Refused):
    """Declaring eligible or granting refused because of the receiving government's answer; `code` says why."""


def receiving_answer(application: Application) -> Answer:
    """The receiving government's answer: `confirmed`, `declined` or `pending` (a str enum, so it compares
    equal to those words). Pure reading, no lock: for pages and for the officer's safeguards."""
    return answer_of(application.receiving_confirmed_at is not None, application.receiving_declined_at is not None)


def partner_check(application: Application) -> PartnerCheck:
    return check_partner(
        receiving_answer(application), UnconfirmedPartnerPolicy(application.call.unconfirmed_partner_policy)
    )


def refusal(application: Application) -> str | None:
    """Why the call refuses declaring eligible or granting now (a refusal code), or None."""
    check = partner_check(application)
    if check is PartnerCheck.DECLINED:
        return "partner_declined"
    if check is PartnerCheck.REFUSED:
        return "partner_unconfirmed"
    return None


def acknowledge(application: Application, actor: User, step: str, acknowledged: bool) -> None:
    """A step (`eligible` or `grant`) taken past the warning, with the officer's tick, is kept in the audit log."""
    if acknowledged and partner_check(application) is PartnerCheck.WARN:
        audit.record_row(actor, "application.unconfirmed_partner_acknowledged", application, to_state=application.state, details={"step": step},
        )  # fmt: skip


def guard(application: Application, actor: User, step: str, acknowledged: bool) -> None:
    """Refuse the step when the call refuses it or the partner declined, else keep the acknowledgement. The
    caller holds the dossier's lock, so the answer cannot change in between."""
    code = refusal(application)
    if code is not None:
        raise PartnerRefused(code)
    acknowledge(application, actor, step, acknowledged)
