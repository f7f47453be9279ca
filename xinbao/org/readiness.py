"""First-run checks of the reporting network: the office profile, a unit class, a unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.lib.readiness import Step, register
from xinbao.org.models import OfficeProfile, Unit, UnitClass


@register(order=10)
def network(today: dt.date | None) -> Iterator[Step]:
    if not OfficeProfile.objects.exists():
        yield Step(
            "office",
            _("The office's name, city and contact line are not entered."),
            reverse("org:office"),
            _("Enter the office profile"),
        )
    if not UnitClass.objects.filter(is_active=True).exists():
        yield Step(
            "unit_class",
            _("There is no unit class: every unit needs one."),
            reverse("org:class_create"),
            _("Add a unit class"),
        )
    if not Unit.objects.filter(is_active=True).exists():
        yield Step(
            "unit",
            _("No unit reports to the office yet."),
            reverse("org:unit_create"),
            _("Add a unit"),
        )
