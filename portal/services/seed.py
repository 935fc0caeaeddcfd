"""The real 2022 call (SPEC section 1, seed 002) and the demo data for a living portal."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from portal.db import brussels_today, utcnow
from portal.extensions import db
from portal.models import (
    AccessRequest,
    Application,
    Call,
    FinalReport,
    Mentor,
    Need,
    Offer,
    Organisation,
    TokenPurpose,
    User,
)
from portal.services import (
    accounts,
    applications,
    decisions,
    drafts,
    eligibility,
    files,
    handling,
    matching,
    meetings,
    payment_batches,
    payouts,
    people,
    reference,
    reviews,
)
from portal.services.calls import CallInput, CriterionInput, create_call
from workflows.matching import Answer, Side
from workflows.roles import Role
from workflows.trajectory import add_months

# Suggested rubric for this call (SPEC section 6), background in seed 003 on local "regie".
# What a 0, 1, 2 and 3 mean per criterion (Dutch, English): the reviewer reads them at every score.
# The regie components (overview, coordination, steering, accountability) come from seed 003.
LEVELS_2022: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "regierol": (
        (
            "Het project raakt de lokale regierol niet: het gaat over één dienst of één actie.",
            "De regierol wordt genoemd, maar het plan zegt niet hoe het bestuur overzicht krijgt of partners samenbrengt.",
            "Het plan versterkt minstens twee regiecomponenten (overzicht, afstemming, sturing, verantwoording) met concrete stappen.",
            "Het plan bouwt de volledige regierol uit: overzicht van het aanbod, afstemming met de partners, sturing en verantwoording aan de raad.",
        ),
        (
            "The project does not touch the local directing role: it concerns one service or one action.",
            "The directing role is mentioned, but the plan does not say how the government gains an overview or brings partners together.",
            "The plan strengthens at least two components of the directing role (overview, coordination, steering, accountability) with concrete steps.",
            "The plan builds the whole directing role: an overview of the services, coordination with partners, steering and accountability to the council.",
        ),
    ),
    "leernood": (
        (
            "Er blijkt geen leernood: het ontvangende bestuur heeft de aanpak al.",
            "De leernood is algemeen beschreven, zonder te zeggen wat het bestuur vandaag mist.",
            "De leernood is duidelijk: wat ontbreekt, bij wie, en waarom het bestuur het niet alleen kan.",
            "De leernood is duidelijk en onderbouwd met cijfers of een analyse, en past bij een klein bestuur met weinig personeel voor armoedebeleid.",
        ),
        (
            "No learning need appears: the receiving government already has the approach.",
            "The learning need is described in general terms, without saying what the government lacks today.",
            "The learning need is clear: what is missing, for whom, and why the government cannot do it alone.",
            "The learning need is clear and backed by figures or an analysis, and fits a small government with few staff for poverty policy.",
        ),
    ),
    "actieplan": (
        (
            "Er is geen actieplan, of het beschrijft geen stappen.",
            "Het actieplan noemt doelen, maar weinig concrete stappen, planning of verdeling van de taken.",
            "Het actieplan heeft concrete stappen met een planning en wie wat doet; de tijd van de mentor past erbij.",
            "Het actieplan is concreet en haalbaar, met tussentijdse resultaten en een plan B voor wat kan tegenzitten.",
        ),
        (
            "There is no action plan, or it describes no steps.",
            "The action plan names goals but few concrete steps, little planning or division of tasks.",
            "The action plan has concrete steps with a schedule and who does what; the mentor's time fits it.",
            "The action plan is concrete and feasible, with intermediate results and a fallback for what may go wrong.",
        ),
    ),
    "expertise": (
        (
            "De mentor heeft geen aantoonbare ervaring met lokaal armoedebeleid.",
            "De mentor heeft ervaring met armoedebeleid, maar niet met het thema van het project.",
            "De mentor heeft ervaring met het thema, bijvoorbeeld een lokaal armoedeplan dat de hele cyclus doorliep.",
            "De mentor bracht een vergelijkbare aanpak zelf tot een goedgekeurd plan in de raad en heeft ervaring met begeleiden van collega's.",
        ),
        (
            "The mentor has no demonstrable experience with local poverty policy.",
            "The mentor has experience with poverty policy, but not with the project's theme.",
            "The mentor has experience with the theme, for example a local poverty plan that went through its full cycle.",
            "The mentor took a similar approach to a plan approved by the council and has experience in coaching colleagues.",
        ),
    ),
    "participatie": (
        (
            "Mensen in armoede komen in het project niet aan bod.",
            "Mensen in armoede worden geïnformeerd of bevraagd, maar beslissen niet mee.",
            "Mensen in armoede of hun verenigingen denken mee op vaste momenten van het project.",
            "Mensen in armoede of hun verenigingen denken mee en sturen bij, van het begin tot de evaluatie.",
        ),
        (
            "People in poverty have no place in the project.",
            "People in poverty are informed or consulted, but have no say.",
            "People in poverty or their associations take part at set moments of the project.",
            "People in poverty or their associations take part and steer, from the start to the evaluation.",
        ),
    ),
    "verankering": (
        (
            "Na het project blijft er niets over: de aanpak hangt af van de mentor.",
            "Het plan hoopt op een vervolg, maar zegt niet wie de aanpak daarna draagt.",
            "De aanpak wordt na het project gedragen door een medewerker of dienst van het ontvangende bestuur.",
            "De aanpak wordt opgenomen in het beleid (meerjarenplan, armoedeplan of samenwerkingsafspraken) met tijd en middelen.",
        ),
        (
            "Nothing remains after the project: the approach depends on the mentor.",
            "The plan hopes for a follow-up, but does not say who carries the approach afterwards.",
            "After the project a staff member or service of the receiving government carries the approach.",
            "The approach becomes policy (multi-year plan, poverty plan or partnership agreements) with time and means.",
        ),
    ),
    "evaluatie": (
        (
            "Er is geen evaluatie voorzien.",
            "Er is een evaluatie aan het einde, zonder te zeggen wat wordt gemeten.",
            "De evaluatie meet de doelen van het actieplan met enkele concrete indicatoren.",
            "De evaluatie meet de doelen met indicatoren, ook tussentijds, en deelt wat werkte met andere besturen.",
        ),
        (
            "No evaluation is planned.",
            "There is an evaluation at the end, without saying what is measured.",
            "The evaluation measures the action plan's goals with a few concrete indicators.",
            "The evaluation measures the goals with indicators, also along the way, and shares what worked with other governments.",
        ),
    ),
}


def _criterion(code: str, name_nl: str, name_en: str, weight: int, minimum: int | None) -> CriterionInput:
    levels_nl, levels_en = LEVELS_2022[code]
    return CriterionInput(code, name_nl, name_en, weight, minimum, levels_nl, levels_en)


RUBRIC_2022: list[CriterionInput] = [
    _criterion("regierol", "Focus op de lokale regierol", "Focus on the local directing role", 3, 1),
    _criterion("leernood", "Leernood van het ontvangende bestuur", "Learning need of the receiving government", 2, 1),
    _criterion(
        "actieplan", "Kwaliteit en haalbaarheid van het actieplan", "Quality and feasibility of the action plan", 3, 1
    ),
    _criterion("expertise", "Expertise van de mentor(en)", "Expertise of the mentor(s)", 2, 1),
    _criterion("participatie", "Participatie van mensen in armoede", "Participation of people in poverty", 2, None),
    _criterion("verankering", "Duurzame verankering", "Lasting embedding", 2, None),
    _criterion("evaluatie", "Evaluatieplan", "Evaluation plan", 1, None),
]

CALL_2022 = CallInput(
    code="ARM-2022",
    title_nl="Lokale medewerkers versterken collega-besturen bij het armoedebeleid",
    title_en="Local staff strengthen fellow local governments in poverty policy",
    summary_nl=(
        "Lokale besturen met een succesvolle beleidsaanpak van armoede versterken het armoedebeleid van "
        "collega-besturen. Een ervaren medewerker van een gevend bestuur helpt een collega van een ontvangend "
        "bestuur om daar de succesvolle aanpak te introduceren, via mentoring of een stage.\n\n"
        "De subsidie zet in op personeelskosten: het bestuur dat een mentor ter beschikking stelt, ontvangt een "
        "compensatie van 50% van de loonkost, in verhouding tot de aan het project bestede tijd. Per project kan "
        "maximaal 50.000 euro worden aangevraagd. De VVSG doet de matching van vraag en aanbod en begeleidt het "
        "traject. Het gevende bestuur dient de aanvraag in, samen met het actieplan en de overeenkomst tussen "
        "beide besturen. De aanvragen worden behandeld volgens het principe 'wie eerst komt, eerst maalt'."
    ),
    summary_en=(
        "Local governments with a successful poverty policy strengthen the poverty policy of fellow local "
        "governments. An experienced officer of a giving government helps a colleague of a receiving government "
        "introduce the successful approach there, through mentoring or an internship.\n\n"
        "The subsidy covers personnel costs: the government that provides a mentor receives a compensation of "
        "50% of the wage cost, pro rata the time spent on the project. One project may request at most EUR 50,000. "
        "VVSG matches supply and demand and accompanies the trajectory. The giving government submits the "
        "application with the action plan and the agreement between both governments. Applications are handled "
        "first come, first served."
    ),
    action_code="00_04_10",
    reference_prefix="ARM",
    envelope_cents=250_000_00,  # call text: EUR 250,000
    cap_cents=50_000_00,  # call text: max EUR 50,000 per project
    compensation_rate_percent=50,  # call text: 50% of the wage cost, pro rata time
    opens_on=date(2022, 6, 14),  # call text: from 14 June 2022
    closes_on=date(2022, 10, 31),  # call text: at the latest 31 October 2022
    exchange_types=["mentoring", "stage"],
    theme_codes=[code for code, _, _ in reference.THEMES],
    eligible_organisation_kinds=["municipality"],
    required_attachments=["action_plan", "agreement"],
    max_attachment_mb=10,
    scale_min=0,
    scale_max=3,
    pass_threshold_percent=50,
    spread_flag_percent=25,
    reviews_per_dossier=2,
    review_days=14,
    allocation_policy="first_come",
    shortfall_policy="partial",
    advance_percent=0,
    allows_repeat_pair=False,
    is_published=True,
    criteria=RUBRIC_2022,
)


def seed_call_2022() -> tuple[Call, bool]:
    """The real call of 2022; returns (call, created)."""
    existing = db.session.scalar(select(Call).where(Call.code == CALL_2022.code))
    if existing is not None:
        return existing, False
    return create_call(CALL_2022, actor=None), True


# --- demo ------------------------------------------------------------------------------------

DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_CALL_CODE = "ARM-DEMO"
# Who signs the demo call's decision letters (a made-up name, a real function).
DEMO_SIGNATORY = ("Katrien Demo", "Afdelingshoofd Samenleven, Agentschap Binnenlands Bestuur")


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role
    nis_code: str | None  # None: VVSG or ABB, by role


DEMO_USERS: list[DemoUser] = [
    DemoUser("aanvrager@gent.demo", "An Aanvrager", Role.APPLICANT, "44021"),
    # Gent's second user, invited by An Aanvrager under "Collega's".
    DemoUser("collega@gent.demo", "Geert Gentenaar", Role.APPLICANT, "44021"),
    DemoUser("aanvrager@ronse.demo", "Rik Ronse", Role.APPLICANT, "45041"),
    DemoUser("aanvrager@tielt.demo", "Tine Tielt", Role.APPLICANT, "37022"),
    DemoUser("aanvrager@leuven.demo", "Lode Leuven", Role.APPLICANT, "24062"),
    DemoUser("aanvrager@brugge.demo", "Bram Brugge", Role.APPLICANT, "31005"),
    DemoUser("aanvrager@hasselt.demo", "Hanne Hasselt", Role.APPLICANT, "71072"),
    DemoUser("aanvrager@mechelen.demo", "Maarten Mechelen", Role.APPLICANT, "12025"),
    DemoUser("aanvrager@aalst.demo", "Ann Aalst", Role.APPLICANT, "41002"),
    # A small municipality with little staff: its need comes first on the matcher's list.
    DemoUser("aanvrager@aartselaar.demo", "Arne Aartselaar", Role.APPLICANT, "11001"),
    DemoUser("matcher@vvsg.demo", "Mieke Matcher", Role.MATCHER, None),
    DemoUser("beoordelaar@commissie.demo", "Bart Beoordelaar", Role.REVIEWER, None),
    DemoUser("beoordelaar2@commissie.demo", "Els Evaluator", Role.REVIEWER, None),
    # A committee member who works for Leuven: the portal never lets her score a Leuven dossier.
    DemoUser("beoordelaar3@commissie.demo", "Lies Leuven", Role.REVIEWER, "24062"),
    DemoUser("dossierbehandelaar@abb.demo", "Olivia Officer", Role.OFFICER, None),
    DemoUser("financien@abb.demo", "Frank Financien", Role.FINANCE, None),
    # A second pair of eyes: a payout is approved by a finance user who did not prepare it.
    DemoUser("financien2@abb.demo", "Fien Financien", Role.FINANCE, None),
    DemoUser("beheerder@abb.demo", "Bea Beheerder", Role.ADMIN, None),
]

# Known secret so that the demo's two-step login can be completed with any authenticator app
# (or `flask demo-code`). Demo only: real accounts get a random secret at their first login.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPDEMOPORTAALABCDE"


def _demo_organisation(user: DemoUser) -> Organisation:
    if user.nis_code:
        return reference.municipality(user.nis_code)
    return reference.vvsg() if user.role == Role.MATCHER else reference.abb()


class DemoRefused(RuntimeError):
    """The demo's accounts (a published password and two-step key) never reach a real database."""


