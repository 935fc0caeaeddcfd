"""Every action the portal writes to a dossier's audit trail reads as a sentence on the money-trail page."""

import re
from pathlib import Path

from portal.labels import ACTION_LABELS
from workflows.payouts import PAYOUT_TRANSITIONS

PORTAL = Path(__file__).resolve().parents[2] / "portal"
TRAIL = r"(application|budget|dossier|draft|eligibility|review|final_report|payout|match|meeting|notification|privacy|access_request|access)"


def _written_actions() -> set[str]:
    found = set()
    for path in PORTAL.rglob("*.py"):
        for match in re.finditer(rf'"({TRAIL}\.[a-z_]+)"', path.read_text()):
            if not match.group(1).endswith(".id"):  # a foreign key, not an action
                found.add(match.group(1))
    # Payout steps are written as payout.<the state it moved to>.
    found |= {f"payout.{transition.target.value}" for transition in PAYOUT_TRANSITIONS}
    return found


def test_every_action_on_a_dossier_has_a_sentence():
    written = _written_actions()
    assert len(written) > 30  # the search does find them
    assert sorted(written - set(ACTION_LABELS)) == []


def test_no_sentence_stands_for_an_action_that_is_never_written():
    assert sorted(set(ACTION_LABELS) - _written_actions()) == []
