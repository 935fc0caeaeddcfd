"""Hostile input into every form and every page: the answer is never a 5xx, and a refused post saves nothing.

Nothing here is a hand-written list of forms. Every POST route comes from the app's URL map; the fuzzer signs in
as a role the access policy (tests/web/access_policy.py) allows, reaches the route through the same sample objects
as the access matrix (tests/web/samples.py), and reads the form off the page that posts to it: the page of the same
address, or one above it, or the start page (the forms in every page's header; a public form found on no page
visited anonymously is looked for again signed in). A route whose form shows on no page in the samples' state (a
grant button before the review, say) is sent the fields of the form class its view uses, and failing that,
made-up fields.

Each field then gets values drawn by hypothesis: control characters (NUL among them), 100,000 characters,
right-to-left and combining Unicode, markup, formula prefixes, numbers where text belongs and text where numbers
and days belong, the field left out or sent twice, a stray field, a file that is no PDF, and sometimes a wrong CSRF
token. The post passes when its answer is below 500, a wrong token is refused with the CSRF page, and a refused
post (400, 413, a page with its error summary, a 403/404, or a refusal from the use case) left none of its values
in the tables it wrote to. A control character is never stored, whatever the answer.

Every GET route is also visited with hostile query parameters (the names its page and its module read) and with
ids no row can have in each place of its address: a 404 or the route's usual refusal, never a 5xx, never a commit.
The figures (forms, fields, values, pages, ids) are printed in pytest's summary.
"""

from __future__ import annotations

import inspect
import io
import re
import time
import types
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from flask import Flask, has_request_context, url_for
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, String, Text, cast, event, func, or_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.test import encode_multipart
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField

from portal.access import PUBLIC, SIGNED_IN
from portal.extensions import db, limiter
from tests.conftest import make_user, sign_in
from tests.web.access_policy import POLICY
from tests.web.samples import all_routes, sample_arguments
from workflows.roles import Role
from workflows.text import CONTROL_CHARACTERS

# The budget: examples per form and per page. Small and fixed, and derandomized (each form's examples are seeded
# from its rule): the same values on every run.
POST_EXAMPLES = 12
QUERY_EXAMPLES = 4
FUZZ = settings(
    max_examples=POST_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    database=None,
    # No shrinking: a failing example is reported as found, with each draw labelled by its field; shrinking
    # posts of 100,000 characters would take minutes.
    phases=[Phase.explicit, Phase.generate],
)

ANONYMOUS = "anonymous"
ROUTES = all_routes()
POST_RULES = [(endpoint, rule) for endpoint, method, rule in ROUTES if method == "POST"]
GET_RULES = [(endpoint, rule) for endpoint, method, rule in ROUTES if method == "GET"]

# Ids no row can have, in every place of an address: the router's 404, or the route's own.
HOSTILE_PATH_VALUES = ["0", "-1", str(2**31), str(2**63), str(2**64 + 1), str(10**20), "abc", "%00"]
# A refusal that a hostile address may earn instead of the 404: back to the login page, a bad request, no access.
PATH_REFUSALS = {302, 400, 403, 404}
CSRF_REFUSED = "Uw formulier kon niet worden verwerkt"
ERROR_SUMMARY = "govuk-error-summary"

# --- what was tried: printed in pytest's summary ---------------------------------------------


