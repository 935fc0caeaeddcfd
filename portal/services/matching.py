"""Matchmaking use cases (SPEC section 10): register offers and needs, rank, propose, answer, start.

The ranking and the life of a match are decided in workflows/matching.py; this module loads the
rows as facts, applies the decision, writes the audit row and the notifications, and flushes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.db import brussels_today, values_of
from portal.extensions import db
from portal.models import Application, Call, Mentor, User
from portal.models.matching import Match, MentorProfile, Need, Offer
from portal.models.notifications import NotificationEvent
from portal.services import audit, drafts, notifications
from portal.services.notifications import Recipient
from portal.services.refusal import NotAllowed
from workflows import matching as rules
from workflows.matching import Answer, MatchRefused, MatchState, NeedState, OfferState, Side, Suggestion
from workflows.roles import Role

# --- the government's own offers and needs ---------------------------------------------------------


@dataclass(frozen=True)
class ProfileDetails:
    full_name: str
    function: str
    years_experience: int
    drew_up_plan: bool
    plan_description: str
    plan_year: int | None


@dataclass(frozen=True)
class OfferDetails:
    theme_codes: list[str]
    approach: str
    inhabitants: int
    available_from_on: date
    months_available: int
    time_share_bp: int
    contact_name: str
    contact_email: str


@dataclass(frozen=True)
class NeedDetails:
    theme_codes: list[str]
    context: str
    goals: str
    inhabitants: int
    staff_fte_tenths: int
    contact_name: str
    contact_email: str


class NotEditable(NotAllowed):
    """A withdrawn offer, or a need that was withdrawn or matched, is kept as it was."""


def _copy(details: Any, target: Any) -> dict[str, Any]:
    """Set the fields on the row; return what changed, for the audit row."""
    changed = {}
    for field in fields(details):
        value = getattr(details, field.name)
        if getattr(target, field.name, None) != value:
            changed[field.name] = value.isoformat() if isinstance(value, date) else value
        setattr(target, field.name, value)
    return changed


def _set_profiles(offer: Offer, profiles: list[ProfileDetails]) -> None:
    offer.profiles.clear()
    db.session.flush()  # the old profiles go before the new ones take their positions
    for position, profile in enumerate(profiles, start=1):
        offer.profiles.append(
            MentorProfile(position=position, **{f.name: getattr(profile, f.name) for f in fields(profile)})
        )


def matchers() -> list[Recipient]:
    users = db.session.scalars(
        select(User).where(User.role == Role.MATCHER, User.is_active.is_(True)).order_by(User.id)
    )
    return [notifications.user_recipient(user) for user in users]


def _tell_matchers(event: NotificationEvent, actor: User, theme_codes: Any, **registered: int) -> None:
    """Every active matcher hears of a new offer or need (`registered` names it: offer_id or need_id)."""
    context = {**registered, "organisation": actor.organisation.name, "theme_codes": theme_codes}
    notifications.record(event, matchers(), None, context)


def register_offer(actor: User, details: OfferDetails, profiles: list[ProfileDetails]) -> Offer:
    offer = Offer(organisation_id=actor.organisation_id, created_by_id=actor.id, state=OfferState.OPEN)
    _copy(details, offer)
    db.session.add(offer)
    _set_profiles(offer, profiles)
    audit.record_row(
        actor,
        "offer.registered",
        offer,
        to_state=OfferState.OPEN,
        details={"themes": details.theme_codes, "profiles": len(profiles)},
    )
    _tell_matchers(NotificationEvent.OFFER_REGISTERED, actor, details.theme_codes, offer_id=offer.id)
    return offer


def update_offer(offer: Offer, actor: User, details: OfferDetails, profiles: list[ProfileDetails]) -> None:
    if offer.state_enum is not OfferState.OPEN:
        raise NotEditable(offer.id)
    changed = _copy(details, offer)
    _set_profiles(offer, profiles)
    audit.record_row(actor, "offer.changed", offer, details={"changed": sorted(changed), "profiles": len(profiles)})


def register_need(actor: User, details: NeedDetails) -> Need:
    need = Need(organisation_id=actor.organisation_id, created_by_id=actor.id, state=NeedState.OPEN)
    _copy(details, need)
    audit.record_added(actor, "need.registered", need, details={"themes": details.theme_codes})
    _tell_matchers(NotificationEvent.NEED_REGISTERED, actor, details.theme_codes, need_id=need.id)
    return need


def update_need(need: Need, actor: User, details: NeedDetails) -> None:
    if need.state_enum is not NeedState.OPEN:
        raise NotEditable(need.id)
    changed = _copy(details, need)
    audit.record_row(actor, "need.changed", need, details={"changed": sorted(changed)})


def withdraw_offer(offer: Offer, actor: User, now: datetime) -> None:
    """Its proposals waiting for answers are cancelled; confirmed matches stay the governments' own."""
    _withdraw(offer, "offer", OfferState, actor, now, Match.offer_id == offer.id)


