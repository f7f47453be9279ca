"""Full-text search over collected posts, on the same engine as the items' (``lib.fulltext``).

A post's words (``lib.text.index_words`` of its title and text) are computed with the rest of
its preparation, before the poll's transaction, and stored with the post as its
``PostEntry``; posts stored before the index existed are indexed by the chore
``monitor.search_index``. Collected posts are public text, read by every role that reads the
collection (``monitor.access.can_read``): no unit or label filter applies.
"""

from __future__ import annotations

from collections.abc import Sequence

from xinbao.lib import fulltext
from xinbao.lib.text import index_words, query_words
from xinbao.monitor.models import Post, PostEntry

INDEX = fulltext.Index(
    table="monitor_postentry",
    fts="monitor_post_fts",
    document_index="monitor_post_document_idx",
    id_column="post_id",
)
#: How many of the newest matching posts are ranked.
WINDOW = 2000


def words_of(title: str, text: str) -> tuple[str, str]:
    return " ".join(index_words(title)), " ".join(index_words(text))


def index_posts(posts: Sequence[Post], words: Sequence[tuple[str, str]] | None = None) -> None:
    """Store the posts' words (posts with none yet); ``words``: each post's ``words_of``."""
    if words is None:
        words = [words_of(p.title, p.text) for p in posts]
    PostEntry.objects.bulk_create(
        [PostEntry(post=p, title=t, body=b) for p, (t, b) in zip(posts, words, strict=True)]
    )


def index_missing(*, limit: int = 2000) -> int:
    """Index up to ``limit`` posts without words (stored before the index existed)."""
    todo = list(Post.objects.filter(search_entry__isnull=True).order_by("pk")[:limit])
    index_posts(todo)
    return len(todo)


def matching_ids(query: str, *, window: int = WINDOW) -> dict[int, float]:
    """Post id → relevance for the newest ``window`` posts matching every word of ``query``."""
    words = query_words(query)
    if not words:
        return {}
    return {
        int(pk): float(relevance)
        for pk, relevance in fulltext.matches(INDEX, words, window, columns=("post_id",))
    }
