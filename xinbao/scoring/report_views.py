"""The quarterly score reports: the list, one report with its check, the documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import Role
from xinbao.accounts.permissions import require
from xinbao.lib.http import stored_download
from xinbao.scoring.delivery import DocumentKind, read_token
from xinbao.scoring.models import Reminder, ReportState, ScoreReport
from xinbao.scoring.reports import ReportStateError, check_and_send, quarter_label, report_due
from xinbao.scoring.services import record_document_opened
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
            "reports": [
                (r, quarter_label(r.quarter_start), report_due(r.quarter_end)) for r in reports
            ],
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
            "due": report_due(report.quarter_end),
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
    return _file(field, f"{quarter_label(report.quarter_start)}积分通报.{kind}", kind)


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


@login_required
@require_GET
def letter_file(request: AuthedRequest, pk: int, kind: str) -> HttpResponseBase:
    """A reminder letter's DOCX or PDF, for the office's score viewers."""
    require(can_view_scores(request.user))
    reminder = get_object_or_404(Reminder.objects.select_related("unit"), pk=pk)
    if kind not in CONTENT_TYPES:
        raise Http404
    field = reminder.docx if kind == "docx" else reminder.pdf
    if not field:
        raise Http404
    return _file(field, f"{reminder.unit.name}{reminder.period:%Y年%m月}提醒信.{kind}", kind)


def _file(field: FieldFile, filename: str, kind: str, *, inline: bool = False) -> FileResponse:
    return stored_download(field, filename, CONTENT_TYPES[kind], inline=inline)


@require_GET
def shared_document(request: HttpRequest, token: str) -> HttpResponseBase:
    """The PDF a signed link grants, without a login; expired links say so (410)."""
    try:
        granted = read_token(token)
    except signing.SignatureExpired:
        return render(request, "scoring/link_expired.html", status=410)
    except signing.BadSignature:
        raise Http404 from None
    document: ScoreReport | Reminder
    if granted.kind == DocumentKind.REPORT:
        document = get_object_or_404(ScoreReport, pk=granted.pk)
        filename = f"{quarter_label(document.quarter_start)}积分通报.pdf"
    else:
        document = get_object_or_404(Reminder.objects.select_related("unit"), pk=granted.pk)
        filename = f"{document.unit.name}{document.period:%Y年%m月}提醒信.pdf"
    if not document.pdf:
        raise Http404
    record_document_opened(document=document, kind=granted.kind, person_id=granted.person_id)
    response = _file(document.pdf, filename, "pdf", inline=True)
    # A token in the address must not leak to other sites or into shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