def withdraw_need(need: Need, actor: User, now: datetime) -> None:
    _withdraw(need, "need", NeedState, actor, now, Match.need_id == need.id)


def _withdraw(
    listing: Offer | Need,
    kind: str,
    states: type[OfferState] | type[NeedState],
    actor: User,
    now: datetime,
    its_matches: Any,
) -> None:
    if listing.state_enum is not states.OPEN:
        raise NotEditable(listing.id)
    listing.state = states.WITHDRAWN
    listing.withdrawn_at = now
    audit.record(actor, f"{kind}.withdrawn", kind, listing.id, from_state=states.OPEN, to_state=states.WITHDRAWN)
    for match in _proposals(its_matches):
        _cancel(match, actor, now, f"{kind}_withdrawn")


def own_offer(user: User, offer_id: int, *, for_update: bool = False) -> Offer | None:
    """Another government's offer reads as not found."""
    query = select(Offer).where(Offer.id == offer_id, Offer.organisation_id == user.organisation_id)
    return db.session.scalar(query.with_for_update() if for_update else query)


def own_need(user: User, need_id: int, *, for_update: bool = False) -> Need | None:
    query = select(Need).where(Need.id == need_id, Need.organisation_id == user.organisation_id)
    return db.session.scalar(query.with_for_update() if for_update else query)


def offers_of(organisation_id: int) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer).where(Offer.organisation_id == organisation_id).order_by(Offer.created_at.desc())
        )
    )


def needs_of(organisation_id: int) -> list[Need]:
    return list(
        db.session.scalars(select(Need).where(Need.organisation_id == organisation_id).order_by(Need.created_at.desc()))
    )


# --- facts and the ranking -------------------------------------------------------------------------


def _shared_facts(listing: Offer | Need) -> tuple[int, int, str | None, frozenset[str], int]:
    """What an offer and a need both tell the ranking: which, whose, where, on what, how large a government."""
    return (
        listing.id,
        listing.organisation_id,
        listing.organisation.province_code,
        frozenset(listing.theme_codes),
        listing.inhabitants,
    )


def need_facts(need: Need) -> rules.NeedFacts:
    return rules.NeedFacts(*_shared_facts(need), need.staff_fte_tenths, need.state_enum)


def offer_facts(offer: Offer) -> rules.OfferFacts:
    return rules.OfferFacts(
        *_shared_facts(offer),
        offer.state_enum,
        offer.available_from_on,
        offer.months_available,
    )


@dataclass(frozen=True)
class RankedOffer:
    suggestion: Suggestion
    offer: Offer
    match: Match | None  # the live proposal or confirmed match of this pair, if any


@dataclass(frozen=True)
class RankedNeed:
    need: Need
    priority: rules.NeedPriority
    offers: list[RankedOffer]


def open_offers() -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.state == OfferState.OPEN)
            .options(selectinload(Offer.organisation), selectinload(Offer.profiles))
            .order_by(Offer.id)
        )
    )


def _live_matches(need_ids: list[int]) -> dict[tuple[int, int], Match]:
    rows = db.session.scalars(
        select(Match).where(Match.need_id.in_(need_ids), Match.state.in_(rules.LIVE_MATCH_STATES))
    )
    return {(match.need_id, match.offer_id): match for match in rows}


