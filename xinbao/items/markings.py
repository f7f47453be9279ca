"""Classified markings inside attached documents.

An item's own text is checked for a marking (``xinbao.lib.classified``); a Word, Excel, OFD,
PDF or plain-text attachment is read too, since a classified document is most often sent as
the file itself with a harmless covering note. The reading is bounded (parts, pages and
characters), so that an upload cannot make it expensive.

Not read: old binary Word/Excel files (OLE; no parser among our dependencies) and scanned
PDFs without a text layer. Both are said in docs/architecture.md.
"""

from __future__ import annotations

import html
import logging
import re
import zipfile
from collections.abc import Iterator
from typing import IO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from xinbao.lib.classified import classified_marking

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFD = "application/x-ofd"
PDF = "application/pdf"
TEXT = "text/plain"

#: At most this many characters of text are read from one file, in chunks this long.
MAX_CHARS = 2_000_000
#: A ZIP part larger than this (uncompressed) is read only up to it.
MAX_PART_BYTES = 20 * 1024 * 1024
#: Pages of a PDF read; a marking stands on the first page, the rest is a margin.
MAX_PDF_PAGES = 50

#: Which ZIP parts hold the text, and which element wraps a paragraph / a run of text.
_ZIP_TEXT: dict[str, tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]] = {
    # Body, headers, footers, footnotes: the marking is often in the header.
    DOCX: (
        re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml"),
        re.compile(r"<w:p[ >].*?</w:p>", re.S),
        re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>"),
    ),
    XLSX: (
        re.compile(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml"),
        re.compile(r"<(?:si|c)[ >].*?</(?:si|c)>", re.S),
        re.compile(r"<(?:t|v)(?: [^>]*)?>([^<]*)</(?:t|v)>"),
    ),
    OFD: (
        re.compile(r".*Content\.xml|.*Annotation.*\.xml", re.I),
        re.compile(r"<ofd:TextObject[ >].*?</ofd:TextObject>", re.S),
        re.compile(r"<ofd:TextCode(?: [^>]*)?>([^<]*)</ofd:TextCode>"),
    ),
}


class UnreadableDocument(ValueError):
    """The document's text cannot be read, so it cannot be checked (an encrypted PDF)."""


def marking_in_file(file: IO[bytes], content_type: str) -> str | None:
    """The first classified marking in the file's text, or None.

    Raises :class:`UnreadableDocument` when the file's text cannot be read at all.
    """
    file.seek(0)
    try:
        for text in _texts(file, content_type):
            marking = classified_marking(text)
            if marking:
                return marking
    finally:
        file.seek(0)
    return None


def document_text(file: IO[bytes], content_type: str) -> str:
    """The text of a DOCX, XLSX, OFD, PDF or plain-text file (bounded as for markings), for
    the search index; "" for other types and for a file that cannot be read."""
    file.seek(0)
    try:
        return "\n".join(_texts(file, content_type))
    except UnreadableDocument:
        return ""
    finally:
        file.seek(0)


def _texts(file: IO[bytes], content_type: str) -> Iterator[str]:
    if content_type == TEXT:
        yield from _plain_texts(file)
    elif content_type == PDF:
        yield from _pdf_texts(file)
    elif content_type in _ZIP_TEXT:
        yield from _zip_texts(file, content_type)


def _plain_texts(file: IO[bytes]) -> Iterator[str]:
    raw = file.read(MAX_CHARS * 2)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            yield raw.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    yield raw.decode("utf-8", errors="replace")


def _zip_texts(file: IO[bytes], content_type: str) -> Iterator[str]:
    parts, paragraph, run = _ZIP_TEXT[content_type]
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        budget = MAX_CHARS
        for info in archive.infolist():
            if not parts.fullmatch(info.filename) or budget <= 0:
                continue
            with archive.open(info) as part:
                xml = part.read(MAX_PART_BYTES).decode("utf-8", errors="replace")
            # One paragraph's runs joined: Word splits "机密★" over runs at will.
            lines = [
                html.unescape("".join(run.findall(match.group(0))))
                for match in paragraph.finditer(xml)
            ]
            text = "\n".join(lines)[:budget]
            budget -= len(text)
            yield text


def _pdf_texts(file: IO[bytes]) -> Iterator[str]:
    try:
        reader = PdfReader(file)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("encrypted")
        metadata = reader.metadata
        if metadata is not None:
            yield " ".join(str(v) for v in (metadata.title, metadata.subject) if v)
        budget = MAX_CHARS
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = (page.extract_text() or "")[:budget]
            budget -= len(text)
            yield text
            if budget <= 0:
                return
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        # A PDF pypdf cannot parse is still a PDF the sniffer accepted; it is kept, unread.
        log.info("PDF text not read: %s", exc)
