"""Active content in an uploaded PDF: a pure look through its objects, nothing run, nothing changed.

A PDF viewer may run a script, start a program or open an embedded file on its own when a document is
opened, a page is shown or an annotation is touched. The portal keeps no such document (files.check_pdf
refuses it); this module only says whether, and what kind of, active content is there.
"""

from __future__ import annotations

from enum import StrEnum

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject


class ActiveContent(StrEnum):
    JAVASCRIPT = "javascript"
    LAUNCH = "launch"
    EMBEDDED_FILE = "embedded_file"
    RICH_MEDIA = "rich_media"
    XFA = "xfa"


def _name(dictionary: DictionaryObject, key: str) -> object:
    value = dictionary.get(key)
    return value.get_object() if isinstance(value, IndirectObject) else value


def _kind(dictionary: DictionaryObject) -> ActiveContent | None:
    """What this one dictionary is, by its keys and its /S, /Type or /Subtype (ISO 32000-2, 12.6 and 7.11)."""
    action = _name(dictionary, "/S")
    if "/JS" in dictionary or "/JavaScript" in dictionary or action == "/JavaScript":
        return ActiveContent.JAVASCRIPT  # a script action, or the document's JavaScript name tree
    if action == "/Launch":
        return ActiveContent.LAUNCH
    if (
        "/EmbeddedFiles" in dictionary  # the document's name tree of embedded files
        or "/EF" in dictionary  # a file specification that carries the file itself
        or _name(dictionary, "/Type") == "/EmbeddedFile"
        or _name(dictionary, "/Subtype") == "/FileAttachment"
    ):
        return ActiveContent.EMBEDDED_FILE
    if _name(dictionary, "/Subtype") == "/RichMedia" or "/RichMediaContent" in dictionary:
        return ActiveContent.RICH_MEDIA
    if "/XFA" in dictionary:
        return ActiveContent.XFA
    return None


def find_active_content(reader: PdfReader) -> ActiveContent | None:
    """The first active content found among the objects reachable from the document catalog, else None.

    Every object is looked at, not only the places an action usually sits (/OpenAction, /AA of the
    catalog, pages and annotations, /Names, /Annots): an outline item, a form field or an action's
    /Next can run a script too. An indirect object is visited once, so a reference cycle ends; the walk
    keeps a list instead of recursing, so a deeply nested document cannot exhaust the stack. Stream
    contents are not decoded, only their dictionaries read. A malformed object raises whatever the
    parser raises: the caller refuses the file then.
    """
    seen: set[tuple[int, int]] = set()
    waiting: list[PdfObject | None] = [reader.trailer.raw_get("/Root")]
    while waiting:
        item = waiting.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            waiting.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            kind = _kind(item)
            if kind is not None:
                return kind
            waiting.extend(item.values())
        elif isinstance(item, ArrayObject):
            waiting.extend(item)
    return None
