"""The quality check's marks in templates: ``{% quality_marks item %}`` (the desk's item page)."""

from __future__ import annotations

from typing import Any

from django import template

from xinbao.accounts.models import User
from xinbao.items.models import Item
from xinbao.items.quality import check_item

register = template.Library()


@register.inclusion_tag("items/partials/_quality_marks.html")
def quality_marks(item: Item, user: User | None = None) -> dict[str, Any]:
    """The advice the writer saw before submitting, as a badge and a list."""
    return {"advice": check_item(item, user=user), "item": item}