@dataclass
class Figures:
    counts: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    not_on_a_page: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        c = self.counts
        if not c:
            return
        write = terminalreporter.write_line
        terminalreporter.write_sep("-", "hostile input: what the fuzzer tried")
        write(
            f"forms: {c['forms']} ({self.sources['page']} read from their page, {self.sources['form class']} from "
            f"their form class, {self.sources['made up']} with made-up fields); fields: {c['fields']}"
        )
        write(
            f"posts: {c['posts']} carrying {c['values']} hostile values ({c['refused']} refused, {c['accepted']} "
            f"accepted, {c['wrong csrf']} with a wrong CSRF token, {c['scans']} database scans after a write)"
        )
        write(
            f"GET routes: {c['get routes']}; hostile queries: {c['queries']} carrying {c['query values']} values; "
            f"hostile path ids: {c['path ids']}"
        )
        write(
            "hostile values by kind (posts and queries): "
            + ", ".join(f"{kind}: {n}" for kind, n in self.kinds.most_common())
        )
        if self.not_on_a_page:
            write("forms found on no page: " + ", ".join(sorted(self.not_on_a_page)))
        write("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items())))
        write(f"time in this module: {self.seconds:.1f} s")


FIGURES = Figures()


@pytest.fixture(scope="module", autouse=True)
def _figures(request: pytest.FixtureRequest) -> Any:
    plugins = request.config.pluginmanager
    if not plugins.is_registered(FIGURES):
        plugins.register(FIGURES, "hostile-input-figures")
    started = time.monotonic()
    yield FIGURES
    FIGURES.seconds += time.monotonic() - started


# --- hostile values --------------------------------------------------------------------------

# Each kind of hostile value is a strategy whose simplest example is already hostile (hypothesis starts from the
# simplest, and the budget is small); a field draws the kind first, then the value.
CONTROLS = ["\x00", "\x07", "\x1b", "\x01", "\x08", "\x0b", "\x0c", "\x7f", "\x85", "\x9f"]
BIDI = ["\u202e", "\u202d", "\u202b", "\u200f", "\u200e", "\u2066", "\u2067", "\u2068", "\u061c", "\u200b", "\ufeff"]
COMBINING = "\u0301\u0300\u0302\u0303\u0308\u0327\u0338\u0489\u20dd\u036f"
LONG_UNITS = ["a", "\u202e", "é", "<", "9", "x\u0301", "\U0001f642", "Ω "]
OUT_OF_RANGE = [str(2**31), str(2**63), str(2**64 + 1), str(10**20), "-1", str(-(2**63) - 1), "0", "2147483647",
                "99999999999999999999999999999999"]  # fmt: skip
# Digits of other scripts, superscripts, circled and Roman numerals, fractions: str.isdigit() says yes to some of
# them, int() refuses those.
ODD_DIGITS = ["²", "①", "³", "⑽", "١٢٣", "Ⅻ", "¼", "𝟙𝟚", "৪২"]
ODD_NUMBERS = ["1e309", "NaN", "-0", "Infinity", "0x10", "1.234,56", "1,5", " 7 ", "1_000", "+5", "0.1e-400", "٫٥"]

words = st.text(max_size=12)  # any Unicode a browser can send
KINDS: dict[str, st.SearchStrategy[str]] = {
    "control character": st.builds(lambda c, a, b: a + c + b, st.sampled_from(CONTROLS), words, words),
    "100,000 characters": st.builds(lambda unit, tail: (unit * 100_000)[: 100_000 - len(tail)] + tail,
                                    st.sampled_from(LONG_UNITS), st.sampled_from(["", "\x07", "<script>", "=1+2"])),
    "right-to-left": st.builds(lambda mark, a, b: a + mark + b + "\u202c", st.sampled_from(BIDI), words,
                               st.sampled_from(["fdp.exe", "", "Gent", "1,00"])),
    "combining": st.builds(lambda marks, base: (base or "a") + marks, st.text(alphabet=COMBINING, min_size=1, max_size=40),
                           words),
    "markup": st.builds(
        lambda piece, rest: piece + rest,
        st.sampled_from(["<script>alert(1)</script>", '"><svg onload=alert(1)>', "{{ 7*7 }}", "{% raw %}", "${7*7}",
                         "' OR '1'='1' --", "../../../etc/passwd", "javascript:alert(1)", "</textarea><b>", "]]><x>"]),
        words,
    ),
    "formula": st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["=", "+", "-", "@", "\t=", "\r=", "=="]),
        st.sampled_from(["1+2", 'HYPERLINK("http://example.invalid","klik")', "cmd|' /C calc'!A0", "SUM(A1:A9)"]) | words,
    ),
    "number out of range": st.sampled_from(OUT_OF_RANGE) | st.integers(min_value=2**31, max_value=2**80).map(str),
    "odd digits": st.one_of(st.sampled_from(ODD_DIGITS), st.sampled_from(ODD_DIGITS).map(lambda d: "1" + d),
                            st.text(alphabet=st.characters(categories=["No", "Nl", "Nd"]), min_size=1, max_size=5)),
    "odd number": st.sampled_from(ODD_NUMBERS) | st.floats(allow_nan=True, allow_infinity=True).map(repr),
    "impossible day": st.sampled_from(["2026-02-30", "0000-00-00", "9999-12-31", "10000-01-01", "31/12/2026", "2026-13-01",
                                       "1-1-1", "2026-02-29T25:61", "gisteren", "-2026-01-01", "２０２６-０１-０１"]),
    "blank": st.sampled_from(["", " ", "\t", "\r\n", "\u00a0", "\u3000"]),
    "any text": st.text(min_size=1, max_size=40),
}  # fmt: skip
NUMERIC_KINDS = ["number out of range", "odd digits", "odd number"]
# What a stray field may be called: names a careless view could read straight from the post.
STRAY_NAMES = st.sampled_from(["id", "state", "role", "organisation_id", "amount_cents", "is_admin", "user_id"]) | words
FREE_TEXT = {"text", "textarea", "email", "password", "search", "tel", "url", "stringfield", "textareafield",
             "emailfield", "passwordfield"}  # fmt: skip


