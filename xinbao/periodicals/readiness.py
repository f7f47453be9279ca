"""First-run check of periodicals: the desk needs an active periodical to adopt into."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.lib.readiness import Step, register
from xinbao.periodicals.models import Periodical


@register(order=20)
def periodical(today: dt.date | None) -> Iterator[Step]:
    if not Periodical.objects.filter(is_active=True).exists():
        yield Step(
            "periodical",
            _("There is no active periodical: the desk cannot adopt anything."),
            reverse("periodicals:setup_create"),
            _("Set up a periodical"),
        )
