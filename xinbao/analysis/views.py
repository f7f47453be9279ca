"""Analysis pages: thin; reads through ``selectors`` from ``visible_items``, every write through
``analysis.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.analysis import selectors, services
from xinbao.analysis.access import (
    access_item_to_edit,
    access_item_to_view,
    access_target,
    can_edit,
    can_set_targets,
    require_targets,
    require_view,
)
from xinbao.analysis.forms import (
    PeriodForm,
    PlacementForm,
    ProposalFilterForm,
    TargetForm,
    UptakeForm,
)
from xinbao.analysis.models import AXES, MIX_KINDS, Horizon, MixTarget, Region, Sphere, Uptake
from xinbao.items.models import ItemKind
from xinbao.lib.pagination import keyset_page
from xinbao.periodicals.models import Instruction


def _period(request: AuthedRequest) -> tuple[PeriodForm, Any, Any, int | None]:
    """The period asked for (or the default, shown in the form's fields), and the unit class."""
    if not request.GET:
        start, end, unit_class = PeriodForm({}).period()
        return PeriodForm(initial={"start": start, "end": end}), start, end, unit_class
    form = PeriodForm(request.GET)
    start, end, unit_class = form.period()
    return form, start, end, unit_class


@login_required
def matrix(request: AuthedRequest) -> HttpResponse:
    require_view(request.user)
    form, start, end, unit_class = _period(request)
    items = selectors.counted_items(request.user, start=start, end=end, unit_class=unit_class)
    found = selectors.matrix(items)
    chart = selectors.trend(request.user, end=end, unit_class=unit_class)
    chart["labels"] = {
        "title": _("Share of the thin sides per month (%)"),
        "early_sign": str(Horizon.EARLY_SIGN.label),
        "daily_life": str(Sphere.DAILY_LIFE.label),
        "outside": str(Region.OUTSIDE.label),
        "totals": _("Items placed"),
    }
    query = {"start": start.isoformat(), "end": end.isoformat()}
    if unit_class is not None:
        query["unit_class"] = str(unit_class)
    axis_labels = {"horizon": _("Horizon"), "sphere": _("Sphere"), "region": _("Region")}
    context = {
        "form": form,
        "start": start,
        "end": end,
        "matrix": found,
        "views": [(axis_labels[v.rows_axis], axis_labels[v.cols_axis], v) for v in found.views],
        "chart": chart,
        "chart_rows": list(
            zip(
                chart["months"],
                chart["totals"],
                chart["early_sign"],
                chart["daily_life"],
                chart["outside"],
                strict=True,
            )
        ),
        "query": query,
    }
    return render(request, "analysis/matrix.html", context)


@login_required
def cell(request: AuthedRequest) -> HttpResponse:
    """The items of one cell of the matrix (or one side of an axis), for the period asked."""
    require_view(request.user)
    form, start, end, unit_class = _period(request)
    chosen = {
        name: request.GET.get(name, "") if request.GET.get(name, "") in choices.values else ""
        for name, choices in AXES
    }
    items = selectors.counted_items(request.user, start=start, end=end, unit_class=unit_class)
    page = Paginator(selectors.cell_items(items, **chosen), 50).get_page(request.GET.get("page"))
    labels = [str(dict(choices.choices)[chosen[name]]) for name, choices in AXES if chosen[name]]
    return render(
        request,
        "analysis/cell.html",
        {
            "page": page,
            "labels": labels,
            "start": start,
            "end": end,
            "form": form,
            "can_edit": can_edit(request.user),
            "here": request.get_full_path(),
        },
    )


def _back(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def place(request: AuthedRequest, pk: int) -> HttpResponse:
    item = access_item_to_edit(request.user, pk)
    form = PlacementForm(request.POST)
    back = _back(request, reverse("items:detail", args=[item.pk]))
    if not form.is_valid():
        messages.error(request, _("Choose a value on each axis."))
        return redirect(back)
    try:
        services.correct_placement(
            user=request.user,
            item=item,
            horizon=form.cleaned_data["horizon"],
            sphere=form.cleaned_data["sphere"],
            region=form.cleaned_data["region"],
        )
    except services.AnalysisError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Placement corrected."))
    return redirect(back)


#: The most months the mix page lists at once.
MIX_MAX_MONTHS = 36


@login_required
def mix(request: AuthedRequest) -> HttpResponse:
    require_view(request.user)
    form, start, end, _class = _period(request)
    if not request.GET:
        # By default the mix shows a year (the other pages a quarter).
        start = selectors.add_months(selectors.month_start(end), 1 - selectors.TREND_MONTHS)
        form = PeriodForm(initial={"start": start, "end": end})
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    found = selectors.mix(request.user, end=end, count=max(1, min(span, MIX_MAX_MONTHS)))
    kinds = [(k.value, str(k.label)) for k in MIX_KINDS]
    chart = {
        "months": [m.month.strftime("%Y-%m") for m in found],
        "series": [
            {
                "kind": kind,
                "label": label,
                "share": [m.kinds[kind][1] for m in found],
                "target": [m.kinds[kind][2] for m in found],
            }
            for kind, label in kinds
        ],
        "labels": {
            "title": _("Share of the office's own items by kind (%)"),
            "target": _("target"),
        },
    }
    return render(
        request,
        "analysis/mix.html",
        {
            "form": form,
            "months": [
                (
                    m.month,
                    m.total,
                    [
                        (n, share, target, target is not None and share < target)
                        for n, share, target in (m.kinds[kind] for kind, _l in kinds)
                    ],
                )
                for m in reversed(found)
            ],
            "kinds": kinds,
            "chart": chart,
            "can_set_targets": can_set_targets(request.user),
        },
    )


def _targets_page(
    request: AuthedRequest, form: TargetForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "analysis/targets.html",
        {
            "form": form or TargetForm(),
            "targets": MixTarget.objects.select_related("set_by").order_by("-valid_from", "kind"),
        },
        status=status,
    )


@login_required
def targets(request: AuthedRequest) -> HttpResponse:
    require_targets(request.user)
    if request.method != "POST":
        return _targets_page(request)
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _targets_page(request, form, status=400)
    try:
        services.set_target(
            user=request.user,
            kind=form.cleaned_data["kind"],
            share=form.cleaned_data["share"],
            valid_from=form.cleaned_data["valid_from"],
        )
    except services.AnalysisError as exc:
        form.add_error(None, str(exc))
        return _targets_page(request, form, status=400)
    messages.success(request, _("Target saved."))
    return redirect("analysis:targets")


@login_required
@require_POST
def target_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    target = access_target(request.user, pk)
    services.remove_target(user=request.user, target=target)
    messages.success(request, _("Target removed."))
    return redirect("analysis:targets")


@login_required
def proposals(request: AuthedRequest) -> HttpResponse:
    require_view(request.user)
    asked = any(name in request.GET for name in ("start", "end", "unit", "uptake"))
    if asked:
        form = ProposalFilterForm(request.GET)
    else:
        start, end, _class = PeriodForm({}).period()
        form = ProposalFilterForm(initial={"start": start, "end": end})
    rows = selectors.proposals(request.user, **form.filters())
    page = keyset_page(request, rows, ("-adopted_on", "-id"))
    by_unit, by_month = selectors.uptake_summaries(rows)
    return render(
        request,
        "analysis/proposals.html",
        {
            "form": form,
            "extra_fields": [form["unit"], form["uptake"]],
            "page": page,
            "tables": [(_("Per unit"), by_unit), (_("Per month of adoption"), by_month)],
            "uptakes": Uptake.choices,
            "can_edit": can_edit(request.user),
        },
    )


def _instructions(item_pk: int) -> Any:
    return Instruction.objects.filter(item_id=item_pk).select_related("leader").order_by("-pk")


@login_required
def proposal(request: AuthedRequest, pk: int) -> HttpResponse:
    item = access_item_to_view(request.user, pk)
    if (
        item.kind != ItemKind.PROPOSAL
        or not selectors.adopted_proposals().filter(pk=item.pk).exists()
    ):
        raise Http404
    follow = getattr(item, "proposal_follow_up", None)
    initial: dict[str, Any] = {}
    if follow is not None:
        initial = {
            "uptake": follow.uptake,
            "note": follow.note,
            "decided_on": follow.decided_on,
            "instruction": follow.instruction_id,
        }
    instructions = _instructions(item.pk)
    status = 200
    if request.method == "POST":
        access_item_to_edit(request.user, pk)
        form = UptakeForm(request.POST, instructions=instructions)
        if form.is_valid():
            try:
                services.record_uptake(user=request.user, item=item, **form.cleaned_data)
            except services.AnalysisError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Uptake recorded."))
                return redirect("analysis:proposals")
        status = 400
    else:
        form = UptakeForm(initial=initial, instructions=instructions)
    return render(
        request,
        "analysis/proposal.html",
        {
            "item": item,
            "follow": follow,
            "form": form,
            "instructions": instructions,
            "can_edit": can_edit(request.user),
        },
        status=status,
    )