def ranked(needs: list[Need], offers: list[Offer]) -> list[RankedNeed]:
    """Each need with the offers best suited to it; the needs of small governments with little staff first."""
    by_id = {offer.id: offer for offer in offers}
    live = _live_matches([need.id for need in needs])
    facts = {need.id: need_facts(need) for need in needs}
    offer_list = [offer_facts(offer) for offer in offers]
    by_need = {need.id: need for need in needs}
    today = brussels_today()
    result = []
    for fact in rules.order_needs(facts.values()):
        suggestions = rules.suggestions_for(fact, offer_list, today)
        result.append(
            RankedNeed(
                by_need[fact.id],
                rules.need_priority(fact),
                [RankedOffer(s, by_id[s.offer_id], live.get((fact.id, s.offer_id))) for s in suggestions],
            )
        )
    return result


def open_needs_ranked() -> list[RankedNeed]:
    needs = list(
        db.session.scalars(select(Need).where(Need.state == NeedState.OPEN).options(selectinload(Need.organisation)))
    )
    return ranked(needs, open_offers())


def ranked_need(need: Need) -> RankedNeed:
    return ranked([need], open_offers())[0]


# --- the matcher proposes --------------------------------------------------------------------------


def _pair_is_live(need: Need, offer: Offer) -> bool:
    return (need.id, offer.id) in _live_matches([need.id])


def propose(need_id: int, offer_id: int, actor: User, message: str, now: datetime) -> Match:
    """Locks the need (two matchers proposing the same pair at once: the second is refused)."""
    need = db.session.scalar(select(Need).where(Need.id == need_id).with_for_update())
    offer = db.session.scalar(select(Offer).where(Offer.id == offer_id).with_for_update(read=True))
    if need is None or offer is None:
        raise LookupError("need or offer")
    problems = rules.proposal_problems(need_facts(need), offer_facts(offer), _pair_is_live(need, offer))
    if problems:
        raise MatchRefused(problems[0])
    match = Match(
        need=need,
        offer=offer,
        state=MatchState.PROPOSED,
        message=message.strip(),
        proposed_by_id=actor.id,
        proposed_at=now,
    )
    audit.record_added(actor, "match.proposed", match, details={"need_id": need.id, "offer_id": offer.id})
    _notify(NotificationEvent.MATCH_PROPOSED, match, _both(match))
    return match


# --- the governments answer ------------------------------------------------------------------------


def lock_match(match_id: int) -> Match | None:
    """The match, locked, as it is now. Its need is locked first: every change of a need and its
    matches takes the need's lock before the matches' (answering, cancelling, withdrawing the need),
    so two of them never wait for each other."""
    need_id = db.session.scalar(select(Match.need_id).where(Match.id == match_id))
    if need_id is None:
        return None
    db.session.execute(select(Need.id).where(Need.id == need_id).with_for_update())
    match = db.session.scalar(select(Match).where(Match.id == match_id).with_for_update())
    if match is not None:
        db.session.refresh(match)
    return match


def side_of(user: User, match: Match) -> Side | None:
    """Which party the user's government is to this match; None: not a party (the route answers 404)."""
    if user.organisation_id is None:
        return None
    if match.offer.organisation_id == user.organisation_id:
        return Side.GIVING
    if match.need.organisation_id == user.organisation_id:
        return Side.RECEIVING
    return None


def matches_of(organisation_id: int) -> list[Match]:
    return list(
        db.session.scalars(
            select(Match)
            .join(Need, Match.need_id == Need.id)
            .join(Offer, Match.offer_id == Offer.id)
            .where(or_(Need.organisation_id == organisation_id, Offer.organisation_id == organisation_id))
            .order_by(Match.proposed_at.desc())
        )
    )


def _facts(match: Match) -> rules.MatchFacts:
    return rules.MatchFacts(
        match.state_enum,
        Answer(match.giving_answer) if match.giving_answer else None,
        Answer(match.receiving_answer) if match.receiving_answer else None,
    )


