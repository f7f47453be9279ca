"""Collected posts at chosen times, written straight into the monitor's tables (the tests are
about the bursts, not about collecting)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from xinbao.accounts.models import User
from xinbao.monitor.models import Hit, Post, Source, SourceKind, TermKind, WatchTerm

_serial = itertools.count()


def source(user: User) -> Source:
    return Source.objects.create(
        name="本地论坛", kind=SourceKind.FEED, url="http://127.0.0.1:9/feed.xml", created_by=user
    )


def term(user: User, text: str, kind: str = TermKind.KEYWORD) -> WatchTerm:
    return WatchTerm.objects.create(term=text, key=text.lower(), kind=kind, created_by=user)


def posts(
    src: Source,
    at: dt.datetime,
    count: int,
    *,
    title: str = "网民讨论物业收费",
    text: str = "业主认为物业收费不透明，希望公开账目。",
    hit: WatchTerm | None = None,
) -> list[Post]:
    made = []
    for _ in range(count):
        n = next(_serial)
        url = f"http://127.0.0.1:9/post/{n}"
        made.append(
            Post(
                source=src,
                url=url,
                url_hash=hashlib.sha256(url.encode()).hexdigest(),
                content_hash=hashlib.sha256(f"{text}{n}".encode()).hexdigest(),
                title=f"{title}（{n}）",
                text=text,
                normalised=f"{title}\n{text}".lower(),
                fetched_at=at,
            )
        )
    created = Post.objects.bulk_create(made)
    if hit is not None:
        Hit.objects.bulk_create(
            Hit(post=p, term=hit, start=0, end=len(hit.key), context=hit.term) for p in created
        )
    return created


def flat_week(
    src: Source, end: dt.datetime, *, hit: WatchTerm | None = None, text: str | None = None
) -> None:
    """Seven days of ordinary traffic ending an hour before ``end``: 0, 1 or 2 posts an hour."""
    for hour in range(169, 1, -1):
        count = hour % 3
        if count:
            kwargs = {"text": text} if text else {}
            posts(src, end - dt.timedelta(hours=hour, minutes=-30), count, hit=hit, **kwargs)
