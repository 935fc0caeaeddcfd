"""Access control in one place: every route declares who may use it; one hook enforces it.

A view without a declaration is refused (fail closed), and a test checks that none exists.
Object-level rules (a government sees only its own dossiers: 404 otherwise) live in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from workflows.roles import Role

F = TypeVar("F", bound=Callable[..., object])

PUBLIC = "public"
SIGNED_IN = "signed_in"
ACCESS_ATTRIBUTE = "portal_access"


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


def declared_access(endpoint: str) -> object:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None) if view is not None else None


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
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if access == SIGNED_IN:
        return None
    if isinstance(access, frozenset) and current_user.role_enum in access:
        return None
    abort(403)


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
