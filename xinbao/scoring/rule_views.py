"""The section chief's configuration of scoring: rule set versions and ledger corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.lib.pagination import keyset_page
from xinbao.scoring import services
from xinbao.scoring.forms import CorrectionForm, LedgerForm, RuleFormSet, RuleSetForm, rule_values
from xinbao.scoring.models import RuleSet
from xinbao.scoring.rules import ruleset_on
from xinbao.scoring.selectors import (
    LEDGER_LINES,
    access_entry,
    access_ruleset,
    can_configure_scoring,
    ledger_entries,
)


def _rule_rows(ruleset: RuleSet | None) -> list[dict[str, Any]]:
    if ruleset is None:
        return []
    return [
        {"kind": r.kind, "key": r.key, "points": r.points, "label": r.label}
        for r in ruleset.rules.order_by("kind", "key")
    ]


@login_required
@require_GET
def ruleset_list(request: AuthedRequest) -> HttpResponse:
    require(can_configure_scoring(request.user))
    current = ruleset_on(timezone.localdate())
    versions = [(rs, services.ruleset_in_use(rs), rs.rules.count()) for rs in RuleSet.objects.all()]
    return render(
        request,
        "scoring/rulesets.html",
        {"versions": versions, "current": current, "first_open": services.first_open_day()},
    )


def _save(
    request: AuthedRequest, form: RuleSetForm, formset: Any, ruleset: RuleSet | None
) -> RuleSet | None:
    """Call the service on valid input; the refusal goes on the form, which keeps the rows."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    data = form.cleaned_data
    try:
        if ruleset is None:
            return services.create_ruleset(
                name=data["name"],
                effective_from=data["effective_from"],
                source=data["source"],
                rules=rule_values(formset),
                user=request.user,
            )
        return services.update_ruleset(
            ruleset=ruleset,
            name=data["name"],
            effective_from=data["effective_from"],
            source=data["source"],
            rules=rule_values(formset),
            user=request.user,
        )
    except services.ScoringError as exc:
        form.add_error(None, str(exc))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def ruleset_new(request: AuthedRequest) -> HttpResponse:
    """A new version, prefilled with the rules in force today, all edited on one form."""
    require(can_configure_scoring(request.user))
    current = ruleset_on(timezone.localdate())
    if request.method == "POST":
        form = RuleSetForm(request.POST)
        formset = RuleFormSet(request.POST, prefix="rules")
        saved = _save(request, form, formset, None)
        if saved is not None:
            messages.success(request, _("The new version of the rules is saved."))
            return redirect("scoring:ruleset", pk=saved.pk)
    else:
        first = services.first_open_day()
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        form = RuleSetForm(
            initial={
                "name": current.name if current else "",
                "effective_from": max(first, tomorrow),
                "source": current.source if current else "",
            }
        )
        formset = RuleFormSet(initial=_rule_rows(current), prefix="rules")
    return render(
        request,
        "scoring/ruleset_form.html",
        {"form": form, "formset": formset, "ruleset": None, "current": current},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ruleset_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A version: editable until points are posted under it, read-only after (and why)."""
    ruleset = access_ruleset(request.user, pk)
    in_use = services.ruleset_in_use(ruleset)
    closed = ruleset.effective_from < services.first_open_day()
    if in_use or closed:
        if request.method == "POST":
            messages.error(
                request,
                _("Points have been posted under this version, so it cannot be changed.")
                if in_use
                else _("This version began in a closed quarter and cannot be changed."),
            )
        return render(
            request,
            "scoring/ruleset_detail.html",
            {
                "ruleset": ruleset,
                "rules": ruleset.rules.order_by("kind", "key"),
                "in_use": in_use,
                "closed": closed,
            },
            status=409 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        form = RuleSetForm(request.POST)
        formset = RuleFormSet(request.POST, prefix="rules")
        if _save(request, form, formset, ruleset) is not None:
            messages.success(request, _("The version of the rules is saved."))
            return redirect("scoring:ruleset", pk=ruleset.pk)
    else:
        form = RuleSetForm(
            initial={
                "name": ruleset.name,
                "effective_from": ruleset.effective_from,
                "source": ruleset.source,
            }
        )
        formset = RuleFormSet(initial=_rule_rows(ruleset), prefix="rules")
    return render(
        request,
        "scoring/ruleset_form.html",
        {"form": form, "formset": formset, "ruleset": ruleset, "current": None},
        status=400 if request.method == "POST" else 200,
    )


#: The ledger's order, newest first; its pages are keyset pages over it.
LEDGER_KEYS = ("-on", "-id")


@login_required
@require_GET
def ledger(request: AuthedRequest) -> HttpResponse:
    """The ledger of a unit (or all) over a period, each entry with its correction."""
    require(can_configure_scoring(request.user))
    form = LedgerForm(request.GET or None)
    period = form.chosen()
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    return render(
        request,
        "scoring/ledger.html",
        {
            "form": form,
            "period": period,
            "unit": unit,
            "page": keyset_page(
                request,
                ledger_entries(period.start, period.end, unit),
                LEDGER_KEYS,
                per_page=LEDGER_LINES,
            ),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def correct_entry(request: AuthedRequest, pk: int) -> HttpResponse:
    """Reverse one entry with a reason (``services.correct``); refused twice, or unexplained."""
    entry = access_entry(request.user, pk)
    back = request.GET.get("back", "")
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                services.correct(entry=entry, reason=form.cleaned_data["reason"], user=request.user)
            except services.ScoringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Entry corrected: a reversing entry of %(points)s points was added.")
                    % {"points": -entry.points},
                )
                url = reverse("scoring:ledger")
                return redirect(f"{url}?{back}" if back else url)
    else:
        form = CorrectionForm()
    return render(
        request,
        "scoring/correct.html",
        {"entry": entry, "form": form, "back": back},
        status=400 if request.method == "POST" else 200,
    )
