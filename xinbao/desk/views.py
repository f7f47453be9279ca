"""Desk pages: thin; reads through desk.selectors, every write through desk.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.desk import groups, selectors, services
from xinbao.desk.access import access_desk_item, desk_items, require_desk
from xinbao.desk.forms import (
    AdoptForm,
    ArchiveForm,
    EditForm,
    ForwardForm,
    HigherAdoptionForm,
    InboxFilterForm,
    MergeForm,
    RejectForm,
    ReturnForm,
)
from xinbao.desk.models import DecisionKind
from xinbao.items.models import Item
from xinbao.items.workflow import Move, TransitionError, allowed_moves
from xinbao.lib import panels
from xinbao.lib.http import pick_template
from xinbao.lib.pagination import keyset_page

PAGE_SIZE = 25

#: The decision forms on an item's desk page, keyed by their move.
DECISION_FORMS: dict[str, type[forms.Form]] = {
    DecisionKind.ADOPT: AdoptForm,
    DecisionKind.RETURN: ReturnForm,
    DecisionKind.REJECT: RejectForm,
    DecisionKind.FORWARD: ForwardForm,
    DecisionKind.HIGHER_ADOPTION: HigherAdoptionForm,
    DecisionKind.ARCHIVE: ArchiveForm,
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _ids(move: str) -> str:
    """HTML ids per decision form: several forms on one page share field names."""
    return f"id_{move}_%s"


# --- inbox and queue ---------------------------------------------------------------------


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    require_desk(request.user)
    form = InboxFilterForm(request.GET or None)
    qs = selectors.inbox(request.user, form.to_filter())
    page = keyset_page(request, qs, ("-submitted_at", "-id"), per_page=PAGE_SIZE)
    template = pick_template(request, "desk/inbox.html", "desk/partials/_inbox_table.html")
    context = {"page": page, "filter": form, "tab": "inbox"}
    if template == "desk/inbox.html":
        context["queue_count"] = selectors.queue_count(request.user)
    return render(request, template, context)


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """What needs the user's action: undecided items, most urgent first."""
    require_desk(request.user)
    qs = selectors.needs_action(request.user)
    page = keyset_page(request, qs, selectors.QUEUE_ORDER, per_page=PAGE_SIZE)
    return render(
        request,
        "desk/queue.html",
        {"page": page, "tab": "queue", "queue_count": selectors.queue_count(request.user)},
    )


# --- one item --------------------------------------------------------------------------


