"""Reading an email: headers and bodies in whatever charset Chinese mail clients send.

Parsed with the standard library's ``email`` package (``policy=default``). Chinese clients
declare GB2312 for text that uses characters only GBK or GB18030 have (the declared charset is
a 1980 table of 6,763 characters; names and places often fall outside it). GB18030 is a superset
of both, so text declared GB2312 or GBK is decoded as GB18030.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from django.utils import timezone

#: Charsets read as GB18030, their superset.
GB_FAMILY = {
    "gb2312",
    "gb_2312-80",
    "gbk",
    "x-gbk",
    "cp936",
    "ms936",
    "euc-cn",
    "x-euc-cn",
    "hz-gb-2312",
}


class BrokenMessage(ValueError):
    """A message too damaged to read: no headers, no sender."""


def charset_of(name: str | None) -> str:
    name = (name or "").strip().lower()
    if name in GB_FAMILY or name == "gb18030":
        return "gb18030"
    return name or "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """``data`` in its declared charset (GB as GB18030); undeclared or unknown, UTF-8 and then
    GB18030 are tried; what no charset reads is replaced, never dropped silently."""
    wanted = charset_of(charset)
    tries = [wanted] if charset else []
    tries += [c for c in ("utf-8", "gb18030") if c not in tries]
    for name in tries:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode(tries[0] if tries[0] != "utf-8" else "gb18030", errors="replace")


def decode_header_value(raw: str) -> str:
    """A header as its raw value holds it: RFC 2047 words in their charsets (GB as GB18030),
    and raw 8-bit bytes (which the parser kept as surrogates) as UTF-8 or GB18030."""
    parts = []
    for chunk, charset in decode_header(raw):
        if isinstance(chunk, str):
            data = chunk.encode("utf-8", errors="surrogateescape")
            parts.append(decode_bytes(data, None))
        else:
            parts.append(decode_bytes(chunk, charset))
    text = "".join(parts)
    return re.sub(r"\s+", " ", text).strip()


class _Text(HTMLParser):
    """The text of an HTML body: scripts and styles dropped, blocks on lines of their own."""

    BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "blockquote",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.out).splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    source_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    received_at: dt.datetime
    references: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)


def _raw_header(msg: Message, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _body_and_files(msg: Message) -> tuple[str, list[MailAttachment]]:
    plain: list[str] = []
    html: list[str] = []
    files: list[MailAttachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        raw_name = part.get_param("filename", header="content-disposition") or part.get_param(
            "name"
        )
        ctype = part.get_content_type()
        if disposition == "attachment" or (raw_name and not ctype.startswith("text/")):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                files.append(MailAttachment(_file_name(part), ctype, data))
            continue
        if ctype == "text/plain":
            plain.append(_part_text(part))
        elif ctype == "text/html":
            html.append(html_text(_part_text(part)))
    text = "\n".join(t for t in plain if t.strip()) or "\n".join(t for t in html if t.strip())
    return text.strip(), files


def _file_name(part: Message) -> str:
    try:
        name = part.get_filename()
    except (TypeError, ValueError, LookupError):
        name = None
    if name:
        # An encoded word in GB2312 that holds GB18030 bytes: read again through our table.
        raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
        if isinstance(raw, str) and "=?" in raw:
            name = decode_header_value(raw)
    return (name or "attachment").replace("/", "_").replace("\\", "_")[-200:]


def parse(raw: bytes) -> ParsedMail:
    """Read a whole message. Raises ``BrokenMessage`` for one that has no sender or no headers."""
    if not raw.strip():
        raise BrokenMessage("empty message")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    if msg.defects and not list(msg.keys()):
        raise BrokenMessage(f"no headers: {msg.defects[0].__class__.__name__}")
    from_raw = decode_header_value(_raw_header(msg, "From"))
    addresses = [(n, a) for n, a in getaddresses([from_raw]) if "@" in a]
    if not addresses:
        raise BrokenMessage(f"no sender address in {from_raw[:80]!r}")
    name, address = addresses[0]
    message_id = (_ids(_raw_header(msg, "Message-ID")) or [""])[0][:255]
    try:
        date = parsedate_to_datetime(_raw_header(msg, "Date"))
        received = date if date.tzinfo else timezone.make_aware(date, dt.UTC)
    except (TypeError, ValueError, IndexError):
        received = timezone.now()
    text, files = _body_and_files(msg)
    references = _ids(_raw_header(msg, "In-Reply-To")) + _ids(_raw_header(msg, "References"))
    return ParsedMail(
        message_id=message_id,
        source_id=message_id or source_id_of(raw),
        sender=address.strip().lower()[:255],
        sender_name=name.strip()[:100],
        subject=decode_header_value(_raw_header(msg, "Subject"))[:255],
        text=text,
        received_at=received.astimezone(dt.UTC),
        references=list(dict.fromkeys(references)),
        attachments=files,
    )


def source_id_of(raw: bytes) -> str:
    """A message's source id when it has no Message-ID: the hash of its bytes."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()
