"""``GET /api/v1/search``: the items the caller may see that match a Chinese query.

Only parses, calls ``xinbao.items.search`` (which filters through ``visible_items``) and shapes
the answer.
"""

# No ``from __future__ import annotations``: ninja reads the annotations at import time.
import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xinbao.accounts.http import api_user
from xinbao.items import search
from xinbao.items.access import refuse_administrators
from xinbao.items.api import LABEL_DESCRIPTION, Id, Label, LocalTime, UnitOut
from xinbao.items.models import ItemKind, ItemStatus, Urgency
from xinbao.lib.api import ERROR_RESPONSES

router = Router()


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=200, description="Words to find, in Chinese.")
    unit_id: Id | None = Field(None, description="Items this unit reports or reports jointly.")
    unit_class_id: Id | None = Field(None, description="Items of units of this class.")
    kind: ItemKind | None = None
    urgency: Urgency | None = None
    status: ItemStatus | None = None
    topic_id: Id | None = None
    date_from: dt.date | None = Field(None, description="First submission day (Beijing time).")
    date_to: dt.date | None = Field(None, description="Last submission day (Beijing time).")
    offset: int = Field(0, ge=0, le=10_000)
    limit: int = Field(20, ge=1, le=100)


class HitOut(Schema):
    id: int
    title: str
    kind: ItemKind
    urgency: Urgency
    status: ItemStatus
    sensitivity: Label = Field(description=LABEL_DESCRIPTION)
    unit: UnitOut
    submitted_at: LocalTime | None
    score: float = Field(description="Relevance blended with recency; higher is better.")
    title_html: str = Field(description="The title, HTML-escaped, the query's words in <mark>.")
    snippet_html: str = Field(
        description="Text around the first match, HTML-escaped, the query's words in <mark>."
    )
    found_in: str = Field(description="The attachment the words were found in, or empty.")


class SearchOut(Schema):
    query: str
    words: list[str] = Field(description="The query's words as the search cut them.")
    total: int = Field(description="Matching items the caller may see.")
    hits: list[HitOut]


@router.get(
    "",
    response={200: SearchOut, **ERROR_RESPONSES},
    summary="Search items",
    description="Items the caller may see (as in the item list: unit and clearance) whose "
    "title, body or attached documents contain every word of ``q``, best first: relevance "
    "blended with recency. The three administrators read no items: 403.",
)
def search_items(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    user = api_user(request)
    refuse_administrators(user)
    filters = search.SearchFilters(
        unit=params.unit_id,
        unit_class=params.unit_class_id,
        kind=params.kind or "",
        urgency=params.urgency or "",
        status=params.status or "",
        topic=params.topic_id,
        date_from=params.date_from,
        date_to=params.date_to,
    )
    found = search.search(user, params.q, filters=filters, offset=params.offset, limit=params.limit)
    return SearchOut(
        query=found.query,
        words=found.words,
        total=found.total,
        hits=[
            HitOut(
                id=hit.item.pk,
                title=hit.item.title,
                kind=ItemKind(hit.item.kind),
                urgency=Urgency(hit.item.urgency),
                status=ItemStatus(hit.item.status),
                sensitivity=Label.of(hit.item.sensitivity),
                unit=UnitOut(id=hit.item.unit.pk, code=hit.item.unit.code, name=hit.item.unit.name),
                submitted_at=hit.item.submitted_at,
                score=hit.score,
                title_html=str(hit.title_html),
                snippet_html=str(hit.snippet),
                found_in=hit.found_in,
            )
            for hit in found.hits
        ],
    )
