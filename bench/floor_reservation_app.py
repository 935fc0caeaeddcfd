"""The framework's floor for a submission: a minimal Flask app doing one authenticated, CSRF-checked
reservation on PostgreSQL (load the signed-in user, check the CSRF token, lock the call row, check
the envelope, update it, insert the reservation, commit), the same libraries the portal uses.
bench/burst.py serves it with the portal's gunicorn settings and sends it the same burst.

Its tables (`floor_*`) live beside the portal's in the bench database.
"""

from __future__ import annotations

import os

from flask import Flask, abort, redirect
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import BigInteger, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.wrappers import Response


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()


class FloorUser(db.Model, UserMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "floor_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(200))


class FloorCall(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "floor_call"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    envelope_cents: Mapped[int] = mapped_column(BigInteger)
    reserved_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class FloorReservation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "floor_reservation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("floor_call.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("floor_user.id"), unique=True)
    reserved_cents: Mapped[int] = mapped_column(BigInteger)
    standing: Mapped[str] = mapped_column(String(10))
    created_at = mapped_column(db.DateTime(timezone=True), server_default=func.now())


REQUESTED_CENTS = 540_000

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ.get("SECRET_KEY", "floor-secret-key-for-the-bench-only-0123456789"),
    SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite://"),
    SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
)
db.init_app(app)
login_manager.init_app(app)
CSRFProtect(app)


@login_manager.user_loader
def load_user(user_id: str) -> FloorUser | None:
    return db.session.get(FloorUser, int(user_id))


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/sign-in/<int:user_id>")
def sign_in(user_id: int) -> str:
    user = db.session.get(FloorUser, user_id) or abort(404)
    login_user(user)
    return generate_csrf()


@app.post("/reserve")
@login_required
def reserve() -> Response:
    call = db.session.scalar(select(FloorCall).where(FloorCall.id == 1).with_for_update())
    assert call is not None
    fits = call.reserved_cents + REQUESTED_CENTS <= call.envelope_cents
    if fits:
        call.reserved_cents += REQUESTED_CENTS
    db.session.add(FloorReservation(call_id=call.id, user_id=int(current_user.get_id()), reserved_cents=REQUESTED_CENTS if fits else 0,
                                    standing="reserved" if fits else "waiting"))  # fmt: skip
    db.session.commit()
    return redirect("/done")
