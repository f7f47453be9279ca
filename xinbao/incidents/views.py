"""Urgent-information pages: thin; every write goes through incidents.services (or notices).

Office pages check the role first (403 for a role that may not use them); objects come from
the getters in ``access`` (404 for what the user may not see).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.incidents import notices, selectors, services
from xinbao.incidents.access import (
    access_chase_notice,
    access_incident,
    access_notice,
    access_request,
    access_verification,
    can_handle_incidents,
    can_make_notices,
    can_view_incidents,
    is_units_reporter,
    visible_notices,
    visible_records,
    visible_requests,
)
from xinbao.incidents.forms import (
    CloseVerificationForm,
    DemandForm,
    FileReportForm,
    FollowUpForm,
    IncidentFilterForm,
    IntakeForm,
    NoticeForm,
    PhoneReportForm,
    RecordFilterForm,
    SuggestForm,
)
from xinbao.incidents.models import (
    OPEN_REQUEST_STATUSES,
    Incident,
    IncidentStatus,
    ReportRequest,
    Verification,
)
from xinbao.incidents.services import IncidentError, LeadData, facts_of_lead
from xinbao.incidents.verification import close_verification
from xinbao.lib import panels
from xinbao.lib.http import pick_template, stored_download
from xinbao.lib.levels import Level, suggest_level

PAGE_SIZE = 25
RECORD_PAGE_SIZE = 50


# --- intake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    level: Level
    reasons: list[str]
    facts: list[tuple[str, Any]]


def suggestion_for(data: QueryDict) -> Suggestion | None:
    """The level the typed text suggests, with the reasons; ``None`` before any text."""
    values = SuggestForm(data).values()
    if not values["what"] and not values["casualties"]:
        return None
    lead = LeadData(
        received_at=values["received_at"],
        source="",
        place="",
        what=values["what"],
        caller_name="",
        caller_phone="",
        casualties=values["casualties"],
    )
    facts = facts_of_lead(lead)

    def count(value: Any) -> int | None:
        return value.value if value is not None else None

    deaths, serious = count(facts.deaths), count(facts.serious_injuries)
    suggestion = suggest_level(
        deaths=deaths,
        serious_injuries=serious,
        direct_loss_yuan=facts.direct_loss_yuan,
        category=values["category"],
        sensitive=values["sensitive"],
        crowd=values["crowd"],
    )
    shown: list[tuple[str, Any]] = [
        (_("Deaths"), deaths),
        (_("Seriously injured"), serious),
        (_("Injured"), count(facts.injuries)),
        (_("Missing"), count(facts.missing)),
        (_("Trapped"), count(facts.trapped)),
        (_("Poisoned or taken ill"), count(facts.poisoned)),
        (_("Evacuated"), count(facts.evacuated)),
        (_("Relocated"), count(facts.relocated)),
        (_("Affected"), count(facts.affected)),
        (_("Direct loss (yuan)"), _yuan(facts.direct_loss_yuan)),
    ]
    return Suggestion(
        level=suggestion.level,
        reasons=[str(r) for r in suggestion.reasons],
        facts=[(label, value) for label, value in shown if value is not None],
    )


def _yuan(value: Decimal | None) -> str | None:
    return f"{value:,.0f}" if value is not None else None


@login_required
def intake(request: AuthedRequest) -> HttpResponse:
    """The duty-phone form; what was typed stays on any error."""
    require(can_handle_incidents(request.user))
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = IntakeForm(request.POST or None, initial={"received_at": now})
    if request.method == "POST" and request.POST.get("action") != "suggest" and form.is_valid():
        d = form.cleaned_data
        try:
            incident = services.record_lead(
                user=request.user,
                lead=form.to_lead(),
                title=d["title"],
                category=d["category"],
                sensitive=d["sensitive"],
                crowd=d["crowd"],
                level=d["level"],
                units=list(d["units"]),
            )
        except (IncidentError, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("Incident opened at %(level)s.") % {"level": Level(incident.level).label},
            )
            return redirect("incidents:detail", pk=incident.pk)
    suggestion = suggestion_for(request.POST) if request.method == "POST" else None
    return render(request, "incidents/intake.html", {"form": form, "suggestion": suggestion})


@login_required
@require_POST
def intake_suggest(request: AuthedRequest) -> HttpResponse:
    """The htmx partial beside the intake form: the suggested level and why."""
    require(can_handle_incidents(request.user))
    return render(
        request,
        "incidents/partials/_suggestion.html",
        {"suggestion": suggestion_for(request.POST)},
    )


# --- incidents --------------------------------------------------------------------------


@login_required
def incident_list(request: AuthedRequest) -> HttpResponse:
    require(can_view_incidents(request.user))
    form = IncidentFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    qs = selectors.incidents(
        status=d.get("status") or "", level=d.get("level"), category=d.get("category") or ""
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = pick_template(
        request, "incidents/incident_list.html", "incidents/partials/_incident_table.html"
    )
    context = {
        "page": page,
        "filter": form,
        "can_handle": can_handle_incidents(request.user),
    }
    return render(request, template, context)


def _detail(
    request: AuthedRequest,
    incident: Incident,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The incident page; ``bound`` replaces the blank action forms that had errors."""
    bound = bound or {}
    user = request.user
    can_handle = can_handle_incidents(user) and incident.status == IncidentStatus.OPEN
    rows = selectors.demand_rows(incident, timezone.now())
    verifications = list(incident.verifications.select_related("unit", "assigned_to"))
    context: dict[str, Any] = {
        "incident": incident,
        "rows": rows,
        "timeline": list(incident.timeline.all()),
        "leads": list(incident.leads.select_related("recorded_by")),
        "units": list(incident.units.all()),
        "reports": selectors.reports_by_unit(incident),
        "verifications": [
            (v, bound.get(f"v{v.pk}") or CloseVerificationForm(prefix=f"v{v.pk}"))
            for v in verifications
        ],
        "records": list(incident.records.select_related("unit", "notice")),
        "can_handle": can_handle,
        "can_handle_any": can_handle_incidents(user),
        # What the apps above add to the page (posts collected about it, …).
        "panels": panels.rendered("incident", user, incident, request),
    }
    if can_handle:
        context["demand_form"] = bound.get("demand") or DemandForm(
            initial={"units": context["units"], "matter": incident.title}
        )
        context["phone_form"] = bound.get("phone") or PhoneReportForm(
            requests=incident.requests.all()
        )
        context["file_form"] = bound.get("file") or FileReportForm(
            items=selectors.fileable_items(user, incident)
        )
        context["follow_form"] = bound.get("follow") or FollowUpForm(
            initial={"follow_up_hours": incident.follow_up_hours}
        )
    return render(request, "incidents/incident_detail.html", context, status=status)


