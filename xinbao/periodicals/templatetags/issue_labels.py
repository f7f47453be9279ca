"""An issue's sensitivity label in templates: the highest of its items and chosen pictures."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from xinbao.lib.labels import BADGE_CLASSES
from xinbao.periodicals.access import issue_label
from xinbao.periodicals.models import Issue

register = template.Library()


@register.simple_tag
def issue_label_badge(issue: Issue) -> SafeString:
    """``{% issue_label_badge issue %}``: the issue's label as a badge (one query)."""
    label = issue_label(issue)
    return format_html(
        '<span class="badge {} xb-label" id="issue-label" data-label="{}">{}</span>',
        BADGE_CLASSES[label],
        label.value,
        label.label,
    )
