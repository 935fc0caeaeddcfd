"""Signing in and out: password, two-step code (TOTP), invitations and forgotten passwords."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from forms.auth import ForgotPasswordForm, LoginForm, SetPasswordForm, TwoStepCodeForm
from portal.access import RESCUE_SESSION_KEY, landing_url, public, safe_next
from portal.extensions import db, limiter
from portal.i18n import SESSION_LANGUAGE_KEY
from portal.mail import absolute_url, queue_account_email
from portal.models import TokenPurpose, User
from portal.services import accounts

bp = Blueprint("auth", __name__)

PENDING_USER = "pending_user_id"
PENDING_SINCE = "pending_since"
PENDING_NEXT = "pending_next"
PENDING_SECRET = "pending_totp_secret"
PENDING_MAX_SECONDS = 600


def _ip_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_IP"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def _account_key() -> str:
    """Failed passwords are also counted per account, whatever address they come from."""
    return "account:" + accounts.normalise_email(request.form.get("email", ""))


def _pending_user_key() -> str:
    """Failed second-step codes count against the account being signed in (never a posted field)."""
    return f"user:{session.get(PENDING_USER, '')}"


def _failed(response: object) -> bool:
    # A successful step redirects; a refused one shows the form again.
    return getattr(response, "status_code", 200) != 302


def _finish_login(user: User) -> ResponseReturnValue:
    target = safe_next(session.get(PENDING_NEXT)) or landing_url(user.role_enum)
    kept = {key: session[key] for key in (SESSION_LANGUAGE_KEY, RESCUE_SESSION_KEY) if key in session}
    session.clear()  # a new session on login: only the language and input kept at expiry carry over
    session.update(kept)
    accounts.start_session(user, request.user_agent.string)
    login_user(user)
    db.session.commit()
    return redirect(target)


def _pending_user() -> User | None:
    user_id = session.get(PENDING_USER)
    since = session.get(PENDING_SINCE, 0)
    if user_id is None or time.time() - float(since) > PENDING_MAX_SECONDS:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


@bp.route("/inloggen", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user.role_enum))
    form = LoginForm(email=request.args.get("email"))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(
                _("Het e-mailadres of het wachtwoord klopt niet. Controleer beide en probeer opnieuw.")
            )
        else:
            db.session.commit()  # a rehashed password is kept
            session[PENDING_NEXT] = safe_next(request.args.get("next"))
            if not (user.needs_two_step or user.has_two_step):
                return _finish_login(user)
            session[PENDING_USER] = user.id
            session[PENDING_SINCE] = time.time()
            session.pop(PENDING_SECRET, None)  # an unfinished set-up of someone else never carries over
            if user.has_two_step:
                return redirect(url_for("auth.two_step"))
            return redirect(url_for("auth.two_step_setup"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_pending_user_key, deduct_when=_failed)
def two_step() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or not user.has_two_step:
        flash(_("Uw aanmelding is verlopen. Log opnieuw in."), "info")
        return redirect(url_for("auth.login"))
    form = TwoStepCodeForm()
    if form.validate_on_submit():
        if accounts.verify_two_step(user, form.code.data):
            return _finish_login(user)
        form.code.errors.append(_("Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu toont."))
    return render_template("auth/two_step.html", form=form), 200 if not form.errors else 400


@bp.route("/inloggen/tweestapsverificatie-instellen", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def two_step_setup() -> ResponseReturnValue:
    user = _pending_user()
    if user is None:
        flash(_("Uw aanmelding is verlopen. Log opnieuw in."), "info")
        return redirect(url_for("auth.login"))
    if user.has_two_step:
        return redirect(url_for("auth.two_step"))
    return enrol_two_step(user, PENDING_SECRET, lambda: _finish_login(user))


def enrol_two_step(user: User, secret_key: str, on_confirmed: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """Set up an authenticator: show the QR code and key, then confirm with a first code.

    The secret waits in the (signed) session until confirmed, so a reload shows the same QR code.
    """
    secret = session.get(secret_key) or accounts.new_totp_secret()
    session[secret_key] = secret
    form = TwoStepCodeForm()
    if form.validate_on_submit():
        if accounts.confirm_two_step(user, secret, form.code.data):
            session.pop(secret_key, None)
            return on_confirmed()
        form.code.errors.append(_("Deze code klopt niet. Vul de code in die uw app nu toont."))
    return render_template(
        "auth/two_step_setup.html", form=form, secret=secret, qr=qr_svg(accounts.provisioning_uri(user, secret))
    ), 200 if not form.errors else 400


def qr_svg(uri: str) -> Markup:
    # segno is loaded when a QR code is first drawn, not with the portal: the worker never draws one.
    # It writes the SVG itself and escapes the title; nothing user-typed goes into it.
    import segno

    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR-code voor uw authenticator-app"))
    return Markup(svg)  # noqa: S704


@bp.post("/uitloggen")
@public
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        accounts.end_session(current_user)
        db.session.commit()
        logout_user()
    language = session.get(SESSION_LANGUAGE_KEY)
    session.clear()
    if language:
        session[SESSION_LANGUAGE_KEY] = language
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("public.home"))


def _token_problem_page(problem: str, purpose: TokenPurpose) -> ResponseReturnValue:
    invitation = purpose == TokenPurpose.INVITATION
    messages = {
        "unknown": _("Deze link is ongeldig. Controleer of u de volledige link uit de e-mail gebruikte."),
        "used": _("Deze link is al gebruikt. Log in met uw wachtwoord, of vraag een nieuwe link aan."),
        "expired": (
            _("Deze uitnodiging is verlopen. Vraag de beheerder van het portaal om een nieuwe uitnodiging.")
            if invitation
            else _("Deze link om uw wachtwoord te herstellen is verlopen. Vraag hieronder een nieuwe link aan.")
        ),
    }
    status = {"unknown": 404, "used": 410, "expired": 410}[problem]
    return render_template("auth/link_problem.html", message=messages[problem], invitation=invitation), status


def _set_password_page(token: str, purpose: TokenPurpose, title: str) -> ResponseReturnValue:
    check = accounts.check_token(token, purpose)
    if check.problem or check.token is None:
        return _token_problem_page(check.problem or "unknown", purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = accounts.use_token(check.token, form.password.data)
        db.session.commit()
        flash(_("Uw wachtwoord is opgeslagen. Log nu in met uw e-mailadres en uw nieuwe wachtwoord."), "success")
        return redirect(url_for("auth.login", email=user.email))
    return render_template(
        "auth/set_password.html", form=form, title=title, user=check.token.user
    ), 200 if not form.errors else 400


@bp.route("/account/activeren/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    return _set_password_page(token, TokenPurpose.INVITATION, _("Kies uw wachtwoord"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        found = accounts.request_password_reset(form.email.data)
        db.session.commit()
        if found is not None:
            user, token = found
            queue_account_email(user, "password_reset", absolute_url(url_for("auth.reset_password", token=token)))
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form), 200 if not form.errors else 400


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _set_password_page(token, TokenPurpose.PASSWORD_RESET, _("Kies een nieuw wachtwoord"))
