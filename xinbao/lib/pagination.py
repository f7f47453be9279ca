"""Keyset (seek) pagination: pages of a list without OFFSET and without COUNT(*) over everything.

A page is found by the position of the row it starts after, not by its number: the query asks for
the rows that come after the last row shown, in the list's order, and reads one more than a page
to know whether there is a next one. Page 5,000 costs what page 1 costs, and no query counts the
whole table. The position travels in the query string as an opaque cursor (``?cursor=...``).

How to use it in a view::

    from xinbao.lib.pagination import keyset_page

    qs = visible_items(request.user).select_related("unit")
    page = keyset_page(request, qs, ("-submitted_at", "-id"), per_page=25)
    return render(request, "items/item_list.html", {"page": page})

and in the template, ``{% for item in page %}...{% endfor %}`` then
``{% include "includes/keyset_pager.html" %}`` (it reads ``page``; Previous / Next / First links
that keep the other query parameters, such as a filter form's).

Rules the caller keeps:

* ``keys`` is the whole ordering, most significant first, ``-`` for descending; the last key
  must be unique (the primary key) so that no two rows share a position. Keys are fields of the
  queryset's model (a foreign key by its name, read through its ``_id``) or annotations.
* An index should serve the ordering (``EXPLAIN``: see ``xinbao.lib.plans``), e.g.
  ``models.Index(fields=["unit", "-submitted_at", "-id"])`` for a unit's list.
* Nullable keys work: NULLs sort where the database sorts them (last in a descending list on
  SQLite, first on PostgreSQL) and the page boundary follows the same rule, so no row is lost
  or repeated between pages on either database.
* A cursor that does not decode (edited by hand, from an older ordering), or whose values are
  not what its keys' fields hold ("abc" for a time), gives the first page,
  as ``Paginator.get_page`` does for a bad page number; a cursor only moves within the queryset
  it is applied to, so it can never show a row the queryset does not contain.

Where a page shows a total, use :func:`bounded_count` ("more than 500") instead of ``count()``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cmp_to_key
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db import connections
from django.db.models import DateTimeField, Field, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone

T = TypeVar("T")

#: The query parameter that carries the cursor.
CURSOR_PARAM = "cursor"
#: Parameters of the old numbered pager, dropped from links so a stale ``?page=`` does not stick.
_DROPPED_PARAMS = (CURSOR_PARAM, "page")
#: The most rows one page may ask for, whatever the caller passes.
MAX_PER_PAGE = 200

_NEXT = "n"
_PREVIOUS = "p"


class BadCursor(ValueError):
    """The cursor does not decode into a position for this ordering."""


@dataclass(frozen=True)
class Cursor:
    """A position: the key values of a row, and whether the page runs after or before it."""

    direction: str
    values: tuple[Any, ...]

    def encode(self) -> str:
        raw = json.dumps([self.direction, [_dump(v) for v in self.values]], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, size: int) -> Cursor:
        """Parse a cursor for an ordering of ``size`` keys; raise :class:`BadCursor` otherwise."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            direction, values = json.loads(raw)
            decoded = tuple(_load(v) for v in values)
        except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            raise BadCursor(text) from exc
        if direction not in (_NEXT, _PREVIOUS) or len(decoded) != size:
            raise BadCursor(text)
        return cls(direction, decoded)


def _dump(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"m": str(value)}
    if isinstance(value, float):
        return {"f": repr(value)}
    raise TypeError(f"a keyset key cannot hold {type(value).__name__}")


