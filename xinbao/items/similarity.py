"""Same-event groups: items that tell of the same event, found by an indexed query.

Each item's text (title and body, segmented into words by ``xinbao.lib.text``) is cut into
word pairs within clauses, so that reordered sentences keep their shingles. Its MinHash
signature is taken by one-permutation hashing with optimal densification (Shrivastava 2017):
one 64-bit hash per shingle, its low bits pick one of 128 bins and its high 32 bits compete for
that bin's minimum; an empty bin borrows from the next non-empty bin of a fixed probe order.
That is one hash per shingle instead of 128, with the same estimator (the share of equal
bins). numpy is no dependency of the project, hence hashlib rather than datasketch.

The signature is cut into 32 bands of 4 values; each band's hash is a row of ``ItemBand``
indexed on (band, hash), so the candidates of an item are found through that index in SQLite
and PostgreSQL alike (their ids, then their items: a constant three queries with the item's
own signature), with nothing held in memory between requests. A pair of items with Jaccard
similarity 0.7 shares a band with probability 0.9998, one at 0.5 with 0.87, one at 0.1 with
0.003.

A candidate is in the item's group when the estimated Jaccard similarity reaches
``THRESHOLD``, it was sent within the window (``XINBAO_SIMILAR_WINDOW_DAYS``) and the facts
both state agree: at the city, county or township level, a unit both name (when both name
any), and event times (with a clock) at most two days apart. Two floods in different counties
share most of their words; their places keep them apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import struct
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.items.access import visible_items
from xinbao.items.models import Item, ItemBand, ItemSignature, ItemStatus
from xinbao.lib import bulk
from xinbao.lib.facts import event_time
from xinbao.lib.text import clauses as segmented

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
#: The least estimated Jaccard similarity of two items on the same event.
THRESHOLD = 0.5
#: The most candidates a lookup reads (items sharing a band with the one looked up).
MAX_CANDIDATES = 1000
_EMPTY = 0xFFFFFFFF + 1
_FORMAT = f">{NUM_PERM}I"
_BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _probe_order(i: int) -> tuple[int, ...]:
    return tuple(
        sorted((j for j in range(NUM_PERM) if j != i), key=lambda j: _hash64(f"{i}:{j}".encode()))
    )


@functools.cache
def _probes() -> tuple[tuple[int, ...], ...]:
    """For each bin, the other bins in a fixed pseudo-random order (the densification)."""
    return tuple(_probe_order(i) for i in range(NUM_PERM))


def shingles(title: str, body: str, *, clauses: list[list[str]] | None = None) -> set[str]:
    """Word pairs within each clause of the title and body (a one-word clause: the word).

    Clauses rather than the whole text, so that reordered sentences keep their shingles;
    ``clauses`` is ``segmented(f"{title}\\n{body}")`` where the caller has it already.
    """
    out: set[str] = set()
    for ws in clauses if clauses is not None else segmented(f"{title}\n{body}"):
        if len(ws) == 1:
            out.add(ws[0])
        out.update(f"{a} {b}" for a, b in itertools.pairwise(ws))
    return out


def signature(items: Iterable[str]) -> tuple[int, ...] | None:
    """The MinHash signature of a set of shingles; ``None`` for an empty set."""
    bins = [_EMPTY] * NUM_PERM
    for shingle in items:
        h = _hash64(shingle.encode())
        b = h % NUM_PERM
        v = h >> 32
        if v < bins[b]:
            bins[b] = v
    if all(v == _EMPTY for v in bins):
        return None
    probes = _probes()
    return tuple(
        v if v != _EMPTY else next(bins[j] for j in probes[i] if bins[j] != _EMPTY)
        for i, v in enumerate(bins)
    )


def pack(sig: Sequence[int]) -> bytes:
    return struct.pack(_FORMAT, *sig)


def unpack(data: bytes | memoryview) -> tuple[int, ...]:
    return struct.unpack(_FORMAT, bytes(data))


def band_hashes(sig: Sequence[int]) -> list[tuple[int, int]]:
    """(band, hash) of each band: a signed 64-bit hash of the band's number and values."""
    out = []
    for band in range(BANDS):
        chunk = struct.pack(f">H{ROWS}I", band, *sig[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "big", signed=True)))
    return out


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The estimated Jaccard similarity of the two signatures' texts."""
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / NUM_PERM


# --- facts ---------------------------------------------------------------------------------

