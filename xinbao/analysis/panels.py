"""Panels on the item's pages: its placement on the breadth axes (the desk's item page, where
editors correct it, and the item's own page for the office's readers), and what became of an
adopted proposal (the item's page, the unit's reporters included)."""

from __future__ import annotations

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.analysis.access import can_edit, can_view
from xinbao.analysis.forms import PlacementForm
from xinbao.analysis.models import Placement, ProposalFollowUp
from xinbao.items.models import Item, ItemKind
from xinbao.lib.panels import Panel, register


def _placement(user: User, item: Item, back: str) -> Panel | None:
    if not can_view(user):
        return None
    placement = Placement.objects.filter(item=item).select_related("corrected_by").first()
    form = None
    if can_edit(user):
        initial = {"next": back}
        if placement is not None:
            initial |= {
                "horizon": placement.horizon,
                "sphere": placement.sphere,
                "region": placement.region,
            }
        form = PlacementForm(initial=initial)
    return Panel(
        "analysis/partials/_placement.html",
        {"item": item, "placement": placement, "form": form},
    )


@register(kind="desk_item", order=60)
def desk_placement(user: User, item: Item) -> Panel | None:
    return _placement(user, item, reverse("desk:item", args=[item.pk]))


@register(kind="item", order=60)
def item_placement(user: User, item: Item) -> Panel | None:
    return _placement(user, item, reverse("items:detail", args=[item.pk]))


@register(kind="item", order=61)
def proposal_uptake(user: User, item: Item) -> Panel | None:
    """Whoever sees an adopted proposal's page sees what became of it, once recorded."""
    if item.kind != ItemKind.PROPOSAL:
        return None
    follow = ProposalFollowUp.objects.filter(item=item).select_related("instruction").first()
    if follow is None:
        return None
    return Panel(
        "analysis/partials/_uptake.html",
        {"follow": follow, "item": item, "can_view": can_view(user)},
    )
