"""SMS delivery reports (状态报告) pushed by the gateway: ``POST /notify/receipts/sms/``.

Two body shapes are understood:

* generic: ``{"id": "<dedupe key or gateway id>", "status": "DELIVRD", "time": "<ISO 8601>"}``
  (or a list of them);
* Alibaba Cloud's SmsReport: ``[{"phone_number", "success", "biz_id", "out_id", "err_code",
  "report_time", ...}]`` — ``out_id`` is our dedupe key, ``biz_id`` the id SendSms returned.

Authenticity: ``X-Signature`` = hex HMAC-SHA256 of the raw body with the configured
``callback_secret``. Alibaba Cloud's push cannot sign, so for it the receipt URL may carry the
same secret as ``?token=…`` instead (configured in the SMS console, served over HTTPS only).
Without a configured secret every report is refused: an unauthenticated report could
mark undelivered messages delivered. A report for an unknown message is acknowledged and
ignored (a gateway retries what it sees refused); reports are idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xinbao.lib.http import authentic
from xinbao.notify.conf import conf
from xinbao.notify.models import Channel, Message

#: Status words that mean "on the phone": CMPP's DELIVRD, Alibaba Cloud's DELIVERED.
DELIVERED = {"DELIVRD", "DELIVERED"}
#: Gateways report local time without a zone; in China that is Beijing time.
GATEWAY_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Report:
    """One delivery report, whatever the gateway's format."""

    ids: tuple[str, ...]
    """Ours (dedupe key) or the gateway's (provider id); the first that matches counts."""
    delivered: bool
    status: str
    at: dt.datetime


def _when(value: Any) -> dt.datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return timezone.now()
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=GATEWAY_ZONE)
    return parsed


def parse_reports(data: Any) -> list[Report]:
    """Reports from a decoded body; entries that are not reports are skipped."""
    entries = data if isinstance(data, list) else [data]
    reports = []
    for entry in entries:
        ids: tuple[str, ...]
        if not isinstance(entry, dict):
            continue
        if "success" in entry or "biz_id" in entry or "out_id" in entry:  # Alibaba Cloud
            ids = (str(entry.get("out_id") or ""), str(entry.get("biz_id") or ""))
            delivered = entry.get("success") is True
            status = str(entry.get("err_code") or ("DELIVERED" if delivered else "FAILED"))
            at = _when(entry.get("report_time"))
        else:
            ids = (str(entry.get("id") or ""),)
            status = str(entry.get("status") or "")
            delivered = status.upper() in DELIVERED
            at = _when(entry.get("time"))
        ids = tuple(i for i in ids if i)
        if ids and status:
            reports.append(Report(ids=ids, delivered=delivered, status=status[:100], at=at))
    return reports


@transaction.atomic
def record_reports(*, reports: list[Report]) -> int:
    """Store delivery reports on their messages; returns how many messages they matched.

    Idempotent: a report received twice changes nothing the second time, and the first
    "delivered" wins over anything that arrives after it.
    """
    matched = 0
    for report in reports:
        found = (
            Message.objects.filter(channel=Channel.SMS)
            .filter(Q(dedupe_key__in=report.ids) | Q(provider_id__in=report.ids))
            .values_list("pk", flat=True)
        )
        pks = list(found)
        if not pks:
            continue
        matched += len(pks)
        pending = Message.objects.filter(pk__in=pks, delivered_at__isnull=True)
        if report.delivered:
            pending.update(delivered_at=report.at, delivery_status=report.status)
        else:
            pending.update(delivery_status=report.status)
    return matched


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """Receive the gateway's delivery reports (signed); 403 when the signature is wrong."""
    if not authentic(request, conf()["sms"]["callback_secret"]):
        return HttpResponse("bad signature", status=403, content_type="text/plain")
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponse("not JSON", status=400, content_type="text/plain")
    matched = record_reports(reports=parse_reports(data))
    # Alibaba Cloud checks for a numeric "code" (its sample's msg); others read "ok".
    return JsonResponse({"code": 0, "msg": "接收成功", "ok": True, "matched": matched})