def hostile_value(data: st.DataObject, label: str, choice_like: bool = False) -> tuple[str, str]:
    """A kind of hostile value, then the value. A field that holds a number, a day or a choice (often an id) gets a
    number of the wrong kind two times in three: where a view reads a posted id itself, that is what breaks it."""
    numeric = choice_like and data.draw(st.sampled_from([True, True, False]), label=f"{label} numeric?")
    kind = data.draw(st.sampled_from(NUMERIC_KINDS if numeric else list(KINDS)), label=f"{label} kind")
    FIGURES.kinds[kind] += 1
    return kind, data.draw(KINDS[kind], label=label)


HOSTILE = st.one_of(*KINDS.values())
PDF_START = b"%PDF-1.7\n"
file_contents = st.one_of(
    st.just(b""),
    st.binary(max_size=2048),
    st.builds(lambda rest: PDF_START + rest, st.binary(max_size=512)),
    st.just(b"<script>alert(1)</script>"),
    st.just(b"=cmd|' /C calc'!A0"),
)
# A browser escapes a file name's quotes and line breaks itself; the rest of it is the sender's choice.
file_names = HOSTILE.map(lambda name: name[:300].translate({ord('"'): "'", ord("\r"): " ", ord("\n"): " "}) + ".pdf")


# --- reading forms off a page ----------------------------------------------------------------


@dataclass
class PostedField:
    name: str
    kind: str  # the input type, "select", "textarea", "button"; a form class's field class; or "read by the view"
    values: list[str] = field(default_factory=list)  # what a browser sends untouched
    options: list[str] = field(default_factory=list)  # the choices the page offers


@dataclass
class PageForm:
    method: str
    action: str
    enctype: str
    fields: dict[str, PostedField] = field(default_factory=dict)
    csrf_fields: dict[str, str] = field(default_factory=dict)  # csrf_token, and a prefixed form's prefix-csrf_token


