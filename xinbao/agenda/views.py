"""Agenda pages: thin; reads through ``access`` and ``selectors``, writes through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.agenda import selectors, services
from xinbao.agenda.access import (
    access_priority,
    editable_flag,
    editable_match,
    editable_milestone,
    editable_priority,
    visible_priorities,
)
from xinbao.agenda.forms import CommissionForm, MilestoneForm, PriorityForm
from xinbao.agenda.models import Priority
from xinbao.items.access import access_item
from xinbao.items.search import search


@login_required
def priority_list(request: AuthedRequest) -> HttpResponse:
    """Every priority with its coverage; the stale ones first."""
    visible_priorities(request.user)  # the 403 for a role that reads none
    return render(
        request,
        "agenda/list.html",
        {
            "rows": selectors.overview(request.user),
            "can_manage": services.can_manage(request.user),
        },
    )


def _data(form: PriorityForm) -> services.PriorityData:
    data = form.cleaned_data
    return services.PriorityData(
        title=data["title"],
        kind=data["kind"],
        description=data["description"],
        keywords=data["keywords"],
        exclude=data["exclude"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        owner=data["owner"],
        units=list(data["units"]),
        stale_weeks=data["stale_weeks"],
        active=data["active"],
    )


def _save(request: AuthedRequest, form: PriorityForm, priority: Priority | None) -> Priority | None:
    try:
        if priority is None:
            return services.create_priority(user=request.user, data=_data(form))
        return services.update_priority(user=request.user, priority=priority, data=_data(form))
    except ValidationError as exc:
        form.add_error(None, exc)
    except services.AgendaError as exc:
        form.add_error(None, str(exc))
    return None


@login_required
def priority_create(request: AuthedRequest) -> HttpResponse:
    require(services.can_manage(request.user))
    form = PriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Priority created; the items of its period are matched."))
            return redirect("agenda:detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "agenda/form.html", {"form": form, "priority": None}, status=status)


@login_required
def priority_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    priority = editable_priority(request.user, pk)
    initial: dict[str, Any] = {
        "title": priority.title,
        "kind": priority.kind,
        "description": priority.description,
        "keywords": "\n".join(priority.keyword_list()),
        "exclude": "\n".join(priority.exclude_list()),
        "starts_on": priority.starts_on,
        "ends_on": priority.ends_on,
        "owner": priority.owner_id,
        "units": list(priority.units.values_list("pk", flat=True)),
        "stale_weeks": priority.stale_weeks,
        "active": priority.active,
    }
    form = PriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, priority)
        if saved is not None:
            messages.success(request, _("Priority saved."))
            return redirect("agenda:detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "agenda/form.html", {"form": form, "priority": priority}, status=status)


def _detail(
    request: AuthedRequest,
    priority: Priority,
    *,
    milestone_form: MilestoneForm | None = None,
    commission_form: CommissionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    cover = selectors.coverage(request.user, priority, request.GET.get("period", ""))
    manage = services.can_manage(request.user)
    query = request.GET.get("q", "").strip() if manage else ""
    matched = {m.item_id for m in cover.matches}
    found = [h for h in search(request.user, query, limit=20).hits] if query else []
    chart = {
        "weeks": [monday.strftime("%m-%d") for monday, _count in cover.weeks],
        "counts": [count for _monday, count in cover.weeks],
        "labels": {"title": _("Matched items per week"), "counts": _("Matched items")},
    }
    return render(
        request,
        "agenda/detail.html",
        {
            "priority": priority,
            "cover": cover,
            "periods": selectors.periods(priority),
            "today": timezone.localdate(),
            "can_manage": manage,
            "query": query,
            "found": [(hit, hit.item.pk in matched) for hit in found],
            "milestone_form": milestone_form or MilestoneForm(),
            "commission_form": commission_form or CommissionForm(),
            "can_commission": manage and services.commissions_available(),
            "chart": chart,
        },
        status=status,
    )


@login_required
def priority_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, access_priority(request.user, pk))


@login_required
@require_POST
def milestone_add(request: AuthedRequest, pk: int) -> HttpResponse:
    priority = editable_priority(request.user, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_milestone(
                user=request.user,
                priority=priority,
                title=data["title"],
                due_on=data["due_on"],
                note=data["note"],
            )
        except (services.AgendaError, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Milestone added."))
            return redirect("agenda:detail", pk=priority.pk)
    return _detail(request, priority, milestone_form=form, status=400)


@login_required
def milestone_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    milestone = editable_milestone(request.user, pk)
    initial = {
        "title": milestone.title,
        "due_on": milestone.due_on,
        "done_on": milestone.done_on,
        "note": milestone.note,
    }
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_milestone(
                user=request.user,
                milestone=milestone,
                title=data["title"],
                due_on=data["due_on"],
                done_on=data["done_on"],
                note=data["note"],
            )
        except (services.AgendaError, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Milestone saved."))
            return redirect("agenda:detail", pk=milestone.priority_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "agenda/milestone.html", {"form": form, "milestone": milestone}, status=status
    )


def _back(request: AuthedRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def match_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """An editor adds an item to a priority (from the priority's search, or the desk's page)."""
    priority = editable_priority(request.user, pk)
    raw = request.POST.get("item", "")
    item = access_item(request.user, int(raw) if raw.isdigit() else 0)
    try:
        services.add_match(user=request.user, priority=priority, item=item)
    except services.AgendaError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Item added to the priority."))
    return _back(request, reverse("agenda:detail", args=[priority.pk]))


@login_required
@require_POST
def item_match(request: AuthedRequest, pk: int) -> HttpResponse:
    """The desk's item page: add the item to the priority chosen there."""
    require(services.can_manage(request.user))
    item = access_item(request.user, pk)
    raw = request.POST.get("priority", "")
    priority = editable_priority(request.user, int(raw) if raw.isdigit() else 0)
    try:
        services.add_match(user=request.user, priority=priority, item=item)
    except services.AgendaError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Item added to the priority."))
    return _back(request, reverse("desk:item", args=[item.pk]))


@login_required
@require_POST
def match_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    found = editable_match(request.user, pk)
    try:
        services.remove_match(user=request.user, match=found)
    except services.AgendaError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Match removed; it will not be added again automatically."))
    return _back(request, reverse("agenda:detail", args=[found.priority_id]))


@login_required
@require_POST
def flag_commission(request: AuthedRequest, pk: int) -> HttpResponse:
    """Turn a stale flag into a research commission to the units concerned."""
    flag = editable_flag(request.user, pk)
    form = CommissionForm(request.POST)
    if form.is_valid():
        try:
            services.commission_from_flag(
                user=request.user,
                flag=flag,
                requirements=form.cleaned_data["requirements"],
                due_on=form.cleaned_data["due_on"],
            )
        except (services.AgendaError, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Commission sent to the units concerned."))
            return redirect("agenda:detail", pk=flag.priority_id)
    return _detail(request, flag.priority, commission_form=form, status=400)