_SUFFIXES = ("自治区", "自治州", "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡", "村")
_LEVEL = {
    "省": 0,
    "自治区": 0,
    "自治州": 1,
    "市": 1,
    "州": 1,
    "盟": 1,
    "县": 2,
    "区": 2,
    "旗": 2,
    "镇": 3,
    "乡": 3,
    "村": 4,
}
#: The levels compared: city, county, township. A province is too wide to tell events apart,
#: a village too often left out.
_COMPARED = (1, 2, 3)
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
# Two-character words that end like a place but name none: 全市, 城市, 社区, 灾区, 家乡...
_NOT_A_NAME = frozenset(
    "全本该各此邻外城地小社灾景辖园山郊矿牧林库新老片街校厂分省市县区乡镇村家故他下等"
)
_MAX_PLACES = 100
_LAST_CHARS = frozenset(s[-1] for s in _SUFFIXES)


def _suffix(word: str) -> str | None:
    if not word or word[-1] not in _LAST_CHARS:
        return None
    return next((s for s in _SUFFIXES if word.endswith(s) and len(word) > len(s)), None)


def place_names(text: str, *, clauses: list[list[str]] | None = None) -> list[str]:
    """The names of administrative units in ``text`` (东城县, 青石镇, 合肥市), in order, once.

    Read from the segmenter's words, clause by clause ("…有震感，市民…" gives no 震感市): a
    word ending in 省, 市, 县, 镇… or an unknown name followed by the suffix alone (东城 + 县).
    Generic words (全市, 城区) are no names. ``clauses`` is ``segmented(text)`` if known.
    """
    found: list[str] = []
    for ws in clauses if clauses is not None else segmented(text):
        for name in _names_in(ws):
            if name not in found:
                found.append(name)
    return found


def _names_in(ws: list[str]) -> list[str]:
    """Names in one clause's words: 东城县; 东城 + 县; and 鹿泉 + 区旧 (an unknown name whose
    suffix the segmenter glued to the next word, as in 东城 + 县委)."""
    found: list[str] = []
    for i, w in enumerate(ws):
        # Most words neither end in a suffix nor start with one after a name: skip them early.
        if w[-1] not in _LAST_CHARS and not (len(w) == 2 and w[0] in "市县区镇乡旗"):
            continue
        name = None
        prev = ws[i - 1] if i > 0 else ""
        after_name = len(prev) >= 2 and len(prev) <= 6 and _CJK.match(prev)
        if len(w) == 1 and w in _LEVEL and i > 0 and _CJK.match(prev) and len(prev) <= 6:
            name = prev + w
        elif _CJK.match(w) and _suffix(w) is not None:
            name = w
        elif len(w) == 2 and w[0] in "市县区镇乡旗" and after_name and _suffix(prev) is None:
            name = prev + w[0]
        if name is None or (len(name) == 2 and name[0] in _NOT_A_NAME):
            continue
        found.append(name)
    return found


def _levels(places: str) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for name in places.split():
        suffix = _suffix(name)
        if suffix is not None:
            out.setdefault(_LEVEL[suffix], set()).add(name)
    return out


def places_agree(a: str, b: str) -> bool:
    """Whether two items' places (``place_names``, space-separated) may be one event's.

    They disagree when, at the city, county or township level, both name units and none is
    the same: two floods in different counties. A name both give, or a level only one of them
    names, leaves them agreeing.
    """
    la, lb = _levels(a), _levels(b)
    return not any(
        la.get(level) and lb.get(level) and not la[level] & lb[level] for level in _COMPARED
    )


