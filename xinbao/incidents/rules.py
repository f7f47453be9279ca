"""The deadline table (how fast units must report, by level and mode), edited by the office."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import require
from xinbao.audit.services import record
from xinbao.incidents.models import DeadlineRule
from xinbao.lib.forms import StyledForm

RULE_EDITORS = frozenset({Role.SECTION_CHIEF, Role.SYSTEM_ADMIN})


class RuleForm(StyledForm):
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), required=False, min_value=1, max_value=60 * 24 * 30
    )
    source = forms.CharField(label=gettext_lazy("Source"), required=False, max_length=300)


@transaction.atomic
def save_rule(*, user: User, rule: DeadlineRule, minutes: int | None, source: str) -> bool:
    """Change one cell of the table; returns whether anything changed."""
    before = (rule.minutes, rule.source)
    rule.minutes, rule.source = minutes, source.strip()
    if (rule.minutes, rule.source) == before:
        return False
    rule.save(update_fields=["minutes", "source"])
    record(
        actor=user,
        action="incident.deadline_rule",
        obj=rule,
        summary={"level": rule.level, "mode": rule.mode, "minutes": [before[0], minutes]},
    )
    return True


@login_required
def deadline_rules(request: AuthedRequest) -> HttpResponse:
    can_edit = request.user.role in RULE_EDITORS
    require(can_edit or request.user.is_office_reader)
    rules = list(DeadlineRule.objects.all())
    forms_by_rule = [
        (
            rule,
            RuleForm(
                request.POST if request.method == "POST" else None,
                prefix=f"r{rule.pk}",
                initial={"minutes": rule.minutes, "source": rule.source},
            ),
        )
        for rule in rules
    ]
    if request.method == "POST":
        require(can_edit)
        if all(form.is_valid() for _rule, form in forms_by_rule):
            changed = sum(
                save_rule(
                    user=request.user,
                    rule=rule,
                    minutes=form.cleaned_data["minutes"],
                    source=form.cleaned_data["source"],
                )
                for rule, form in forms_by_rule
            )
            messages.success(request, _("Deadline table saved (%(n)d changed).") % {"n": changed})
            return redirect("incidents:deadline_rules")
    return render(
        request, "incidents/deadline_rules.html", {"rows": forms_by_rule, "can_edit": can_edit}
    )
