"""The rules of a government's own people: nobody removes the last active user, a request is decided once."""

from workflows.access import AccessRequestState, RemovalRefusal, email_fits_domains, may_decide, removal_refusal


def test_the_last_active_user_of_a_government_is_never_removed():
    assert removal_refusal(target_is_active=True, active_colleagues=1) is RemovalRefusal.LAST_ACTIVE
    assert removal_refusal(target_is_active=True, active_colleagues=0) is RemovalRefusal.LAST_ACTIVE
    assert removal_refusal(target_is_active=True, active_colleagues=2) is None


def test_a_removed_user_cannot_be_removed_again():
    assert removal_refusal(target_is_active=False, active_colleagues=3) is RemovalRefusal.ALREADY_REMOVED


def test_only_a_pending_request_is_decided():
    assert may_decide(AccessRequestState.PENDING)
    assert not may_decide(AccessRequestState.APPROVED)
    assert not may_decide(AccessRequestState.REFUSED)


def test_an_address_fits_the_governments_domains_or_the_administrator_judges():
    assert email_fits_domains("an@gent.be", frozenset({"gent.be"})) is True
    assert email_fits_domains("an@stad.gent.be", frozenset({"gent.be"})) is True
    assert email_fits_domains("an@notgent.be", frozenset({"gent.be"})) is False
    assert email_fits_domains("an@gmail.com", frozenset()) is None
