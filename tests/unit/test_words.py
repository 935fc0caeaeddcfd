"""A code list's words: the reader's language, a code the table does not know, a table keyed by a rule's enum."""

from __future__ import annotations

from flask_babel import force_locale

from portal.labels import payout_state, state_label
from portal.matching_labels import availability_reason, cancel_reason
from workflows.applications import State
from workflows.matching import Availability


def test_words_follow_the_language_of_the_request(app):
    with app.test_request_context():
        assert payout_state("paid") == "Betaald"
        assert state_label(State.GRANTED) == state_label("granted") == "Toegekend"
        with force_locale("en"):
            assert payout_state("paid") == "Paid"
            assert state_label("granted") == "Granted"


def test_an_unknown_code_reads_as_itself_or_as_the_tables_default(app):
    with app.test_request_context():
        assert payout_state("elsewhere") == "elsewhere"
        assert cancel_reason("elsewhere") == ""


def test_every_availability_has_its_words_and_unknown_says_nothing(app):
    with app.test_request_context():
        assert availability_reason(Availability.UNKNOWN) == ""
        assert all(availability_reason(a) for a in Availability if a is not Availability.UNKNOWN)
        assert availability_reason("now") == availability_reason(Availability.NOW)
