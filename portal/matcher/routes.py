"""The VVSG coordinator's pages (SPEC section 10): open needs ranked with their suggested offers,
proposing a pair, following a match, and the lists of every offer and need."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.matching import CancelMatchForm, ProposeForm
from portal.access import roles
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import language_code
from portal.models.matching import Match, Need, Offer
from portal.services import matching as service
from portal.services import reference
from workflows.matching import MatchProblem, MatchRefused, MatchState, NeedState
from workflows.roles import Role

bp = Blueprint("matcher", __name__, url_prefix="/matching")

SUGGESTIONS_PER_NEED = 3  # on the dashboard; the need's own page lists them all
RECENT_MATCHES = 10


def refusal_text(problem: MatchProblem) -> str:
    """Why a proposal or a cancellation was refused, for the matcher."""
    return {
        MatchProblem.NEED_NOT_OPEN: _(
            "Deze vraag staat niet meer open: ze is ingetrokken of al gematcht. U kunt er geen match meer voor voorstellen."
        ),
        MatchProblem.OFFER_NOT_OPEN: _("Dit aanbod is ingetrokken. Kies een ander aanbod."),
        MatchProblem.SAME_GOVERNMENT: _(
            "Het aanbod en de vraag komen van hetzelfde bestuur. Een bestuur kan niet met zichzelf gematcht worden."
        ),
        MatchProblem.ALREADY_PROPOSED: _(
            "Deze match is al voorgesteld of bevestigd. Hetzelfde aanbod kan niet twee keer voor dezelfde vraag worden voorgesteld."
        ),
        MatchProblem.NOT_PROPOSED: _(
            "Dit voorstel wacht niet meer op antwoord: het is al bevestigd, afgewezen of ingetrokken."
        ),
    }.get(problem, _("Dat kan niet in de huidige stand van de match."))


@dataclass(frozen=True)
class Refusal:
    """A proposal that was not made: shown at the top of the need page, with what was typed."""

    offer_id: int
    problem: MatchProblem
    text: str
    message: str


def _propose_form(offer_id: int) -> ProposeForm:
    # One form per offer on the need page: the prefix keeps the fields' ids apart.
    return ProposeForm(formdata=None, prefix=f"o{offer_id}")


def _need_page(
    need: Need,
    status: int = 200,
    *,
    failed: ProposeForm | None = None,
    failed_offer_id: int | None = None,
    refused: Refusal | None = None,
) -> ResponseReturnValue:
    ranked = service.ranked_need(need)
    forms = {item.offer.id: _propose_form(item.offer.id) for item in ranked.offers}
    if failed is not None and failed_offer_id is not None:
        forms[failed_offer_id] = failed
    return render_template(
        "matcher/need.html",
        need=need,
        ranked=ranked,
        sharing=[item for item in ranked.offers if item.suggestion.shares_a_theme],
        others=[item for item in ranked.offers if not item.suggestion.shares_a_theme],
        can_propose=need.state_enum is NeedState.OPEN,
        forms=forms,
        refused=refused,
        history=service.matches_in(tuple(MatchState), need_id=need.id),
    ), status


@bp.get("/")
@roles(Role.MATCHER)
def dashboard() -> ResponseReturnValue:
    return render_template(
        "matcher/dashboard.html",
        needs=service.open_needs_ranked(),
        suggestions_per_need=SUGGESTIONS_PER_NEED,
        waiting=service.matches_in((MatchState.PROPOSED,)),
        recent=service.matches_in((MatchState.CONFIRMED, MatchState.DECLINED), limit=RECENT_MATCHES),
    )


@dataclass(frozen=True)
class ListFilter:
    """`?provincie=` and `?thema=` on the matcher's lists; a value the portal does not know filters nothing."""

    provinces: list[str]
    themes: list[tuple[str, str]]
    province: str | None
    theme: str | None

    @classmethod
    def from_request(cls) -> ListFilter:
        provinces = reference.province_names()
        themes = reference.theme_names(language_code())
        province, theme = request.args.get("provincie", ""), request.args.get("thema", "")
        return cls(
            provinces, themes, province if province in provinces else None, theme if theme in dict(themes) else None
        )

    def keeps(self, listing: Need | Offer) -> bool:
        return (self.province is None or listing.organisation.province_name == self.province) and (
            self.theme is None or self.theme in listing.theme_codes
        )


@bp.get("/vragen")
@roles(Role.MATCHER)
def needs() -> ResponseReturnValue:
    chosen = ListFilter.from_request()
    shown = [(need, priority) for need, priority in service.every_need() if chosen.keeps(need)]
    return render_template("matcher/needs.html", needs=shown, chosen=chosen)


@bp.get("/aanbod")
@roles(Role.MATCHER)
def offers() -> ResponseReturnValue:
    chosen = ListFilter.from_request()
    return render_template(
        "matcher/offers.html", offers=[offer for offer in service.every_offer() if chosen.keeps(offer)], chosen=chosen
    )


@bp.get("/vragen/<int:need_id>")
@roles(Role.MATCHER)
def need(need_id: int) -> ResponseReturnValue:
    return _need_page(db.session.get(Need, need_id) or abort(404))


@bp.post("/vragen/<int:need_id>/aanbod/<int:offer_id>")
@roles(Role.MATCHER)
def propose(need_id: int, offer_id: int) -> ResponseReturnValue:
    need = db.session.get(Need, need_id) or abort(404)
    form = ProposeForm(prefix=f"o{offer_id}")
    if not form.validate_on_submit():
        return _need_page(need, 400, failed=form, failed_offer_id=offer_id)
    message = form.message.data or ""
    try:
        match = service.propose(need.id, offer_id, current_user, message, utcnow())
    except LookupError:
        abort(404)
    except MatchRefused as refused:
        db.session.rollback()
        return _need_page(need, 400, refused=Refusal(offer_id, refused.problem, refusal_text(refused.problem), message))
    db.session.commit()
    flash(_("De match is voorgesteld. Beide besturen krijgen een bericht en kunnen nu antwoorden."), "success")
    return redirect(url_for("matcher.match", match_id=match.id))


@bp.get("/matches/<int:match_id>")
@roles(Role.MATCHER)
def match(match_id: int) -> ResponseReturnValue:
    found = db.session.get(Match, match_id) or abort(404)
    return render_template(
        "matcher/match.html", match=found, cancel_form=CancelMatchForm(formdata=None), MatchState=MatchState
    )


@bp.post("/matches/<int:match_id>/intrekken")
@roles(Role.MATCHER)
def cancel_match(match_id: int) -> ResponseReturnValue:
    found = service.lock_match(match_id) or abort(404)
    if not CancelMatchForm().validate_on_submit():
        abort(400)
    try:
        service.cancel(found, current_user, utcnow())
    except MatchRefused as refused:
        db.session.rollback()
        flash(refusal_text(refused.problem), "info")
        return redirect(url_for("matcher.match", match_id=match_id))
    db.session.commit()
    flash(_("Het voorstel is ingetrokken. Beide besturen krijgen een bericht."), "success")
    return redirect(url_for("matcher.match", match_id=match_id))
