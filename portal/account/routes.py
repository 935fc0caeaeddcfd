"""The signed-in user's own account: language, password, two-step login."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forms.account import LanguageForm
from forms.auth import ChangePasswordForm
from forms.notifications import MarkAllReadForm
from portal.access import signed_in
from portal.auth.routes import enrol_two_step
from portal.downloads import json_download
from portal.extensions import db
from portal.i18n import SESSION_LANGUAGE_KEY
from portal.services import accounts, audit, delivery, notifications, personal_data

bp = Blueprint("account", __name__, url_prefix="/account")

SETUP_SECRET = "account_totp_secret"


@bp.get("/")
@signed_in
def overview() -> ResponseReturnValue:
    return render_template("account/overview.html", language_form=LanguageForm(language=current_user.locale))


@bp.get("/mijn-gegevens.json")
@signed_in
def download_my_data() -> ResponseReturnValue:
    """Everything the portal holds about the signed-in user (GDPR art. 15 and 20): theirs only."""
    return json_download(personal_data.personal_data(current_user), "mijn-gegevens.json")


@bp.post("/taal")
@signed_in
def save_language() -> ResponseReturnValue:
    form = LanguageForm()
    if not form.validate_on_submit():
        return render_template("account/overview.html", language_form=form), 400
    accounts.set_locale(current_user, form.language.data)
    session[SESSION_LANGUAGE_KEY] = form.language.data
    audit.record(current_user, "user.language_changed", "user", current_user.id, to_state=form.language.data)
    db.session.commit()
    flash(_("Uw taalkeuze is opgeslagen."), "success")
    return redirect(url_for("account.overview"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@signed_in
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.authenticate(current_user.email, form.current_password.data) is None:
            form.current_password.errors.append(_("Uw huidige wachtwoord klopt niet"))
        else:
            accounts.change_password(current_user, form.password.data, actor=current_user, reason="changed by user")
            db.session.commit()
            flash(_("Uw wachtwoord is gewijzigd. U bent op alle andere toestellen uitgelogd."), "success")
            return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form), 200 if not form.errors else 400


@bp.route("/tweestapsverificatie", methods=["GET", "POST"])
@signed_in
def two_step() -> ResponseReturnValue:
    if current_user.has_two_step:
        return render_template("account/two_step_active.html")

    def confirmed() -> ResponseReturnValue:
        db.session.commit()
        flash(_("Tweestapsverificatie staat aan. Vanaf nu vragen we bij het inloggen ook een code."), "success")
        return redirect(url_for("account.overview"))

    return enrol_two_step(current_user, SETUP_SECRET, confirmed)


# --- the in-app inbox: every signed-in user's own notifications ---------------------------------


@bp.get("/berichten")
@signed_in
def inbox() -> ResponseReturnValue:
    messages = notifications.inbox_of(current_user)
    subjects = {message.id: delivery.render_subject(message, current_user.locale) for message in messages}
    return render_template(
        "account/inbox.html",
        messages=messages,
        subjects=subjects,
        unread=notifications.unread_count(current_user),
        form=MarkAllReadForm(formdata=None),
    )


@bp.get("/berichten/<int:notification_id>")
@signed_in
def message(notification_id: int) -> ResponseReturnValue:
    """The reader's own message (someone else's is not found). Reading it changes nothing: a GET never
    writes (mail scanners and prefetching browsers follow links); its button marks it read."""
    found = notifications.message_for(current_user, notification_id) or abort(404)
    return render_template(
        "account/message.html",
        message=found,
        subject=delivery.render_subject(found, current_user.locale),
        form=MarkAllReadForm(formdata=None),
        **delivery.content_context(found, current_user.locale),
    )


@bp.post("/berichten/<int:notification_id>/gelezen")
@signed_in
def mark_read(notification_id: int) -> ResponseReturnValue:
    found = notifications.message_for(current_user, notification_id) or abort(404)
    if not MarkAllReadForm().validate_on_submit():
        abort(400)
    notifications.mark_read(current_user, found)
    db.session.commit()
    return redirect(url_for("account.inbox"))


@bp.post("/berichten/gelezen")
@signed_in
def mark_all_read() -> ResponseReturnValue:
    if not MarkAllReadForm().validate_on_submit():
        abort(400)
    count = notifications.mark_read(current_user)
    db.session.commit()
    flash(
        ngettext("%(num)d bericht als gelezen gemarkeerd.", "%(num)d berichten als gelezen gemarkeerd.", count),
        "success",
    )
    return redirect(url_for("account.inbox"))
