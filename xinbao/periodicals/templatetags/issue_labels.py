"""An issue's sensitivity label in templates: the highest of its items and chosen pictures."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from xinbao.accounts.models import User
from xinbao.items.models import Attachment
from xinbao.lib.labels import badge
from xinbao.periodicals.access import issue_label
from xinbao.periodicals.models import Issue

register = template.Library()


@register.simple_tag
def issue_label_badge(issue: Issue) -> SafeString:
    """``{% issue_label_badge issue %}``: the issue's label as a badge (one query)."""
    return badge(issue_label(issue), element_id="issue-label")


@register.filter
def readable_by(attachments: Iterable[Attachment], user: User) -> list[Attachment]:
    """``media|readable_by:user``: the files of an issue's items within the user's clearance."""
    return [a for a in attachments if a.sensitivity <= user.clearance_level]
