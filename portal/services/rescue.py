"""Keeping what was posted when the session had expired, and handing it back after the new login.

Nothing is saved into a dossier on the strength of an unauthenticated request: the user sees what
was kept and sends it again themselves, with a fresh CSRF token, through the normal route and its
checks.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import timedelta

from flask import Request
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from portal.db import utcnow
from portal.extensions import db
from portal.models import FormRescue
from portal.services import files

KEEP_FOR = timedelta(hours=2)
MAX_FIELD_BYTES = 200_000  # the texts of one page; files have the request's own limit
RESCUE_FIELD = "_rescue"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep(request: Request, user_id: int) -> str | None:
    """Store the posted fields and files of this user; the token goes into the browser's session."""
    fields = [
        [name, value] for name, value in request.form.items(multi=True) if name not in ("csrf_token", RESCUE_FIELD)
    ]
    if sum(len(name) + len(value) for name, value in fields) > MAX_FIELD_BYTES:
        return None
    kept_files = []
    for field_name, upload in request.files.items(multi=True):
        data = upload.read()
        if data:
            kept_files.append(
                {"field": field_name, "filename": upload.filename or "", "stored_name": files.write_file(data)}
            )
    if not fields and not kept_files:
        return None
    now = utcnow()
    for expired in db.session.scalars(select(FormRescue).where(FormRescue.expires_at < now)):
        discard(expired)
    token = secrets.token_urlsafe(24)
    db.session.add(
        FormRescue(
            token_hash=_digest(token),
            user_id=user_id,
            path=request.path,
            fields=fields,
            files=kept_files,
            created_at=now,
            expires_at=now + KEEP_FOR,
        )
    )
    return token


def find(token: str | None, user_id: int) -> FormRescue | None:
    """The kept input behind the browser's token, if it is this user's and still fresh."""
    if not token:
        return None
    rescue = db.session.scalar(select(FormRescue).where(FormRescue.token_hash == _digest(token)))
    if rescue is None or rescue.user_id != user_id or rescue.expires_at <= utcnow():
        return None
    return rescue


def uploads(rescue: FormRescue) -> MultiDict[str, FileStorage]:
    """The kept files as if they had just been uploaded."""
    restored: MultiDict[str, FileStorage] = MultiDict()
    for kept in rescue.files:
        data = files.read_file(kept["stored_name"])
        restored.add(kept["field"], FileStorage(io.BytesIO(data), filename=kept["filename"], name=kept["field"]))
    return restored


def discard(rescue: FormRescue) -> None:
    """Forget the kept input, its files included."""
    for kept in rescue.files:
        files.delete_file(kept["stored_name"])
    db.session.delete(rescue)
