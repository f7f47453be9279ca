"""Many new items in one transaction: the API's batch intake.

All or nothing: every item is checked first, exactly as ``services.create_item`` checks one;
if any is refused, the batch stores nothing and every refusal is reported with its index.
Each item carries its own idempotency key (shared with the single create's
``Idempotency-Key``): a resent batch hands back the items made the first time and creates
nothing twice. The audit events of the whole batch go to the chain in one append.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.audit.services import Event, record_many
from xinbao.items import services
from xinbao.items.models import Channel, IdempotencyKey, Item
from xinbao.items.services import WRITER_ROLES, IdempotencyConflict, ItemData
from xinbao.lib import bulk
from xinbao.org.models import Unit

#: The most items one batch may carry.
MAX_BATCH = 500


@dataclass(frozen=True)
class Entry:
    """One item of a batch: its idempotency key, its content, its unit (None: the reporter's
    own) and whether it is submitted at once."""

    key: str
    data: ItemData
    unit_id: int | None = None
    submit: bool = False


@dataclass(frozen=True)
class Outcome:
    item: Item
    created: bool


class BatchRefused(Exception):
    """Some items were refused: nothing was stored. ``errors`` pairs each refused item's index
    with why (a ``ValidationError``)."""

    def __init__(self, errors: list[tuple[int, ValidationError]]) -> None:
        super().__init__(errors)
        self.errors = errors


class BatchForbidden(PermissionDenied):
    """An item the caller may not write at all (another unit's): nothing was stored."""


def _units(entries: Sequence[Entry]) -> dict[int, Unit]:
    ids = {e.unit_id for e in entries if e.unit_id is not None}
    if not ids:
        return {}
    return {u.pk: u for u in Unit.objects.filter(pk__in=ids, is_active=True)}


def create_items(
    *, user: User, entries: Sequence[Entry], request: HttpRequest | None = None
) -> list[Outcome]:
    """Create (or, for a key already used with the same content, hand back) every entry's
    item, in the order given.

    Raises ``BatchForbidden`` when the caller may not write an item (a reporter naming another
    unit), ``BatchRefused`` with every invalid item's index otherwise; either way nothing is
    stored. Runs the same checks and hooks as ``services.create_item`` for every item.

    The texts' words and signatures are computed first, outside the transaction: on SQLite
    the write lock is taken when the transaction begins, and two batches then segment their
    texts on two cores at once instead of one after the other.
    """
    if user.role not in WRITER_ROLES:
        raise PermissionDenied(_("Your role may not write items."))
    now = timezone.now()
    indexed = [services.index_text(entry.data, reference=now) for entry in entries]
    return _create_items(user=user, entries=entries, indexed=indexed, request=request)


@transaction.atomic
def _create_items(
    *,
    user: User,
    entries: Sequence[Entry],
    indexed: Sequence[services.Indexed],
    request: HttpRequest | None,
) -> list[Outcome]:
    units = _units(entries)
    seen = {
        k.key: k
        for k in IdempotencyKey.objects.filter(
            user=user, key__in={e.key for e in entries}
        ).select_related("item", "item__unit")
    }
    repeated = {k for k, n in Counter(e.key for e in entries).items() if n > 1}
    errors: list[tuple[int, ValidationError]] = []
    outcomes: list[Outcome | None] = []
    fresh: list[tuple[int, Entry, Item, str]] = []
    for index, entry in enumerate(entries):
        outcomes.append(None)
        try:
            if entry.key in repeated:
                raise ValidationError(
                    {"key": _("This key is used by another item of the same batch.")},
                    code="duplicate_key",
                )
            unit = None
            if entry.unit_id is not None:
                unit = units.get(entry.unit_id)
                if unit is None:
                    raise ValidationError(
                        {
                            "unit": ValidationError(
                                _("There is no active unit with this id."), code="unknown_unit"
                            )
                        }
                    )
            try:
                unit = services.writer_unit(user, unit)
            except PermissionDenied as exc:
                raise BatchForbidden(
                    _("Item %(index)s: %(reason)s") % {"index": index, "reason": exc}
                ) from exc
            fingerprint = entry.data.fingerprint(unit.pk, submit=entry.submit)
            if (known := seen.get(entry.key)) is not None:
                if known.body_hash != fingerprint:
                    raise IdempotencyConflict(entry.key)
                outcomes[index] = Outcome(known.item, False)
                continue
            item = services.build_item(
                user=user, data=entry.data, unit=unit, channel=Channel.API, submit=entry.submit
            )
            fresh.append((index, entry, item, fingerprint))
        except IdempotencyConflict:
            errors.append(
                (
                    index,
                    ValidationError(
                        {
                            "key": ValidationError(
                                _(
                                    "This key was already used with a different item; use a "
                                    "new key for a new item."
                                ),
                                code="idempotency_conflict",
                            )
                        }
                    ),
                )
            )
        except ValidationError as exc:
            errors.append((index, exc))
    if errors:
        raise BatchRefused(errors)
    items = [item for _, _, item, _ in fresh]
    Item.objects.bulk_create(items, batch_size=500)
    services.add_relations([(item, entry.data) for _, entry, item, _ in fresh])
    bulk.insert(
        IdempotencyKey,
        [
            IdempotencyKey(user=user, key=entry.key, body_hash=fingerprint, item=item)
            for _, entry, item, fingerprint in fresh
        ],
    )
    services.after_create(items, [indexed[index] for index, *_ in fresh])
    # Last: the chain head stays locked until the commit, so the hooks run before it is taken.
    events: list[Event] = []
    for item in items:
        events += services.creation_events(user=user, item=item, request=request)
    record_many(events)
    for index, _entry, item, _fp in fresh:
        outcomes[index] = Outcome(item, True)
    return [o for o in outcomes if o is not None]