class FormReader(HTMLParser):
    """The forms of a page as a browser sees them: their fields, what each sends untouched, the choices; and the
    page's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._form: PageForm | None = None
        self._select: PostedField | None = None
        self._option: dict[str, str] | None = None
        self._option_text = ""
        self._textarea: PostedField | None = None

    def _field(self, name: str, kind: str) -> PostedField:
        assert self._form is not None
        return self._form.fields.setdefault(name, PostedField(name, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = PageForm(a.get("method", "get").lower(), a.get("action", ""), a.get("enctype", ""))
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a, ""
        if self._form is None or not a.get("name") or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if name.endswith("csrf_token"):
                self._form.csrf_fields[name] = a.get("value", "")
            elif kind in ("checkbox", "radio"):
                f = self._field(name, kind)
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            elif kind in ("submit", "image"):
                self._field(name, "button").values[:] = [a.get("value", "")]
            elif kind == "file":
                self._field(name, "file")
            elif kind not in ("reset", "button"):
                self._field(name, kind).values[:] = [a.get("value", "")]
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._field(name, "button").values[:] = [a.get("value", "")]
        elif tag == "select":
            self._select = self._field(name, "select")
        elif tag == "textarea":
            self._textarea = self._field(name, "textarea")
            self._textarea.values[:] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.values[0] += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value = self._option.get("value", self._option_text.strip())
            self._select.options.append(value)
            if "selected" in self._option:
                self._select.values.append(value)
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.values[0] = self._textarea.values[0].removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._select.values and self._select.options:
                self._select.values.append(self._select.options[0])  # a browser sends the first choice
            self._select = None


def read_page(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    reader.close()
    return reader


# --- who visits each route, and which page holds its form ------------------------------------


def visitor(endpoint: str) -> str:
    """A role the access policy lets use the route: anonymous for public ones, the first role named otherwise."""
    access = POLICY[endpoint]
    if access == PUBLIC:
        return ANONYMOUS
    if access == SIGNED_IN:
        return Role.APPLICANT.value
    return next(role.value for role in Role if role in access)


def may_use(endpoint: str, who: str) -> bool:
    access = POLICY.get(endpoint)
    if access is None:
        return False
    return access == PUBLIC or (who != ANONYMOUS and (access == SIGNED_IN or Role(who) in access))


def the_rule(app: Flask, endpoint: str, rule_text: str) -> Rule:
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)


def url_of(app: Flask, rule: Rule, samples: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{arg: samples[arg] for arg in rule.arguments})


def rule_at(app: Flask, path: str, method: str) -> Rule | None:
    try:
        rule, _ = app.url_map.bind("portal.test").match(path, method=method, return_rule=True)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None
    return rule


def candidate_pages(app: Flask, rule: Rule, post_url: str, who: str) -> list[str]:
    """Pages that may hold the form of a POST route, nearest first: its own address (a GET route of the same rule),
    the addresses above it, and the start page (whose header holds the forms every page has)."""
    pages: list[str] = []
    if any(other.rule == rule.rule and "GET" in other.methods and may_use(other.endpoint, who)
           for other in app.url_map.iter_rules()):  # fmt: skip
        pages.append(post_url)
    parts = post_url.split("/")
    for i in range(len(parts) - 1, 0, -1):
        for path in ("/".join(parts[:i]) or "/", "/".join(parts[:i]) + "/"):
            found = rule_at(app, path, "GET")
            if found is not None and may_use(found.endpoint, who):
                pages.append(path)
    pages.append("/")
    return list(dict.fromkeys(pages))


def posts_to(app: Flask, form: PageForm, page: str, rule: Rule) -> str | None:
    """The path this page's form posts to, if that is the route's rule."""
    if form.method != "post":
        return None
    path = urlsplit(urljoin("http://portal.test" + page, form.action)).path
    found = rule_at(app, path, "POST")
    return path if found is not None and found.rule == rule.rule and found.endpoint == rule.endpoint else None


def form_classes(view: Any) -> list[type[FlaskForm]]:
    """The form classes a view names, directly or in the functions of its module it calls (one level)."""
    view = inspect.unwrap(view)
    found: list[type[FlaskForm]] = []

    def names(code: types.CodeType) -> list[str]:
        nested = [n for const in code.co_consts if isinstance(const, types.CodeType) for n in names(const)]
        return [*code.co_names, *nested]

    def look(function: Any, depth: int) -> None:
        for name in names(function.__code__):
            candidates = [function.__globals__.get(name)]
            candidates += [
                getattr(m, name, None) for m in function.__globals__.values() if isinstance(m, types.ModuleType)
            ]
            for candidate in candidates:
                if isinstance(candidate, type) and issubclass(candidate, FlaskForm) and candidate not in found:
                    found.append(candidate)
                elif (depth == 0 and isinstance(candidate, types.FunctionType)
                      and candidate.__module__ == view.__module__):  # fmt: skip
                    look(candidate, 1)

    look(view, 0)
    return found


RAW_READS = re.compile(r"""(?:request\.form\.get|\.getlist)\(\s*["']([\w-]+)["']""")


def raw_fields(view: Any) -> dict[str, PostedField]:
    """Names the view's module reads from a post itself, beside its forms (request.form.get, getlist): sent as
    fields of every form of that module, since a page shows some of them only in some states."""
    source = inspect.getsource(inspect.getmodule(inspect.unwrap(view)))
    return {name: PostedField(name, "read by the view") for name in RAW_READS.findall(source) if "csrf" not in name}


def class_fields(form_class: type[Any], prefix: str = "") -> dict[str, PostedField]:
    """The names a form class reads from a post, sub-forms and lists included (their first entry)."""
    fields: dict[str, PostedField] = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField) or name == "csrf_token":
            continue
        full = prefix + name
        inner = unbound
        if issubclass(unbound.field_class, FieldList):
            full, inner = f"{full}-0", unbound.args[0]
        if isinstance(inner, UnboundField) and issubclass(inner.field_class, FormField):
            fields.update(class_fields(inner.args[0], f"{full}-"))
        else:
            kind = inner.field_class.__name__.lower()
            fields[full] = PostedField(full, "file" if "file" in kind else kind, [""])
    return fields


# --- the database: one savepoint per example, and a scan of what a post wrote ---------------


def the_connection() -> Connection:
    connection = db.engines[None]
    assert isinstance(connection, Connection), "the db_session fixture binds the app to one connection"
    return connection


class Writes:
    """The tables a request inserted into or updated, read off the statements sent to the database."""

    STATEMENT = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        match = self.STATEMENT.match(statement)
        if match:
            self.tables.add(match.group(1))

    def __enter__(self) -> Writes:
        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(Engine, "before_cursor_execute", self)


def text_columns(table_name: str) -> list[Any]:
    table = db.metadata.tables[table_name]
    return [
        cast(c, Text) if isinstance(c.type, JSON) else c for c in table.columns if isinstance(c.type, (String, JSON))
    ]


def occurrences(connection: Connection, tables: set[str], probes: list[str]) -> list[int]:
    """For each probe, how many rows of these tables hold it in a text column."""
    totals = [0] * len(probes)
    for name in sorted(tables):
        columns = text_columns(name)
        if not columns or not probes:
            continue
        table = db.metadata.tables[name]
        counts = [
            select(func.count()).select_from(table).where(or_(*[c.contains(p, autoescape=True) for c in columns]))
            .scalar_subquery()
            for p in probes
        ]  # fmt: skip
        row = connection.execute(select(*counts)).one()
        totals = [t + n for t, n in zip(totals, row, strict=True)]
    return totals


ERROR_LINK = re.compile(r'href="#([^"]+)"')


def refused_fields(body: str, names: list[str]) -> set[str]:
    """The fields a page's error summary names (its links point at their ids: the name, or name-0 for a choice)."""
    start = body.find(ERROR_SUMMARY)
    if start < 0:
        return set()
    end = body.find("</ul>", start)
    ids = ERROR_LINK.findall(body[start : end if end > 0 else start + 20_000])
    return {name for name in names for id_ in ids if id_ == name or id_.startswith(name + "-")}


def must_not_be_stored(sent: list[tuple[str, str]], refused: bool, refused_at: set[str], names: list[str],
                       dialect: str) -> list[str]:  # fmt: skip
    """What must not be found in the database after this post.

    A refused post keeps nothing, except where the page says which fields it refused: a draft's section keeps the
    answers its form accepted beside the refused ones, so there only the values of the refused fields (and of fields
    the form does not have) must be absent, unless an accepted answer holds the same text. Control characters are
    refused in every field, so none is ever kept, whatever the answer."""
    accepted: list[str] = []
    absent: list[str] = []
    if refused and refused_at:
        accepted = [value for name, value in sent if name in names and name not in refused_at]
        absent = [value for name, value in sent if name in refused_at or name not in names]
    elif refused:
        absent = [value for _, value in sent]
    probes = {p for p in map(core_of, absent) if len(p) >= 3 and not any(p in value for value in accepted)}
    probes.update(c for _, value in sent for c in CONTROL_CHARACTERS.findall(value))
    if dialect == "postgresql":
        probes = {p for p in probes if "\x00" not in p}  # PostgreSQL's text cannot hold a NUL at all
    return sorted(probes)


def core_of(value: str) -> str:
    """What shows that a value was stored: its longest stretch between control characters, its first 200."""
    return max(CONTROL_CHARACTERS.split(value), key=len).strip()[:200]


def shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:60]) + (f"... ({len(text)} characters)" if len(text) > 60 else "")