def times_agree(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    """Whether two event times may be the same event: at most two Beijing days apart.

    Two days, not one: a unit that reports a day later writes "昨天" for what the first wrote
    "今天", and the extractor reads the first time a report names, which a reordered copy may
    not name first.
    """
    if a is None or b is None:
        return True
    return abs((a.astimezone(_BEIJING).date() - b.astimezone(_BEIJING).date()).days) <= 2


def _facts_of(
    place_field: str,
    text: str,
    event_at: dt.datetime | None,
    reference: dt.datetime,
    clauses: list[list[str]],
) -> tuple[str, dt.datetime | None]:
    """The item's place names (its place field's first) and its event time (the field, else
    read from ``text`` against ``reference``); ``clauses`` is ``segmented(text)``."""
    names = place_names(place_field) + place_names("", clauses=clauses)
    places = ""
    for name in dict.fromkeys(names):
        if len(places) + len(name) + 1 > _MAX_PLACES:
            break
        places = f"{places} {name}".strip()
    if event_at is None:
        when = event_time(text, reference_time=reference)
        # A day without a clock is too often a misread ("17日" read against the wrong month,
        # the first of several dates): only a time with its clock tells events apart.
        if when is not None and when.has_clock:
            event_at = when.value
    return places, event_at


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """What an item's text gives its ``ItemSignature`` and bands, computed without a query
    (so that a batch computes it before its transaction takes the write lock)."""

    minhash: bytes
    place: str
    event_at: dt.datetime | None
    bands: tuple[tuple[int, int], ...]


def sign(
    *, title: str, body: str, place: str, event_at: dt.datetime | None, reference: dt.datetime
) -> Signed | None:
    """The signature of a text (None: it has no words); ``reference`` is when it was written,
    for relative dates in it."""
    text = f"{title}\n{body}"
    clauses = segmented(text)
    sig = signature(shingles(title, body, clauses=clauses))
    if sig is None:
        return None
    places, when = _facts_of(place, f"{body}\n{title}", event_at, reference, clauses)
    return Signed(pack(sig), places, when, tuple(band_hashes(sig)))


def sign_item(item: Item) -> Signed | None:
    return sign(
        title=item.title,
        body=item.body,
        place=item.place,
        event_at=item.event_at,
        reference=item.submitted_at or item.created_at or timezone.now(),
    )


#: Band rows per INSERT: 3 parameters a row, under SQLite's old limit of 999 a statement.
_BAND_CHUNK = 333


def _insert_bands(rows: Sequence[tuple[int, int, int]]) -> None:
    """Insert (item id, band, hash) rows in multi-row statements: 32 rows an item make the
    ORM's objects and bulk_create the larger part of signing a batch."""
    if not rows:
        return
    qn = connection.ops.quote_name
    fields = {f.name: f.column for f in ItemBand._meta.concrete_fields}
    names = [fields["item"], fields["band"], fields["hash"]]
    if connection.vendor == "postgresql" and len(rows) > _BAND_CHUNK:
        # A batch's rows by COPY: one stream instead of a statement per 333 rows (it goes
        # past Django's query log, so one item's rows stay an INSERT).
        bulk.copy_rows(ItemBand._meta.db_table, names, rows)
        return
    columns = ", ".join(qn(name) for name in names)
    table = qn(ItemBand._meta.db_table)
    # Names from the model's meta, values as parameters.
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BAND_CHUNK):
            chunk = rows[start : start + _BAND_CHUNK]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(head + values, [v for row in chunk for v in row])


def index_items(
    items: Sequence[Item], *, new: bool = False, signed: Sequence[Signed | None] | None = None
) -> None:
    """Write (or rewrite) the items' signatures and bands; call it wherever a text is saved.

    ``signed``: each item's ``sign_item``, where the caller computed it already. With ``new``
    (items just created, with no rows yet) it costs two queries however many items, and one
    more per 333 band rows. An item without words has neither, and is in no group.
    """
    if not items:
        return
    if not new:
        pks = [i.pk for i in items]
        ItemBand.objects.filter(item_id__in=pks).delete()
        ItemSignature.objects.filter(item_id__in=pks).delete()
    if signed is None:
        signed = [sign_item(item) for item in items]
    rows = [(item, s) for item, s in zip(items, signed, strict=True) if s is not None]
    bulk.insert(
        ItemSignature,
        [
            ItemSignature(item=item, minhash=s.minhash, place=s.place, event_at=s.event_at)
            for item, s in rows
        ],
    )
    _insert_bands([(item.pk, band, h) for item, s in rows for band, h in s.bands])


def index_item(item: Item) -> None:
    """``index_items`` for one item whose text changed."""
    index_items([item])


def sign_missing(*, limit: int = 2000) -> int:
    """Sign up to ``limit`` items that have no signature (written past the services, such as
    the demo's bulk load, or from before signatures existed); merged items stay out. Returns
    how many were tried (an item without words stays unsigned and is tried again)."""
    signed = ItemSignature.objects.values("item_id")
    todo = list(
        Item.objects.exclude(status=ItemStatus.MERGED).exclude(pk__in=signed).order_by("pk")[:limit]
    )
    index_items(todo, new=True)
    return len(todo)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    item: Item
    score: float


