"""Partner-lead pages: thin; every write goes through ``liaison.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.liaison import selectors, services
from xinbao.liaison.access import access_lead, can_send, is_liaison, is_office, visible_leads
from xinbao.liaison.forms import AnswerForm, RequestForm, ShareForm
from xinbao.liaison.models import Direction, Lead

#: Rows per list; older leads are found by the office through their notifications and links.
LIST_LIMIT = 200


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    """The office's side: leads shared in, and requests sent with their state."""
    require(is_office(request.user))
    leads = visible_leads(request.user)[: LIST_LIMIT * 2]
    now = timezone.now()
    rows = list(leads)
    return render(
        request,
        "liaison/inbox.html",
        {
            "shared_in": [lead for lead in rows if lead.direction == Direction.IN],
            "sent": [lead for lead in rows if lead.direction == Direction.OUT],
            "overdue": [lead.pk for lead in rows if lead.is_overdue(now)],
            "can_send": can_send(request.user),
        },
    )


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """The liaison's side: what they shared and what the office sent them."""
    require(is_liaison(request.user))
    rows = list(visible_leads(request.user)[:LIST_LIMIT])
    now = timezone.now()
    return render(
        request,
        "liaison/mine.html",
        {
            "to_answer": [lead for lead in rows if lead.direction == Direction.OUT],
            "shared": [lead for lead in rows if lead.direction == Direction.IN],
            "overdue": [lead.pk for lead in rows if lead.is_overdue(now)],
        },
    )


@login_required
def share(request: AuthedRequest) -> HttpResponse:
    require(is_liaison(request.user))
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.share(
                user=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                source_url=form.cleaned_data["source_url"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Lead shared with the office."))
            return redirect("liaison:detail", pk=lead.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "liaison/share.html", {"form": form}, status=status)


def _request_initial(request: AuthedRequest) -> dict[str, Any]:
    """The form filled from a collected post or an early signal named in the query."""
    hours = settings.XINBAO_LIAISON_ANSWER_HOURS
    initial: dict[str, Any] = {
        "due_at": timezone.localtime(timezone.now() + dt.timedelta(hours=hours)).replace(
            second=0, microsecond=0
        )
    }
    post = selectors.post(_int(request.GET.get("post")))
    if post is not None:
        initial |= {"post": post.pk, "title": post.title, "text": post.text, "source_url": post.url}
    signal = selectors.signal(_int(request.GET.get("signal")))
    if signal is not None:
        initial |= {
            "signal": signal.pk,
            "title": _("Early signal: %(label)s") % {"label": signal.label},
            "text": _("%(observed)d collected posts in the window against a normal %(baseline).1f.")
            % {"observed": signal.observed, "baseline": signal.baseline},
        }
    return initial


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def request_answer(request: AuthedRequest) -> HttpResponse:
    """The office sends a lead or a signal to the department and asks for an answer."""
    require(can_send(request.user))
    form = RequestForm(request.POST or None, initial=_request_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = services.send_request(
                user=request.user,
                liaison=data["liaison"],
                title=data["title"],
                text=data["text"],
                question=data["question"],
                due_at=data["due_at"],
                source_url=data["source_url"],
                post=selectors.post(data["post"]),
                signal=selectors.signal(data["signal"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.LeadError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Lead sent to the partner department."))
            return redirect("liaison:detail", pk=lead.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "liaison/request.html", {"form": form}, status=status)


def _detail(
    request: AuthedRequest, lead: Lead, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "liaison/detail.html",
        {
            "lead": lead,
            "moves": services.allowed_moves(request.user, lead),
            "answer_form": form or AnswerForm(),
            "overdue": lead.is_overdue(timezone.now()),
            "back": "liaison:inbox" if is_office(request.user) else "liaison:mine",
            "office": can_send(request.user),
        },
        status=status,
    )


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, access_lead(request.user, pk))


@login_required
def answer(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = access_lead(request.user, pk)
    if request.method != "POST":
        return redirect("liaison:detail", pk=lead.pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, lead, form, status=400)
    try:
        services.answer(user=request.user, lead=lead, text=form.cleaned_data["answer"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return _detail(request, lead, form, status=400)
    except services.LeadError as exc:
        form.add_error(None, str(exc))
        return _detail(request, lead, form, status=409)
    messages.success(request, _("Answer sent to the office."))
    return redirect("liaison:detail", pk=lead.pk)


@login_required
def take(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = access_lead(request.user, pk)
    if request.method == "POST":
        try:
            services.take(user=request.user, lead=lead)
        except services.LeadError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Lead taken in."))
    return redirect("liaison:detail", pk=lead.pk)