def restore_session(client: Any, saved: dict[str, Any]) -> None:
    with client.session_transaction() as session:
        session.clear()
        session.update(saved)


def flashed(client: Any) -> list[str]:
    with client.session_transaction() as session:
        return [category for category, _ in session.get("_flashes", [])]


def commits_during(send: Any) -> tuple[Any, list[str]]:
    commits: list[str] = []

    def record(session: Any) -> None:
        if has_request_context():
            commits.append("commit")

    event.listen(Session, "after_commit", record)
    try:
        return send(), commits
    finally:
        event.remove(Session, "after_commit", record)


_PDF: list[bytes] = []


def a_real_pdf() -> bytes:
    if not _PDF:
        from tests.factories import pdf_bytes

        _PDF.append(pdf_bytes())
    return _PDF[0]


# --- the form fuzzer --------------------------------------------------------------------------

# What happens to a field in a post: a hostile value, several, left out, sent twice, another of its own choices.
PLANS = ["hostile", "several", "missing", "twice", "another choice", "keep"]


def find_form(app: Flask, client: Any, rule: Rule, post_url: str, who: str) -> tuple[str, PageForm, str]:
    """The path to post to, the form (its fields, CSRF tokens, enctype), and where the fields came from."""
    token = None
    for page in candidate_pages(app, rule, post_url, who):
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        reader = read_page(response.get_data(as_text=True))
        for form in reader.forms:
            token = token or form.csrf_fields.get("csrf_token")
            path = posts_to(app, form, page, rule)
            if path is not None:
                return path, form, "page"
    if token is None:  # every page's header has the language form, with the session's token
        token = read_page(client.get("/").get_data(as_text=True)).forms[0].csrf_fields["csrf_token"]
    fields: dict[str, PostedField] = {}
    for form_class in form_classes(app.view_functions[rule.endpoint]):
        fields.update(class_fields(form_class))
    if fields:
        return post_url, PageForm("post", post_url, "", fields, {"csrf_token": token}), "form class"
    made_up = {name: PostedField(name, "text", [""]) for name in ("naam", "tekst", "bedrag", "datum", "id")}
    return post_url, PageForm("post", post_url, "", made_up, {"csrf_token": token}), "made up"