def seed_demo() -> list[DemoUser]:
    """Users for every role (known password), and a call open today. Idempotent. Only in the embedded
    default and the tests (ALLOWS_DEMO): in production it would create staff accounts anyone can use."""
    if not current_app.config["ALLOWS_DEMO"]:
        raise DemoRefused("the demo runs only in the embedded and test configurations")
    reference.load_reference_data()
    seed_call_2022()
    for demo in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == demo.email))
        if user is None:
            user = User(
                email=demo.email, full_name=demo.full_name, role=demo.role, organisation=_demo_organisation(demo)
            )
            db.session.add(user)
        user.password_hash = accounts.hash_password(DEMO_PASSWORD)
        user.is_active = True
        if user.needs_two_step:
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_confirmed_at = user.totp_confirmed_at or utcnow()
    call = db.session.scalar(select(Call).where(Call.code == DEMO_CALL_CODE))
    if call is None:
        today = brussels_today()
        call = create_call(
            replace(
                CALL_2022,
                code=DEMO_CALL_CODE,
                title_nl="Demo-oproep: collega-besturen versterken bij het armoedebeleid",
                title_en="Demo call: strengthening fellow local governments in poverty policy",
                opens_on=today - timedelta(days=14),
                closes_on=today + timedelta(days=60),
                signatory_name=DEMO_SIGNATORY[0],
                signatory_function=DEMO_SIGNATORY[1],
            ),
            actor=None,
        )
    db.session.flush()
    _demo_dossiers(call)
    _demo_matchmaking()
    _demo_people()
    return DEMO_USERS


