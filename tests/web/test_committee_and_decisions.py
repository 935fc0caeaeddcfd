from tests.conftest import make_user, sign_in
from tests.factories import municipality, open_call, submitted_dossier, in_review
from portal.services import eligibility


def test_explore(client, db_session):
    call = open_call()
    officer = make_user("officer")
    dossier = submitted_dossier(call)
    eligibility.declare_eligible(dossier.id, officer)
    busy = make_user("reviewer")
    a = make_user("reviewer")
    b = make_user("reviewer")
    aff = make_user("reviewer", organisation=municipality("45041"))
    other = in_review(submitted_dossier(call, applicant=make_user("applicant", organisation=municipality("11002"))), officer, [busy, a])
    db_session.commit()
    sign_in(client, officer)
    page = client.get(f"/behandeling/dossiers/{dossier.id}").get_data(as_text=True)
    open("/tmp/explore/officer.html", "w").write(page)
    r = other.id
    from portal.services import reviews
    rv = reviews.reviews_of(other)[0]
    c2 = client.application.test_client()
    sign_in(c2, busy)
    open("/tmp/explore/review.html", "w").write(c2.get(f"/beoordeling/{rv.id}").get_data(as_text=True))