def signed_in_as_allowed(app, client, db_session, endpoint, rule_text):
    """Signs the client in as a role the policy allows here (none for a public route); the route's sample
    arguments and its rule."""
    who = visitor(endpoint)
    user = None if who == ANONYMOUS else make_user(who)
    if user is not None:
        sign_in(client, user)
    return user, sample_arguments(app, endpoint, rule_text, db_session, user), the_rule(app, endpoint, rule_text)


@pytest.mark.parametrize(("endpoint", "rule_text"), POST_RULES, ids=[f"POST {r}" for _, r in POST_RULES])
def test_every_form_survives_hostile_input_and_a_refused_post_saves_nothing(
    app, client, db_session, endpoint, rule_text
):
    user, samples, rule = signed_in_as_allowed(app, client, db_session, endpoint, rule_text)
    signed_in = None
    if user is None:
        signed_in = app.test_client()
        sign_in(signed_in, make_user(Role.APPLICANT.value))
    db_session.commit()

    connection = the_connection()
    dialect = connection.dialect.name
    page_state = connection.begin_nested()  # the pages visited to find the form may write (a session's last visit)
    try:
        path, form, source = find_form(app, client, rule, url_of(app, rule, samples), visitor(endpoint))
        if source != "page" and signed_in is not None:  # a public form only a signed-in person sees (signing out)
            found = find_form(app, signed_in, rule, url_of(app, rule, samples), Role.APPLICANT.value)
            if found[2] == "page":
                client, (path, form, source) = signed_in, found
        with client.session_transaction() as session:
            saved = dict(session)
    finally:
        page_state.rollback()
    fields = {**raw_fields(app.view_functions[endpoint]), **form.fields}
    FIGURES.counts["forms"] += 1
    FIGURES.counts["fields"] += len(fields)
    FIGURES.sources[source] += 1
    if source != "page":
        FIGURES.not_on_a_page.append(f"{endpoint} ({source})")
    names = sorted(fields)
    multipart = "multipart" in form.enctype or any(f.kind == "file" for f in fields.values())
    token = next(iter(form.csrf_fields.values()), "")

    def kept(f: PostedField) -> list[Any]:
        if f.kind == "file":
            return [FileStorage(io.BytesIO(a_real_pdf()), "plan.pdf", content_type="application/pdf")]
        return list(f.values)

    @FUZZ
    @seed(zlib.crc32(f"POST {rule_text}".encode()))  # the same values on every run, other values for each form
    @given(data=st.data())
    def post_hostile(data: st.DataObject) -> None:
        mode = data.draw(st.sampled_from(["one field", "every field"]), label="mode")
        target = data.draw(st.sampled_from(names), label="field") if names and mode == "one field" else None
        pairs: list[tuple[str, Any]] = []
        sent: list[tuple[str, str]] = []  # each hostile value with the field it went to

        def hostile_for(f: PostedField) -> Any:
            if f.kind == "file":
                name = data.draw(file_names, label=f"{f.name} file name")
                sent.append((f.name, name))
                return FileStorage(
                    io.BytesIO(data.draw(file_contents, label=f"{f.name} file")), name, content_type="application/pdf"
                )
            choice_like = f.kind not in FREE_TEXT or any(v.strip().isdecimal() for v in [*f.values, *f.options])
            _, value = hostile_value(data, f.name, choice_like)
            sent.append((f.name, value))
            return value

        buttons_sent = False
        for name in names:
            f = fields[name]
            if target is not None and name != target:
                plan = "keep"
            else:
                plans = ["keep", "hostile", "missing"] if f.kind == "button" else PLANS
                plan = data.draw(st.sampled_from(plans), label=f"{name} plan")
            if f.kind == "button" and plan == "keep":
                if buttons_sent:
                    continue  # a browser sends the one button that was pressed
                buttons_sent = True
            if plan == "keep":
                pairs += [(name, v) for v in kept(f)]
            elif plan == "hostile":
                pairs.append((name, hostile_for(f)))
            elif plan == "several":
                pairs += [(name, hostile_for(f)) for _ in range(data.draw(st.integers(2, 4), label=f"{name} how many"))]
            elif plan == "twice":
                first = (
                    hostile_for(f) if data.draw(st.booleans(), label=f"{name} twice hostile") else (kept(f) or [""])[0]
                )
                pairs += [(name, first), (name, hostile_for(f))]
            elif plan == "another choice" and f.options:
                pairs.append((name, data.draw(st.sampled_from(f.options), label=f"{name} choice")))
            elif plan == "another choice":
                pairs.append((name, hostile_for(f)))
        if data.draw(st.integers(0, 4), label="stray field?") == 2:
            stray = data.draw(STRAY_NAMES, label="stray name")
            pairs.append((stray, hostile_for(fields.get(stray) or PostedField(stray, "text"))))
        wrong_csrf = data.draw(st.integers(0, 9), label="wrong CSRF?") == 5
        if wrong_csrf:
            forged = data.draw(st.sampled_from(["", "vervalst", token[:-2], token + "A", "\x00" + token]) | HOSTILE,
                               label="CSRF token")  # fmt: skip
            pairs += [(name, forged) for name in form.csrf_fields]
        else:
            pairs += list(form.csrf_fields.items())

        restore_session(client, saved)
        limiter.reset()
        FIGURES.counts["posts"] += 1
        FIGURES.counts["values"] += len(sent)
        FIGURES.counts["wrong csrf"] += wrong_csrf
        example = connection.begin_nested()
        try:
            with Writes() as writes:
                try:
                    # Long values go as multipart: percent-decoding 100,000 characters costs the test, not the app.
                    as_multipart = multipart or any(isinstance(v, str) and len(v) > 10_000 for _, v in pairs)
                    if as_multipart:
                        boundary, body = encode_multipart(MultiDict(pairs))  # in memory: no file left open
                        response = client.post(
                            path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
                        )
                    else:
                        response = client.post(path, data=MultiDict(pairs))
                except Exception as error:  # the test app lets errors through: in production this is a 500
                    raise AssertionError(f"POST {path} ({endpoint}) raised {error!r}; fields sent: "
                                         + ", ".join(f"{n}={shown(v)}" for n, v in pairs)) from error  # fmt: skip
            status = response.status_code
            FIGURES.statuses[status] += 1
            assert status < 500, f"POST {path} ({endpoint}) answered {status}; fields sent: " + ", ".join(
                f"{n}={shown(v)}" for n, v in pairs
            )
            body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            if wrong_csrf:
                assert status == 400, f"POST {path} with a wrong CSRF token answered {status}"
                # A multipart post with a name no part header can carry is refused before its token is read.
                unreadable = as_multipart and any(ch in name for name, _ in pairs for ch in '\r\n"\\')
                assert unreadable or CSRF_REFUSED in body, f"POST {path} with a wrong CSRF token: not the CSRF page"
            refused = (status in (400, 403, 404, 405, 409, 413, 422, 429) or ERROR_SUMMARY in body
                       or (status == 302 and "info" in flashed(client)))  # fmt: skip
            FIGURES.counts["refused" if refused else "accepted"] += 1
            refused_at = refused_fields(body, names) if status == 400 else set()
            probes = must_not_be_stored(sent, refused, refused_at, names, dialect)
            if writes.tables and probes:
                FIGURES.counts["scans"] += 1
                after = occurrences(connection, writes.tables, probes)
            else:
                after = [0] * len(probes)
        finally:
            example.rollback()
        if any(after):
            before = occurrences(connection, writes.tables, probes)
            stored = [p for p, a, b in zip(probes, after, before, strict=True) if a > b]
            what = "a refused post" if refused else "a post"
            assert not stored, (
                f"{what} to {path} ({endpoint}, answer {status}) stored {', '.join(shown(p) for p in stored)} "
                f"in {sorted(writes.tables)}"
            )

    post_hostile()


