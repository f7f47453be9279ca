"""The search page (信息检索): Chinese words and filters, hits with highlighted snippets.

Thin: the form checks the input, ``xinbao.items.search`` finds (through ``visible_items``, so
unit and clearance hold as on every list), and the page shows. A plain GET form that htmx
enhances: the results are swapped in place and the address follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.accounts.permissions import can_use_desk
from xinbao.items import search
from xinbao.items.access import refuse_administrators
from xinbao.items.models import Item, ItemStatus
from xinbao.items.search_forms import SearchForm

PAGE_SIZE = 20
#: The furthest page one may ask for (the API's limit too).
MAX_OFFSET = 10_000
#: Statuses the desk does not list (desk.access.UNSENT): such an item opens on its own page.
NOT_AT_DESK = (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)


@dataclass(frozen=True)
class Row:
    hit: search.Hit
    #: The page the reader uses for the item: the desk's for the desk, else the item's own.
    href: str


@dataclass(frozen=True)
class Pager:
    number: int
    pages: int
    previous: str
    next: str


def item_href(user: User, item: Item) -> str:
    if can_use_desk(user) and item.status not in NOT_AT_DESK:
        return reverse("desk:item", args=[item.pk])
    return reverse("items:detail", args=[item.pk])


def _offset(raw: str | None) -> int:
    """The requested offset, read leniently: anything but a number is the first page."""
    if not raw or not raw.isdigit():
        return 0
    return min(int(raw), MAX_OFFSET)


def _pager(params: QueryDict, offset: int, total: int) -> Pager:
    """Links to the pages before and after, keeping the words and filters."""
    kept = params.copy()
    kept.pop("offset", None)

    def link(at: int) -> str:
        kept["offset"] = str(at)
        return "?" + kept.urlencode()

    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return Pager(
        number=offset // PAGE_SIZE + 1,
        pages=pages,
        previous=link(max(offset - PAGE_SIZE, 0)) if offset > 0 else "",
        next=link(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
    )


def _full_page_wanted(request: AuthedRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    # htmx restoring an address from history wants the whole page, as a plain GET does.
    return not htmx or htmx.boosted or htmx.history_restore_request


@login_required
@require_GET
def search_page(request: AuthedRequest) -> HttpResponse:
    # The administrators read no items (三员分立): 403, as the item list answers them.
    refuse_administrators(request.user)
    form = SearchForm(request.GET or None, user=request.user)
    results: search.Results | None = None
    rows: list[Row] = []
    pager: Pager | None = None
    if form.is_valid() and form.cleaned_data["q"]:
        filters = form.to_filters()
        offset = _offset(request.GET.get("offset"))
        query = form.cleaned_data["q"]
        results = search.search(
            request.user, query, filters=filters, offset=offset, limit=PAGE_SIZE
        )
        if results.total and not results.hits:  # past the last page: show the last one
            offset = (results.total - 1) // PAGE_SIZE * PAGE_SIZE
            results = search.search(
                request.user, query, filters=filters, offset=offset, limit=PAGE_SIZE
            )
        rows = [Row(hit, item_href(request.user, hit.item)) for hit in results.hits]
        pager = _pager(request.GET, offset, results.total)
    full = _full_page_wanted(request)
    template = "items/search.html" if full else "items/partials/_search_results.html"
    context = {"form": form, "results": results, "rows": rows, "pager": pager, "oob": not full}
    return render(request, template, context)
