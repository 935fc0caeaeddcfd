"""Accounts: argon2 hashes, server-side sessions, single-use tokens that expire."""

from datetime import timedelta

import pyotp
import time_machine

from portal.db import utcnow
from portal.models import TokenPurpose
from portal.services import accounts
from tests.conftest import PASSWORD, make_user


def test_passwords_are_hashed_with_argon2id(db_session):
    user = make_user("applicant")
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(user.email.upper(), PASSWORD) is user
    assert accounts.authenticate(user.email, "wrong") is None
    assert accounts.authenticate("nobody@example.be", PASSWORD) is None


def test_a_deactivated_or_invited_user_cannot_authenticate(db_session):
    inactive = make_user("applicant")
    inactive.is_active = False
    invited = make_user("applicant", password=None)
    assert accounts.authenticate(inactive.email, PASSWORD) is None
    assert accounts.authenticate(invited.email, PASSWORD) is None


def test_a_password_change_revokes_every_other_session(db_session):
    user = make_user("applicant")
    first = accounts.start_session(user, "laptop")
    second = accounts.start_session(user, "phone")
    accounts.change_password(user, "een-nieuw-lang-wachtwoord", actor=user, reason="test")
    db_session.flush()
    assert accounts.load_session_user(second.cookie_token) is user  # the current one stays
    assert accounts.load_session_user(first.cookie_token) is None


def test_sessions_end_at_logout_and_after_their_lifetime(db_session, app):
    user = make_user("applicant")
    user_session = accounts.start_session(user, "laptop")
    assert accounts.load_session_user(user_session.cookie_token) is user
    with time_machine.travel(utcnow() + app.config["USER_SESSION_MAX_AGE"] + timedelta(seconds=1)):
        assert accounts.load_session_user(user_session.cookie_token) is None
    user.current_session = user_session
    accounts.end_session(user)
    assert accounts.load_session_user(user_session.cookie_token) is None


def test_tokens_are_single_use_expire_and_replace_each_other(db_session):
    user = make_user("applicant", password=None)
    first = accounts.issue_token(user, TokenPurpose.INVITATION, timedelta(days=7), None)
    second = accounts.issue_token(user, TokenPurpose.INVITATION, timedelta(days=7), None)
    assert accounts.check_token(first, TokenPurpose.INVITATION).problem == "expired"
    check = accounts.check_token(second, TokenPurpose.INVITATION)
    assert check.problem is None
    assert accounts.check_token(second, TokenPurpose.PASSWORD_RESET).problem == "unknown"
    accounts.use_token(check.token, "een-lang-nieuw-wachtwoord")
    assert accounts.check_token(second, TokenPurpose.INVITATION).problem == "used"
    assert accounts.authenticate(user.email, "een-lang-nieuw-wachtwoord") is user
    with time_machine.travel(utcnow() + timedelta(days=8)):
        third = accounts.issue_token(user, TokenPurpose.INVITATION, timedelta(days=7), None)
    assert accounts.check_token(third, TokenPurpose.INVITATION).problem is None


def test_a_two_step_code_works_once(db_session):
    user = make_user("officer")
    code = pyotp.TOTP(user.totp_secret).now()
    assert accounts.verify_two_step(user, code)
    assert not accounts.verify_two_step(user, code)  # replay refused
    assert not accounts.verify_two_step(user, "12345")
