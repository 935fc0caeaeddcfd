"""The shape every state-changing route shares: check the posted form; call one use case; on a refusal,
roll back, say why and go back; otherwise commit, say what happened and go on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect
from flask.typing import ResponseReturnValue

from forms.payouts import ButtonForm
from portal.extensions import db
from portal.refusals import message_for
from portal.services.refusal import NotAllowed

T = TypeVar("T")


def run(
    action: Callable[[], T],
    *,
    back: str,
    done: str | Callable[[T], str],
    then: str | None = None,
    otherwise: str | None = None,
    form: Any = None,
    invalid: Callable[[Any], ResponseReturnValue] | None = None,
) -> ResponseReturnValue:
    """`back`: where a refusal returns to; `then`: where success goes (default `back`); `done`: the
    success message, or a function of the use case's result; `otherwise`: the refusal sentence when
    the refusal has no code of its own (portal/refusals.py). `form` is checked first (its CSRF token
    too; without one, the posted button's): refused, `invalid(form)` answers (the page again, what to
    correct at its fields), or 400 for a form that is only a button."""
    form = form if form is not None else ButtonForm()
    if not form.validate_on_submit():
        return invalid(form) if invalid is not None else abort(400)
    try:
        result = action()
    except NotAllowed as refused:
        db.session.rollback()
        flash(message_for(refused, otherwise), "info")
        return redirect(back)
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(then or back)
