"""The quality check "similar items already reported by other units" (``items.quality``).

A writer is told how many other units already sent a report of the same event (within the
window, ``items.similarity``), so as to add what the others may not know rather than repeat
them. Unit isolation holds: a reporter learns only the number of other units, never a title,
a unit's name or a text, and only of items sent to the office (no drafts) within the writer's
clearance; office staff, who see those items anyway, are told the units' names.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from xinbao.accounts.models import User
from xinbao.items.access import visible_items
from xinbao.items.models import Item, ItemStatus
from xinbao.items.quality import Advice, Draft, register_check
from xinbao.items.similarity import similar_to_text

#: What a unit keeps to itself: never counted for another unit.
_UNSENT = (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)


def _others(user: User | None) -> tuple[QuerySet[Item], bool]:
    """The items to compare with, and whether their units may be named to ``user``."""
    if user is None:
        return Item.objects.none(), False
    if user.is_office_reader:
        return visible_items(user).exclude(status__in=_UNSENT), True
    qs = Item.objects.filter(sensitivity__lte=user.clearance_level).exclude(status__in=_UNSENT)
    return qs, False


@register_check
def similar_reports(draft: Draft) -> list[Advice]:
    base, named = _others(draft.user)
    unit = draft.unit or (draft.item.unit if draft.item is not None else None)
    if unit is None:
        return []
    found = similar_to_text(
        base.exclude(unit=unit),
        title=draft.title,
        body=draft.body,
        place=draft.place,
        event_at=draft.event_at,
        written_at=draft.written_at,
        exclude=draft.item.pk if draft.item is not None else None,
    )
    units = list(dict.fromkeys(s.item.unit.short_name or s.item.unit.name for s in found))
    if not units:
        return []
    message = ngettext(
        "%(n)s other unit already reported this event.",
        "%(n)s other units already reported this event.",
        len(units),
    ) % {"n": len(units)}
    if named:
        message += " " + _("Reported by: %(units)s.") % {
            "units": pgettext("list of names", ", ").join(units)
        }
    return [
        Advice(
            code="similar_items",
            message=message,
            reason=_(
                "The office combines reports of one event; add what your unit knows that the "
                "others may not (local figures, measures taken, what happens next) rather than "
                "repeating them."
            ),
            severity="info",
        )
    ]
