"""Inbound pages and the channels' callbacks; thin: every write goes through services.

The pages are for the reviewers (editors, section chiefs, the duty officer: 403 for any other
role); messages come from the getters in ``access``. The callbacks (SMS gateway, WeCom) need no
login: each is authenticated by its channel's signature.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import DESK_ROLES
from xinbao.inbound import services
from xinbao.inbound.access import access_quarantined, can_review, visible_messages
from xinbao.inbound.forms import (
    FilterForm,
    PolicyForm,
    RejectForm,
    ReleaseChoices,
    ReleaseForm,
)
from xinbao.inbound.models import INBOUND_CHANNELS, InboundMessage, InboundPolicy, InboundState
from xinbao.inbound.wecom import CallbackError, WeComCrypt
from xinbao.items.models import Channel
from xinbao.lib.http import authentic, require

PAGE_SIZE = 50
#: Each quarantined message comes with its two forms: fewer to a page.
QUARANTINE_PAGE_SIZE = 20
#: Gateways send local time without a zone; in China that is Beijing time.
GATEWAY_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


# --- pages --------------------------------------------------------------------------------


@login_required
def message_list(request: AuthedRequest) -> HttpResponse:
    qs = visible_messages(request.user)
    filter_form = FilterForm(request.GET or None)
    if filter_form.is_valid():
        if state := filter_form.cleaned_data["state"]:
            qs = qs.filter(state=state)
        if channel := filter_form.cleaned_data["channel"]:
            qs = qs.filter(channel=channel)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_set_policy = request.user.role in DESK_ROLES
    policies = (
        {p.channel: p.submit_at_once for p in InboundPolicy.objects.all()} if can_set_policy else {}
    )
    return render(
        request,
        "inbound/message_list.html",
        {
            "filter": filter_form,
            "page": page,
            "quarantined": visible_messages(request.user)
            .filter(state=InboundState.QUARANTINED)
            .count(),
            "can_set_policy": can_set_policy,
            "policies": [(c, policies.get(c.value, False)) for c in INBOUND_CHANNELS],
        },
    )


def _release_initial(message: InboundMessage, at_once: set[str]) -> dict[str, Any]:
    return {
        "writer_name": message.sender_name or message.sender[:50],
        "writer_phone": message.sender if message.channel == Channel.SMS else "",
        "unit": message.person.unit_id if message.person else None,
        "submit": message.channel in at_once,
    }


def _quarantine(
    request: AuthedRequest,
    bound: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
    choices: ReleaseChoices | None = None,
) -> HttpResponse:
    choices = choices or ReleaseChoices.load()
    at_once = set(
        InboundPolicy.objects.filter(submit_at_once=True).values_list("channel", flat=True)
    )
    quarantined = visible_messages(request.user).filter(state=InboundState.QUARANTINED)
    page = Paginator(quarantined, QUARANTINE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for message in page:
        forms = (bound or {}).get(message.pk, {})
        rows.append(
            {
                "message": message,
                "release": forms.get("release")
                or ReleaseForm(
                    prefix=f"r{message.pk}",
                    initial=_release_initial(message, at_once),
                    choices=choices,
                ),
                "reject": forms.get("reject") or RejectForm(prefix=f"j{message.pk}"),
            }
        )
    return render(request, "inbound/quarantine.html", {"rows": rows, "page": page}, status=status)


@login_required
def quarantine(request: AuthedRequest) -> HttpResponse:
    require(can_review(request.user))
    return _quarantine(request)


@login_required
@require_POST
def release(request: AuthedRequest, pk: int) -> HttpResponse:
    message = access_quarantined(request.user, pk)
    choices = ReleaseChoices.load()
    form = ReleaseForm(request.POST, prefix=f"r{pk}", choices=choices)
    if form.is_valid():
        try:
            message = services.release(
                user=request.user,
                message=message,
                unit=form.cleaned_data["unit"],
                author=form.cleaned_data["author"],
                writer_name=form.cleaned_data["writer_name"],
                writer_phone=form.cleaned_data["writer_phone"],
                submit=form.cleaned_data["submit"],
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        except services.InboundError as exc:
            messages.error(request, str(exc))
            return redirect("inbound:quarantine")
        else:
            assert message.item is not None
            messages.success(
                request,
                _("Released to %(unit)s as “%(title)s”.")
                % {"unit": message.item.unit.name, "title": message.item.title},
            )
            return redirect("inbound:quarantine")
    return _quarantine(request, {pk: {"release": form}}, status=400, choices=choices)


@login_required
@require_POST
def reject(request: AuthedRequest, pk: int) -> HttpResponse:
    message = access_quarantined(request.user, pk)
    form = RejectForm(request.POST, prefix=f"j{pk}")
    if form.is_valid():
        try:
            services.reject(
                user=request.user,
                message=message,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("reason", exc)
        except services.InboundError as exc:
            messages.error(request, str(exc))
            return redirect("inbound:quarantine")
        else:
            messages.success(request, _("The message was rejected."))
            return redirect("inbound:quarantine")
    return _quarantine(request, {pk: {"reject": form}}, status=400)


@login_required
@require_POST
def policy(request: AuthedRequest) -> HttpResponse:
    require(request.user.role in DESK_ROLES)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            services.set_policy(
                user=request.user,
                channel=form.cleaned_data["channel"],
                submit_at_once=form.cleaned_data["submit_at_once"],
                request=request,
            )
        except PermissionDenied:
            raise
        messages.success(request, _("The inbound policy was saved."))
    else:
        messages.error(request, _("Choose a channel."))
    return redirect("inbound:list")


# --- callbacks ----------------------------------------------------------------------------


def _json_error(status: int, detail: Any) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _gateway_time(value: Any) -> dt.datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=GATEWAY_ZONE)
    return parsed


@csrf_exempt
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    """An SMS sent to the office's number, pushed by the gateway: ``{id, from, text,
    received_at}``, signed as its delivery reports are (``X-Signature``, ``notify.receipts``)."""
    # The gateway signs what it pushes with one secret, receipts and messages alike.
    if not authentic(request, settings.XINBAO_SMS_CALLBACK_SECRET):
        return _json_error(401, _("The signature is missing or wrong."))
    try:
        data = json.loads(request.body)
    except ValueError:
        return _json_error(400, _("The body is not JSON."))
    if not isinstance(data, dict):
        return _json_error(400, _("The body must be a JSON object."))
    errors = []
    source_id = data.get("id")
    if (
        not isinstance(source_id, str | int)
        or isinstance(source_id, bool)
        or not str(source_id).strip()
    ):
        errors.append({"loc": ["body", "id"], "msg": _("The message's id is required.")})
    sender = data.get("from")
    if not isinstance(sender, str) or len(services.phone_digits(sender)) < 7:
        errors.append({"loc": ["body", "from"], "msg": _("The sender's phone number is required.")})
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append({"loc": ["body", "text"], "msg": _("The text is required.")})
    received_at = None
    if data.get("received_at") is not None:
        received_at = _gateway_time(data["received_at"])
        if received_at is None:
            errors.append({"loc": ["body", "received_at"], "msg": _("Give the time in ISO 8601.")})
    if errors:
        return _json_error(422, errors)
    assert isinstance(sender, str) and isinstance(text, str)
    received = services.receive(
        channel=Channel.SMS,
        source_id=str(source_id),
        sender=sender,
        text=text,
        received_at=received_at,
    )
    message = received.message
    return JsonResponse(
        {
            "ok": True,
            "created": received.created,
            "state": message.state,
            "item": message.item_id,
        }
    )


def _wecom_crypt() -> WeComCrypt | None:
    token = settings.XINBAO_WECOM_CALLBACK_TOKEN
    aes_key = settings.XINBAO_WECOM_CALLBACK_AES_KEY
    corp_id = settings.XINBAO_WECOM_CORP_ID
    if not (token and aes_key and corp_id):
        return None
    return WeComCrypt(token=token, encoding_aes_key=aes_key, corp_id=corp_id)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wecom(request: HttpRequest) -> HttpResponse:
    """WeCom's callback URL: GET verifies the URL (the echo decrypted), POST delivers a message
    (a text from a member becomes an item, as an SMS does; other kinds are acknowledged)."""
    crypt = _wecom_crypt()
    if crypt is None:
        return HttpResponse(
            _("WeCom callbacks are not configured."), status=404, content_type="text/plain"
        )
    params = {k: request.GET.get(k, "") for k in ("msg_signature", "timestamp", "nonce")}
    try:
        if request.method == "GET":
            echo = crypt.verify_url(**params, echostr=request.GET.get("echostr", ""))
            return HttpResponse(echo, content_type="text/plain")
        fields = crypt.decrypt_callback(**params, body=request.body)
    except CallbackError as exc:
        status = 401 if str(exc) in ("bad signature", "the message is for another CorpID") else 400
        return HttpResponse(str(exc), status=status, content_type="text/plain")
    if fields.get("MsgType") == "text" and fields.get("FromUserName") and fields.get("MsgId"):
        try:
            at: dt.datetime | None = dt.datetime.fromtimestamp(
                int(fields.get("CreateTime", "")), dt.UTC
            )
        except ValueError:
            at = None
        services.receive(
            channel=Channel.WECOM,
            source_id=fields["MsgId"],
            sender=fields["FromUserName"],
            text=fields.get("Content", ""),
            received_at=at,
        )
    # WeCom reads an empty answer as "received, nothing to reply".
    return HttpResponse("", content_type="text/plain")
