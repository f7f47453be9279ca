"""The quarterly score reports: the list, one report with its check, the documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinbao.accounts.models import Role
from xinbao.accounts.permissions import require
from xinbao.lib.http import AuthedRequest
from xinbao.scoring.models import Reminder, ReportState, ScoreReport
from xinbao.scoring.reports import ReportStateError, check_and_send, quarter_label
from xinbao.scoring.statistics import can_view_scores

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@login_required
@require_GET
def report_list(request: AuthedRequest) -> HttpResponse:
    require(can_view_scores(request.user))
    reports = ScoreReport.objects.all()[:40]
    reminders = Reminder.objects.select_related("unit")[:100]
    return render(
        request,
        "scoring/reports.html",
        {
            "reports": [(r, quarter_label(r.quarter_start)) for r in reports],
            "reminders": reminders,
        },
    )


@login_required
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(can_view_scores(request.user))
    report = get_object_or_404(ScoreReport, pk=pk)
    return render(
        request,
        "scoring/reports_detail.html",
        {
            "report": report,
            "label": quarter_label(report.quarter_start),
            "can_send": request.user.role == Role.SECTION_CHIEF
            and report.state == ReportState.DRAFT,
        },
    )


@login_required
@require_GET
def report_file(request: AuthedRequest, pk: int, kind: str) -> HttpResponseBase:
    require(can_view_scores(request.user))
    report = get_object_or_404(ScoreReport, pk=pk)
    if kind not in CONTENT_TYPES:
        raise Http404
    field = report.docx if kind == "docx" else report.pdf
    download = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{quarter_label(report.quarter_start)}积分通报.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    download["X-Content-Type-Options"] = "nosniff"
    return download


@login_required
@require_POST
def report_send(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user.role == Role.SECTION_CHIEF)
    report = get_object_or_404(ScoreReport, pk=pk)
    try:
        told = check_and_send(report=report, actor=request.user)
    except ReportStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Report checked and sent to %(n)d unit heads.") % {"n": told})
    return redirect("scoring:report", pk=report.pk)
