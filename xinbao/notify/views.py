"""Notification pages: thin; every write goes through notify.services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.lib.http import pick_template
from xinbao.lib.pagination import keyset_page
from xinbao.notify import selectors, services
from xinbao.notify.forms import (
    CallOutcomeForm,
    DeliveryFilterForm,
    PreferenceForm,
    TemplatePreviewForm,
)
from xinbao.notify.models import Dispatch, MessageState, PhoneCall, Preference

PAGE_SIZE = 25
#: htmx stops polling on this status: a bell whose session has ended goes quiet.
HTMX_STOP_POLLING = 286


# --- every user -------------------------------------------------------------------------------


@login_required
def centre(request: AuthedRequest) -> HttpResponse:
    """The user's notifications, newest first; POST "mark all read"."""
    if request.method == "POST":
        count = services.mark_all_read(user=request.user)
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
        return redirect("notify:centre")
    unread_only = request.GET.get("show") == "unread"
    qs = selectors.own_notifications(request.user, unread_only=unread_only)
    page = keyset_page(request, qs, ("-id",), per_page=PAGE_SIZE)
    template = pick_template(request, "notify/centre.html", "notify/partials/_notifications.html")
    return render(
        request,
        template,
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
        },
    )


def bell(request: HttpRequest) -> HttpResponse:
    """The unread count under the bell, polled by htmx every minute.

    The poll must not count as activity: with the session saved on every request it would
    otherwise keep an idle session alive for as long as a tab is open, defeating the idle
    timeout. So the session is left unsaved (the middleware skips a request without one).
    """
    user = request.user
    if not user.is_authenticated:
        return HttpResponse("", status=HTMX_STOP_POLLING)
    assert isinstance(user, User)
    response = render(
        request, "notify/partials/_bell.html", {"unread": selectors.unread_count(user)}
    )
    del request.session
    return response


@login_required
@require_POST
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Opening a notification is its read receipt; then on to what it is about."""
    notification = selectors.access_notification(request.user, pk)
    services.mark_read(user=request.user, notification=notification)
    link = selectors.safe_link(notification.link)
    return redirect(link) if link else redirect("notify:centre")


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    current = Preference.objects.filter(user=request.user).first()
    initial = {
        "email_digest": current.email_digest if current else True,
        "wecom": current.wecom if current else True,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_preference(
            user=request.user,
            email_digest=form.cleaned_data["email_digest"],
            wecom=form.cleaned_data["wecom"],
        )
        messages.success(request, _("Your notification preferences were saved."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})


def ack(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an urgent SMS or WeCom message: no login, the token is the secret.

    GET only shows a button: link-preview robots of chat apps open links on their own, and
    must not confirm on the recipient's behalf. POST confirms.
    """
    dispatch = Dispatch.objects.filter(ack_token=token).first() if len(token) == 22 else None
    if dispatch is None:
        raise Http404
    done = dispatch.read_at is not None
    if request.method == "POST" and not done:
        services.mark_dispatch_read(dispatch=dispatch, how="link")
        done = True
    subject = dispatch.messages.order_by("id").values_list("subject", flat=True).first() or ""
    return render(
        request, "notify/ack.html", {"dispatch": dispatch, "done": done, "subject": subject}
    )


# --- administrators: the outbox --------------------------------------------------------------


@login_required
def deliveries(request: AuthedRequest) -> HttpResponse:
    require(selectors.can_see_deliveries(request.user))
    form = DeliveryFilterForm(request.GET or None)
    qs = selectors.deliveries(form.to_filter())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = pick_template(
        request, "notify/deliveries.html", "notify/partials/_delivery_table.html"
    )
    return render(
        request,
        template,
        {"page": page, "filter": form, "failed": selectors.failed_count()},
    )


