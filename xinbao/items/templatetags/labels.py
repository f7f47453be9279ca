"""Sensitivity labels in templates: the badge, and the attachments a reader may see."""

from __future__ import annotations

from django import template
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from xinbao.accounts.models import User
from xinbao.items.access import visible_attachments
from xinbao.items.models import Attachment, Item
from xinbao.lib.labels import badge

register = template.Library()


@register.simple_tag
def label_badge(value: int) -> SafeString:
    """``{% label_badge item.sensitivity %}``: the label as a badge (普通 / 内部 / 敏感)."""
    return badge(value)


@register.filter
def attachments_for(item: Item, user: User) -> QuerySet[Attachment]:
    """``item|attachments_for:user``: the item's attachments within the user's clearance."""
    return visible_attachments(user, item)