def sample_pdf(title: str = "", pages: int = 1) -> files.CheckedPdf:
    """A small, real PDF (blank pages), as the demo's and the tests' attachments."""
    from pypdf import PdfWriter  # loaded for the demo only, as demo_signing: not in the worker

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    checked = files.check_pdf(buffer.getvalue(), 10 * 1024 * 1024)
    assert isinstance(checked, files.CheckedPdf)
    return checked


def sample_report(dossier: Application, applicant: User, end_on: date | None = None) -> FinalReport:
    """A complete final report, submitted: every mentor as planned, or ending on `end_on` instead. A
    trajectory whose planned end is still ahead is first declared ended (on `end_on`, or today)."""
    if not payouts.report_open(dossier):
        today = brussels_today()
        payouts.declare_early_end(dossier.id, applicant, min(end_on or today, today), "Het werk van de mentor was af.")
    report = payouts.start_report(dossier, applicant)
    if end_on is not None:
        for line in report.lines:
            cost = payouts.CostInput(line.monthly_wage_cents, line.time_share_bp, line.start_on, end_on)  # type: ignore[arg-type]
            payouts.save_actual_cost(report, line, cost, applicant)
    payouts.save_achievements(
        report,
        "De mentor begeleidde het team bij het opstellen van een lokaal armoedeplan; het ontvangende bestuur zet de aanpak voort.",
        applicant,
    )
    payouts.add_document(report, "loonfiches.pdf", sample_pdf("Loonfiches en tijdsregistratie"), applicant)
    payouts.submit_report(dossier.id, applicant)
    return report