def _load(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        if not isinstance(text, str):
            raise ValueError(text)
        if tag == "t":
            return dt.datetime.fromisoformat(text)
        if tag == "d":
            return dt.date.fromisoformat(text)
        if tag == "m":
            return Decimal(text)
        if tag == "f":
            return float(text)
    raise ValueError(value)


@dataclass(frozen=True)
class _Key:
    name: str  # as in the queryset: a field name or an annotation
    attr: str  # how to read it from a row: the attname of a foreign key
    descending: bool
    field: Field[Any, Any] | None  # the model field or the annotation's output field, if known

    @property
    def order(self) -> str:
        return f"-{self.name}" if self.descending else self.name


def _parse_keys(qs: QuerySet[Any, Any], keys: Sequence[str]) -> list[_Key]:
    if not keys:
        raise ValueError("keyset pagination needs an ordering")
    model = qs.model
    parsed = []
    for key in keys:
        name = key.removeprefix("-")
        found: Field[Any, Any] | None
        if name == "pk":
            found = model._meta.pk
        else:
            try:
                found = model._meta.get_field(name)
            except FieldDoesNotExist:  # not a field: an annotation, read under its name
                found = _annotation_field(qs, name)
        attr = getattr(found, "attname", None) or name
        parsed.append(_Key(name=name, attr=attr, descending=key.startswith("-"), field=found))
    return parsed


def _annotation_field(qs: QuerySet[Any, Any], name: str) -> Field[Any, Any] | None:
    annotation = qs.query.annotations.get(name)
    if annotation is None:
        return None
    try:
        field: Field[Any, Any] = annotation.output_field
    except FieldError:  # an expression of mixed types: its values are compared as they come
        return None
    return field


def _coerce(keys: list[_Key], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A cursor's values as its keys' fields hold them; :class:`BadCursor` for one they cannot.

    A cursor edited by hand ("abc" for a submission time) decodes, but the database would
    refuse it in the query: it is a bad cursor like one that does not decode.
    """
    out = []
    for key, value in zip(keys, values, strict=True):
        if value is not None and key.field is not None:
            try:
                value = key.field.to_python(value)
            except (ValidationError, ValueError, TypeError, OverflowError) as exc:
                raise BadCursor(repr(value)) from exc
            if isinstance(key.field, DateTimeField) and (
                not isinstance(value, dt.datetime) or timezone.is_naive(value)
            ):
                raise BadCursor(repr(value))  # every time stored is aware: a naive one was edited
        out.append(value)
    return tuple(out)


def _nulls_largest(using: str) -> bool:
    return bool(connections[using].features.nulls_order_largest)


def _after(key: _Key, value: Any, *, forward: bool, nulls_largest: bool) -> Q | None:
    """Rows strictly after ``value`` on this key, walking forward or backward; None: no row."""
    descending = key.descending != (not forward)
    # Where NULLs fall in this walk: first when the walk runs toward the NULL end.
    nulls_first = nulls_largest == descending
    if value is None:
        return Q(**{f"{key.name}__isnull": False}) if nulls_first else None
    q = Q(**{f"{key.name}__{'lt' if descending else 'gt'}": value})
    if not nulls_first:
        q |= Q(**{f"{key.name}__isnull": True})
    return q


def _equal(key: _Key, value: Any) -> Q:
    if value is None:
        return Q(**{f"{key.name}__isnull": True})
    return Q(**{key.name: value})


def _seek(keys: list[_Key], values: tuple[Any, ...], *, forward: bool, using: str) -> Q | None:
    """The rows after a position: (k0 after) or (k0 equal and k1 after) or ...

    With a non-NULL first value an extra range bound on the first key lets the database seek
    into its index instead of walking it from the start.
    """
    nulls_largest = _nulls_largest(using)
    branches: list[Q] = []
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        after = _after(key, value, forward=forward, nulls_largest=nulls_largest)
        if after is not None:
            branches.append(prefix & after)
        prefix &= _equal(key, value)
    if not branches:
        return None
    combined = branches[0]
    for branch in branches[1:]:
        combined |= branch
    first, value = keys[0], values[0]
    descending = first.descending != (not forward)
    if value is not None and nulls_largest == descending:
        # NULLs come first in this walk, so none comes after a value: the bound loses nothing.
        combined &= Q(**{f"{first.name}__{'lte' if descending else 'gte'}": value})
    return combined


class KeysetPage(Generic[T]):
    """One page of rows, with links (query strings) to the pages around it.

    Iterable like a ``Paginator`` page; ``previous_url`` / ``next_url`` / ``first_url`` are
    ``?...`` query strings that keep the request's other parameters, or None where there is no
    such page.
    """

    def __init__(
        self,
        rows: list[T],
        *,
        has_previous: bool,
        has_next: bool,
        previous_url: str | None,
        next_url: str | None,
        first_url: str | None,
        per_page: int,
    ) -> None:
        self.object_list = rows
        self.has_previous = has_previous
        self.has_next = has_next
        self.previous_url = previous_url
        self.next_url = next_url
        self.first_url = first_url
        self.per_page = per_page

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)

    def __getitem__(self, index: int) -> T:
        return self.object_list[index]


def _read(row: Any, key: _Key) -> Any:
    if isinstance(row, Mapping):
        return row[key.name] if key.name in row else row[key.attr]
    return getattr(row, key.attr)


def _link(params: QueryDict, cursor: Cursor | None) -> str:
    query = params.copy()
    for name in _DROPPED_PARAMS:
        query.pop(name, None)
    if cursor is not None:
        query[CURSOR_PARAM] = cursor.encode()
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _sort_key(keys: list[_Key], *, forward: bool, nulls_largest: bool) -> Any:
    """A Python sort key that orders rows as the database orders them in this walk."""

    def compare(a: Any, b: Any) -> int:
        for key in keys:
            x, y = _read(a, key), _read(b, key)
            if x == y:
                continue
            if x is None or y is None:
                # NULL is the largest value where the database says so, else the smallest.
                low = (x is None) != nulls_largest
                result = -1 if low else 1
            else:
                result = -1 if x < y else 1
            descending = key.descending != (not forward)
            return -result if descending else result
        return 0

    return cmp_to_key(compare)


def paginate(
    qs: QuerySet[Any, T] | Sequence[QuerySet[Any, T]],
    keys: Sequence[str],
    *,
    cursor: str | None,
    per_page: int,
    params: QueryDict | None = None,
) -> KeysetPage[T]:
    """The page of ``qs`` in the order ``keys`` at ``cursor`` (None or undecodable: the first).

    Runs one query of ``per_page + 1`` rows (two on the rare previous page that turns out to
    be the first, to fill it). ``params`` are the query parameters kept in the links.

    ``qs`` may be several querysets of one model whose union is the list (an OR that no single
    index serves, e.g. a unit's own items or those crediting it): each part is read a page at a
    time through its own index and the parts are merged here, a row found in two parts once
    (by its primary key: the parts yield model instances, not ``values()`` dicts).
    """
    parts = [qs] if isinstance(qs, QuerySet) else list(qs)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    using = parts[0].db
    parsed = _parse_keys(parts[0], keys)
    position: Cursor | None = None
    if cursor:
        try:
            decoded = Cursor.decode(cursor, len(parsed))
            position = Cursor(decoded.direction, _coerce(parsed, decoded.values))
        except BadCursor:
            position = None
    params = params if params is not None else QueryDict()
    forward = position is None or position.direction == _NEXT
    ordering = [k.order for k in parsed]
    if not forward:
        ordering = [o.removeprefix("-") if o.startswith("-") else f"-{o}" for o in ordering]
    seek = None
    if position is not None:
        seek = _seek(parsed, position.values, forward=forward, using=using)
    rows: list[T] = []
    for part in parts:
        query = part.order_by(*ordering)
        if position is not None:
            query = query.filter(seek) if seek is not None else query.none()
        rows.extend(query[: per_page + 1])
    if len(parts) > 1:
        # Model rows of one model (the parts are querysets of it): the same row once.
        unique = {row.pk: row for row in rows}  # type: ignore[attr-defined]  # T is that model
        nulls_largest = _nulls_largest(using)
        order = _sort_key(parsed, forward=forward, nulls_largest=nulls_largest)
        rows = sorted(unique.values(), key=order)[: per_page + 1]
    more = len(rows) > per_page
    rows = rows[:per_page]
    if forward:
        has_previous = position is not None
        has_next = more
    else:
        rows.reverse()
        has_previous = more
        has_next = True
        if not more:
            # Walked back to the start: show a full first page rather than a short one.
            return paginate(qs, keys, cursor=None, per_page=per_page, params=params)
    first_row, last_row = (rows[0], rows[-1]) if rows else (None, None)
    previous_url = next_url = None
    if has_previous and first_row is not None:
        back = Cursor(_PREVIOUS, tuple(_read(first_row, k) for k in parsed))
        previous_url = _link(params, back)
    if has_next and last_row is not None:
        on = Cursor(_NEXT, tuple(_read(last_row, k) for k in parsed))
        next_url = _link(params, on)
    return KeysetPage(
        rows,
        has_previous=has_previous,
        has_next=has_next,
        previous_url=previous_url,
        next_url=next_url,
        first_url=_link(params, None) if has_previous else None,
        per_page=per_page,
    )


def keyset_page(
    request: HttpRequest,
    qs: QuerySet[Any, T] | Sequence[QuerySet[Any, T]],
    keys: Sequence[str],
    *,
    per_page: int = 25,
) -> KeysetPage[T]:
    """:func:`paginate` with the cursor and the kept parameters read from ``request.GET``."""
    return paginate(
        qs, keys, cursor=request.GET.get(CURSOR_PARAM), per_page=per_page, params=request.GET
    )


class BoundedCount(int):
    """A count that stops at a cap: an ``int`` (the value, at most the cap) whose ``str()`` is
    "42" or, past the cap, "500+" (``more`` is then true)."""

    more: bool

    def __new__(cls, value: int, more: bool = False) -> BoundedCount:
        count = super().__new__(cls, value)
        count.more = more
        return count

    def __str__(self) -> str:
        return f"{int(self)}+" if self.more else str(int(self))

    __repr__ = __str__


def bounded_count(qs: QuerySet[Any, Any], cap: int = 500) -> BoundedCount:
    """How many rows ``qs`` has, reading at most ``cap + 1`` of them (never a full COUNT(*)).

    Show it with the pager's wording, e.g. ``{% blocktrans %}more than {{ n }}{% endblocktrans %}``
    where ``more`` is true.
    """
    found = qs.order_by().values("pk")[: cap + 1].count()
    return BoundedCount(min(found, cap), more=found > cap)
