"""Statistics pages: the office's dashboard, a unit's page, the XLSX export. Read only.

The office roles of ``SCORE_VIEWER_ROLES`` see every unit; a reporter is sent to their own
unit's page and gets 404 for any other unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import require
from xinbao.desk.models import Adoption
from xinbao.items.models import ItemKind
from xinbao.lib import panels
from xinbao.scoring import statistics
from xinbao.scoring.export import workbook_bytes
from xinbao.scoring.forms import Period, PeriodForm
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.scoring.statistics import MonthPoint, UnitStats, access_unit, can_view_scores

LEDGER_LINES = 200


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _number(points: Decimal) -> float:
    return float(points)


def _mix_data(mix: dict[str, int]) -> list[dict[str, Any]]:
    labels = dict(ItemKind.choices)
    return [{"name": str(labels[k]), "value": n, "kind": k} for k, n in mix.items()]


def _trend_data(months: list[MonthPoint]) -> dict[str, Any]:
    return {
        "months": [m.month.strftime("%Y-%m") for m in months],
        "points": [_number(m.points) for m in months],
        "submitted": [m.submitted for m in months],
    }


def _rows_data(rows: list[UnitStats]) -> dict[str, Any]:
    return {
        "units": [r.unit.short_name or r.unit.name for r in rows],
        "points": [_number(r.points) for r in rows],
        "adoption": [_percent(r.adoption_rate) for r in rows],
        "timeliness": [_percent(r.timeliness) for r in rows],
        "quality": [_percent(r.quality_share) for r in rows],
    }


def _labels() -> dict[str, str]:
    """Chart titles and series names, translated here so the script holds no text."""
    return {
        "points": _("Points"),
        "submitted": _("Submitted"),
        "adoption": _("Adoption rate (%)"),
        "timeliness": _("Urgent timeliness (%)"),
        "ranking": _("Ranking by points"),
        "trend": _("Monthly trend"),
        "rates": _("Adoption rate and timeliness"),
        "mix": _("Quality mix"),
    }


def _mix_rows(mix: dict[str, int]) -> list[tuple[str, int, float | None]]:
    total = sum(mix.values())
    labels = dict(ItemKind.choices)
    return [(str(labels[k]), n, _percent(n / total) if total else None) for k, n in mix.items()]


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.REPORTER and user.unit_id is not None:
        return redirect("scoring:unit", pk=user.unit_id)
    require(can_view_scores(user))
    form = PeriodForm(request.GET or None)
    period = form.chosen()
    rows = statistics.ranking(period.start, period.end, period.unit_class)
    mix = statistics.kind_mix(period.start, period.end, period.unit_class)
    months = statistics.trend(None, 12, until=period.last_day, unit_class=period.unit_class)
    charts = {
        "ranking": _rows_data(rows),
        "trend": _trend_data(months),
        "mix": _mix_data(mix),
        "labels": _labels(),
    }
    context = {
        "form": form,
        "period": period,
        "rows": rows,
        "totals": statistics.totals(rows),
        "mix_rows": _mix_rows(mix),
        "months": months,
        "charts": charts,
        "query": request.GET.urlencode(),
        # What apps above scoring count for the same period (kind "scoring": the Period).
        "panels": panels.rendered("scoring", user, period, request),
    }
    return render(request, "scoring/dashboard.html", context)


@login_required
@require_GET
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = access_unit(request.user, pk)
    form = PeriodForm(request.GET or None, with_class=False)
    period = form.chosen()
    (stats,) = statistics.unit_statistics(period.start, period.end, unit=unit)
    mix = statistics.kind_mix(period.start, period.end, unit=unit)
    months = statistics.trend(unit, 12, until=period.last_day)
    entries = list(
        ScoreEntry.objects.filter(
            unit=unit, on__gte=period.start, on__lt=period.end
        ).select_related("via")[:LEDGER_LINES]
    )
    context = {
        "unit": unit,
        "form": form,
        "period": period,
        "stats": stats,
        "mix_rows": _mix_rows(mix),
        "months": months,
        "entries": entries,
        "withheld": _withheld(entries, request.user),
        "ledger_limit": LEDGER_LINES,
        "charts": {"trend": _trend_data(months), "mix": _mix_data(mix), "labels": _labels()},
        "back": can_view_scores(request.user),
    }
    return render(request, "scoring/unit_detail.html", context)


def _withheld(entries: list[ScoreEntry], user: User) -> set[int]:
    """The entries whose explanation names an item above ``user``'s clearance (an adoption's
    explanation starts with the item's title): the page shows their points, not the title."""
    adoptions = [e.cause_id for e in entries if e.cause == Cause.ADOPTION]
    if not adoptions:
        return set()
    above = set(
        Adoption.objects.filter(
            pk__in=adoptions, item__sensitivity__gt=user.clearance_level
        ).values_list("pk", flat=True)
    )
    return {e.pk for e in entries if e.cause == Cause.ADOPTION and e.cause_id in above}


def _title(period: Period) -> str:
    if period.kind == "month":
        when = f"{period.start.year}年{period.start.month}月"
    elif period.kind == "quarter":
        when = f"{period.start.year}年第{(period.start.month - 1) // 3 + 1}季度"
    else:
        when = f"{period.start.year}年"
    scope = period.unit_class.name if period.unit_class else "全部单位"
    return f"{when}信息工作积分统计（{scope}）"


@login_required
@require_GET
def export(request: AuthedRequest) -> HttpResponse:
    require(can_view_scores(request.user))
    period = PeriodForm(request.GET or None).chosen()
    rows = statistics.ranking(period.start, period.end, period.unit_class)
    body = workbook_bytes(rows, period.start, period.end, _title(period))
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"scores-{period.start:%Y%m%d}-{period.last_day:%Y%m%d}.xlsx"
    disposition = content_disposition_header(True, name)
    assert disposition is not None  # an attachment always has one
    response["Content-Disposition"] = disposition
    return response
