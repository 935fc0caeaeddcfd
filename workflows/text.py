"""What a person may type into the portal: text without control characters.

A NUL cannot be stored in PostgreSQL's text at all, and the other control characters (the C0 range but
tab, line feed and carriage return, DEL, and the C1 range) have no meaning in a name, an address or a
motivation: they only hide text from the reader of a page, a PDF or an export."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def without_control_characters(text: str) -> str:
    """For a search term, where dropping them is harmless: nothing the user typed is stored."""
    return CONTROL_CHARACTERS.sub("", text)
