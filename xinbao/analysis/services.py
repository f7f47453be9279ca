"""Every write of the analysis app: placements suggested and corrected, mix targets set,
proposals' uptake recorded. Keyword-only, atomic, audited; messages queued in the
transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.analysis import selectors
from xinbao.analysis.breadth import suggest
from xinbao.analysis.models import (
    MIX_KINDS,
    TOLD_UPTAKES,
    Horizon,
    MixTarget,
    Placement,
    ProposalFollowUp,
    Region,
    Sphere,
    Uptake,
)
from xinbao.audit.services import record
from xinbao.items.models import Item, ItemKind
from xinbao.notify import notify, resolve
from xinbao.org.models import Position
from xinbao.periodicals.models import Instruction

#: Who sees the breadth matrix, the office's mix and the proposals followed.
VIEW_ROLES = frozenset(
    {Role.EDITOR, Role.SECTION_CHIEF, Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER}
)
#: Who corrects a placement and records a proposal's uptake.
EDIT_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: Who sets the office's mix targets.
TARGET_ROLES = frozenset({Role.SECTION_CHIEF})


class AnalysisError(Exception):
    """A change the rules refuse; the message says why, in the user's language."""


def _refuse(user: User, roles: frozenset[Role]) -> None:
    if user.role not in roles:
        raise AnalysisError(_("Your role may not do this."))


# --- placements ------------------------------------------------------------------------------


def place_item(*, item_id: int, local: frozenset[str] | None = None) -> Placement | None:
    """Suggest the placement of one item (the placing chore's row); nothing when it is placed
    already, gone, or still a draft. ``local``: the network's places, when the caller read them
    once for many items. Audited with the system as its actor."""
    item = selectors.placeable_items().filter(pk=item_id).first()
    if item is None or Placement.objects.filter(item_id=item_id).exists():
        return None
    if local is None:
        local = selectors.local_places()
    found = suggest(title=item.title, body=item.body, local=local)
    with transaction.atomic():
        placement, made = Placement.objects.get_or_create(
            item=item,
            defaults={
                "horizon": found.horizon,
                "sphere": found.sphere,
                "region": found.region,
                "suggested_horizon": found.horizon,
                "suggested_sphere": found.sphere,
                "suggested_region": found.region,
                "reasons": found.reasons,
                "placed_at": timezone.now(),
            },
        )
        if not made:
            return None
        record(
            actor=None,
            actor_name="xinbao",
            action="analysis.placement.suggest",
            obj=item,
            summary={"horizon": found.horizon, "sphere": found.sphere, "region": found.region},
        )
    return placement


def place_missing(*, batch: int = 500) -> int:
    """Place every sent item never placed, however old (a new install over existing items, the
    demo): what the chore would do without its window. Each item in its own transaction."""
    local = selectors.local_places()
    since = dt.datetime.min.replace(tzinfo=dt.UTC)
    done = 0
    while ids := selectors.unplaced_ids(limit=batch, since=since):
        for pk in ids:
            if place_item(item_id=pk, local=local) is not None:
                done += 1
    return done


@transaction.atomic
def correct_placement(
    *, user: User, item: Item, horizon: str, sphere: str, region: str
) -> Placement:
    """An editor puts the item where it belongs; the chore never changes it afterwards. An item
    not placed yet is suggested first, so that the suggestion is kept beside the correction."""
    _refuse(user, EDIT_ROLES)
    if horizon not in Horizon.values or sphere not in Sphere.values or region not in Region.values:
        raise AnalysisError(_("Choose a value on each axis."))
    placement = Placement.objects.select_for_update(no_key=True).filter(item=item).first()
    if placement is None:
        place_item(item_id=item.pk)
        placement = Placement.objects.select_for_update(no_key=True).filter(item=item).first()
    if placement is None:
        raise AnalysisError(_("A draft is not placed."))
    before = {"horizon": placement.horizon, "sphere": placement.sphere, "region": placement.region}
    placement.horizon, placement.sphere, placement.region = horizon, sphere, region
    placement.corrected_by = user
    placement.corrected_at = timezone.now()
    placement.save(update_fields=["horizon", "sphere", "region", "corrected_by", "corrected_at"])
    record(
        actor=user,
        action="analysis.placement.correct",
        obj=item,
        summary={
            "before": before,
            "after": {"horizon": horizon, "sphere": sphere, "region": region},
        },
    )
    return placement


