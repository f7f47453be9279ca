"""The collection pages' lists cost a frozen number of queries, however many rows they list."""

from __future__ import annotations

from django.utils import timezone

from xinbao.monitor.models import Hit, Post, PostAlias, Source, TermKind, WatchTerm
from xinbao.monitor.parse import sha256
from xinbao.monitor.tests.cases import MonitorCase
from xinbao.test import Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3), the
#: menu's reading-room check (1); then what the page says. Raise a number only with a reason.
FROZEN = (
    Frozen("monitor:sources", "ed", 7, "the sources"),
    Frozen("monitor:sources", "duty", 7, "as for an editor"),
    Frozen(
        "monitor:posts",
        "ed",
        9,
        "the source filter's sources, the paginator's count, the page's posts with their sources",
    ),
    Frozen(
        "monitor:posts", "ed", 10, "as unfiltered, the term's ids first", query="term=内涝&hits=yes"
    ),
    Frozen("monitor:watchlist", "chief", 7, "the active terms, grouped by kind in Python"),
    Frozen(
        "monitor:post",
        "ed",
        15,
        "the post with its source, its hits with their terms, its promotion, its aliases with "
        "their sources, the promotion form's units (read twice in rendering the select); the "
        "incidents the post is attached to, the attach form's open incidents (read twice, as "
        "the units)",
        args=("post",),
    ),
)


class MonitorQueryCountTest(FrozenQueryCounts, MonitorCase):
    frozen = FROZEN

    def setUp(self) -> None:
        super().setUp()
        self.source0 = Source.objects.create(
            name="源", kind="feed", url="https://a.example.cn/rss", created_by=self.ed
        )
        self.post = self._post(self.source0, 0)
        self.term0 = WatchTerm.objects.create(
            term="内涝", key="内涝", kind=TermKind.KEYWORD, created_by=self.ed
        )

    def _post(self, source: Source, i: int) -> Post:
        return Post.objects.create(
            source=source,
            url=f"https://a.example.cn/{source.pk}/{i}",
            url_hash=sha256(f"post {source.pk} {i}"),
            content_hash=sha256(f"text {source.pk} {i}"),
            title=f"内涝{i}",
            text="东河镇发生内涝",
            normalised=f"内涝{i}\n东河镇发生内涝",
            fetched_at=timezone.now(),
            hit_count=1,
        )

    def add_rows(self, n: int) -> None:
        """Per row: a source with a post hitting a term of its own (and the first term), an
        alias of the first post, a term of each kind."""
        start = Source.objects.count()
        for i in range(start, start + n):
            source = Source.objects.create(
                name=f"源{i}", kind="feed", url=f"https://s{i}.example.cn/rss", created_by=self.ed
            )
            post = self._post(source, i)
            for kind in TermKind.values:
                WatchTerm.objects.create(
                    term=f"{kind}{i}", key=f"{kind}{i}", kind=kind, created_by=self.ed
                )
            Hit.objects.create(post=post, term=self.term0, start=0, end=2, context="内涝")
            Hit.objects.create(
                post=self.post, term=self.term0, start=i + 10, end=i + 12, context="内涝"
            )
            PostAlias.objects.create(
                post=self.post,
                source=source,
                url=f"https://s{i}.example.cn/x",
                url_hash=sha256(f"alias {i}"),
                reason="same_text",
                seen_at=timezone.now(),
            )
