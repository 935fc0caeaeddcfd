"""Account e-mails (invitation, password reset), rendered in the recipient's language.

Routes queue them after the commit that created the link; a worker sends them (in-process in
the embedded default).
"""

from __future__ import annotations

from flask import current_app, flash, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives

from portal.i18n import locale_for
from portal.jobs import dispatch
from portal.models import User
from portal.services.accounts import invited_by


def absolute_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def queue_account_email(user: User, template: str, link: str) -> bool:
    """Hand the e-mail to a worker; False (and logged) when that failed, the request goes on."""
    try:
        # A page waits for this: one short attempt, as for the notifications after a commit.
        dispatch(
            "portal.send_account_email",
            [(user.id, template, link)],
            connect_timeout=current_app.config["OUTBOX_BROKER_CONNECT_TIMEOUT_SECONDS"],
        )
    except Exception:  # broker unreachable, or in-process: the mail server refused after the retries
        current_app.logger.exception("account e-mail %s to user %s was not sent", template, user.id)
        return False
    return True


def send_invitation(user: User, token: str, not_sent: str) -> None:
    """Queue the invitation of a new account and say on the next page whether it went; `not_sent` is what
    the person who invited can do when the mail could not be handed over (it differs per role)."""
    if queue_account_email(user, "invitation", absolute_url(url_for("auth.accept_invitation", token=token))):
        flash(_("De uitnodiging is verstuurd naar %(email)s.", email=user.email), "success")
    else:
        flash(not_sent, "warning")


def render_and_send_account_email(user: User, template: str, link: str) -> None:
    """`template` names templates/emails/<template>.{subject,txt,html}."""
    with force_locale(locale_for(user.locale)):
        context = {
            "user": user,
            "link": link,
            "portal_name": current_app.config["PORTAL_NAME"],
            "inviter": invited_by(user) if template == "invitation" else None,
        }
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=current_app.config["MAIL_DEFAULT_SENDER"], to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