def answer(match: Match, side: Side, actor: User, given: Answer, reason: str, now: datetime) -> Match:
    """The caller holds the match's lock (lock_match)."""
    before = match.state_enum
    after = rules.answer(_facts(match), side, given)
    if side is Side.GIVING:
        match.giving_answer, match.giving_answered_at, match.giving_answered_by_id = given, now, actor.id
    else:
        match.receiving_answer, match.receiving_answered_at, match.receiving_answered_by_id = given, now, actor.id
    match.state = after.state
    if given is Answer.DECLINED:
        match.decline_reason = reason.strip() or None
        match.closed_at = now
    audit.record(
        actor,
        f"match.{given.value}",
        "match",
        match.id,
        from_state=before,
        to_state=after.state,
        reason=reason.strip() or None,
        details={"side": side.value},
    )
    if after.state is MatchState.CONFIRMED:
        match.confirmed_at = now
        _confirm(match, actor, now)
    elif after.state is MatchState.DECLINED:
        _notify(
            NotificationEvent.MATCH_DECLINED,
            match,
            _party(match, _other(side)) + matchers(),
            side=side.value,
            reason=match.decline_reason or "",
        )
    else:
        _notify(NotificationEvent.MATCH_ACCEPTED, match, _party(match, _other(side)) + matchers(), side=side.value)
    return match


def _confirm(match: Match, actor: User, now: datetime) -> None:
    """The need is answered: other proposals for it are cancelled."""
    need = db.session.scalar(select(Need).where(Need.id == match.need_id).with_for_update())
    assert need is not None
    audit.record_move(actor, "need.matched", need, NeedState.MATCHED, details={"match_id": match.id})
    _notify(NotificationEvent.MATCH_CONFIRMED, match, _both(match) + matchers())
    for other in _proposals(Match.need_id == need.id, Match.id != match.id):
        _cancel(other, actor, now, "need_matched")


def cancel(match: Match, actor: User, now: datetime) -> None:
    """The matcher takes a proposal back. The caller holds the match's lock."""
    _cancel(match, actor, now, "matcher")


def _cancel(match: Match, actor: User, now: datetime, why: str) -> None:
    after = rules.cancel(_facts(match))
    match.closed_at = now
    audit.record_move(actor, "match.cancelled", match, after.state, details={"why": why})
    _notify(NotificationEvent.MATCH_CANCELLED, match, _both(match), why=why)


def _proposals(*conditions: Any) -> list[Match]:
    return list(
        db.session.scalars(select(Match).where(Match.state == MatchState.PROPOSED, *conditions).with_for_update())
    )


# --- the confirmed match becomes an application -----------------------------------------------------