@login_required
def incident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(can_view_incidents(request.user))
    return _detail(request, access_incident(request.user, pk))


def _open_for_action(request: AuthedRequest, pk: int) -> Incident:
    """The incident an action is about: the role may act, the incident is visible."""
    require(can_handle_incidents(request.user))
    return access_incident(request.user, pk)


def _refuse_closed(request: AuthedRequest, incident: Incident) -> HttpResponse | None:
    if incident.status != IncidentStatus.OPEN:
        messages.error(request, _("The incident is closed."))
        return redirect("incidents:detail", pk=incident.pk)
    return None


@login_required
@require_POST
def incident_demand(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _open_for_action(request, pk)
    if refused := _refuse_closed(request, incident):
        return refused
    form = DemandForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, {"demand": form}, status=400)
    try:
        made = services.demand_reports(
            user=request.user,
            incident=incident,
            units=list(form.cleaned_data["units"]),
            matter=form.cleaned_data["matter"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _detail(request, incident, {"demand": form}, status=400)
    messages.success(
        request,
        _("Reports demanded from %(units)s.") % {"units": "、".join(str(r.unit) for r in made)},
    )
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def incident_phone(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _open_for_action(request, pk)
    if refused := _refuse_closed(request, incident):
        return refused
    form = PhoneReportForm(request.POST, requests=incident.requests.all())
    if not form.is_valid():
        return _detail(request, incident, {"phone": form}, status=400)
    demand: ReportRequest = form.cleaned_data["request"]
    try:
        services.record_phone_report(
            user=request.user, request=demand, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _detail(request, incident, {"phone": form}, status=400)
    messages.success(request, _("Phone report of %(unit)s recorded.") % {"unit": demand.unit})
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def incident_file(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _open_for_action(request, pk)
    form = FileReportForm(request.POST, items=selectors.fileable_items(request.user, incident))
    if not form.is_valid():
        return _detail(request, incident, {"file": form}, status=400)
    try:
        report = services.file_report(
            user=request.user,
            incident=incident,
            item=form.cleaned_data["item"],
            stage=form.cleaned_data["stage"],
        )
    except IncidentError as exc:
        form.add_error(None, str(exc))
        return _detail(request, incident, {"file": form}, status=400)
    messages.success(
        request,
        _("Filed as %(label)s of %(unit)s.")
        % {"label": services.report_label(report), "unit": report.unit},
    )
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def incident_close(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _open_for_action(request, pk)
    try:
        services.close_incident(user=request.user, incident=incident)
    except IncidentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Incident closed."))
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def incident_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _open_for_action(request, pk)
    if refused := _refuse_closed(request, incident):
        return refused
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, {"follow": form}, status=400)
    services.set_follow_up_hours(
        user=request.user, incident=incident, hours=form.cleaned_data["follow_up_hours"]
    )
    messages.success(request, _("Follow-up clock saved."))
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def verification_close(request: AuthedRequest, pk: int) -> HttpResponse:
    require(can_handle_incidents(request.user))
    verification: Verification = access_verification(request.user, pk)
    form = CloseVerificationForm(request.POST, prefix=f"v{verification.pk}")
    if form.is_valid():
        try:
            close_verification(
                user=request.user,
                verification=verification,
                outcome=form.cleaned_data["outcome"],
                findings=form.cleaned_data["findings"],
            )
        except IncidentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Verification closed."))
            return redirect("incidents:detail", pk=verification.incident_id)
    return _detail(request, verification.incident, {f"v{verification.pk}": form}, status=400)


# --- files ------------------------------------------------------------------------------


def _attachment(field: FieldFile, filename: str, content_type: str) -> FileResponse:
    return stored_download(field, filename, content_type)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def chase_docx(request: AuthedRequest, pk: int) -> FileResponse:
    notice = access_chase_notice(request.user, pk)
    return _attachment(notice.docx, f"催报通知单{notice.number}.docx", DOCX)


@login_required
def chase_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    notice = access_chase_notice(request.user, pk)
    return _attachment(notice.pdf, f"催报通知单{notice.number}.pdf", "application/pdf")


# --- the units' side: demands -----------------------------------------------------------


def _require_request_reader(request: AuthedRequest) -> None:
    require(request.user.is_reporter or can_view_incidents(request.user))


@login_required
def request_list(request: AuthedRequest) -> HttpResponse:
    """ "Our demands" for a reporter (their unit's); every demand for the office."""
    _require_request_reader(request)
    show_all = request.GET.get("show") == "all"
    qs: QuerySet[ReportRequest] = (
        visible_requests(request.user)
        .select_related("incident", "unit")
        .prefetch_related("notices")
    )
    if not show_all:
        qs = qs.filter(status__in=OPEN_REQUEST_STATUSES)
    qs = qs.order_by("-sent_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [selectors.demand_row(r, now) for r in page.object_list]
    return render(
        request,
        "incidents/request_list.html",
        {"page": page, "rows": rows, "show_all": show_all},
    )


def _request_page(
    request: AuthedRequest,
    demand: ReportRequest,
    file_form: FileReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    mine = is_units_reporter(user, demand)
    incident = demand.incident
    can_file = mine and incident.status == IncidentStatus.OPEN
    context: dict[str, Any] = {
        "demand": demand,
        "incident": incident,
        "row": selectors.demand_row(demand, timezone.now()),
        "reports": [
            (report, services.report_label(report), services.element_labels(report.missing))
            for report in incident.reports.filter(unit_id=demand.unit_id).select_related("item")
        ],
        "can_confirm": mine and demand.received_at is None,
        "can_file": can_file,
        "is_office": can_view_incidents(user),
        "write_url": reverse("items:create") + "?" + urlencode({"title": incident.title}),
    }
    if can_file:
        context["file_form"] = file_form or FileReportForm(
            items=selectors.fileable_items(user, incident, demand.unit_id)
        )
    return render(request, "incidents/request_detail.html", context, status=status)


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _request_page(request, access_request(request.user, pk))


def _own_request(request: AuthedRequest, pk: int) -> ReportRequest:
    """A demand of the reporter's own unit; the office may look but not act for the unit."""
    demand = access_request(request.user, pk)
    require(is_units_reporter(request.user, demand))
    return demand


@login_required
@require_POST
def request_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    demand = _own_request(request, pk)
    if demand.received_at is not None:
        messages.info(request, _("Receipt was already confirmed."))
    else:
        services.confirm_receipt(
            request=demand, by=request.user.full_name or request.user.username, user=request.user
        )
        messages.success(request, _("Receipt confirmed. Now report by the deadline."))
    return redirect("incidents:request_detail", pk=demand.pk)


@login_required
@require_POST
def request_file(request: AuthedRequest, pk: int) -> HttpResponse:
    demand = _own_request(request, pk)
    incident = demand.incident
    form = FileReportForm(
        request.POST, items=selectors.fileable_items(request.user, incident, demand.unit_id)
    )
    if not form.is_valid():
        return _request_page(request, demand, form, status=400)
    try:
        report = services.file_report(
            user=request.user,
            incident=incident,
            item=form.cleaned_data["item"],
            stage=form.cleaned_data["stage"],
        )
    except IncidentError as exc:
        form.add_error(None, str(exc))
        return _request_page(request, demand, form, status=400)
    messages.success(
        request, _("Filed as our %(label)s.") % {"label": services.report_label(report)}
    )
    return redirect("incidents:request_detail", pk=demand.pk)


# --- records and notices ----------------------------------------------------------------


@login_required
def record_list(request: AuthedRequest) -> HttpResponse:
    require(can_view_incidents(request.user))
    form = RecordFilterForm(request.GET or None)
    qs = selectors.records(visible_records(request.user), **form.to_filter())
    page = Paginator(qs, RECORD_PAGE_SIZE).get_page(request.GET.get("page"))
    can_notice = can_make_notices(request.user)
    context = {
        "page": page,
        "filter": form,
        "can_notice": can_notice,
        "notice_form": NoticeForm(records=visible_records(request.user)) if can_notice else None,
    }
    return render(request, "incidents/record_list.html", context)


@login_required
@require_POST
def notice_create(request: AuthedRequest) -> HttpResponse:
    require(can_make_notices(request.user))
    records = visible_records(request.user).select_related("unit", "incident")
    form = NoticeForm(request.POST, records=records)
    back = reverse("incidents:record_list") + _query_of(request.POST.get("back", ""))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(back)
    chosen = sorted(form.cleaned_data["records"], key=lambda r: (r.unit_id, r.at, r.pk))
    try:
        notice = notices.make_notice(
            user=request.user,
            kind=form.cleaned_data["kind"],
            records=chosen,
            subject=form.cleaned_data["subject"],
        )
    except notices.NoticeError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request,
        _("Notice %(number)s made.") % {"number": notices.issue_line(notice.number)},
    )
    return redirect("incidents:notice_list")


def _query_of(back: str) -> str:
    """Only a query string travels back to the record list, never a path or a host."""
    return "?" + back.lstrip("?") if back and "/" not in back and "\\" not in back else ""


@login_required
def notice_list(request: AuthedRequest) -> HttpResponse:
    require(can_view_incidents(request.user))
    qs = (
        visible_notices(request.user)
        .select_related("created_by")
        .annotate(n_records=Count("records"))
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, notices.issue_line(n.number)) for n in page.object_list]
    return render(
        request,
        "incidents/notice_list.html",
        {"page": page, "rows": rows, "can_notice": can_make_notices(request.user)},
    )


@login_required
def notice_docx(request: AuthedRequest, pk: int) -> FileResponse:
    require(can_view_incidents(request.user))
    notice = access_notice(request.user, pk)
    return _attachment(notice.docx, f"通报{notice.number}.docx", DOCX)
