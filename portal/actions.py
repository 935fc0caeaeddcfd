"""The shape every state-changing route shares: call one use case; on a refusal, roll back, say why
and go back; otherwise commit, say what happened and go on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect
from flask.typing import ResponseReturnValue

from portal.extensions import db
from portal.refusals import message_for
from portal.services.dossiers import NotAllowed

T = TypeVar("T")


def run(
    action: Callable[[], T],
    *,
    back: str,
    done: str | Callable[[T], str],
    then: str | None = None,
    otherwise: str | None = None,
) -> ResponseReturnValue:
    """`back`: where a refusal returns to; `then`: where success goes (default `back`); `done`: the
    success message, or a function of the use case's result; `otherwise`: the refusal sentence when
    the refusal has no code of its own (portal/refusals.py)."""
    try:
        result = action()
    except NotAllowed as refused:
        db.session.rollback()
        flash(message_for(refused, otherwise), "info")
        return redirect(back)
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(then or back)
