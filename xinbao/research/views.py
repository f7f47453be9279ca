"""Commission pages: thin; every write goes through ``research.services``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.documents.views import offer
from xinbao.items.access import visible_items
from xinbao.lib.http import document_download
from xinbao.lib.officedoc import render_docx, render_pdf
from xinbao.research import rendered, services
from xinbao.research.access import (
    access_answerable_item,
    access_commission,
    answerable_items,
    can_write,
    is_office,
    is_unit_reporter,
    own_assignment,
    unit_of,
    visible_commissions,
)
from xinbao.research.forms import AnswerForm, CommissionEditForm
from xinbao.research.models import (
    Answer,
    Assignment,
    AssignmentState,
    Commission,
    CommissionSource,
    CommissionState,
)
from xinbao.research.notice import build_notice

#: Rows per list; older commissions stay reachable through their links.
LIST_LIMIT = 300


def _counted(commissions: Any) -> Any:
    pending = Q(assignments__state=AssignmentState.PENDING)
    return commissions.annotate(
        n_units=Count("assignments", distinct=True),
        n_answered=Count(
            "assignments", filter=Q(assignments__state=AssignmentState.ANSWERED), distinct=True
        ),
        n_late=Count(
            "assignments", filter=Q(assignments__state=AssignmentState.LATE), distinct=True
        ),
        n_missed=Count(
            "assignments", filter=Q(assignments__state=AssignmentState.MISSED), distinct=True
        ),
        n_pending=Count("assignments", filter=pending, distinct=True),
    )


@login_required
def plan(request: AuthedRequest) -> HttpResponse:
    """The office's planning page: commissions grouped by the source of their topic, each
    group by state (leaders read it too; only the section's writers create)."""
    require(is_office(request.user))
    rows = list(
        _counted(visible_commissions(request.user)).order_by("-created_at", "-pk")[:LIST_LIMIT]
    )
    by_source: dict[str, dict[str, list[Commission]]] = defaultdict(lambda: defaultdict(list))
    for commission in rows:
        by_source[commission.source][commission.state].append(commission)
    groups = [
        {
            "source": source,
            "label": label,
            "states": [
                {"state": state, "label": state_label, "rows": by_source[source][state]}
                for state, state_label in CommissionState.choices
                if by_source[source][state]
            ],
            "total": sum(len(v) for v in by_source[source].values()),
        }
        for source, label in CommissionSource.choices
    ]
    return render(
        request, "research/plan.html", {"groups": groups, "can_write": can_write(request.user)}
    )


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """A reporter's list: the commissions sent to their unit, with the unit's state."""
    require(is_unit_reporter(request.user))
    assignments = (
        Assignment.objects.filter(unit_id=unit_of(request.user))
        .exclude(commission__state=CommissionState.DRAFT)
        .select_related("commission")
        .annotate(n_answers=Count("answers"))
        .order_by("-commission__due_on", "-pk")[:LIST_LIMIT]
    )
    return render(request, "research/mine.html", {"assignments": assignments})


def _form_values(form: CommissionEditForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "subject": data["subject"],
        "requirements": data["requirements"],
        "source": data["source"],
        "form": data["form"],
        "units": form.chosen_units(),
        "due_on": data["due_on"],
    }


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    """A new commission: saved as a draft, or sent to the units at once."""
    require(can_write(request.user))
    initial = {"source": request.GET.get("source", "")}
    form = CommissionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        send = "send" in request.POST
        try:
            commission = services.create_commission(
                **_form_values(form), user=request.user, send=send
            )
        except (services.CommissionError, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("Commission %(number)s sent.") % {"number": commission.number}
                if send
                else _("Draft saved."),
            )
            return redirect("research:detail", pk=commission.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "research/edit.html", {"form": form, "commission": None}, status=status)


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require(can_write(request.user))
    commission = access_commission(request.user, pk)
    if commission.state != CommissionState.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("research:detail", pk=pk)
    initial = {
        "subject": commission.subject,
        "requirements": commission.requirements,
        "source": commission.source,
        "form": commission.form,
        "due_on": commission.due_on,
        "units": [a.unit_id for a in commission.assignments.all()],
    }
    form = CommissionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            commission = services.update_commission(
                commission=commission, **_form_values(form), user=request.user
            )
            if "send" in request.POST:
                commission = services.send_commission(commission=commission, user=request.user)
        except (services.CommissionError, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Commission saved."))
            return redirect("research:detail", pk=commission.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "research/edit.html", {"form": form, "commission": commission}, status=status
    )


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The office sees every unit's state and answers; a reporter their unit's, and answers."""
    commission = access_commission(request.user, pk)
    user = request.user
    context: dict[str, Any] = {"commission": commission, "can_write": can_write(user)}
    if is_office(user):
        # The answering items go through visible_items: an item labelled above the reader's
        # clearance is not listed.
        answers = Answer.objects.filter(item__in=visible_items(user)).select_related("item")
        context["assignments"] = list(
            commission.assignments.select_related("unit").prefetch_related(
                Prefetch("answers", queryset=answers)
            )
        )
        context["counts"] = [
            (state, label, sum(1 for a in context["assignments"] if a.state == state))
            for state, label in AssignmentState.choices
        ]
    else:
        assignment = own_assignment(user, commission)
        if assignment is None:
            raise Http404
        context["assignment"] = assignment
        context["answers"] = list(
            assignment.answers.filter(item__in=visible_items(user)).select_related("item")
        )
        if commission.state == CommissionState.SENT:
            linked = [a.item_id for a in context["answers"]]
            context["answer_form"] = AnswerForm(items=answerable_items(user).exclude(pk__in=linked))
    return render(request, "research/detail.html", context)


def _act(request: AuthedRequest, pk: int, action: Any, done: str) -> HttpResponse:
    require(can_write(request.user))
    commission = access_commission(request.user, pk)
    try:
        action(commission=commission, user=request.user)
    except services.CommissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("research:detail", pk=pk)


@login_required
@require_POST
def send(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.send_commission, _("Commission sent to the units."))


@login_required
@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.close_commission, _("Commission closed."))


@login_required
@require_POST
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.cancel_commission, _("Commission cancelled."))


@login_required
@require_POST
def answer(request: AuthedRequest, pk: int) -> HttpResponse:
    """A reporter links one of their unit's submitted items (another unit's is a 404)."""
    require(is_unit_reporter(request.user))
    commission = access_commission(request.user, pk)
    assignment = own_assignment(request.user, commission)
    if assignment is None:
        raise Http404
    raw = request.POST.get("item", "")
    if raw.isdigit():
        access_answerable_item(request.user, int(raw))
    form = AnswerForm(request.POST, items=answerable_items(request.user))
    if form.is_valid():
        try:
            services.link_answer(
                assignment=assignment, item=form.cleaned_data["item"], user=request.user
            )
        except services.CommissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The item is linked as your unit's answer."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("research:detail", pk=pk)


def _notice_file(request: AuthedRequest, pk: int, fmt: str) -> HttpResponseBase:
    commission = access_commission(request.user, pk)
    name = f"约稿通知单{commission.number or commission.pk}.{fmt}"
    if rendered.is_frozen(commission):
        # Sent: rendered once by the worker, served from the cache.
        return offer(
            request, kind=services.NOTICE_DOCUMENT, subject=commission, fmt=fmt, filename=name
        )
    document = build_notice(commission)
    data = render_docx(document) if fmt == "docx" else render_pdf(document)
    return document_download(data, name, fmt)


@login_required
def notice_docx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _notice_file(request, pk, "docx")


@login_required
def notice_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _notice_file(request, pk, "pdf")