class CannotStart(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def start_application(match: Match, call: Call, actor: User, now: datetime) -> Application:
    """The giving government's draft with both parties, their contacts, the themes and the mentors
    filled in from the offer and the need. Once per match. The caller holds the match's lock."""
    if match.state_enum is not MatchState.CONFIRMED:
        raise CannotStart("not_confirmed")
    if side_of(actor, match) is not Side.GIVING:
        raise CannotStart("not_giving")
    if match.application_id is not None:
        raise CannotStart("already_started")
    application = drafts.start(call, actor, now)
    offer, need = match.offer, match.need
    application.receiving_organisation_id = need.organisation_id
    application.giving_contact_name, application.giving_contact_email = offer.contact_name, offer.contact_email
    application.receiving_contact_name, application.receiving_contact_email = need.contact_name, need.contact_email
    call_themes = {theme.code for theme in call.themes}
    shared = [code for code in rules.shared_themes(need.theme_codes, offer.theme_codes) if code in call_themes]
    application.theme_codes = shared
    application.approach = offer.approach
    application.need = need.context
    application.goals = need.goals
    last_day = _add_months(offer.available_from_on, offer.months_available) - timedelta(days=1)
    for profile in offer.profiles:
        application.mentors.append(
            Mentor(
                **values_of(profile, PROFILE_FIELDS),
                theme_codes=list(shared),
                time_share_bp=offer.time_share_bp,
                start_on=offer.available_from_on,
                end_on=last_day,
            )
        )
    match.application_id = application.id
    db.session.flush()
    audit.record_row(
        actor, "match.application_started", match, details={"application_id": application.id, "call_id": call.id}
    )
    return application


# What a mentor profile of an offer gives the application's mentor as it is.
PROFILE_FIELDS = (
    "position",
    "full_name",
    "function",
    "years_experience",
    "drew_up_plan",
    "plan_description",
    "plan_year",
)


def _add_months(first_of_month: date, months: int) -> date:
    """Availability is counted in whole months from the first of a month."""
    month = first_of_month.month - 1 + months
    return date(first_of_month.year + month // 12, month % 12 + 1, 1)


# --- who hears about it ----------------------------------------------------------------------------


def _party(match: Match, side: Side) -> list[Recipient]:
    if side is Side.GIVING:
        return notifications.government_recipients(match.offer.organisation_id, match.offer.contact_email)
    return notifications.government_recipients(match.need.organisation_id, match.need.contact_email)


def _other(side: Side) -> Side:
    return Side.RECEIVING if side is Side.GIVING else Side.GIVING


def _both(match: Match) -> list[Recipient]:
    return _party(match, Side.GIVING) + _party(match, Side.RECEIVING)


def _notify(event: NotificationEvent, match: Match, recipients: list[Recipient], **extra: str) -> None:
    unique: dict[str, Recipient] = {}
    for recipient in recipients:
        unique.setdefault(recipient.email, recipient)  # one message per address, whichever party lists it
    details = {
        "match_id": match.id,
        "giving": match.offer.organisation.name,
        "receiving": match.need.organisation.name,
        "theme_codes": list(rules.shared_themes(match.need.theme_codes, match.offer.theme_codes)),
        "message": match.message,
        **extra,
    }
    notifications.record(event, list(unique.values()), None, details)


# --- the public overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicOffer:
    """What anyone may see of an offer: no names, no addresses."""

    id: int
    government: str
    province: str | None
    approach: str
    theme_codes: list[str]
    available_from_on: date
    months_available: int
    time_share_bp: int
    profiles: list[tuple[str, int, bool]]  # function, years of experience, drew up a plan


def public_offers() -> list[PublicOffer]:
    """Every open offer once, oldest first, with all its themes."""
    return [
        PublicOffer(
            offer.id,
            offer.organisation.name,
            offer.organisation.province_name,
            offer.approach,
            list(offer.theme_codes),
            offer.available_from_on,
            offer.months_available,
            offer.time_share_bp,
            [(p.function, p.years_experience, p.drew_up_plan) for p in offer.profiles],
        )
        for offer in open_offers()
    ]


# --- the matcher's overviews -----------------------------------------------------------------------


def matches_in(states: tuple[MatchState, ...], *, limit: int | None = None, need_id: int | None = None) -> list[Match]:
    """Matches in these states (of one need, if given), the latest event first: closed, confirmed or proposed."""
    latest = db.func.coalesce(Match.closed_at, Match.confirmed_at, Match.proposed_at)
    query = (
        select(Match)
        .where(Match.state.in_([state.value for state in states]))
        .options(
            selectinload(Match.need).selectinload(Need.organisation),
            selectinload(Match.offer).selectinload(Offer.organisation),
        )
        .order_by(latest.desc(), Match.id.desc())
    )
    if need_id is not None:
        query = query.where(Match.need_id == need_id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def every_offer() -> list[Offer]:
    """Open offers first, then the withdrawn ones; the newest first within each."""
    return list(
        db.session.scalars(
            select(Offer)
            .options(selectinload(Offer.organisation), selectinload(Offer.profiles))
            .order_by(Offer.state != OfferState.OPEN, Offer.created_at.desc(), Offer.id.desc())
        )
    )


def every_need() -> list[tuple[Need, rules.NeedPriority]]:
    """Open needs in the order the matcher takes them up (rules.order_needs), then matched, then withdrawn."""
    needs = list(
        db.session.scalars(
            select(Need).options(selectinload(Need.organisation)).order_by(Need.created_at.desc(), Need.id.desc())
        )
    )
    facts = {need.id: need_facts(need) for need in needs}
    by_id = {need.id: need for need in needs}
    open_needs = [
        by_id[fact.id] for fact in rules.order_needs(fact for fact in facts.values() if fact.state is NeedState.OPEN)
    ]
    closed = sorted(
        (need for need in needs if need.state_enum is not NeedState.OPEN),
        key=lambda need: need.state_enum is NeedState.WITHDRAWN,
    )
    return [(need, rules.need_priority(facts[need.id])) for need in open_needs + closed]
