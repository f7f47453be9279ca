"""Full-text search over items: title, body and the text of attached documents.

One interface, two engines: SQLite FTS5 (the default) and PostgreSQL full text in production.
Both index the same thing, ``SearchEntry`` rows of space-joined words cut by
``xinbao.lib.text.index_words`` (search mode, the office's dictionary), so that FTS5's
``unicode61`` tokenizer and PostgreSQL's ``simple`` configuration see one Chinese word per
token. A query is cut the same way (``query_words``) and every word must match.

Kept in step in the caller's transaction: ``index_items`` when an item is created or its text
changes (items.services, the desk's edit and merge), ``index_attachment`` when a file is
added; ``forget_items`` when an item is merged away; deleting an item or an attachment
deletes its rows (cascade), and on SQLite the FTS5 table follows by trigger.

Ranking blends relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL; a title counts more)
with recency. Ranking every match of a very common word is what makes bare FTS5 slow, so the
engines rank only the most recent ``WINDOW`` matching entries (newest rows first: an edited
item is re-indexed as a new row); an older match beyond that window is not found by a word
that common, and a narrower query finds it.

Isolation: matches become item ids, which go through ``visible_items(user)`` (unit AND
clearance) like every list; an attachment's words count only for a user cleared for the
attachment's own label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from xinbao.accounts.models import User
from xinbao.items.access import visible_items
from xinbao.items.markings import document_text
from xinbao.items.models import Attachment, AttachmentKind, Item, ItemStatus, SearchEntry
from xinbao.lib import bulk, fulltext
from xinbao.lib.text import index_words, query_words

#: How many of the newest matching entries the engine ranks.
WINDOW = 2000
#: How many of the best matches by relevance get recency blended in.
BLEND_TOP = 200
#: Relevance against recency in the blended score (relevance's share).
RELEVANCE_WEIGHT = 0.7
#: Age (days) at which recency counts half.
HALF_LIFE_DAYS = 30.0


# --- Keeping the index -----------------------------------------------------------------------


def _joined(text: str) -> str:
    return " ".join(index_words(text))


def words_of(title: str, body: str) -> tuple[str, str]:
    """The indexed words of a title and a body, space-joined (no query: a batch computes them
    before its transaction)."""
    return _joined(title), _joined(body)


def index_items(
    items: Iterable[Item], *, new: bool = False, words: Sequence[tuple[str, str]] | None = None
) -> None:
    """(Re-)index the title and body of each item, replacing its previous words; ``new``:
    items just created, with no words to replace; ``words``: each item's ``words_of``, where
    the caller computed them already."""
    items = list(items)
    if not items:
        return
    if not new:
        SearchEntry.objects.filter(item__in=items, attachment__isnull=True).delete()
    if words is None:
        words = [words_of(item.title, item.body) for item in items]
    bulk.insert(
        SearchEntry,
        [
            SearchEntry(item=item, title=title, body=body)
            for item, (title, body) in zip(items, words, strict=True)
        ],
    )


def index_item(item: Item) -> None:
    index_items([item])


def index_attachment(attachment: Attachment) -> None:
    """Index the text of a DOCX, XLSX, OFD, PDF or plain-text attachment (others have none)."""
    with attachment.file.open("rb") as file:
        text = document_text(file, attachment.content_type)
    if not text.strip():
        return
    SearchEntry.objects.filter(attachment=attachment).delete()
    SearchEntry.objects.create(
        item_id=attachment.item_id,
        attachment=attachment,
        label=attachment.sensitivity,
        title=_joined(attachment.original_name),
        body=_joined(text),
        source=text,
    )


def index_missing(*, limit: int = 2000) -> int:
    """Index up to ``limit`` items that have no entry yet (written by a path that bypassed the
    services, such as the demo's bulk load or rows from before the index existed); merged
    items stay out. Returns how many were indexed."""
    indexed = SearchEntry.objects.filter(attachment__isnull=True).values("item_id")
    todo = list(
        Item.objects.exclude(status=ItemStatus.MERGED)
        .exclude(pk__in=indexed)
        .order_by("pk")[:limit]
    )
    index_items(todo, new=True)
    return len(todo)


def reindex_all(*, batch: int = 2000) -> int:
    """Rebuild the whole index: every item's text and every attachment's (the command)."""
    SearchEntry.objects.all().delete()
    done = 0
    while count := index_missing(limit=batch):
        done += count
    for attachment in Attachment.objects.filter(
        item__in=Item.objects.exclude(status=ItemStatus.MERGED), kind=AttachmentKind.DOCUMENT
    ).iterator():
        index_attachment(attachment)
    return done


def forget_items(items: Iterable[Item]) -> None:
    """Take items out of the index (merged into another: the new item is what is found)."""
    SearchEntry.objects.filter(item__in=list(items)).delete()


# --- The engines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    item_id: int
    attachment_id: int | None
    relevance: float


#: The items' entries (``SearchEntry``), made searchable by migration 0005.
INDEX = fulltext.Index(
    table="items_searchentry", fts="items_search_fts", document_index="items_search_document_idx"
)


def _match_sql(words: Sequence[str], clearance: int, window: int) -> tuple[str, list[Any]]:
    """SQL for (item_id, attachment_id, relevance) of the newest ``window`` matching entries
    within ``clearance``; a higher relevance is better."""
    return fulltext.match_sql(
        INDEX,
        words,
        window,
        columns=("item_id", "attachment_id"),
        where="e.label <= %s",
        params=[clearance],
    )


def _matches(words: Sequence[str], clearance: int, window: int) -> list[Match]:
    sql, params = _match_sql(words, clearance, window)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Match(int(i), a, float(r)) for i, a, r in cursor.fetchall()]


def _matching_items(words: Sequence[str], clearance: int, window: int) -> RawSQL:
    """The matching item ids as a subquery, for ``pk__in`` (the database does the join)."""
    sql, params = _match_sql(words, clearance, window)
    return RawSQL(f"SELECT m.item_id FROM ({sql}) m", params)  # noqa: S608, S611  (bound)


# --- Searching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    unit: int | None = None
    unit_class: int | None = None
    kind: str = ""
    urgency: str = ""
    status: str = ""
    topic: int | None = None
    #: Submission days (Asia/Shanghai), both ends included.
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def apply(self, qs: QuerySet[Item]) -> QuerySet[Item]:
        if self.unit is not None:
            qs = qs.filter(Q(unit=self.unit) | Q(joint_units=self.unit))
        if self.unit_class is not None:
            qs = qs.filter(unit__unit_class=self.unit_class)
        for name in ("kind", "urgency", "status"):
            if value := getattr(self, name):
                qs = qs.filter(**{name: value})
        if self.topic is not None:
            qs = qs.filter(topics=self.topic)
        if self.date_from:
            qs = qs.filter(submitted_at__date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(submitted_at__date__lte=self.date_to)
        return qs


@dataclass
class Hit:
    item: Item
    score: float
    #: The title with the query's words in ``<mark>``, escaped.
    title_html: SafeString
    #: Some text around the first match (body, else the attachment that matched), escaped.
    snippet: SafeString
    #: The name of the attachment the words were found in, when not in the item itself.
    found_in: str = ""


@dataclass
class Results:
    query: str
    words: list[str]
    total: int
    hits: list[Hit] = field(default_factory=list)


def matching_ids(user: User, query: str, *, window: int = WINDOW) -> dict[int, float]:
    """Item id → best relevance, for the items whose words match the whole ``query``.

    Not yet filtered by ``visible_items``: callers filter a queryset of it with these ids
    (``search`` and ``filter_by_text`` do).
    """
    words = query_words(query)
    if not words:
        return {}
    best: dict[int, float] = {}
    for match in _matches(words, int(user.clearance_level), window):
        if match.relevance > best.get(match.item_id, float("-inf")):
            best[match.item_id] = match.relevance
    return best


def filter_by_text(user: User, qs: QuerySet[Item], query: str) -> QuerySet[Item]:
    """``qs`` narrowed to the items matching ``query`` (the lists' search box)."""
    words = query_words(query)
    if not words:
        return qs
    return qs.filter(pk__in=_matching_items(words, int(user.clearance_level), WINDOW))


def _blend(
    relevance: dict[int, float], when: dict[int, dt.datetime], now: dt.datetime
) -> dict[int, float]:
    top = max(relevance.values(), default=0.0) or 1.0
    scores: dict[int, float] = {}
    for pk, rel in relevance.items():
        age_days = max((now - when[pk]).total_seconds() / 86400, 0.0)
        recency = HALF_LIFE_DAYS / (HALF_LIFE_DAYS + age_days)
        scores[pk] = RELEVANCE_WEIGHT * (rel / top) + (1 - RELEVANCE_WEIGHT) * recency
    return scores


def search(
    user: User,
    query: str,
    *,
    filters: SearchFilters | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Results:
    """The items ``user`` may see that match ``query``, best first, with snippets."""
    words = query_words(query)
    relevance = matching_ids(user, query)
    results = Results(query=query, words=words, total=0)
    if not relevance:
        return results
    # The matches' ids are known (at most WINDOW): the full-text query is not run a second
    # time as a subquery, and the id set needs no ordering.
    qs = visible_items(user).filter(pk__in=list(relevance))
    visible = set((filters or SearchFilters()).apply(qs).order_by().values_list("pk", flat=True))
    # Recency is blended into the best BLEND_TOP by relevance (reading every candidate's
    # time would cost more than the search); the rest follow by relevance.
    by_relevance = sorted(visible, key=lambda pk: (-relevance.get(pk, 0.0), -pk))
    top = by_relevance[:BLEND_TOP]
    when = {
        pk: submitted or created
        for pk, submitted, created in Item.objects.filter(pk__in=top).values_list(
            "pk", "submitted_at", "created_at"
        )
    }
    scores = _blend({pk: relevance.get(pk, 0.0) for pk in top}, when, timezone.now())
    ranked = sorted(top, key=lambda pk: (-scores[pk], -pk)) + by_relevance[BLEND_TOP:]
    results.total = len(ranked)
    page = ranked[offset : offset + limit]
    items = Item.objects.select_related("unit").in_bulk(page)
    texts = _attachment_texts(user, page)
    for pk in page:
        item = items[pk]
        snippet, found_in = fulltext.snippet_for(item.body, words), ""
        if not fulltext.has_mark(snippet) and pk in texts:
            found_in, text = texts[pk]
            snippet = fulltext.snippet_for(text, words)
        results.hits.append(
            Hit(
                item=item,
                score=round(scores.get(pk, 0.0), 4),
                title_html=fulltext.highlight(item.title, words),
                snippet=snippet,
                found_in=found_in,
            )
        )
    return results


def _attachment_texts(user: User, item_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    rows = (
        SearchEntry.objects.filter(
            item_id__in=item_ids,
            attachment__isnull=False,
            label__lte=user.clearance_level,
        )
        .order_by("id")
        .values_list("item_id", "attachment__original_name", "source")
    )
    for item_id, name, source in rows:
        found.setdefault(item_id, (name, source))
    return found