def sample_draft(
    call: Call, applicant: User, receiving: Organisation, start_on: date, wage_cents: int = 540_000
) -> Application:
    """A draft with every section filled in: one mentor at half-time for four months, both attachments."""
    application = drafts.start(call, applicant, utcnow())
    application.receiving_organisation = receiving
    application.giving_contact_function = "Beleidsmedewerker armoede"
    application.giving_contact_phone = "055 23 27 00"
    application.receiving_contact_name = "Contactpersoon " + receiving.name
    application.receiving_contact_function = "Coördinator armoedebeleid"
    application.receiving_contact_email = "armoede@" + receiving.name.lower().replace(" ", "-") + ".example"
    application.receiving_contact_phone = "09 266 11 11"
    application.exchange_type = "mentoring"
    application.theme_codes = ["lokale_regie", "participatie"]
    application.right_codes = ["01", "08"]
    application.approach = "Ons lokaal armoedeplan doorliep de volledige cyclus, tot goedkeuring door de gemeenteraad."
    application.need = "Het ontvangende bestuur wil zijn regierol versterken."
    application.goals = "Een gedeeld actieplan en een werkende klankbordgroep."
    application.participation = "Een klankbordgroep van mensen in armoede denkt mee over elke stap."
    application.embedding = "De aanpak wordt opgenomen in het meerjarenplan."
    application.iban = "BE68539007547034"
    first = start_on.replace(day=1)
    application.mentors.append(
        Mentor(
            position=1,
            full_name="Mona Mentor",
            function="Beleidsmedewerker armoede",
            years_experience=11,
            drew_up_plan=True,
            plan_description="Lokaal armoedeplan 2020-2025",
            plan_year=2020,
            theme_codes=["lokale_regie"],
            monthly_wage_cents=wage_cents,
            time_share_bp=5_000,
            start_on=first,
            end_on=add_months(first, 4) - timedelta(days=1),  # four whole months, whatever the month
        )
    )
    for kind in call.required_attachments:
        files.store_attachment(application, kind, f"{kind}.pdf", sample_pdf(kind), applicant)
    db.session.flush()
    return application


