"""The item's state table in templates: a row's buttons ask it, as a page's do."""

from __future__ import annotations

from django import template

from xinbao.accounts.models import User
from xinbao.items.models import Item
from xinbao.items.workflow import Move, allowed_moves

register = template.Library()


@register.simple_tag
def item_moves(user: User, item: Item) -> set[Move]:
    """``{% item_moves user item as moves %}``: the moves ``user`` may make on ``item`` now."""
    return allowed_moves(user, item)
