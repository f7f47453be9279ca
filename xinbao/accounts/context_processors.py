"""Navigation entries per role, for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import ADMIN_ROLES, Role
from xinbao.accounts.permissions import can_manage_org, can_manage_users
from xinbao.notify.selectors import can_make_calls, can_preview_templates, can_see_deliveries
from xinbao.scoring.statistics import can_view_scores


def _periodical_entries(user: Any) -> list[tuple[str, str]]:
    """Periodicals for the section, signing for leaders, instructions, the reading room."""
    role = user.role
    entries: list[tuple[str, str]] = []
    if role in (Role.EDITOR, Role.SECTION_CHIEF):
        entries += [(_("Periodicals"), reverse("periodicals:list"))]
    if role in (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER):
        entries += [(_("To sign"), reverse("periodicals:sign_queue"))]
    if user.is_office_reader:
        entries += [(_("Instructions"), reverse("periodicals:instructions"))]
    if role == Role.REPORTER:
        entries += [(_("Instructions to answer"), reverse("periodicals:instructions_to_answer"))]
    # The three administrators read nothing (三员分立), so their pages skip the query.
    if role not in ADMIN_ROLES and user.periodicals_read.exists():
        entries += [(_("Reading room"), reverse("periodicals:reading"))]
    return entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    entries: list[tuple[str, str]] = [(_("Home"), reverse("home"))]
    role = user.role
    if role == Role.REPORTER:
        entries += [
            (_("New item"), reverse("items:create")),
            (_("Our items"), reverse("items:list")),
            (_("Our demands"), reverse("incidents:request_list")),
        ]
        if user.unit_id is not None:
            entries += [(_("Our scores"), reverse("scoring:unit", args=[user.unit_id]))]
    if user.is_office_reader:
        entries += [(_("Inbox"), reverse("items:list"))]
        if role in (Role.DUTY_OFFICER, Role.EDITOR):
            entries += [(_("New item"), reverse("items:create"))]
        if role in (Role.EDITOR, Role.SECTION_CHIEF):
            entries += [(_("Desk"), reverse("desk:inbox"))]
        entries += [(_("Incidents"), reverse("incidents:list"))]
    entries += _periodical_entries(user)
    if can_view_scores(user):
        entries += [(_("Scores"), reverse("scoring:dashboard"))]
    if can_manage_org(user):
        entries += [
            (_("Units"), reverse("org:unit_list")),
            (_("People"), reverse("org:person_list")),
            (_("Import"), reverse("org:import")),
        ]
    if can_manage_users(user):
        entries += [(_("Users"), reverse("accounts:user_list"))]
    if role == Role.SYSTEM_ADMIN:
        entries += [(_("Working calendar"), reverse("scheduler:calendar"))]
    if role == Role.AUDIT_ADMIN:
        entries += [(_("Audit log"), reverse("audit:list"))]
    if can_make_calls(user):
        entries += [(_("Phone calls"), reverse("notify:calls"))]
    if can_see_deliveries(user):
        entries += [(_("Deliveries"), reverse("notify:deliveries"))]
    if can_preview_templates(user):
        entries += [(_("Templates"), reverse("notify:template_preview"))]
    entries += [(_("API tokens"), reverse("accounts:token_list"))]
    return {"nav": entries}