def _demo_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


# Comments a demo reviewer writes at a score, so that the officer's view of the reviews shows some.
DEMO_REVIEW_COMMENTS: dict[tuple[str, int], str] = {
    ("regierol", 2): "Overzicht en afstemming zijn concreet; de verantwoording aan de raad blijft vaag.",
    ("regierol", 3): "Het plan bouwt de volledige regierol uit, met een rol voor de raad.",
    ("actieplan", 2): "Haalbare stappen; de planning van de laatste maand is krap.",
    ("actieplan", 3): "Concreet, met tussentijdse resultaten.",
    ("participatie", 2): "Een vereniging waar armen het woord nemen denkt mee op drie momenten.",
}


def _demo_dossiers(call: Call) -> None:
    """Dossiers in every state, each from another pair of governments, taken there by the services."""
    # Loaded for the demo only: pyHanko's weight stays out of the web processes and the worker.
    from portal.services import demo_signing

    if db.session.scalar(select(Application.id).where(Application.call_id == call.id)) is not None:
        return

    officer = _demo_user("dossierbehandelaar@abb.demo")
    bart, els = _demo_user("beoordelaar@commissie.demo"), _demo_user("beoordelaar2@commissie.demo")
    today = brussels_today()  # the dates the portal checks (a payment after its approval) are Brussels dates

    def submitted(
        applicant_email: str,
        receiving_nis: str,
        wage_cents: int = 540_000,
        confirmed: bool = True,
        start_on: date | None = None,
        signed_agreement: bool = False,
    ) -> Application:
        """Submitted; `confirmed`: the receiving government's demo user then confirms its participation;
        `start_on`: the mentors' first day (default today); `signed_agreement`: the agreement attached is the
        portal's own, digitally signed (the others are blank sample pages)."""
        applicant = _demo_user(applicant_email)
        receiving = reference.municipality(receiving_nis)
        dossier = sample_draft(call, applicant, receiving, start_on or today, wage_cents)
        if signed_agreement:
            signed = demo_signing.demo_signed_agreement(dossier, applicant.full_name)
            files.store_attachment(dossier, "agreement", "overeenkomst-ondertekend.pdf", signed, applicant)
        applications.submit(dossier.id, applicant, declared=True)
        partner = db.session.scalar(select(User).where(User.organisation_id == receiving.id).order_by(User.id))
        if confirmed and partner is not None:
            applications.confirm_participation(dossier.id, partner, utcnow())
        return dossier

    def scored(dossier: Application, scores: tuple[int, int]) -> Application:
        eligibility.declare_eligible(dossier.id, officer)
        reviews.assign_reviewers(dossier.id, [bart.id, els.id], officer)
        for reviewer, score in zip((bart, els), scores, strict=True):
            review = next(r for r in reviews.reviews_of(dossier) if r.reviewer_id == reviewer.id)
            reviews.declare_no_conflict(review.id, reviewer)
            entered = {c.code: (score, DEMO_REVIEW_COMMENTS.get((c.code, score), "")) for c in call.criteria}
            reviews.save_scores(review.id, reviewer, entered, f"Demo-beoordeling door {reviewer.full_name}.")
            reviews.submit_review(review.id, reviewer, utcnow())
        return dossier

    # Ronse -> Gent: submitted, waiting for the eligibility review; Gent has not confirmed yet, so the
    # officer is warned (the call's setting) before declaring it eligible. The demo officer handles it and noted a call.
    to_check = submitted("aanvrager@ronse.demo", "44021", confirmed=False)
    handling.assign_owner(to_check, officer.id, officer, utcnow())
    handling.add_note(
        to_check, "Gebeld met Gent: de ondertekende overeenkomst volgt deze week per e-mail.", officer, utcnow()
    )
    # Gent: a draft with Tielt as the receiving government.
    draft = drafts.start(call, _demo_user("aanvrager@gent.demo"), utcnow())
    draft.receiving_organisation = reference.municipality("37022")
    # Tielt -> Ronse: sent back with a question; and Ronse declined to take part, with its reason.
    corrected = submitted("aanvrager@tielt.demo", "45041", confirmed=False)
    eligibility.request_correction(corrected.id, officer, "Voeg de overeenkomst toe, ondertekend door beide besturen.")
    applications.decline_participation(
        corrected.id, _demo_user("aanvrager@ronse.demo"),
        "Onze coördinator armoedebeleid vertrekt dit najaar; we kunnen een mentor nu niet goed ontvangen.", utcnow(),
    )  # fmt: skip
    # Leuven -> Hasselt: eligible, waiting for reviewers (Lies Leuven can not be one of them); Hasselt has not
    # answered yet, so the demo shows a receiving government that may still decline.
    eligibility.declare_eligible(submitted("aanvrager@leuven.demo", "71072", confirmed=False).id, officer)
    # Brugge -> Leuven: in review, one of two reviews in (Els's); Bart's is a draft.
    in_review = submitted("aanvrager@brugge.demo", "24062")
    eligibility.declare_eligible(in_review.id, officer)
    reviews.assign_reviewers(in_review.id, [bart.id, els.id], officer)
    first = next(r for r in reviews.reviews_of(in_review) if r.reviewer_id == els.id)
    reviews.declare_no_conflict(first.id, els)
    reviews.save_scores(first.id, els, {c.code: (2, "") for c in call.criteria}, "")
    reviews.submit_review(first.id, els, utcnow())
    # Bart's review is under way: no conflict declared, three scores kept as a draft, not submitted.
    draft_review = next(r for r in reviews.reviews_of(in_review) if r.reviewer_id == bart.id)
    reviews.declare_no_conflict(draft_review.id, bart)
    reviews.save_scores(
        draft_review.id,
        bart,
        {"regierol": (2, DEMO_REVIEW_COMMENTS[("regierol", 2)]), "leernood": (3, ""), "actieplan": (2, "")},
        "Nog na te lezen: de bijlage met de overeenkomst.",
    )
    # Hasselt -> Mechelen: scored, waiting for the decision.
    scored(submitted("aanvrager@hasselt.demo", "12025"), (2, 3))
    # Mechelen -> Aalst: granted, its trajectory started this month: the final report opens at its end
    # (or once Mechelen declares an early end). Aalst -> Brugge: rejected after a low score.
    # Its agreement is the portal's own, digitally signed.
    # Both decided in the committee's meeting, held today and closed with its minutes (Hasselt -> Mechelen
    # stays undecided there).
    to_grant = scored(submitted("aanvrager@mechelen.demo", "41002", 620_000, signed_agreement=True), (3, 2))
    to_reject = scored(submitted("aanvrager@aalst.demo", "31005"), (1, 0))
    meeting = meetings.open_meeting(
        call.id, today, [bart.id, els.id], "Vergadering in het Herman Teirlinckgebouw, Brussel.", officer
    )
    meetings.decide_in_meeting(
        meeting.id, [to_grant.id], True, officer, "Sterk actieplan met een duidelijke regierol voor Aalst."
    )
    meetings.decide_in_meeting(
        meeting.id,
        [to_reject.id],
        False,
        officer,
        "Het actieplan beschrijft geen concrete stappen voor de regierol en haalt de minimumscores niet.",
    )
    meetings.close_meeting(meeting.id, officer)
    # Gent -> Ronse: ineligible; Ronse -> Tielt: withdrawn.
    eligibility.declare_ineligible(
        submitted("aanvrager@gent.demo", "45041").id,
        officer,
        "De overeenkomst is niet ondertekend door het ontvangende bestuur.",
    )
    withdrawn = submitted("aanvrager@ronse.demo", "37022")
    applications.withdraw(
        withdrawn.id, _demo_user("aanvrager@ronse.demo"), "Het ontvangende bestuur stelt het project uit."
    )

    # Two trajectories that ran from half a year ago, ended and reported on.
    ended_start = today - timedelta(days=190)
    # Brugge -> Hasselt: closed. The final report was accepted, the balance approved by a second
    # user (Frank), sent to the bank in a payment file and paid (both by Fien).
    closed = scored(submitted("aanvrager@brugge.demo", "71072", start_on=ended_start), (3, 3))
    decisions.grant(closed.id, officer)
    sample_report(closed, _demo_user("aanvrager@brugge.demo"))
    payouts.settle_report(closed.id, officer)
    (balance,) = payouts.payouts_of(closed)
    payouts.approve(balance.id, _demo_user("financien@abb.demo"))
    payment_batches.create_batch(_demo_user("financien2@abb.demo"), today)
    payouts.pay(balance.id, _demo_user("financien2@abb.demo"), today, "DEMO-2026-0001")
    # Aalst -> Tielt: granted; its final report waits for the officer's acceptance.
    sample_report(
        decisions.grant(scored(submitted("aanvrager@aalst.demo", "37022", start_on=ended_start), (2, 3)).id, officer),
        _demo_user("aanvrager@aalst.demo"),
    )
    db.session.flush()
    _demo_payouts(submitted, scored)


