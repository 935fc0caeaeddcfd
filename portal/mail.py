"""Account e-mails (invitation, password reset), rendered in the recipient's language.

They are sent right after the commit that created the link. Event notifications go through
the notification outbox instead.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives

from portal.models import User


def absolute_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def send_account_email(user: User, template: str, link: str) -> None:
    """`template` names templates/emails/<template>.{subject,txt,html}."""
    with force_locale("en" if user.locale == "en" else "nl_BE"):
        context = {"user": user, "link": link, "portal_name": current_app.config["PORTAL_NAME"]}
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=current_app.config["MAIL_DEFAULT_SENDER"], to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
