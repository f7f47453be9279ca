"""What a fetched body says: the entries of a feed, the main text of a page.

Pure functions of bytes (no database, no network). Feeds are read with feedparser; where a feed
declares one encoding and is written in another (a GBK feed declared as UTF-8, the commonest
mistake here), feedparser's bozo flag says so and its fallback (windows-1252) would garble the
Chinese: the bytes are then decoded by the first of the declared encoding, UTF-8 and GB18030
that decodes them strictly, the declaration rewritten to match, and parsed again. Pages go to
trafilatura as bytes, so that its own detection (meta charset, then content) decides, never a
wrong HTTP header.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser  # type: ignore[import-untyped]  # feedparser 6 ships no types
import trafilatura
from django.utils.html import strip_tags


class ParseError(Exception):
    """A body that holds nothing readable; ``str(exc)`` is shown on the source's screen."""


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    text: str
    published_at: dt.datetime | None


@dataclass(frozen=True)
class Parsed:
    entries: list[Entry]
    #: A caveat worth showing (a feed read loosely, an encoding corrected); "" when none.
    note: str = ""


_TRACKING = re.compile(r"^(utm_[a-z_]*|spm|from|isappinstalled)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL a post is stored under: scheme and host lower-cased, the default port, the
    fragment and tracking parameters (utm_*, spm, from) dropped, the other parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True))
    kept = urlencode([(k, v) for k, v in query if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", kept, ""))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(title: str, text: str) -> str:
    """The hash of a text as compared for repeats: whitespace runs collapsed."""
    return sha256(" ".join(f"{title}\n{text}".split()))


def _plain(value: str) -> str:
    """Text of an HTML fragment: paragraphs as lines, tags dropped, entities decoded."""
    value = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", value)
    lines = (" ".join(line.split()) for line in html.unescape(strip_tags(value)).splitlines())
    return "\n".join(line for line in lines if line)


def _when(parsed: Any) -> dt.datetime | None:
    if not parsed:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
    except (OverflowError, ValueError, TypeError):
        return None


_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding=[\"'])([^\"']+)", re.I)
_CHARSET = re.compile(r"charset=([\w-]+)", re.I)


def _redecoded(raw: bytes, content_type: str) -> tuple[bytes, str] | None:
    """The feed as UTF-8 with a matching declaration, decoded by the first encoding that
    takes the bytes strictly; None when none does."""
    candidates: list[str] = []
    if m := _XML_DECL.match(raw):
        candidates.append(m.group(2).decode("ascii", "replace"))
    if m2 := _CHARSET.search(content_type):
        candidates.append(m2.group(1))
    candidates += ["utf-8", "gb18030"]
    for encoding in dict.fromkeys(c.lower() for c in candidates):
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        data = text.encode()
        data = _XML_DECL.sub(rb"\1utf-8", data, count=1)
        return data, encoding
    return None


def _feed_entries(parsed: Any, base: str) -> list[Entry]:
    out: list[Entry] = []
    for e in parsed.entries:
        link = e.get("link") or e.get("id") or ""
        if not link:
            continue
        body = ""
        if e.get("content"):
            body = e.content[0].get("value", "")
        body = body or e.get("summary", "")
        title = _plain(e.get("title", "")) or link
        out.append(
            Entry(
                url=urljoin(base, link),
                title=title[:500],
                text=_plain(body),
                published_at=_when(e.get("published_parsed") or e.get("updated_parsed")),
            )
        )
    return out


def parse_feed(raw: bytes, *, url: str, content_type: str = "") -> Parsed:
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(raw, response_headers=headers)
    note = ""
    if parsed.bozo and isinstance(
        parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride
    ):
        fixed = _redecoded(raw, content_type)
        if fixed is not None:
            data, encoding = fixed
            parsed = feedparser.parse(
                data, response_headers={"content-type": "application/xml; charset=utf-8"}
            )
            note = f"declared encoding was wrong; read as {encoding}"
    if not parsed.version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise ParseError(f"not a feed{': ' + str(reason) if reason else ''}")
    if parsed.bozo and not note:
        note = f"malformed feed, read loosely: {parsed.get('bozo_exception')}"
    return Parsed(_feed_entries(parsed, url), note)


def parse_page(raw: bytes, *, url: str) -> Parsed:
    """The page's main text as one entry (trafilatura, given the bytes)."""
    doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True, include_comments=False)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise ParseError("no main text found on the page")
    title = (getattr(doc, "title", None) or "").strip() or url
    published = None
    if date := getattr(doc, "date", None):
        try:
            published = dt.datetime.strptime(str(date)[:10], "%Y-%m-%d").replace(tzinfo=dt.UTC)
        except ValueError:
            published = None
    return Parsed([Entry(url=url, title=title[:500], text=text, published_at=published)])
