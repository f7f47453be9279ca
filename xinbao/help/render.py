"""The manual's Markdown, rendered to HTML for the help pages.

The ``markdown`` package is not among the project's dependencies, and the manual uses only a
small part of the syntax, so this renders that part: headings (``#`` to ``####``),
paragraphs, bulleted and numbered lists, quotes (``>``, shown as notes), ``**bold**``,
```code```, links and pictures. Everything else is shown as the text it is. All text is
escaped first; links may point only to other pages of the manual, its pictures, or the
site itself (a path), never to ``javascript:`` or another host.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.html import escape

SLUG = re.compile(r"^(README|[a-z0-9-]+)\.md$")
PICTURE = re.compile(r"^img/([a-z0-9-]+\.png)$")
INLINE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)"
    r"|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|`(?P<code>[^`]+)`"
)
HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
BULLET = re.compile(r"^[-*]\s+(.*)$")
NUMBERED = re.compile(r"^\d+\.\s+(.*)$")

#: Where a link or picture of the manual points on the site: (kind, name) → URL or None.
Resolver = Callable[[str, str], str | None]


def _target(raw: str, resolve: Resolver) -> str | None:
    """The URL a link of the manual points to, or None when it is not one to follow."""
    if match := SLUG.match(raw):
        name = match.group(1)
        return resolve("page", "" if name == "README" else name)
    if match := PICTURE.match(raw):
        return resolve("image", match.group(1))
    if raw.startswith("/") and not raw.startswith("//"):
        return raw
    return None


def inline(text: str, resolve: Resolver) -> str:
    """One line of text with its links, pictures, bold and code; everything else escaped."""
    out: list[str] = []
    last = 0
    for match in INLINE.finditer(text):
        out.append(escape(text[last : match.start()]))
        last = match.end()
        if match.group("src") is not None:
            src = _target(match.group("src"), resolve)
            alt = escape(match.group("alt"))
            out.append(
                f'<img class="img-fluid border rounded my-2" src="{escape(src)}" alt="{alt}">'
                if src
                else alt
            )
        elif match.group("href") is not None:
            href = _target(match.group("href"), resolve)
            label = escape(match.group("text"))
            out.append(f'<a href="{escape(href)}">{label}</a>' if href else label)
        elif match.group("bold") is not None:
            out.append(f"<strong>{escape(match.group('bold'))}</strong>")
        else:
            out.append(f"<code>{escape(match.group('code'))}</code>")
    out.append(escape(text[last:]))
    return "".join(out)


def render(source: str, resolve: Resolver) -> tuple[str, str]:
    """The page's title (its first heading) and its body as HTML."""
    html: list[str] = []
    title = ""
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""
    quote: list[str] = []

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            html.append(f"<p>{inline(' '.join(paragraph), resolve)}</p>")
            paragraph.clear()
        if items:
            body = "".join(f"<li>{inline(i, resolve)}</li>" for i in items)
            html.append(f"<{list_tag}>{body}</{list_tag}>")
            items.clear()
            list_tag = ""
        if quote:
            html.append(
                f'<div class="alert alert-info small">{inline(" ".join(quote), resolve)}</div>'
            )
            quote.clear()

    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if heading := HEADING.match(line):
            flush()
            level = len(heading.group(1))
            if level == 1 and not title:
                title = heading.group(2)
                continue
            html.append(f"<h{level + 1}>{inline(heading.group(2), resolve)}</h{level + 1}>")
            continue
        bullet = BULLET.match(line)
        listed = bullet or NUMBERED.match(line)
        if listed:
            tag = "ul" if bullet else "ol"
            if paragraph or quote or (items and list_tag != tag):
                flush()
            list_tag = tag
            items.append(listed.group(1))
            continue
        if line.startswith(">"):
            if paragraph or items:
                flush()
            quote.append(line.lstrip("> "))
            continue
        if items and raw.startswith(("  ", "\t")):
            # A continuation line of the last list item.
            items[-1] += " " + line
            continue
        if items or quote:
            flush()
        paragraph.append(line)
    flush()
    return title, "\n".join(html)