def _item_page(
    request: AuthedRequest, item: Item, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    bound = bound or {}
    rows = selectors.versions(item)
    diff = selectors.diff(rows, _int(request.GET.get("a")), _int(request.GET.get("b")))
    if request.GET.get("partial") == "diff":
        # The version picker swaps only the diff.
        return render(
            request, "desk/partials/_diff.html", {"item": item, "diff": diff, "versions": rows}
        )
    lock = services.live_lock(item)
    mine = lock is not None and lock.user_id == request.user.pk
    latest_stored = max((r.number for r in rows if r.stored), default=None)
    edit_form = bound.get("edit") or EditForm(
        initial={"title": item.title, "body": item.body, "base_version": latest_stored}
    )
    labels: dict[str, str] = {
        DecisionKind.ADOPT: _("Adopt into periodicals"),
        DecisionKind.RETURN: _("Return for revision"),
        DecisionKind.REJECT: _("Not adopted"),
        DecisionKind.FORWARD: _("Forward upward"),
        DecisionKind.HIGHER_ADOPTION: _("Record a higher office's adoption"),
        DecisionKind.ARCHIVE: _("Archive"),
    }
    # The state table says which moves this user has on this item now.
    moves = allowed_moves(request.user, item)
    decision_forms = [
        {
            "move": move,
            "label": labels[move],
            "form": bound.get(move) or form_class(auto_id=_ids(move)),
        }
        for move, form_class in DECISION_FORMS.items()
        if move in moves
    ]
    outcome = selectors.outcome(item)
    status = 400 if bound else 200
    return render(
        request,
        "desk/item.html",
        {
            # What apps above the desk show on the item (lib/panels.py, kind "desk_item").
            "panels": panels.rendered("desk_item", request.user, item, request),
            "item": item,
            "versions": rows,
            "diff": diff,
            "lock": lock,
            "lock_mine": mine,
            "can_edit": Move.EDIT in moves and (lock is None or mine),
            "edit_form": edit_form,
            "decision_forms": decision_forms,
            "outcome": outcome,
            "merged_from": item.merged_sources(),
            "lock_minutes": services.LOCK_MINUTES,
        },
        status=status,
    )


@login_required
def item(request: AuthedRequest, pk: int) -> HttpResponse:
    require_desk(request.user)
    return _item_page(request, access_desk_item(request.user, pk))


def _act(request: AuthedRequest, item: Item, action: Callable[[], Any], done: str) -> HttpResponse:
    """Run a service call; its refusal becomes a message on the item's page."""
    try:
        action()
    except (TransitionError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("desk:item", pk=item.pk)


@login_required
@require_POST
def lock(request: AuthedRequest, pk: int) -> HttpResponse:
    require_desk(request.user)
    item = access_desk_item(request.user, pk)
    return _act(
        request,
        item,
        lambda: services.acquire_lock(user=request.user, item=item, request=request),
        _("The item is yours to edit for %(n)d minutes.") % {"n": services.LOCK_MINUTES},
    )


@login_required
@require_POST
def unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    require_desk(request.user)
    item = access_desk_item(request.user, pk)
    return _act(
        request,
        item,
        lambda: services.release_lock(user=request.user, item=item, request=request),
        _("Lock released."),
    )


@login_required
@require_POST
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save an edit; takes the lock if it is free, renews it if it is the user's."""
    require_desk(request.user)
    item = access_desk_item(request.user, pk)
    form = EditForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, {"edit": form})
    d = form.cleaned_data

    def save() -> None:
        services.acquire_lock(user=request.user, item=item, request=request)
        services.edit_item(
            user=request.user,
            item=item,
            title=d["title"],
            body=d["body"],
            note=d["note"],
            base_version=d["base_version"],
            request=request,
        )

    return _act(request, item, save, _("Edit saved as a new version."))


def _decision(
    request: AuthedRequest, pk: int, move: str, call: Callable[[Item, dict[str, Any]], Any]
) -> HttpResponse:
    require_desk(request.user)
    item = access_desk_item(request.user, pk)
    form = DECISION_FORMS[move](request.POST, auto_id=_ids(move))
    if not form.is_valid():
        return _item_page(request, item, {move: form})
    messages_done: dict[str, str] = {
        DecisionKind.ADOPT: _("Adopted; the unit has been told."),
        DecisionKind.RETURN: _("Returned for revision; the unit has been told."),
        DecisionKind.REJECT: _("Marked not adopted; the unit has been told."),
        DecisionKind.FORWARD: _("Forwarding recorded."),
        DecisionKind.HIGHER_ADOPTION: _("The higher office's adoption is recorded."),
        DecisionKind.ARCHIVE: _("Archived."),
    }
    done = messages_done[move]
    return _act(request, item, lambda: call(item, form.cleaned_data), done)


@login_required
@require_POST
def adopt(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        DecisionKind.ADOPT,
        lambda item, d: services.adopt(
            user=request.user,
            item=item,
            periodicals=list(d["periodicals"]),
            comment=d["comment"],
            request=request,
        ),
    )


@login_required
@require_POST
def return_item(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        DecisionKind.RETURN,
        lambda item, d: services.return_for_revision(
            user=request.user, item=item, comment=d["comment"], request=request
        ),
    )


@login_required
@require_POST
def reject(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        DecisionKind.REJECT,
        lambda item, d: services.reject(
            user=request.user, item=item, reason=d["reason"], request=request
        ),
    )


@login_required
@require_POST
def forward(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        DecisionKind.FORWARD,
        lambda item, d: services.forward(
            user=request.user,
            item=item,
            to_office=d["to_office"],
            comment=d["comment"],
            request=request,
        ),
    )


@login_required
@require_POST
def higher_adoption(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        DecisionKind.HIGHER_ADOPTION,
        lambda item, d: services.record_higher_adoption(
            user=request.user,
            item=item,
            level=d["level"],
            publication=d["publication"],
            adopted_on=d["adopted_on"],
            comment=d["comment"],
            request=request,
        ),
    )


@login_required
@require_POST
def archive(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decision(
        request,
        pk,
        DecisionKind.ARCHIVE,
        lambda item, d: services.archive(
            user=request.user, item=item, comment=d["comment"], request=request
        ),
    )


# --- merging -----------------------------------------------------------------------------


def _chosen_ids(values: list[str]) -> list[int]:
    return [n for n in (_int(v) for v in values) if n is not None]


@login_required
def merge(request: AuthedRequest) -> HttpResponse:
    """GET ?items=1&items=2: the merge form, prefilled; POST: merge them."""
    require_desk(request.user)
    data = request.POST if request.method == "POST" else request.GET
    ids = _chosen_ids(data.getlist("items"))
    sources = selectors.merge_sources(request.user, ids)
    if len(sources) < 2:
        messages.error(
            request, _("Choose at least two submitted or received items in the inbox to merge.")
        )
        return redirect("desk:inbox")
    allowed = desk_items(request.user).filter(pk__in=[s.pk for s in sources])
    if request.method == "POST":
        form = MergeForm(request.POST, sources=allowed)
        if form.is_valid():
            d = form.cleaned_data
            chosen = {i.pk for i in d["items"]}
            ordered = [s for s in sources if s.pk in chosen]
            try:
                merged = services.merge(
                    user=request.user,
                    items=ordered,
                    title=d["title"],
                    body=d["body"],
                    periodicals=list(d["periodicals"]),
                    comment=d["comment"],
                    request=request,
                )
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("Merged into a comprehensive item; every unit has been told.")
                )
                return redirect("desk:item", pk=merged.pk)
    else:
        form = MergeForm(
            initial={**selectors.merge_initial(sources), "items": [s.pk for s in sources]},
            sources=allowed,
        )
    return render(
        request,
        "desk/merge.html",
        {"form": form, "sources": sources, "unit_counts": selectors.unit_counts(sources)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- same-event groups -------------------------------------------------------------------


@login_required
def group(request: AuthedRequest, pk: int) -> HttpResponse:
    """The item's same-event group (an htmx partial on the item's page)."""
    require_desk(request.user)
    item = access_desk_item(request.user, pk)
    return render(
        request,
        "desk/partials/_group.html",
        {"item": item, "panel": groups.panel(request.user, item)},
    )


@login_required
@require_POST
def group_draft(request: AuthedRequest, pk: int) -> HttpResponse:
    """Merge the group's open items into a comprehensive item drafted from them."""
    require_desk(request.user)
    item = access_desk_item(request.user, pk)
    panel = groups.panel(request.user, item)
    if len(panel.mergeable) < 2:
        messages.error(
            request, _("This item's group has fewer than two items that may still be merged.")
        )
        return redirect("desk:item", pk=item.pk)
    draft = groups.comprehensive_draft(panel.mergeable)
    try:
        merged = services.merge(
            user=request.user,
            items=panel.mergeable,
            title=draft.title,
            body=draft.body,
            request=request,
        )
    except (TransitionError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("desk:item", pk=item.pk)
    messages.success(
        request,
        _(
            "A comprehensive item was drafted from the group; every unit has been told. Check it "
            "and edit it before adopting it."
        ),
    )
    return redirect("desk:item", pk=merged.pk)
