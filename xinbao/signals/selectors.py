"""Every read of the monitor's tables the signals make, in one place (a rename costs one edit).

Times are collection times (``Post.fetched_at``, ``PostAlias.seen_at``): a source's own
publication dates are missing, late or wrong too often to count bursts by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from xinbao.monitor.models import Hit, Post, PostAlias, TermKind, WatchTerm
from xinbao.signals.models import EarlySignal, PostPlaces, SignalKind

#: Posts whose places are read per scan; the rest wait for the next one.
PLACE_BATCH = 2000


@dataclass(frozen=True)
class Event:
    """One occurrence in a series: (kind, key) with a readable label, a post and its time."""

    kind: str
    key: str
    label: str
    post_id: int
    at: dt.datetime


def term_events(since: dt.datetime, until: dt.datetime) -> list[Event]:
    """Each (watch term, post) once: a post naming a term five times counts once."""
    rows = (
        Hit.objects.filter(post__fetched_at__gte=since, post__fetched_at__lt=until)
        .values_list("term_id", "term__term", "post_id", "post__fetched_at")
        # No ordering: Hit's default one (by offset) would join the DISTINCT and count a post
        # once per hit.
        .order_by()
        .distinct()
    )
    return [Event(SignalKind.TERM, str(t), label, p, at) for t, label, p, at in rows]


def sensitive_term_keys(keys: Iterable[str]) -> set[str]:
    """Which of these watch-term keys are sensitive words (their bursts are urgent)."""
    ids = [int(k) for k in keys]
    found = WatchTerm.objects.filter(pk__in=ids, kind=TermKind.SENSITIVE)
    return {str(pk) for pk in found.values_list("pk", flat=True)}


def unplaced_posts(since: dt.datetime) -> list[tuple[int, str, str, dt.datetime]]:
    """Posts collected since ``since`` whose places are not read yet: (id, title, text, time)."""
    done = PostPlaces.objects.filter(at__gte=since).values("post_id")
    rows = (
        Post.objects.filter(fetched_at__gte=since)
        .exclude(pk__in=done)
        .order_by("fetched_at", "pk")
        .values_list("pk", "title", "text", "fetched_at")[:PLACE_BATCH]
    )
    return list(rows)


def place_events(since: dt.datetime, until: dt.datetime) -> list[Event]:
    rows = PostPlaces.objects.filter(at__gte=since, at__lt=until).values_list(
        "post_id", "names", "at"
    )
    return [
        Event(SignalKind.PLACE, name, name, post_id, at)
        for post_id, names, at in rows
        for name in names
    ]


def group_events(since: dt.datetime, until: dt.datetime) -> list[Event]:
    """A group of similar posts: a post and its aliases (the same or nearly the same text seen
    again under other addresses), each counted when it was collected."""
    aliases = list(
        PostAlias.objects.filter(seen_at__gte=since, seen_at__lt=until).values_list(
            "post_id", "post__title", "seen_at", "post__fetched_at"
        )
    )
    events: list[Event] = []
    firsts: set[int] = set()
    for post_id, title, seen_at, first_at in aliases:
        events.append(Event(SignalKind.GROUP, str(post_id), title, post_id, seen_at))
        if post_id not in firsts and since <= first_at < until:
            firsts.add(post_id)
            events.append(Event(SignalKind.GROUP, str(post_id), title, post_id, first_at))
    return events


def posts(ids: Iterable[int]) -> QuerySet[Post]:
    return Post.objects.filter(pk__in=list(ids)).select_related("source")


def evidence(signal: EarlySignal) -> QuerySet[Post]:
    """The posts of the signal's window, newest first."""
    return signal.evidence.select_related("source").order_by("-fetched_at", "-pk")