@login_required
def delivery_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(selectors.can_see_deliveries(request.user))
    message = selectors.access_message(request.user, pk)
    context = {
        "message": message,
        "attempts": list(message.attempts.order_by("id")),
        "calls": list(message.calls.select_related("called_by").order_by("id")),
        "notification": getattr(message, "notification", None),
        "can_retry": message.state == MessageState.FAILED,
    }
    return render(request, "notify/delivery_detail.html", context)


@login_required
@require_POST
def delivery_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    require(selectors.can_see_deliveries(request.user))
    message = selectors.access_message(request.user, pk)
    if message.state != MessageState.FAILED:
        messages.info(request, _("Only a failed message can be sent again."))
    else:
        services.retry(actor=request.user, message=message)
        messages.success(request, _("The message is queued and will be sent again now."))
    return redirect("notify:delivery_detail", pk=message.pk)


# --- the duty officer: phone calls -----------------------------------------------------------


def _calls_page(
    request: AuthedRequest, forms: dict[int, CallOutcomeForm] | None = None, status: int = 200
) -> HttpResponse:
    calls = list(selectors.open_calls())
    forms = forms or {}
    rows = [
        (call, forms.get(call.pk) or CallOutcomeForm(prefix=f"call{call.pk}")) for call in calls
    ]
    context = {"rows": rows, "recent": list(selectors.recent_calls())}
    return render(request, "notify/calls.html", context, status=status)


@login_required
def calls(request: AuthedRequest) -> HttpResponse:
    require(selectors.can_make_calls(request.user))
    return _calls_page(request)


@login_required
@require_POST
def call_record(request: AuthedRequest, pk: int) -> HttpResponse:
    require(selectors.can_make_calls(request.user))
    call = selectors.access_call(request.user, pk)
    if not _is_open(call):
        messages.info(request, _("This call was already recorded, or is no longer needed."))
        return redirect("notify:calls")
    form = CallOutcomeForm(request.POST, prefix=f"call{call.pk}")
    if not form.is_valid():
        return _calls_page(request, {call.pk: form}, status=400)
    try:
        call = services.record_call(
            actor=request.user,
            call=call,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
        )
    except services.CallAlreadyRecorded as exc:
        messages.info(request, str(exc))
        return redirect("notify:calls")
    messages.success(
        request,
        _("Recorded: %(name)s, %(outcome)s.")
        % {"name": call.message.recipient_name, "outcome": call.get_outcome_display()},
    )
    return redirect("notify:calls")


def _is_open(call: PhoneCall) -> bool:
    return call.outcome == "" and call.message.state == MessageState.WAITING


# --- the system administrator: event templates -----------------------------------------------


@login_required
def template_preview(request: AuthedRequest) -> HttpResponse:
    require(selectors.can_preview_templates(request.user))
    names = selectors.event_names()
    rendered: tuple[str, str] | None = None
    error = ""
    if request.method == "POST":
        form = TemplatePreviewForm(request.POST)
        if form.is_valid():
            rendered, error = _render_event(
                form.cleaned_data["event"], form.cleaned_data["context"]
            )
    else:
        event = request.GET.get("event", "")
        event = event if event in names else (names[0] if names else "")
        sample = selectors.sample_context(event) if event else {}
        form = TemplatePreviewForm(
            initial={"event": event, "context": json.dumps(sample, ensure_ascii=False, indent=2)}
        )
        if event:
            rendered, error = _render_event(event, sample)
    return render(
        request,
        "notify/template_preview.html",
        {"form": form, "names": names, "rendered": rendered, "error": error},
    )


def _render_event(event: str, context: dict[str, object]) -> tuple[tuple[str, str] | None, str]:
    """The rendered subject and text, or the error that stopped the template."""
    try:
        return services.render(event, selectors.with_dates(context)), ""
    except (TemplateSyntaxError, TypeError, ValueError, AttributeError) as exc:
        # A broken template or a value it cannot use: the administrator sees why.
        return None, f"{type(exc).__name__}: {exc}"
