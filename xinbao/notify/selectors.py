"""Reads for the notification pages: permission-checked getters, filtered lists, samples."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.template import engines
from django.utils.http import url_has_allowed_host_and_scheme

from xinbao.accounts.models import Role, User
from xinbao.lib.days import office_midnight
from xinbao.notify.models import Message, MessageState, Notification, PhoneCall

#: Who sees the outbox (deliveries) and may send a failed message again.
DELIVERY_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
#: Who makes the calls of the urgent ladder and records their outcome.
CALL_ROLES = frozenset({Role.DUTY_OFFICER, Role.EDITOR, Role.SECTION_CHIEF})
#: Who previews the event templates.
TEMPLATE_ROLES = frozenset({Role.SYSTEM_ADMIN})


def can_see_deliveries(user: User) -> bool:
    return user.role in DELIVERY_ROLES


def can_make_calls(user: User) -> bool:
    return user.role in CALL_ROLES


def can_preview_templates(user: User) -> bool:
    return user.role in TEMPLATE_ROLES


# --- the user's own notifications ---------------------------------------------------------


def own_notifications(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).order_by("-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def access_notification(user: User, pk: int) -> Notification:
    """The user's own notification; anyone else's is a 404, as if it did not exist."""
    found = (
        Notification.objects.filter(pk=pk, user=user).select_related("message__dispatch").first()
    )
    if found is None:
        raise Http404
    return found


def safe_link(link: str) -> str:
    """A link inside this site, or "": a notification never sends anyone elsewhere.

    Only a path is kept ("/items/3/"); "//host", "/\\host" and anything with a scheme are
    refused, since browsers read them as other sites; so is any whitespace or control
    character, which browsers drop ("/\t/host" is "//host" to them).
    """
    if not link.startswith("/") or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in link):
        return ""
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return ""
    return link


# --- the outbox, for administrators ---------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFilter:
    channel: str = ""
    state: str = ""
    event: str = ""
    recipient: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def deliveries(f: DeliveryFilter) -> QuerySet[Message]:
    """Messages of the outbox, newest first; dates are days in local time, both included."""
    qs = Message.objects.order_by("-id")
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.event:
        qs = qs.filter(event=f.event)
    if f.recipient:
        qs = qs.filter(Q(recipient_name__icontains=f.recipient) | Q(address__icontains=f.recipient))
    if f.date_from:
        qs = qs.filter(created_at__gte=office_midnight(f.date_from))
    if f.date_to:
        qs = qs.filter(created_at__lt=office_midnight(f.date_to + dt.timedelta(days=1)))
    return qs


def failed_count() -> int:
    return Message.objects.filter(state=MessageState.FAILED).count()


def access_message(user: User, pk: int) -> Message:
    """A message of the outbox for an administrator who may see deliveries; 404 otherwise."""
    if not can_see_deliveries(user):
        raise Http404
    found = Message.objects.filter(pk=pk).select_related("dispatch", "endpoint").first()
    if found is None:
        raise Http404
    return found


# --- phone calls for the duty officer -------------------------------------------------------


def open_calls() -> QuerySet[PhoneCall]:
    """Calls still to make, oldest first.

    A call whose message was cancelled (the recipient read the notice another way) is no
    longer needed, so only calls of messages waiting for a person are open.
    """
    return (
        PhoneCall.objects.filter(outcome="", message__state=MessageState.WAITING)
        .select_related("message")
        .order_by("created_at", "id")
    )


def recent_calls(limit: int = 20) -> QuerySet[PhoneCall]:
    return (
        PhoneCall.objects.exclude(outcome="")
        .select_related("message", "called_by")
        .order_by("-called_at", "-id")[:limit]
    )


def access_call(user: User, pk: int) -> PhoneCall:
    if not can_make_calls(user):
        raise Http404
    found = PhoneCall.objects.filter(pk=pk).select_related("message").first()
    if found is None:
        raise Http404
    return found


# --- event templates ------------------------------------------------------------------------

EVENTS_DIR = Path("notify") / "events"

#: Contexts close to what the code that notifies passes, so the preview reads like the real thing.
SAMPLES: dict[str, dict[str, Any]] = {
    "item_received": {"title": "东城县召开防汛工作会议", "unit": "东城县委办公室"},
    "urgent_demand": {
        "matter": "7月3日暴雨灾情及人员转移情况",
        "unit": "东城县委办公室",
        "deadline": "7月3日18时",
        "ack_url": "https://xinbao.example.gov.cn/notify/ack/AbCdEfGhIjKlMnOpQrStUv/",
    },
    "digest": {
        "date": "2026-07-03",
        "notifications": [
            {"title": "您报送的信息已接收：东城县召开防汛工作会议", "body": "市委办信息科已接收。"},
            {"title": "紧急约稿：暴雨灾情", "body": "请于18时前报送。"},
        ],
    },
    "test": {},
}
#: Added to every sample: the names that ``queue`` and the ladders add themselves.
COMMON_SAMPLE: dict[str, Any] = {"recipient": "王建国", "channel": "sms"}

_VARIABLE = re.compile(r"{{\s*([a-z_][a-z0-9_]*)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _event_files() -> dict[str, Path]:
    """Every ``notify/events/*.txt`` the template engine can find, first one winning."""
    found: dict[str, Path] = {}
    for directory in engines["django"].template_dirs:
        for path in sorted((Path(directory) / EVENTS_DIR).glob("*.txt")):
            found.setdefault(path.stem, path)
    return found


def event_names() -> list[str]:
    return sorted(_event_files())


def sample_context(event: str) -> dict[str, Any]:
    """The built-in sample of an event, or one guessed from the names its template uses."""
    if event in SAMPLES:
        return {**COMMON_SAMPLE, **SAMPLES[event]}
    path = _event_files().get(event)
    names = _VARIABLE.findall(path.read_text(encoding="utf-8")) if path else []
    guessed = {name: f"（{name}）" for name in names if name not in COMMON_SAMPLE}
    return {**COMMON_SAMPLE, **guessed}


def with_dates(context: dict[str, Any]) -> dict[str, Any]:
    """JSON has no dates: a top-level "YYYY-MM-DD" string becomes a date for the template."""
    out: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                out[key] = dt.date.fromisoformat(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out