# --- the page visitor -------------------------------------------------------------------------


def query_names(app: Flask, endpoint: str, page_html: str, page_path: str) -> list[str]:
    """The query parameters a page is read with: its search forms, its own links, and what its module reads."""
    reader = read_page(page_html)
    names = {name for form in reader.forms if form.method == "get" for name in form.fields}
    for link in reader.links:
        parts = urlsplit(urljoin("http://portal.test" + page_path, link))
        if parts.path == page_path:
            names.update(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    source = inspect.getsource(inspect.getmodule(inspect.unwrap(app.view_functions[endpoint])))
    names.update(re.findall(r"request\.args\.get(?:list)?\(\s*[\"'](\w+)[\"']", source))
    return sorted(names)


def hostile_path(rule: Rule, samples: dict[str, Any], argument: str, value: str) -> str:
    """The rule's address with the samples in every place but one, where the hostile value stands."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return value if name == argument else quote(str(samples[name]), safe="")

    return re.sub(r"<(?:[^<>]*:)?(\w+)>", fill, rule.rule)


@pytest.mark.parametrize(("endpoint", "rule_text"), GET_RULES, ids=[f"GET {r}" for _, r in GET_RULES])
def test_every_page_answers_hostile_queries_and_ids_without_a_5xx(app, client, db_session, endpoint, rule_text):
    user, samples, rule = signed_in_as_allowed(app, client, db_session, endpoint, rule_text)
    db_session.commit()
    connection = the_connection()
    path = url_of(app, rule, samples)
    FIGURES.counts["get routes"] += 1

    def visit(url: str) -> Any:
        limiter.reset()
        savepoint = connection.begin_nested()
        try:
            try:
                response, commits = commits_during(lambda: client.get(url))
            except Exception as error:  # the test app lets errors through: in production this is a 500
                raise AssertionError(f"GET {shown(url)} ({endpoint}) raised {error!r}") from error
        finally:
            savepoint.rollback()
        FIGURES.statuses[response.status_code] += 1
        assert response.status_code < 500, f"GET {shown(url)} ({endpoint}) answered {response.status_code}"
        assert commits == [], f"GET {shown(url)} ({endpoint}) committed: a GET must only read"
        return response

    first = visit(path)
    with client.session_transaction() as session:
        saved = dict(session)
    html = first.get_data(as_text=True) if first.mimetype == "text/html" else ""
    names = query_names(app, endpoint, html, path)

    @settings(FUZZ, max_examples=QUERY_EXAMPLES)
    @seed(zlib.crc32(f"GET {rule_text}".encode()))
    @given(data=st.data())
    def visit_with_hostile_query(data: st.DataObject) -> None:
        chosen = data.draw(
            st.lists(st.sampled_from(names) | words if names else words, min_size=1, max_size=4), label="names"
        )
        pairs = [(name, hostile_value(data, name, choice_like=True)[1]) for name in chosen]
        if data.draw(st.booleans(), label="a name twice?"):
            pairs.append((pairs[0][0], hostile_value(data, "again", choice_like=True)[1]))
        restore_session(client, saved)
        FIGURES.counts["queries"] += 1
        FIGURES.counts["query values"] += len(pairs)
        # Long values are cut to what an address can carry (servers refuse some 8 KB).
        query = "&".join(f"{quote(n[:200], safe='')}={quote(v[:2000], safe='')}" for n, v in pairs)
        visit(f"{path}?{query}")

    visit_with_hostile_query()

    for argument in rule.arguments:
        for value in HOSTILE_PATH_VALUES:
            restore_session(client, saved)
            url = hostile_path(rule, samples, argument, value)
            FIGURES.counts["path ids"] += 1
            response = visit(url)
            assert response.status_code in PATH_REFUSALS, (
                f"GET {url} ({endpoint}, {argument}={value}) answered {response.status_code}, not a 404"
            )
