"""Eligibility: named rules, each with a code, a Dutch and an English message, and an outcome (SPEC 6).

They run at submission on plain facts; the officer confirms or overrides every result that needs
review, with a reason. A dossier can be declared eligible only when no rule fails or waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from workflows.calls import CallWindow


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class RuleResult:
    code: str
    outcome: Outcome
    message_nl: str
    message_en: str


@dataclass(frozen=True)
class MentorExpertise:
    name: str
    years_experience: int
    drew_up_plan: bool


@dataclass(frozen=True)
class EligibilityFacts:
    submitted_at: datetime
    window: CallWindow
    eligible_kinds: frozenset[str]
    applicant_kind: str
    applicant_is_giving: bool
    receiving_kind: str | None
    receiving_is_other: bool
    exchange_type: str | None
    allowed_exchange_types: frozenset[str]
    theme_codes: frozenset[str]
    call_theme_codes: frozenset[str]
    attachments_present: frozenset[str]
    attachments_required: frozenset[str]
    requested_cents: int
    computed_cents: int
    cap_cents: int
    mentors: tuple[MentorExpertise, ...]
    pair_has_other_open_application: bool
    allows_repeat_pair: bool


# Each rule's name as the officer reads it (Dutch, English), beside the code kept for reference.
RULE_NAMES: dict[str, tuple[str, str]] = {
    "E01_WINDOW": ("Indieningsperiode", "Submission period"),
    "E02_APPLICANT": ("Aanvrager", "Applicant"),
    "E03_RECEIVING": ("Ontvangend bestuur", "Receiving government"),
    "E04_EXCHANGE": ("Vorm en thema's", "Form and themes"),
    "E05_ATTACHMENTS": ("Verplichte bijlagen", "Required attachments"),
    "E06_AMOUNT": ("Gevraagd bedrag", "Requested amount"),
    "E07_PERSONNEL": ("Enkel personeelskosten", "Personnel costs only"),
    "E08_EXPERT": ("Expertise van de mentoren", "Mentors' expertise"),
    "E09_PAIR": ("Eén aanvraag per paar besturen", "One application per pair of governments"),
}


def _result(code: str, ok: bool, nl: tuple[str, str], en: tuple[str, str]) -> RuleResult:
    return RuleResult(code, Outcome.PASS if ok else Outcome.FAIL, nl[0] if ok else nl[1], en[0] if ok else en[1])


def check_eligibility(facts: EligibilityFacts) -> tuple[RuleResult, ...]:
    """Every rule, in the order of the call text."""
    in_window = facts.window.is_open(facts.submitted_at)
    results = [
        _result(
            "E01_WINDOW",
            in_window,
            ("Ingediend binnen de periode van de oproep.", "Ingediend buiten de periode van de oproep."),
            ("Submitted within the call period.", "Submitted outside the call period."),
        ),
        _result(
            "E02_APPLICANT",
            facts.applicant_kind in facts.eligible_kinds and facts.applicant_is_giving,
            (
                "De aanvrager is een lokaal bestuur dat kan aanvragen, en is het gevende bestuur.",
                "De aanvrager kan niet aanvragen voor deze oproep, of is niet het gevende bestuur.",
            ),
            (
                "The applicant is an eligible local government and the giving party.",
                "The applicant is not eligible for this call, or is not the giving party.",
            ),
        ),  # fmt: skip
        _result(
            "E03_RECEIVING",
            facts.receiving_kind in facts.eligible_kinds and facts.receiving_is_other,
            (
                "Het ontvangende bestuur kan deelnemen en is een ander bestuur.",
                "Het ontvangende bestuur kan niet deelnemen, of is hetzelfde bestuur.",
            ),
            (
                "The receiving government is eligible and a different government.",
                "The receiving government is not eligible, or is the same government.",
            ),
        ),  # fmt: skip
        _result(
            "E04_EXCHANGE",
            facts.exchange_type in facts.allowed_exchange_types
            and bool(facts.theme_codes)
            and facts.theme_codes <= facts.call_theme_codes,
            ("Vorm en thema's horen bij de oproep.", "De vorm of een thema hoort niet bij de oproep."),
            (
                "Form of exchange and themes belong to the call.",
                "The form of exchange or a theme does not belong to the call.",
            ),
        ),
        _result(
            "E05_ATTACHMENTS",
            facts.attachments_required <= facts.attachments_present,
            ("Het actieplan en de ondertekende overeenkomst zijn bijgevoegd.", "Een verplichte bijlage ontbreekt."),
            ("The action plan and the signed agreement are attached.", "A required attachment is missing."),
        ),
        _result(
            "E06_AMOUNT",
            facts.requested_cents == facts.computed_cents and facts.requested_cents <= facts.cap_cents,
            (
                "Het gevraagde bedrag is de berekende compensatie en blijft onder het maximum.",
                "Het gevraagde bedrag wijkt af van de berekende compensatie of is hoger dan het maximum.",
            ),
            (
                "The requested amount is the computed compensation and within the cap.",
                "The requested amount differs from the computed compensation or exceeds the cap.",
            ),
        ),  # fmt: skip
        # The portal only asks for wage costs of mentors: only personnel costs can be claimed.
        RuleResult(
            "E07_PERSONNEL",
            Outcome.PASS,
            "Er worden enkel personeelskosten gevraagd.",
            "Only personnel costs are claimed.",
        ),
        _expertise(facts.mentors),
        _result(
            "E09_PAIR",
            facts.allows_repeat_pair or not facts.pair_has_other_open_application,
            (
                "Dit paar besturen heeft geen andere lopende aanvraag in deze oproep.",
                "Dit paar besturen heeft al een andere lopende aanvraag in deze oproep.",
            ),
            (
                "This pair of governments has no other open application in this call.",
                "This pair of governments already has another open application in this call.",
            ),
        ),  # fmt: skip
    ]
    return tuple(results)


def _expertise(mentors: tuple[MentorExpertise, ...]) -> RuleResult:
    """Seed 000: field experience, e.g. a local poverty plan that went through its full cycle."""
    if not mentors:
        return RuleResult("E08_EXPERT", Outcome.FAIL, "Er is geen mentor opgegeven.", "No mentor is given.")
    unclear = [m.name for m in mentors if not m.drew_up_plan]
    if not unclear:
        return RuleResult(
            "E08_EXPERT",
            Outcome.PASS,
            "Elke mentor stelde een lokaal armoedeplan op dat de volledige cyclus doorliep.",
            "Every mentor drew up a local poverty plan that went through its full cycle.",
        )
    names = ", ".join(unclear)
    return RuleResult(
        "E08_EXPERT",
        Outcome.NEEDS_REVIEW,
        f"Na te gaan of deze mentor(en) voldoende terreinervaring hebben: {names}.",
        f"To be checked whether these mentor(s) have enough field experience: {names}.",
    )


def may_declare_eligible(outcomes: list[Outcome]) -> bool:
    """Every rule passed, after the officer's overrides of the results that needed review."""
    return bool(outcomes) and all(outcome is Outcome.PASS for outcome in outcomes)