def _demo_payouts(
    submitted: Callable[..., Application], scored: Callable[[Application, tuple[int, int]], Application]
) -> None:
    """Finance's working day: balances waiting for approval (chosen together on the payouts page), and a
    payment file whose transfers wait for the bank's answer (recorded together on the file's page)."""
    officer, frank, fien = (
        _demo_user("dossierbehandelaar@abb.demo"),
        _demo_user("financien@abb.demo"),
        _demo_user("financien2@abb.demo"),
    )
    settled = []
    ended_start = brussels_today() - timedelta(days=190)  # trajectories that ended: reports in
    # Leuven -> Aalst and Gent -> Hasselt wait for approval; Tielt -> Brugge and Ronse -> Mechelen are at the bank.
    for applicant_email, receiving_nis in (
        ("aanvrager@leuven.demo", "41002"),
        ("aanvrager@gent.demo", "71072"),
        ("aanvrager@tielt.demo", "31005"),
        ("aanvrager@ronse.demo", "12025"),
    ):
        dossier = scored(submitted(applicant_email, receiving_nis, start_on=ended_start), (3, 2))
        decisions.grant(dossier.id, officer)
        sample_report(dossier, _demo_user(applicant_email))
        payouts.settle_report(dossier.id, officer)
        settled.append(dossier)
    for dossier in settled[2:]:
        (balance,) = payouts.payouts_of(dossier)
        payouts.approve(balance.id, frank)
    payment_batches.create_batch(fien, brussels_today())
    db.session.flush()


