"""Home-page sections of intake: one's drafts and what was sent; what waits to be received."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.items.access import visible_item_parts, visible_items
from xinbao.items.models import ItemStatus, urgency_rank
from xinbao.lib.home import HOME_LIMIT, Section, register
from xinbao.lib.pagination import paginate

#: Those who receive items; leaders read what the desk adopted, not the intake.
RECEIVERS = (Role.EDITOR, Role.SECTION_CHIEF, Role.DUTY_OFFICER)


@register(80)
def drafts(user: User) -> Section | None:
    if not (user.is_reporter or user.role == Role.DUTY_OFFICER):
        return None
    items = visible_items(user).select_related("unit")
    return Section(
        "items/partials/_home_drafts.html",
        {
            "drafts": items.filter(
                status__in=[ItemStatus.DRAFT, ItemStatus.WITHDRAWN], created_by=user
            )[:HOME_LIMIT],
            # Newest sent first, each part of the visible items through its own index.
            "recent": paginate(
                [
                    part.select_related("unit").exclude(status=ItemStatus.DRAFT)
                    for part in visible_item_parts(user)
                ],
                ("-submitted_at", "-id"),
                cursor=None,
                per_page=HOME_LIMIT,
            ).object_list,
        },
    )


@register(90)
def to_receive(user: User) -> Section | None:
    if user.role not in RECEIVERS:
        return None
    items = visible_items(user).select_related("unit")
    submitted = items.filter(status=ItemStatus.SUBMITTED)
    return Section(
        "items/partials/_home_to_receive.html",
        {"to_receive": submitted.order_by(urgency_rank().desc(), "submitted_at")[:HOME_LIMIT]},
    )
