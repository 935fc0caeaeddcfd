"""What a person may type: control characters are found and, for a search, dropped; ordinary text is kept."""

import pytest

from workflows.text import has_control_characters, without_control_characters


@pytest.mark.parametrize(
    "text", ["a\x00b", "\x01", "a\x08", "\x0b", "\x0c", "\x0e", "\x1b[31m", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
)
def test_control_characters_are_found(text):
    assert has_control_characters(text)
    assert not has_control_characters(without_control_characters(text))


@pytest.mark.parametrize(
    "text",
    [
        "Jan Peeters",
        "regel 1\nregel 2\r\n\tingesprongen",
        "Sint-Niklaas · 9100",
        "Ö ü é ç ĳ",
        "אבג",
        "e\u0301",
        "\u200f\u202e",
        "😀",
        "=1+1",
        "\xa0\xa0",
    ],
)
def test_ordinary_text_with_line_breaks_accents_scripts_and_marks_is_kept(text):
    assert not has_control_characters(text)
    assert without_control_characters(text) == text