# --- the office's mix ------------------------------------------------------------------------


@transaction.atomic
def set_target(*, user: User, kind: str, share: int, valid_from: dt.date) -> MixTarget:
    """The share of the office's own items of ``kind`` to reach from ``valid_from``; setting it
    again for the same day replaces that day's."""
    _refuse(user, TARGET_ROLES)
    if kind not in MIX_KINDS:
        raise AnalysisError(_("Choose a kind of item."))
    if not 0 <= share <= 100:
        raise AnalysisError(_("A share is a percentage from 0 to 100."))
    target, _made = MixTarget.objects.update_or_create(
        kind=kind,
        valid_from=valid_from,
        defaults={"share": share, "set_by": user, "set_at": timezone.now()},
    )
    record(
        actor=user,
        action="analysis.target.set",
        obj=target,
        summary={"kind": kind, "share": share, "from": valid_from.isoformat()},
    )
    return target


@transaction.atomic
def remove_target(*, user: User, target: MixTarget) -> None:
    _refuse(user, TARGET_ROLES)
    summary = {"kind": target.kind, "share": target.share, "from": target.valid_from.isoformat()}
    record(actor=user, action="analysis.target.remove", obj=target, summary=summary)
    target.delete()


# --- proposals followed ----------------------------------------------------------------------


@transaction.atomic
def record_uptake(
    *,
    user: User,
    item: Item,
    uptake: str,
    note: str = "",
    decided_on: dt.date | None = None,
    instruction: Instruction | None = None,
) -> ProposalFollowUp:
    """Record what became of an adopted proposal, with its evidence. The first time it is taken
    up (wholly or partly), the unit that proposed it is told."""
    _refuse(user, EDIT_ROLES)
    if (
        item.kind != ItemKind.PROPOSAL
        or not selectors.adopted_proposals().filter(pk=item.pk).exists()
    ):
        raise AnalysisError(_("Only an adopted proposal is followed."))
    if uptake not in Uptake.values:
        raise AnalysisError(_("Choose what became of the proposal."))
    note = note.strip()
    if uptake != Uptake.PENDING and not note and instruction is None:
        raise AnalysisError(_("Give the evidence: a note or a leader's instruction."))
    if instruction is not None and instruction.item_id != item.pk:
        raise AnalysisError(_("The instruction is not on this item."))
    now = timezone.now()
    follow, _made = ProposalFollowUp.objects.select_for_update(no_key=True).get_or_create(
        item=item, defaults={"updated_by": user, "updated_at": now}
    )
    before = follow.uptake
    follow.uptake = uptake
    follow.note = note
    follow.decided_on = decided_on if uptake != Uptake.PENDING else None
    follow.instruction = instruction
    follow.updated_by = user
    follow.updated_at = now
    tell = uptake in TOLD_UPTAKES and follow.unit_told_at is None
    if tell:
        follow.unit_told_at = now
    follow.save()
    record(
        actor=user,
        action="analysis.proposal.uptake",
        obj=item,
        summary={
            "before": before,
            "uptake": uptake,
            "note": note,
            "decided_on": decided_on.isoformat() if decided_on else None,
            "instruction": instruction.pk if instruction else None,
        },
    )
    if tell:
        notify(
            to=resolve(
                units=[item.unit, *item.joint_units.all()],
                positions=[Position.REPORTER, Position.DEPUTY_IN_CHARGE],
            ),
            event="analysis_proposal_taken_up",
            context={"title": item.title, "partly": uptake == Uptake.PARTLY, "note": note},
            link=reverse("items:detail", args=[item.pk]),
            key=f"proposal-{item.pk}-taken-up",
        )
    return follow
