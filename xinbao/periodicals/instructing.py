"""Instructions (批示) outside the sign-off pages: a leader writes one from the reading room or
on an incident page (an htmx panel), and the duty officer or an editor records one a leader gave
by phone. Thin views: every write goes through ``periodicals.services``, every fetch through a
permission-checked getter.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.incidents.access import access_incident
from xinbao.incidents.models import Incident
from xinbao.items.access import visible_items
from xinbao.items.models import Item
from xinbao.periodicals import services
from xinbao.periodicals.access import access_issue, access_reading, can_see_ledger, is_signer
from xinbao.periodicals.forms import InstructionForm
from xinbao.periodicals.models import Instruction, Issue
from xinbao.periodicals.routing import SIGNER_ROLES

#: The browser's datetime-local value, with or without seconds.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LeaderChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # django-stubs: generic
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username}（{obj.get_role_display()}）"


class PhoneInstructionForm(InstructionForm):
    """What the duty officer or an editor writes down while a leader instructs by phone."""

    leader = LeaderChoiceField(
        label=gettext_lazy("Leader who gave it"),
        queryset=User.objects.filter(role__in=SIGNER_ROLES, is_active=True).order_by(
            "role", "full_name"
        ),
    )
    spoken_at = forms.DateTimeField(
        label=gettext_lazy("When the leader said it"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )
    read_back = forms.BooleanField(
        label=gettext_lazy("I read the instruction back to the leader and the leader confirmed it"),
        error_messages={
            "required": gettext_lazy(
                "Read the instruction back to the leader and confirm it before recording it."
            )
        },
    )

    field_order = ["leader", "spoken_at", "text", "read_back", "units", "feedback_due"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "spoken_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["units"].help_text = _("Left empty: the units concerned by what it is on.")


# --- the target an instruction is on ------------------------------------------------------


class Target:
    """An item, an issue or an incident, fetched through the user's getters."""

    def __init__(
        self, *, item: Item | None = None, issue: Issue | None = None, incident: Incident | None
    ) -> None:
        self.item, self.issue, self.incident = item, issue, incident

    @property
    def label(self) -> str:
        if self.item is not None:
            return _("the item “%(title)s”") % {"title": self.item.title}
        if self.issue is not None:
            return _("the issue %(issue)s") % {"issue": self.issue}
        return _("the incident “%(title)s”") % {"title": self.incident}

    @property
    def query(self) -> str:
        for name in ("item", "issue", "incident"):
            obj = getattr(self, name)
            if obj is not None:
                return f"{name}={obj.pk}"
        return ""

    @property
    def back_url(self) -> str:
        if self.issue is not None:
            return reverse("periodicals:issue", args=[self.issue.pk])
        if self.incident is not None:
            return reverse("incidents:detail", args=[self.incident.pk])
        assert self.item is not None
        return reverse("items:detail", args=[self.item.pk])

    def kwargs(self) -> dict[str, Any]:
        return {"item": self.item, "issue": self.issue, "incident": self.incident}

    def default_units(self) -> list[Any]:
        return services.default_units(**self.kwargs())

    def instructions(self) -> QuerySet[Instruction]:
        if self.item is not None:
            on = Q(item=self.item)
        elif self.issue is not None:
            on = Q(issue=self.issue) | Q(item__in=self.issue.entries.values("item"))
        else:
            on = Q(incident=self.incident)
        return (
            Instruction.objects.filter(on)
            .select_related("leader", "recorded_by", "item")
            .order_by("-created_at")
        )


def _target_from(request: AuthedRequest) -> Target:
    """The target named in the query (or the form): ``item``, ``issue`` or ``incident``."""
    data = request.POST if request.method == "POST" else request.GET
    for name in ("item", "issue", "incident"):
        raw = data.get(name) or request.GET.get(name) or ""
        if not raw.isdigit():
            continue
        user, pk = request.user, int(raw)
        if name == "item":
            found = visible_items(user).filter(pk=pk).first()
            if found is None:
                raise Http404
            return Target(item=found, incident=None)
        if name == "issue":
            return Target(issue=access_issue(user, pk), incident=None)
        return Target(incident=access_incident(user, pk))
    raise Http404


# --- a phone instruction ------------------------------------------------------------------


