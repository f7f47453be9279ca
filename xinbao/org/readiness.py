"""What a new office still lacks before it can work: the first-run checklist.

Each missing step names the screen that fixes it. The checks read other apps (periodicals,
accounts, notify) and import nothing that writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.lib.workdays import calendar_warnings
from xinbao.notify.conf import conf as notify_conf
from xinbao.org.models import OfficeProfile, Unit, UnitClass
from xinbao.periodicals.models import Periodical

SIGNER_ROLES = (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER)


@dataclass(frozen=True)
class Step:
    """One thing missing: ``key`` for tests and scripts, the message, and where to fix it."""

    key: str
    message: str
    url: str
    action: str


def _url(*names: str, args: tuple[object, ...] = ()) -> str:
    """The first of ``names`` that exists (a screen may not be mounted yet in every install)."""
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return reverse("home")


def urgent_channel_configured() -> bool:
    """An SMS gateway or the WeCom application: how urgent messages reach people at night."""
    conf = notify_conf()
    return bool(conf["sms"]["provider"]) or bool(conf["wecom_app"]["corp_id"])


def missing_steps(today: dt.date | None = None) -> list[Step]:
    """Every step still missing, in the order a new office takes them; empty when ready."""
    steps: list[Step] = []
    if not OfficeProfile.objects.exists():
        steps.append(
            Step(
                "office",
                _("The office's name, city and contact line are not entered."),
                _url("org:office"),
                _("Enter the office profile"),
            )
        )
    if not UnitClass.objects.filter(is_active=True).exists():
        steps.append(
            Step(
                "unit_class",
                _("There is no unit class: every unit needs one."),
                _url("org:class_create"),
                _("Add a unit class"),
            )
        )
    if not Unit.objects.filter(is_active=True).exists():
        steps.append(
            Step(
                "unit",
                _("No unit reports to the office yet."),
                _url("org:unit_create"),
                _("Add a unit"),
            )
        )
    if not Periodical.objects.filter(is_active=True).exists():
        steps.append(
            Step(
                "periodical",
                _("There is no active periodical: the desk cannot adopt anything."),
                _url("periodicals:setup_create", "periodicals:list"),
                _("Set up a periodical"),
            )
        )
    active = User.objects.filter(is_active=True)
    if not active.filter(role__in=SIGNER_ROLES).exists():
        steps.append(
            Step(
                "signer",
                _("No leader can sign issues: add a leader in charge or a principal leader."),
                _url("accounts:user_create"),
                _("Add a leader"),
            )
        )
    if not active.filter(role=Role.DUTY_OFFICER).exists():
        steps.append(
            Step(
                "duty_officer",
                _("There is no duty officer to take urgent reports."),
                _url("accounts:user_create"),
                _("Add a duty officer"),
            )
        )
    if not urgent_channel_configured():
        steps.append(
            Step(
                "urgent_channel",
                _(
                    "No channel for urgent messages: configure the SMS gateway "
                    "(XINBAO_SMS_PROVIDER) or WeCom (XINBAO_WECOM_CORP_ID) on the server, "
                    "as docs/integrations.md describes."
                ),
                _url("notify:deliveries"),
                _("See deliveries"),
            )
        )
    for warning in calendar_warnings(today):
        steps.append(
            Step(
                f"calendar_{warning.year}",
                _("The working calendar of %(year)s has not been entered.")
                % {"year": warning.year},
                _url("scheduler:calendar_year", args=(warning.year,)),
                _("Enter %(year)s") % {"year": warning.year},
            )
        )
    return steps
