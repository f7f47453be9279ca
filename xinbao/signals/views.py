"""Early-signal pages: thin; every write goes through ``signals.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.signals import selectors, services
from xinbao.signals.access import access_signal, visible_signals
from xinbao.signals.detect import HOUR
from xinbao.signals.forms import DemandForm, DismissForm, FilterForm
from xinbao.signals.models import EarlySignal, SignalState


@login_required
def signal_list(request: AuthedRequest) -> HttpResponse:
    signals = visible_signals(request.user)
    filter_form = FilterForm(request.GET or None)
    if filter_form.is_valid() and filter_form.cleaned_data["state"]:
        signals = signals.filter(state=filter_form.cleaned_data["state"])
    # Raised first (they wait for someone), then acknowledged, then the handled ones.
    order = Case(
        When(state=SignalState.RAISED, then=Value(0)),
        When(state=SignalState.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    page = Paginator(signals.order_by(order, "-raised_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "signals/list.html", {"page": page, "filter": filter_form})


def _chart(signal: EarlySignal) -> dict[str, Any]:
    """The hourly counts up to the window's end, labelled in Shanghai time, for the chart."""
    end = signal.window_end
    hours = len(signal.counts)
    labels = [
        timezone.localtime(end - (hours - i) * HOUR).strftime("%m-%d %H:00") for i in range(hours)
    ]
    window = round((signal.window_end - signal.window_start) / HOUR)
    return {
        "hours": labels,
        "counts": signal.counts,
        "baseline": signal.baseline / max(window, 1),
        "window_from": hours - window,
        "labels": {
            "counts": _("Posts per hour"),
            "baseline": _("Normal per hour"),
            "title": _("Counts over time"),
        },
    }


def _detail(
    request: AuthedRequest,
    signal: EarlySignal,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    moves = services.allowed_moves(request.user, signal)
    chart = _chart(signal)
    context = {
        "signal": signal,
        "posts": selectors.evidence(signal),
        "chart": chart,
        "chart_rows": list(zip(chart["hours"], chart["counts"], strict=True))[-24:],
        "moves": moves,
        "dismiss_form": forms.get("dismiss") or DismissForm(),
        "demand_form": forms.get("demand")
        or DemandForm(initial={"matter": _("Verify: %(label)s") % {"label": signal.label}}),
        "window_hours": round((signal.window_end - signal.window_start) / dt.timedelta(hours=1)),
    }
    return render(request, "signals/detail.html", context, status=status)


@login_required
def signal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, access_signal(request.user, pk))


@login_required
@require_POST
def signal_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    signal = access_signal(request.user, pk)
    try:
        services.acknowledge(user=request.user, signal=signal)
    except services.SignalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Signal acknowledged."))
    return redirect("signals:detail", pk=signal.pk)


@login_required
@require_POST
def signal_dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    signal = access_signal(request.user, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _detail(request, signal, {"dismiss": form}, status=400)
    try:
        services.dismiss(user=request.user, signal=signal, reason=form.cleaned_data["reason"])
    except services.SignalError as exc:
        form.add_error(None, str(exc))
        return _detail(request, signal, {"dismiss": form}, status=409)
    messages.success(request, _("Signal dismissed."))
    return redirect("signals:detail", pk=signal.pk)


@login_required
@require_POST
def signal_demand(request: AuthedRequest, pk: int) -> HttpResponse:
    signal = access_signal(request.user, pk)
    form = DemandForm(request.POST)
    if not form.is_valid():
        return _detail(request, signal, {"demand": form}, status=400)
    try:
        made = services.demand_verification(
            user=request.user,
            signal=signal,
            unit=form.cleaned_data["unit"],
            matter=form.cleaned_data["matter"],
            category=form.cleaned_data["category"],
        )
    except services.SignalError as exc:
        form.add_error(None, str(exc))
        return _detail(request, signal, {"demand": form}, status=409)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _detail(request, signal, {"demand": form}, status=400)
    messages.success(request, _("Verification demanded from %(unit)s.") % {"unit": made.unit})
    return redirect("signals:detail", pk=signal.pk)