@login_required
def phone_instruction(request: AuthedRequest) -> HttpResponse:
    """The form for a leader's instruction given by phone, on ``?item=``, ``?issue=`` or
    ``?incident=``; what was typed stays on any refusal."""
    if request.user.role not in services.PHONE_RECORDER_ROLES:
        raise PermissionDenied(
            _("Instructions given by phone are recorded by the duty officer or an editor.")
        )
    target = _target_from(request)
    form = PhoneInstructionForm(request.POST or None, initial={"units": target.default_units()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            instruction = services.record_phone_instruction(
                user=request.user,
                leader=d["leader"],
                spoken_at=d["spoken_at"],
                text=d["text"],
                read_back=d["read_back"],
                units=d["units"] or None,
                feedback_due=d["feedback_due"],
                request=request,
                **target.kwargs(),
            )
        except (services.IssueError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Instruction of %(leader)s recorded and forwarded to the units today.")
                % {"leader": instruction.leader},
            )
            return redirect("periodicals:instruction", pk=instruction.pk)
    return render(
        request,
        "periodicals/phone_instruction.html",
        {"form": form, "target": target, "defaults": target.default_units()},
        status=400 if request.method == "POST" else 200,
    )


# --- the leader's panel in the reading room and on an incident page -----------------------


def _panel(
    request: AuthedRequest,
    target: Target,
    post_url: str,
    form: InstructionForm | None = None,
    given: Instruction | None = None,
) -> dict[str, Any]:
    leader = is_signer(request.user)
    return {
        "panel_target": target,
        "panel_url": post_url,
        "panel_instructions": list(target.instructions()[:50]),
        "panel_form": (form or InstructionForm(initial={"units": target.default_units()}))
        if leader
        else None,
        "panel_defaults": target.default_units(),
        "panel_given": given,
        "panel_phone_url": reverse("periodicals:phone_instruction") + "?" + target.query
        if request.user.role in services.PHONE_RECORDER_ROLES
        else "",
    }


def reading_panel(request: AuthedRequest, issue: Issue) -> dict[str, Any]:
    """The instruction panel's context for the reading-room page of ``issue``: for leaders
    and the office (who keep the instruction ledger), not for every reader."""
    if not can_see_ledger(request.user):
        return {}
    return _panel(
        request,
        Target(issue=issue, incident=None),
        reverse("periodicals:reading_instruct", args=[issue.pk]),
    )


def _panel_response(
    request: AuthedRequest, target: Target, post_url: str, back_url: str
) -> HttpResponse:
    """GET: the panel. POST (leaders only): give the instruction, then the panel again (htmx)
    or back to the page; a refused form comes back with what was typed."""
    if request.method != "POST":
        return render(
            request,
            "periodicals/partials/_instructions.html"
            if getattr(request, "htmx", False)
            else "periodicals/instruction_panel.html",
            {**_panel(request, target, post_url), "back_url": back_url},
        )
    if not is_signer(request.user):
        raise PermissionDenied(_("Only leaders write instructions."))
    form = InstructionForm(request.POST)
    given = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            given = services.give_instruction(
                user=request.user,
                text=d["text"],
                units=d["units"] or None,
                feedback_due=d["feedback_due"],
                request=request,
                **target.kwargs(),
            )
        except (services.IssueError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
    htmx = bool(getattr(request, "htmx", False))
    if given is not None and not htmx:
        messages.success(request, _("Instruction given and forwarded to the units today."))
        return redirect(back_url)
    context = {
        **_panel(request, target, post_url, None if given else form, given),
        "back_url": back_url,
    }
    return render(
        request,
        "periodicals/partials/_instructions.html" if htmx else "periodicals/instruction_panel.html",
        context,
        # htmx swaps only successful answers; a plain form post says it was refused.
        status=200 if htmx or given else 400,
    )


@login_required
def reading_instruct(request: AuthedRequest, pk: int) -> HttpResponse:
    """A leader's instruction on an issue read in the reading room."""
    issue = access_reading(request.user, pk)
    return _panel_response(
        request,
        Target(issue=issue, incident=None),
        reverse("periodicals:reading_instruct", args=[issue.pk]),
        reverse("periodicals:reading_issue", args=[issue.pk]),
    )


@login_required
def incident_instruct(request: AuthedRequest, pk: int) -> HttpResponse:
    """A leader's instruction on an incident, from the incident page (loaded there by htmx)."""
    incident = access_incident(request.user, pk)
    return _panel_response(
        request,
        Target(incident=incident),
        reverse("periodicals:incident_instruct", args=[incident.pk]),
        reverse("incidents:detail", args=[incident.pk]),
    )
