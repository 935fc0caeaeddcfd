"""Access control in one place: every route declares who may use it; one hook enforces it.

A view without a declaration is refused (fail closed), and a test checks that none exists.
Object-level rules (a government sees only its own dossiers: 404 otherwise) live in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from forms.kept import described
from portal.extensions import csrf, db
from portal.i18n import language_code
from portal.services import accounts, reference, rescue
from workflows.roles import Role

F = TypeVar("F", bound=Callable[..., object])

PUBLIC = "public"
SIGNED_IN = "signed_in"
ACCESS_ATTRIBUTE = "portal_access"
KEEPS_INPUT_ATTRIBUTE = "portal_keeps_input"
RESCUE_SESSION_KEY = "rescue"


def public(view: F) -> F:
    """Anyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def signed_in(view: F) -> F:
    """Any signed-in user, whatever the role."""
    setattr(view, ACCESS_ATTRIBUTE, SIGNED_IN)
    return view


def roles(*allowed: Role) -> Callable[[F], F]:
    """Signed-in users with one of these roles."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTRIBUTE, frozenset(allowed))
        return view

    return decorate


def keeps_input(view: F) -> F:
    """A long form: what is posted after the session expired is kept and offered back after login."""
    setattr(view, KEEPS_INPUT_ATTRIBUTE, True)
    return view


def declared_access(endpoint: str) -> object:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None) if view is not None else None


def refuse_nameless_fields() -> None:
    """before_request hook, the first: a multipart post with a part that has no name is a bad request. No browser
    sends one, and everything that reads a post (the forms, the kept input) expects each field to have a name."""
    if None in request.form or None in request.files:
        abort(400)


def enforce_access() -> ResponseReturnValue | None:
    """before_request hook: runs before CSRF and before the view."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 follows from routing
    if endpoint == "static":
        return None
    access = declared_access(endpoint)
    if access == PUBLIC:
        return None
    if access is None:
        current_app.logger.error("route %s declares no access rule; refused", endpoint)
        abort(404)
    keeps = bool(getattr(current_app.view_functions[endpoint], KEEPS_INPUT_ATTRIBUTE, False))
    if not current_user.is_authenticated:
        if keeps and request.method == "POST":
            return _keep_until_login()
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if access == SIGNED_IN or (isinstance(access, frozenset) and current_user.role_enum in access):
        return _offer_kept_input() if keeps and session.get(RESCUE_SESSION_KEY) else None
    abort(403)


def not_kept_by_browsers(response: Response) -> Response:
    """after_request hook: what a signed-in person is shown, pages and every dossier file they download, is
    never stored by the browser or a proxy (a shared computer at the town hall must not keep a dossier
    page). The portal's own style sheets and scripts may be."""
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def _keep_until_login() -> ResponseReturnValue:
    """A post from a session that expired on the server: keep it for the user it belonged to.

    Only a post that carries this browser's valid CSRF token, from a session the server knows,
    is kept: nothing can be planted from another site, and nothing without an owner.
    """

    login = redirect(url_for("auth.login", next=request.path))
    owner = accounts.session_owner(str(session.get("_user_id") or ""))
    if owner is None:
        return login
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return login
    token = rescue.keep(request, owner)
    if token is not None:
        db.session.commit()
        session[RESCUE_SESSION_KEY] = token
        flash(
            _("Uw sessie was verlopen. Log opnieuw in: wat u net verstuurde, is bewaard en krijgt u daarna terug."),
            "info",
        )
    return login


def _offer_kept_input() -> ResponseReturnValue | None:
    """After the new login: show what was kept, let the user send it again, or throw it away."""
    kept = rescue.find(session.get(RESCUE_SESSION_KEY), current_user.id)
    if kept is None:
        session.pop(RESCUE_SESSION_KEY, None)  # not this user's, or too old: never shown to anyone else
        return None
    if kept.path != request.path:
        return None
    if request.method == "GET":
        lang = language_code()
        themes, rights = dict(reference.theme_names(lang)), dict(reference.right_names(lang))
        shown = described([(name, value) for name, value in kept.fields], {"themes": themes.get, "rights": rights.get})
        return render_template("rescue.html", kept=kept, shown=shown)
    csrf.protect()  # before anything kept is used or thrown away
    if request.form.get("_rescue_discard"):
        rescue.discard(kept)
        db.session.commit()
        session.pop(RESCUE_SESSION_KEY, None)
        return redirect(request.path)
    if request.form.get(rescue.RESCUE_FIELD):
        # Sent again by the user: the kept files travel with the form, as if uploaded now.
        request.__dict__["files"] = rescue.uploads(kept)
        rescue.discard(kept)
        db.session.flush()
        session.pop(RESCUE_SESSION_KEY, None)
    return None


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login (no open redirect).

    Control characters are refused outright: browsers and Werkzeug drop tabs and newlines,
    which would turn `/\t/evil.example` into the off-site `//evil.example`.
    """
    if not target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


LANDING_ENDPOINTS: dict[Role, str] = {
    Role.APPLICANT: "applicant.dashboard",
    Role.MATCHER: "matcher.dashboard",
    Role.REVIEWER: "committee.dashboard",
    Role.OFFICER: "officer.dashboard",
    Role.FINANCE: "finance.dashboard",
    Role.ADMIN: "admin.users",
}


def landing_url(role: Role) -> str:
    return url_for(LANDING_ENDPOINTS[role])
