"""Reads of collection shared by the pages (and, later, by burst detection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from xinbao.monitor.models import Hit, Post
from xinbao.monitor.watch import text_key


def posts(
    *,
    source_id: int | None = None,
    term_ids: Iterable[int] | None = None,
    has_hits: bool | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Post]:
    """Collected posts, newest first, by source, by watch term, with or without hits, and
    collected within [since, until): what an early-signal detector counts per window."""
    qs = Post.objects.select_related("source").order_by("-fetched_at", "-pk")
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    if term_ids is not None:
        qs = qs.filter(Exists(Hit.objects.filter(post=OuterRef("pk"), term_id__in=list(term_ids))))
    if has_hits is True:
        qs = qs.filter(hit_count__gt=0)
    elif has_hits is False:
        qs = qs.filter(hit_count=0)
    if since is not None:
        qs = qs.filter(fetched_at__gte=since)
    if until is not None:
        qs = qs.filter(fetched_at__lt=until)
    return qs


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def highlighted(post: Post, hits: Sequence[Hit]) -> SafeString:
    """The post's title and text with each hit in ``<mark>``, line breaks kept.

    Hits' offsets point into the normalised text; where normalising kept every character in
    place (simplified text, the usual case) they are shown on the text as collected, else on
    the normalised text.
    """
    raw = f"{post.title}\n{post.text}"
    shown = raw if len(text_key(post.title, post.text)) == len(raw) else post.normalised
    parts: list[str] = []
    at = 0
    for start, end in _merged([(h.start, h.end) for h in hits]):
        parts.append(escape(shown[at:start]))
        parts.append(f"<mark>{escape(shown[start:end])}</mark>")
        at = end
    parts.append(escape(shown[at:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308  (every piece escaped above)
