"""Server-side SVG charts: bars scaled to the largest value, labels escaped, no style attributes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from portal.charts import BAR_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, VALUE_WIDTH, WIDTH, bar_chart, bar_lengths, stacked_bar

SVG = "{http://www.w3.org/2000/svg}"
AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH


def parsed(markup: Markup) -> ET.Element:
    """The chart as XML: it must be well-formed to be parsed at all."""
    return ET.fromstring(str(markup))  # noqa: S314 - the portal's own markup, not untrusted input


def bars(svg: ET.Element) -> list[float]:
    return [float(rect.get("width", "0")) for rect in svg.iter(f"{SVG}rect")]


def texts(svg: ET.Element) -> list[str]:
    return ["".join(text.itertext()) for text in svg.iter(f"{SVG}text")]


def test_the_largest_value_fills_the_bar_area_and_the_others_are_in_proportion():
    assert bar_lengths([10, 5, 0, 20], 300) == [150.0, 75.0, 0.0, 300.0]


def test_all_zero_values_give_no_bars_rather_than_a_division_by_zero():
    assert bar_lengths([0, 0], 300) == [0.0, 0.0]
    assert bar_lengths([], 300) == []
    svg = parsed(bar_chart("empty", "Niets", [("Ingediend", 0), ("Toegekend", 0)]))
    assert bars(svg) == []
    assert texts(svg) == ["Ingediend", "0", "Toegekend", "0"]


@given(st.lists(st.integers(min_value=-5, max_value=10**12), max_size=30))
def test_bars_never_exceed_the_area_and_keep_the_order_of_their_values(values):
    lengths = bar_lengths(values, AREA)
    assert all(0 <= length <= AREA for length in lengths)
    if any(v > 0 for v in values):
        assert max(lengths) == AREA
    pairs = list(zip(values, lengths, strict=True))
    for a, length_a in pairs:
        for b, length_b in pairs:
            if max(a, 0) <= max(b, 0):
                assert length_a <= length_b


def test_a_bar_chart_is_an_image_named_by_its_title_with_a_bar_label_and_value_per_row():
    markup = bar_chart(
        "states", "Dossiers per status", [("Ingediend", 40), ("Toegekend", 10)], lambda v: f"{v} dossiers"
    )
    assert isinstance(markup, Markup)
    svg = parsed(markup)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == "Dossiers per status"
    assert svg.get("aria-labelledby") == title.get("id") == "chart-states-title"
    assert svg.get("viewBox") == f"0 0 {WIDTH} {2 * ROW_HEIGHT}"  # scales with the page: no fixed pixel size
    assert svg.get("width") == "100%"
    assert bars(svg) == [AREA, AREA / 4]
    assert texts(svg) == ["Ingediend", "40 dossiers", "Toegekend", "10 dossiers"]
    assert {rect.get("fill") for rect in svg.iter(f"{SVG}rect")} == {"#1d70b8"}


def test_no_element_carries_a_style_attribute_which_the_content_security_policy_would_block():
    for markup in (bar_chart("a", "A", [("x", 1)]), stacked_bar("b", "B", [("x", 1), ("y", 2)])):
        assert "style" not in str(markup)
        assert all("style" not in element.attrib for element in parsed(markup).iter())


def test_labels_and_titles_are_escaped():
    hostile = '<script>alert("x")</script>'
    markup = bar_chart('id" onload="x', hostile, [(hostile, 3)], lambda v: f"<b>{v}</b>")
    text = str(markup)
    assert "<script>" not in text and "<b>" not in text
    svg = parsed(markup)
    assert svg.find(f"{SVG}title").text == hostile  # type: ignore[union-attr]
    assert svg.get("aria-labelledby") == "chart-id-onload-x-title"  # the id stays a plain token
    assert "<b>3</b>" in texts(svg)


def test_a_long_label_is_cut_in_the_chart_and_kept_whole_in_its_tooltip():
    long = "Transversaal en integraal beleid (energie, integratie, werk, wonen, onderwijs, vrije tijd ...)"
    svg = parsed(bar_chart("themes", "Thema's", [(long, 5)]))
    label = next(svg.iter(f"{SVG}text"))
    assert label.find(f"{SVG}title").text == long  # type: ignore[union-attr]
    shown = "".join(label.itertext()).removeprefix(long)
    assert shown.endswith("\u2026") and len(shown) <= 30 and long.startswith(shown[:-1])


def test_the_stacked_bar_divides_its_whole_width_among_the_parts_and_lists_each_in_the_legend():
    parts = [("Uitbetaald", 100), ("Vastgelegd", 300), ("Gereserveerd", 0), ("Nog beschikbaar", 600)]
    svg = parsed(
        stacked_bar(
            "envelope", "Budget", parts, lambda v: f"EUR {v}", colours=("#00703c", "#1d70b8", "#5694ca", "#b1b4b6")
        )
    )
    segments = [r for r in svg.iter(f"{SVG}rect") if r.get("height") == str(BAR_HEIGHT * 2)][1:]  # after the frame
    assert [(r.get("fill"), float(r.get("width", "0"))) for r in segments] == [
        ("#00703c", WIDTH * 0.1),
        ("#1d70b8", WIDTH * 0.3),
        ("#b1b4b6", WIDTH * 0.6),
    ]  # a zero part has no segment
    assert [float(r.get("x", "0")) for r in segments] == [0, WIDTH * 0.1, WIDTH * 0.4]
    assert texts(svg) == [
        "Uitbetaald: EUR 100",
        "Vastgelegd: EUR 300",
        "Gereserveerd: EUR 0",
        "Nog beschikbaar: EUR 600",
    ]


def test_a_stacked_bar_of_nothing_is_an_empty_frame():
    svg = parsed(stacked_bar("none", "Budget", [("Gereserveerd", 0), ("Nog beschikbaar", 0)]))
    frame, *segments = [r for r in svg.iter(f"{SVG}rect") if r.get("height") == str(BAR_HEIGHT * 2)]
    assert frame.get("width") == str(WIDTH) and segments == []
