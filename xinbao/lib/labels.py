"""Sensitivity labels (安全标记, GB/T 22239-2019 level 3): 普通 < 内部 < 敏感.

One ordered scale for what an item or an attachment carries (its label) and for what a user may
read (their clearance): a user reads an object whose label is at most their clearance. The values
are integers so that "at most" and "the highest of" are plain comparisons and ``Max`` in SQL.

These are not the state-secret classifications (秘密/机密/绝密): classified material never enters
the system at all (``xinbao.lib.classified``).
"""

from __future__ import annotations

from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.IntegerChoices):
    ORDINARY = 1, _("Ordinary")
    INTERNAL = 2, _("Internal")
    SENSITIVE = 3, _("Sensitive")


def may_read(clearance: int, label: int) -> bool:
    """Whether a reader cleared to ``clearance`` may read an object labelled ``label``."""
    return label <= clearance


#: The label as documents print it (in Chinese whatever the reader's language); an ordinary
#: document carries no marking, as an unmarked official document is an ordinary one.
PRINTED = {
    Sensitivity.ORDINARY: "",
    Sensitivity.INTERNAL: "内部",
    Sensitivity.SENSITIVE: "敏感",
}

#: The Bootstrap badge class of each label, as lists and pages show it.
BADGE_CLASSES = {
    Sensitivity.ORDINARY: "text-bg-light border",
    Sensitivity.INTERNAL: "text-bg-warning",
    Sensitivity.SENSITIVE: "text-bg-danger",
}


def badge(value: int, *, element_id: str = "") -> SafeString:
    """The label as a badge (普通 / 内部 / 敏感), as every list and page shows it."""
    label = Sensitivity(value)
    return format_html(
        '<span class="badge {} xb-label"{} data-label="{}">{}</span>',
        BADGE_CLASSES[label],
        format_html(' id="{}"', element_id) if element_id else "",
        label.value,
        label.label,
    )
