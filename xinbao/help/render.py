"""The manual's Markdown, rendered to HTML for the help pages with Python-Markdown.

The manual is written in the project, but it is still rendered as if it were not trusted:
raw HTML is escaped instead of passed through, and links and pictures may point only to
other pages of the manual, its pictures, or a path of the site itself (never to
``javascript:`` or another host); any other link is shown as its text. Headings move one
level down (the page's first ``#`` heading is its title) and quotes become notes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SLUG = re.compile(r"^(README|[a-z0-9-]+)\.md$")
PICTURE = re.compile(r"^img/([a-z0-9-]+\.png)$")

#: Where a link or picture of the manual points on the site: (kind, name) → URL or None.
Resolver = Callable[[str, str], str | None]


def _target(raw: str, resolve: Resolver) -> str | None:
    """The URL a link of the manual points to, or None when it is not one to follow."""
    if match := SLUG.match(raw):
        name = match.group(1)
        return resolve("page", "" if name == "README" else name)
    if match := PICTURE.match(raw):
        return resolve("image", match.group(1))
    if raw.startswith("/") and not raw.startswith("//") and '"' not in raw:
        return raw
    return None


class _Manual(Treeprocessor):
    """Links and pictures resolved on the site, the title taken out, quotes as notes."""

    def __init__(self, md: markdown.Markdown, resolve: Resolver) -> None:
        super().__init__(md)
        self.resolve = resolve
        self.title = ""

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            # From the last child back, so that unwrapping one keeps the others' indexes.
            for index in reversed(range(len(parent))):
                self._element(parent, index, parent[index])
        first = root.find("h1")
        if first is not None:
            self.title = "".join(first.itertext())
            root.remove(first)
        # The page's title is its only h1: the sections below it move one level down.
        for level in (5, 4, 3, 2, 1):
            for heading in root.iter(f"h{level}"):
                heading.tag = f"h{level + 1}"

    def _element(self, parent: ET.Element, index: int, child: ET.Element) -> None:
        if child.tag == "blockquote":
            child.tag = "div"
            child.set("class", "alert alert-info small")
            paragraphs = list(child)
            if len(paragraphs) == 1 and paragraphs[0].tag == "p":
                # One paragraph: its text stands in the note itself.
                child.text, child[:] = paragraphs[0].text, list(paragraphs[0])
        elif child.tag == "a":
            href = _target(child.get("href", ""), self.resolve)
            if href is None:
                _unwrap(parent, index, child)
            else:
                child.attrib = {"href": href}
        elif child.tag == "img":
            src = _target(child.get("src", ""), self.resolve)
            if src is None:
                _unwrap(parent, index, child, text=child.get("alt", ""))
            else:
                alt = child.get("alt", "")
                child.attrib = {"class": "img-fluid border rounded my-2", "src": src, "alt": alt}


def _unwrap(parent: ET.Element, index: int, child: ET.Element, text: str | None = None) -> None:
    """Replace ``child`` by its text (a link or picture that may not be followed)."""
    shown = ("".join(child.itertext()) if text is None else text) + (child.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + shown
    else:
        before = parent[index - 1]
        before.tail = (before.tail or "") + shown
    parent.remove(child)


class _Extension(Extension):
    def __init__(self, resolve: Resolver) -> None:
        super().__init__()
        self.resolve = resolve
        self.processor: _Manual | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is escaped like any other text.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        self.processor = _Manual(md, self.resolve)
        md.treeprocessors.register(self.processor, "manual", 0)


def render(source: str, resolve: Resolver) -> tuple[str, str]:
    """The page's title (its first heading) and its body as HTML."""
    extension = _Extension(resolve)
    body = markdown.Markdown(extensions=[extension]).convert(source)
    assert extension.processor is not None  # set when the extension was loaded
    return extension.processor.title, body
