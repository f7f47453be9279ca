"""Pages of leaders' interests, requests and marks: thin; every write goes through
``interests.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.interests import selectors, services
from xinbao.interests.access import (
    access_interest,
    access_request,
    own_interests,
    visible_requests,
)
from xinbao.interests.forms import AskForm, InterestForm, IssueForm, MarkForm, PeriodForm
from xinbao.interests.models import Interest, RequestState
from xinbao.interests.services import is_handler, is_leader
from xinbao.items.access import access_item
from xinbao.periodicals.access import access_reading
from xinbao.research.models import CommissionForm
from xinbao.research.services import DEFAULT_REQUIREMENTS

#: Rows of a list; older requests are reached through their notifications.
LIST_LIMIT = 200


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """The leader's phone page: what matched their interests, newest first, with why and a
    mark each; then their interests."""
    interests = list(own_interests(request.user))
    return render(
        request,
        "interests/mine.html",
        {"served_rows": selectors.served(request.user), "interests": interests},
    )


def _interest_form(
    request: AuthedRequest, interest: Interest | None
) -> tuple[InterestForm, HttpResponse | None]:
    initial: dict[str, Any] = {}
    if interest is not None:
        initial = {
            "name": interest.name,
            "keywords": "\n".join(interest.keywords),
            "exclude": "\n".join(interest.exclude),
            "active": interest.active,
            "urgent_channel": interest.urgent_channel,
            "digest": interest.digest,
        }
    form = InterestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_interest(
                user=request.user,
                interest=interest,
                name=data["name"],
                keywords=data["keywords"],
                exclude=data["exclude"],
                active=data["active"],
                urgent_channel=data["urgent_channel"],
                digest=data["digest"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.InterestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Interest saved."))
            return form, redirect("interests:mine")
    return form, None


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    require(is_leader(request.user))
    form, done = _interest_form(request, None)
    if done is not None:
        return done
    status = 400 if request.method == "POST" else 200
    return render(request, "interests/edit.html", {"form": form, "interest": None}, status=status)


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    interest = access_interest(request.user, pk)
    form, done = _interest_form(request, interest)
    if done is not None:
        return done
    status = 400 if request.method == "POST" else 200
    return render(
        request, "interests/edit.html", {"form": form, "interest": interest}, status=status
    )


@login_required
@require_POST
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    interest = access_interest(request.user, pk)
    services.delete_interest(user=request.user, interest=interest)
    messages.success(request, _("Interest removed."))
    return redirect("interests:mine")


# --- marks -----------------------------------------------------------------------------------


def _back(request: AuthedRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


def _mark(request: AuthedRequest, default: str, **target: Any) -> HttpResponse:
    form = MarkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, default)
    try:
        services.set_mark(
            user=request.user,
            useful=form.cleaned_data["useful"],
            note=form.cleaned_data["note"],
            **target,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.InterestError as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["useful"]:
            messages.success(request, _("Marked useful. The office is told what served you."))
        else:
            messages.success(request, _("Marked not useful."))
    return _back(request, default)


@login_required
@require_POST
def mark_item(request: AuthedRequest, pk: int) -> HttpResponse:
    require(is_leader(request.user))
    item = access_item(request.user, pk)
    return _mark(request, f"/items/{item.pk}/", item=item)


@login_required
@require_POST
def mark_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    require(is_leader(request.user))
    issue = access_reading(request.user, pk)
    return _mark(request, f"/periodicals/reading/{issue.pk}/", issue=issue)


@login_required
def marks(request: AuthedRequest) -> HttpResponse:
    """The office's page of leaders' marks in a period: per unit and per editor."""
    require(is_handler(request.user))
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = PeriodForm(request.GET or None, initial=initial)
    start, end = initial["start"], initial["end"]
    status = 200
    if request.GET:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            status = 400
    stats = selectors.mark_stats(start, end)
    return render(
        request,
        "interests/marks.html",
        {"form": form, "stats": stats, "start": start, "end": end},
        status=status,
    )


# --- requests (点题/交办) ----------------------------------------------------------------------


@login_required
def requests(request: AuthedRequest) -> HttpResponse:
    """A leader's own requests; the office's list of every request, open ones first."""
    rows = list(visible_requests(request.user)[:LIST_LIMIT])
    return render(
        request,
        "interests/requests.html",
        {
            "open_rows": [r for r in rows if r.state == RequestState.OPEN],
            "other_rows": [r for r in rows if r.state != RequestState.OPEN],
            "leader": is_leader(request.user),
        },
    )


@login_required
def ask(request: AuthedRequest) -> HttpResponse:
    require(is_leader(request.user))
    initial = {"wanted_by": timezone.localdate() + dt.timedelta(days=7)}
    form = AskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = services.ask(
                user=request.user,
                subject=data["subject"],
                wanted=data["wanted"],
                wanted_by=data["wanted_by"],
                units=list(data["units"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.InterestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Request sent to the office."))
            return redirect("interests:request", pk=req.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "interests/ask.html", {"form": form}, status=status)


def _request_page(
    request: AuthedRequest, pk: int, form: Any = None, status: int = 200
) -> HttpResponse:
    req = access_request(request.user, pk)
    return render(
        request,
        "interests/request.html",
        {
            "req": req,
            "answers": selectors.request_answers(req, request.user),
            "is_owner": req.leader_id == request.user.pk,
            "handler": is_handler(request.user),
            "issue_form": (form or _issue_form(req))
            if is_handler(request.user) and req.state == RequestState.OPEN
            else None,
        },
        status=status,
    )


def _issue_form(req: Any) -> IssueForm:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return IssueForm(
        initial={
            "units": list(req.units.all()),
            "form": CommissionForm.COMMISSIONED,
            "due_on": max(req.wanted_by, tomorrow),
            "requirements": f"{req.wanted}\n{DEFAULT_REQUIREMENTS}",
        }
    )


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _request_page(request, pk)


@login_required
@require_POST
def request_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    require(is_leader(request.user))
    req = access_request(request.user, pk)
    try:
        services.withdraw_request(user=request.user, request=req)
    except services.InterestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("interests:request", pk=req.pk)


@login_required
@require_POST
def request_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    """The office issues the request to units as a commission."""
    require(is_handler(request.user))
    req = access_request(request.user, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return _request_page(request, pk, form, status=400)
    data = form.cleaned_data
    try:
        services.issue_request(
            user=request.user,
            request=req,
            units=list(data["units"]),
            due_on=data["due_on"],
            form=data["form"],
            requirements=data["requirements"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _request_page(request, pk, form, status=400)
    except services.InterestError as exc:
        form.add_error(None, str(exc))
        return _request_page(request, pk, form, status=409)
    messages.success(request, _("Request issued to the units as a commission."))
    return redirect("interests:request", pk=req.pk)