# --- matchmaking -----------------------------------------------------------------------------------


def sample_offer(
    applicant: User, theme_codes: list[str], inhabitants: int = 50_000, profiles: int = 1, **changes: object
) -> Offer:
    """An open offer of the applicant's government: a mentor half-time for four months from next month."""
    next_month = (brussels_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    details = matching.OfferDetails(
        theme_codes=theme_codes,
        approach="Ons lokaal armoedeplan kwam tot stand met een klankbordgroep van mensen in armoede en doorliep de volledige cyclus.",
        inhabitants=inhabitants,
        available_from_on=next_month,
        months_available=4,
        time_share_bp=5_000,
        contact_name=applicant.full_name,
        contact_email=applicant.email,
    )
    mentors = [
        matching.ProfileDetails(
            full_name=f"Mentor {number} {applicant.organisation.name}",
            function="Beleidsmedewerker armoede",
            years_experience=8 + number,
            drew_up_plan=number == 1,
            plan_description="Lokaal armoedeplan 2020-2025" if number == 1 else "",
            plan_year=2020 if number == 1 else None,
        )
        for number in range(1, profiles + 1)
    ]
    return matching.register_offer(applicant, replace(details, **changes), mentors)  # type: ignore[arg-type]


def sample_need(
    applicant: User, theme_codes: list[str], inhabitants: int = 15_000, staff_fte_tenths: int = 5, **changes: object
) -> Need:
    details = matching.NeedDetails(
        theme_codes=theme_codes,
        context="Eén medewerker combineert het armoedebeleid met andere taken; er is nog geen lokaal armoedeplan.",
        goals="Een eerste lokaal armoedeplan, opgesteld samen met mensen in armoede.",
        inhabitants=inhabitants,
        staff_fte_tenths=staff_fte_tenths,
        contact_name=applicant.full_name,
        contact_email=applicant.email,
    )
    return matching.register_need(applicant, replace(details, **changes))  # type: ignore[arg-type]


def _demo_people() -> None:
    """Gent has two users, the second invited by the first; Kortrijk, without an account, asked for access."""
    gent, colleague = _demo_user("aanvrager@gent.demo"), _demo_user("collega@gent.demo")
    if accounts.invited_by(colleague) is None:
        token = accounts.issue_token(colleague, TokenPurpose.INVITATION, timedelta(days=7), gent)
        used = accounts.check_token(token, TokenPurpose.INVITATION).token
        assert used is not None
        used.used_at = utcnow()
    if db.session.scalar(select(AccessRequest.id)) is None:
        people.request_access(
            "Katrien Kortrijk", "Beleidsmedewerker armoede", reference.municipality("34022"), "katrien@kortrijk.demo"
        )
    db.session.flush()


def _demo_matchmaking() -> None:
    """Offers and needs to match, a proposal waiting for answers and a confirmed match ready to apply."""
    if db.session.scalar(select(Offer.id)) is not None:
        return

    matcher = _demo_user("matcher@vvsg.demo")
    now = utcnow()
    sample_offer(
        _demo_user("aanvrager@gent.demo"), ["lokale_regie", "participatie", "grondrechten"], 265_000, profiles=2
    )
    leuven = sample_offer(_demo_user("aanvrager@leuven.demo"), ["data_tools", "impactmeting"], 104_000)
    hasselt = sample_offer(_demo_user("aanvrager@hasselt.demo"), ["participatie", "transversaal"], 80_000)
    sample_offer(_demo_user("aanvrager@brugge.demo"), ["goede_praktijken", "organisatorische_inbedding"], 119_000)
    # Aartselaar (small, little staff) and Tielt: open, for the matcher to pair.
    sample_need(_demo_user("aanvrager@aartselaar.demo"), ["lokale_regie", "organisatorische_inbedding"], 14_800, 3)
    sample_need(_demo_user("aanvrager@tielt.demo"), ["lokale_regie", "participatie"], 20_900, 8)
    # Ronse <- Hasselt: proposed, waiting for both answers.
    ronse = sample_need(_demo_user("aanvrager@ronse.demo"), ["participatie", "data_tools"], 26_000, 10)
    matching.propose(ronse.id, hasselt.id, matcher, "Hasselt werkt al jaren participatief met mensen in armoede.", now)
    # Mechelen <- Leuven: confirmed by both; Leuven can start the application.
    mechelen = sample_need(_demo_user("aanvrager@mechelen.demo"), ["data_tools", "impactmeting"], 87_000, 20)
    confirmed = matching.propose(mechelen.id, leuven.id, matcher, "", now)
    matching.answer(confirmed, Side.GIVING, _demo_user("aanvrager@leuven.demo"), Answer.ACCEPTED, "", now)
    matching.answer(confirmed, Side.RECEIVING, _demo_user("aanvrager@mechelen.demo"), Answer.ACCEPTED, "", now)
    db.session.flush()