def window() -> dt.timedelta:
    return dt.timedelta(days=settings.XINBAO_SIMILAR_WINDOW_DAYS)


def _sent_at(item: Item) -> dt.datetime:
    return item.submitted_at or item.created_at


def matching(
    base: QuerySet[Item],
    sig: Sequence[int],
    *,
    place: str,
    event_at: dt.datetime | None,
    around: dt.datetime,
    exclude: int | None = None,
) -> list[Similar]:
    """The items of ``base`` on the same event as ``sig``, most similar first.

    Candidates share a band with ``sig`` and were sent within the window of ``around``: one
    indexed query, with their signatures and units; they are then confirmed by similarity,
    place and event day. ``base`` says who may see what (``visible_items``).
    """
    keys = Q()
    for band, h in band_hashes(sig):
        keys |= Q(band=band, hash=h)
    # The band index drives the lookup: the candidates' ids first (a few dozen), then their
    # items, rather than a subquery a planner may run from the window's side (all the items
    # of those days). Past MAX_CANDIDATES, the rest are dropped: only a flood of identical
    # texts gets there, and the newest (the highest ids) are kept.
    bands = ItemBand.objects.filter(keys)
    if exclude is not None:
        bands = bands.exclude(item_id=exclude)
    ids = list(
        bands.values_list("item_id", flat=True).distinct().order_by("-item_id")[:MAX_CANDIDATES]
    )
    if not ids:
        return []
    span = (around - window(), around + window())
    sent = Q(submitted_at__range=span) | Q(submitted_at__isnull=True, created_at__range=span)
    qs = base.filter(sent, pk__in=ids, signature__isnull=False)
    found = []
    for other in qs.select_related("unit", "signature"):
        theirs = other.signature
        score = jaccard(sig, unpack(theirs.minhash))
        if (
            score >= THRESHOLD
            and places_agree(place, theirs.place)
            and times_agree(event_at, theirs.event_at)
        ):
            found.append(Similar(other, score))
    found.sort(key=lambda s: (-s.score, _sent_at(s.item)))
    return found


def similar_items(item: Item, user: User) -> list[Similar]:
    """Items on the same event as ``item`` that ``user`` may see, most similar first.

    ``item`` itself is not among them. A constant number of queries, whatever the corpus.
    """
    stored = ItemSignature.objects.filter(item=item).first()
    if stored is None:
        return []
    return matching(
        visible_items(user),
        unpack(stored.minhash),
        place=stored.place,
        event_at=stored.event_at,
        around=_sent_at(item),
        exclude=item.pk,
    )


def similar_to_text(
    base: QuerySet[Item],
    *,
    title: str,
    body: str,
    place: str = "",
    event_at: dt.datetime | None = None,
    written_at: dt.datetime | None = None,
    exclude: int | None = None,
) -> list[Similar]:
    """Items of ``base`` on the same event as a text not yet stored (a draft being written)."""
    around = written_at or timezone.now()
    signed = sign(title=title, body=body, place=place, event_at=event_at, reference=around)
    if signed is None:
        return []
    return matching(
        base,
        unpack(signed.minhash),
        place=signed.place,
        event_at=signed.event_at,
        around=around,
        exclude=exclude,
    )


@dataclass(frozen=True)
class UnitReports:
    unit_name: str
    unit_pk: int
    items: list[Item]


@dataclass(frozen=True)
class Group:
    """An item and the items on the same event, with who reported them and when."""

    item: Item
    similar: list[Similar]

    @property
    def items(self) -> list[Item]:
        return sorted([self.item, *(s.item for s in self.similar)], key=_sent_at)

    @property
    def units(self) -> list[UnitReports]:
        """Each reporting unit with its items, the unit with the most reports first."""
        by_unit: dict[int, list[Item]] = {}
        for i in self.items:
            by_unit.setdefault(i.unit_id, []).append(i)
        counts = Counter({pk: len(v) for pk, v in by_unit.items()})
        return [
            UnitReports(by_unit[pk][0].unit.short_name or by_unit[pk][0].unit.name, pk, by_unit[pk])
            for pk, _ in counts.most_common()
        ]

    @property
    def first(self) -> Item:
        return self.items[0]

    @property
    def latest(self) -> Item:
        return self.items[-1]


def group_of(item: Item, user: User) -> Group:
    """The same-event group of ``item`` as ``user`` may see it (``item`` included)."""
    return Group(item, similar_items(item, user))
