"""Active content in an uploaded PDF is found wherever it sits, a plain PDF passes, and a document that
cannot be looked through is refused rather than answered with an error. The files are real: written
with pypdf's PdfWriter and read back from their bytes, as an upload is."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from portal.services.active_content import ActiveContent, find_active_content
from portal.services.files import CheckedPdf, UploadProblem, check_pdf

MAX_BYTES = 10 * 1024 * 1024


def pdf(*, build=None) -> bytes:
    """A one-page PDF, changed by `build(writer)` before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if build is not None:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def found(data: bytes) -> ActiveContent | None:
    return find_active_content(PdfReader(io.BytesIO(data), strict=False))


def names(**entries: object) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{key}"): value for key, value in entries.items()})


def annotation(subtype: str, **entries: object) -> DictionaryObject:
    rectangle = ArrayObject([NumberObject(n) for n in (50, 50, 150, 80)])
    return names(Type=NameObject("/Annot"), Subtype=NameObject(subtype), Rect=rectangle, **entries)


def test_a_plain_pdf_with_a_web_link_and_an_opening_page_passes():
    def build(writer):
        # Actions that only move or open a web address are not active content.
        writer.root_object[NameObject("/OpenAction")] = ArrayObject(
            [writer.pages[0].indirect_reference, NameObject("/Fit")]
        )
        writer.add_annotation(
            0, annotation("/Link", A=names(S=NameObject("/URI"), URI=TextStringObject("https://www.vlaanderen.be")))
        )

    data = pdf(build=build)
    # The page tree is itself a reference cycle (/Kids down, /Parent up): the walk ends all the same.
    assert found(data) is None
    assert isinstance(check_pdf(data, MAX_BYTES), CheckedPdf)


def test_javascript_run_when_the_document_opens_is_found():
    def build(writer):
        writer.root_object[NameObject("/OpenAction")] = JavaScript("app.alert('hallo');")

    data = pdf(build=build)
    assert found(data) is ActiveContent.JAVASCRIPT
    assert check_pdf(data, MAX_BYTES) is UploadProblem.ACTIVE_CONTENT


def test_javascript_in_the_document_name_tree_is_found():
    # pypdf's add_open_action puts the script in the catalog's /Names /JavaScript tree.
    data = pdf(build=lambda writer: writer.add_open_action(JavaScript("this.print();")))
    assert found(data) is ActiveContent.JAVASCRIPT
    assert check_pdf(data, MAX_BYTES) is UploadProblem.ACTIVE_CONTENT


def test_a_launch_action_in_the_additional_actions_of_a_page_annotation_is_found():
    launch = names(S=NameObject("/Launch"), F=TextStringObject("C:\\Windows\\System32\\calc.exe"))
    data = pdf(build=lambda writer: writer.add_annotation(0, annotation("/Link", AA=names(E=launch))))
    assert found(data) is ActiveContent.LAUNCH
    assert check_pdf(data, MAX_BYTES) is UploadProblem.ACTIVE_CONTENT


def test_an_embedded_file_is_found():
    data = pdf(build=lambda writer: writer.add_attachment("factuur.exe", b"MZ\x90\x00"))
    assert found(data) is ActiveContent.EMBEDDED_FILE
    assert check_pdf(data, MAX_BYTES) is UploadProblem.ACTIVE_CONTENT


def test_javascript_chained_behind_a_harmless_link_in_a_reference_cycle_is_found():
    def build(writer):
        link = writer.add_annotation(
            0, annotation("/Link", A=names(S=NameObject("/URI"), URI=TextStringObject("https://example.be")))
        )
        # The link's action runs a script next, and that script's /Next points back to the link itself.
        link["/A"][NameObject("/Next")] = names(
            S=NameObject("/JavaScript"), JS=TextStringObject("app.launchURL('x');"), Next=link.indirect_reference
        )

    assert found(pdf(build=build)) is ActiveContent.JAVASCRIPT


def test_a_reference_cycle_without_active_content_ends_the_walk():
    def build(writer):
        link = writer.add_annotation(
            0, annotation("/Link", A=names(S=NameObject("/URI"), URI=TextStringObject("https://example.be")))
        )
        link["/A"][NameObject("/Next")] = link.indirect_reference  # a cycle through an indirect object

    assert found(pdf(build=build)) is None


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (
            lambda writer: writer.add_annotation(
                0, annotation("/FileAttachment", Contents=TextStringObject("bijlage"))
            ),
            ActiveContent.EMBEDDED_FILE,
        ),
        (lambda writer: writer.add_annotation(0, annotation("/RichMedia")), ActiveContent.RICH_MEDIA),
        (
            lambda writer: writer.root_object.update(
                {NameObject("/AcroForm"): names(Fields=ArrayObject(), XFA=ArrayObject())}
            ),
            ActiveContent.XFA,
        ),
    ],
    ids=["file attachment annotation", "rich media annotation", "XFA form"],
)
def test_the_other_kinds_of_active_content_are_found(build, kind):
    assert found(pdf(build=build)) is kind


def test_a_document_that_cannot_be_looked_through_is_refused_not_an_error():
    # Written by hand: a PDF whose pages read well, but whose catalog refers to an array nested deeper
    # than a parser can follow. Looking through it raises; the upload is refused as unreadable.
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Names 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"[" * 50_000 + b"]" * 50_000,
    ]
    data, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(
        b"%010d 00000 n \n" % o for o in offsets
    )
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)

    with pytest.raises(Exception):  # noqa: B017 - whatever the parser raises, the caller must catch it
        found(data)
    assert check_pdf(data, MAX_BYTES) is UploadProblem.BROKEN_PDF
