"""Reads of the urgent-information pages: lists with their filters, demand rows, reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from xinbao.accounts.models import User
from xinbao.incidents.models import (
    OPEN_REQUEST_STATUSES,
    AccountabilityRecord,
    ChaseNotice,
    Incident,
    Report,
    ReportRequest,
    Verification,
)
from xinbao.incidents.services import element_labels, report_label
from xinbao.incidents.verification import LABELS as FACT_LABELS
from xinbao.items.models import Item, ItemStatus
from xinbao.org.models import Unit

# --- deadlines --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineState:
    """Where one deadline stands, computed from the times: for a badge."""

    code: str  # none | open | overdue | on_time | late
    label: Any
    css: str

    @property
    def is_bad(self) -> bool:
        return self.code in ("overdue", "late")


_STATES = {
    "none": (_("No deadline"), "text-bg-light border"),
    "open": (_("Waiting"), "text-bg-info"),
    "overdue": (_("Overdue"), "text-bg-danger"),
    "on_time": (_("On time"), "text-bg-success"),
    "late": (_("Late"), "text-bg-warning"),
}


def deadline_state(due: dt.datetime | None, done: dt.datetime | None, now: dt.datetime) -> str:
    if done is not None:
        return "late" if due is not None and done > due else "on_time"
    if due is None:
        return "none"
    return "overdue" if now > due else "open"


def _state(code: str) -> DeadlineState:
    label, css = _STATES[code]
    return DeadlineState(code, label, css)


@dataclass(frozen=True)
class DemandRow:
    """One demand with the state of its phone and written deadlines."""

    request: ReportRequest
    phone: DeadlineState
    written: DeadlineState
    #: The written deadline before any chase notice extended it.
    original_written_due: dt.datetime | None
    notices: list[ChaseNotice] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.request.status in OPEN_REQUEST_STATUSES


def demand_row(request: ReportRequest, now: dt.datetime) -> DemandRow:
    """Needs ``request.notices`` prefetched (or costs one query)."""
    notices = list(request.notices.all())
    original = request.original_written_due()
    # A written report answers the phone deadline too (the core stops chasing it then).
    phoned = request.phoned_at or request.reported_at
    return DemandRow(
        request=request,
        phone=_state(deadline_state(request.phone_due_at, phoned, now)),
        written=_state(deadline_state(original, request.reported_at, now)),
        original_written_due=original,
        notices=notices,
    )


def demand_rows(incident: Incident, now: dt.datetime) -> list[DemandRow]:
    requests = incident.requests.select_related("unit").prefetch_related(
        Prefetch("notices", queryset=ChaseNotice.objects.order_by("created_at"))
    )
    return [demand_row(r, now) for r in requests]


def open_requests() -> QuerySet[ReportRequest]:
    return ReportRequest.objects.outstanding().select_related("incident", "unit")


def overdue_requests(now: dt.datetime) -> QuerySet[ReportRequest]:
    """Open demands past a deadline: the written one, or the phone one nobody answered."""
    return (
        ReportRequest.objects.overdue(now)
        .select_related("incident", "unit")
        .order_by("written_due_at", "phone_due_at")
    )


def open_requests_of_unit(unit_id: int) -> QuerySet[ReportRequest]:
    return open_requests().filter(unit_id=unit_id).order_by("phone_due_at", "written_due_at")


def open_verifications() -> QuerySet[Verification]:
    return Verification.objects.filter(outcome="").select_related("incident", "unit")


# --- incidents --------------------------------------------------------------------------


def incidents(
    *, status: str = "", level: int | None = None, category: str = ""
) -> QuerySet[Incident]:
    qs = Incident.objects.annotate(
        n_requests=Count("requests", distinct=True),
        n_reports=Count("reports", distinct=True),
    )
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-created_at")


@dataclass(frozen=True)
class ReportView:
    report: Report
    label: str
    missing: list[str]
    facts: list[tuple[str, Any]]


_FACT_ORDER = (
    "deaths",
    "serious_injuries",
    "injuries",
    "missing",
    "trapped",
    "poisoned",
    "evacuated",
    "relocated",
    "affected",
    "loss_yuan",
    "time",
    "place",
)


def _fact_rows(facts: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = {**FACT_LABELS, "serious_injuries": "重伤"}
    return [(labels[k], facts[k]) for k in _FACT_ORDER if facts.get(k) is not None]


def reports_by_unit(incident: Incident) -> list[tuple[Unit, list[ReportView]]]:
    grouped: dict[int, tuple[Unit, list[ReportView]]] = {}
    for report in incident.reports.select_related("unit", "item").order_by("received_at", "id"):
        view = ReportView(
            report=report,
            label=report_label(report),
            missing=element_labels(report.missing),
            facts=_fact_rows(report.facts),
        )
        grouped.setdefault(report.unit_id, (report.unit, []))[1].append(view)
    return list(grouped.values())


def fileable_items(user: User, incident: Incident, unit_id: int | None = None) -> QuerySet[Item]:
    """Items that may become a report: sent, not yet a report, of a unit concerned, and
    within ``user``'s clearance (the choice names them).

    With ``unit_id`` only that unit's items; else those of every unit the incident concerns.
    """
    qs = Item.objects.filter(
        status__in=[ItemStatus.SUBMITTED, ItemStatus.RECEIVED],
        report__isnull=True,
        sensitivity__lte=user.clearance_level,
    ).select_related("unit")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    else:
        concerned = set(incident.units.values_list("pk", flat=True)) | set(
            incident.requests.values_list("unit_id", flat=True)
        )
        qs = qs.filter(unit_id__in=concerned)
    return qs.order_by("-submitted_at", "-id")


# --- records ----------------------------------------------------------------------------


def records(
    qs: QuerySet[AccountabilityRecord],
    *,
    kind: str = "",
    unit: Unit | None = None,
    date_from: dt.datetime | None = None,
    date_to: dt.datetime | None = None,
) -> QuerySet[AccountabilityRecord]:
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if date_from is not None:
        qs = qs.filter(at__gte=date_from)
    if date_to is not None:
        qs = qs.filter(at__lt=date_to)
    return qs.select_related("unit", "incident", "notice").order_by("-at", "-id")
