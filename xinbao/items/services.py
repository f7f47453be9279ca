"""Every write to items: keyword-only, atomic, audited, side effects after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.accounts.permissions import DESK_ROLES
from xinbao.audit.services import Event, record, record_many
from xinbao.items import search
from xinbao.items.attachments import UploadRefused, check_upload
from xinbao.items.models import (
    Attachment,
    Channel,
    IdempotencyKey,
    Item,
    ItemStatus,
    Topic,
)
from xinbao.items.similarity import Signed, index_item, index_items, sign, sign_item
from xinbao.items.workflow import WRITER_ROLES, Move, TransitionError, is_author, transition
from xinbao.items.workflow import begin as begin_item
from xinbao.lib.classified import refuse_classified
from xinbao.lib.labels import Sensitivity
from xinbao.org.models import Unit

# Re-exported: views and the API catch the error, and check the writer's roles, here.
__all__ = ["WRITER_ROLES", "TransitionError"]


class IdempotencyConflict(Exception):
    """The same idempotency key came with another body."""


@dataclass
class ItemData:
    """What a writer supplies for an item, from any channel."""

    title: str
    body: str
    kind: str
    urgency: str
    writer_name: str
    writer_phone: str
    approved_by: str = ""
    place: str = ""
    event_at: dt.datetime | None = None
    topics: Sequence[str] = field(default_factory=list)
    joint_unit_ids: Sequence[int] = field(default_factory=list)
    #: The item's sensitivity label (``xinbao.lib.labels``), at most the writer's clearance.
    sensitivity: int = Sensitivity.ORDINARY

    def fingerprint(self, unit_id: int, *, submit: bool = False) -> str:
        """A stable hash of the content, to tell a resend from a different request.

        Always 64 hex digits (the stored column's length). ``submit`` enters the hash only
        when true, so the hashes already stored for plain creates stay valid.
        """
        payload: dict[str, Any] = {
            "unit": unit_id,
            "title": self.title,
            "body": self.body,
            "kind": self.kind,
            "urgency": self.urgency,
            "writer_name": self.writer_name,
            "writer_phone": self.writer_phone,
            "approved_by": self.approved_by,
            "place": self.place,
            "event_at": self.event_at.isoformat() if self.event_at else None,
            "topics": sorted(self.topics),
            "joint": sorted(self.joint_unit_ids),
        }
        if submit:
            payload["submit"] = True
        if self.sensitivity != Sensitivity.ORDINARY:
            # Only when set, so that the hashes stored before labels existed stay valid.
            payload["sensitivity"] = int(self.sensitivity)
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()


def normalise_body(text: str) -> str:
    """Plain paragraphs only: unify line ends, trim each paragraph, drop empty runs."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    paragraphs = [line for line in lines if line]
    return "\n".join(paragraphs)


# An item is a piece of news for the office's periodicals: the longest run a few thousand
# characters. 20,000 (some ten printed pages) leaves room for any real one while keeping the
# desk's pages, exports and the audit summary small; a longer text belongs in an attachment.
BODY_MAX_LENGTH = 20_000


def validate_writer_phone(value: str) -> str:
    """The writer's phone as the form and the API both accept it: 7 to 12 digits.

    Dashes, spaces and a leading ``+86`` are allowed; returns the value stripped.
    """
    phone = value.strip()
    digits = phone.replace("-", "").replace(" ", "").removeprefix("+86")
    if not (digits.isascii() and digits.isdigit()) or not 7 <= len(digits) <= 12:
        raise ValidationError(_("Enter a phone number of 7 to 12 digits."), code="invalid_phone")
    return phone


def _check_fields(data: ItemData) -> None:
    """What every channel must respect, checked here so the form and the API refuse alike."""
    errors: dict[str, ValidationError] = {}
    try:
        validate_writer_phone(data.writer_phone)
    except ValidationError as exc:
        errors["writer_phone"] = exc
    length = len(normalise_body(data.body))
    if length > BODY_MAX_LENGTH:
        errors["body"] = ValidationError(
            _(
                "The text is %(length)s characters long; an item may have at most "
                "%(limit)s characters. Shorten it, or attach the full document as a file."
            ),
            code="too_long",
            params={"length": length, "limit": BODY_MAX_LENGTH},
        )
    if errors:
        raise ValidationError(errors)


def _check_content(data: ItemData) -> None:
    refuse_classified(data.title, data.body)


def _check_label(user: User, label: int) -> None:
    """Nobody labels anything above their own clearance: they could not read it back."""
    if label > user.clearance_level:
        raise ValidationError(
            {
                "sensitivity": ValidationError(
                    _("You may not label anything above your own clearance (%(clearance)s).")
                    % {"clearance": user.clearance_level.label},
                    code="above_clearance",
                )
            }
        )


def _writer_unit(user: User, unit: Unit | None) -> Unit:
    if user.role not in WRITER_ROLES:
        raise PermissionDenied(_("Your role may not write items."))
    if user.is_reporter:
        assert user.unit is not None  # enforced by a check constraint
        if unit is not None and unit.pk != user.unit_id:
            raise PermissionDenied(_("A reporter writes only for their own unit."))
        return user.unit
    if unit is None:
        raise ValidationError(_("Choose the unit this item comes from."), code="unit")
    return unit


def _apply(item: Item, data: ItemData) -> None:
    item.title = data.title.strip()
    item.body = normalise_body(data.body)
    item.kind = data.kind
    item.urgency = data.urgency
    item.writer_name = data.writer_name.strip()
    item.writer_phone = data.writer_phone.strip()
    item.approved_by = data.approved_by.strip()
    item.place = data.place.strip()
    item.event_at = data.event_at


def _set_relations(item: Item, data: ItemData) -> None:
    topics = [Topic.objects.get_or_create(name=n.strip())[0] for n in data.topics if n.strip()]
    item.topics.set(topics)
    joint = [pk for pk in data.joint_unit_ids if pk != item.unit_id]
    item.joint_units.set(Unit.objects.filter(pk__in=joint, is_active=True))


def _resent(channel: str, source_id: str, unit: Unit) -> Item | None:
    """The item a resend of ``source_id`` on ``channel`` already made, when it is the unit's.

    Source ids are unique per channel, not per unit: another unit's item under the same id is
    refused, never handed back (it would show that unit's item to this writer).
    """
    existing = Item.objects.filter(channel=channel, source_id=source_id).first()
    if existing is not None and existing.unit_id != unit.pk:
        raise PermissionDenied(_("This message was already filed by another unit."))
    return existing


def build_item(
    *,
    user: User,
    data: ItemData,
    unit: Unit,
    channel: str,
    source_id: str = "",
    submit: bool = False,
) -> Item:
    """The new item, checked and unsaved, in the state its creation starts it in.

    Costs no query: ``unit`` is the writer's unit (``writer_unit``). Raises what the form and
    the API answer (``ValidationError``, ``PermissionDenied``, ``ClassifiedContent``…).
    """
    _check_fields(data)
    _check_label(user, data.sensitivity)
    _check_content(data)
    item = Item(unit=unit, channel=channel, source_id=source_id, created_by=user)
    begin_item(user=user, item=item, move=Move.SUBMIT if submit else Move.CREATE)
    if submit:
        item.submitted_at = timezone.now()
    _apply(item, data)
    item.sensitivity = data.sensitivity
    # The one constraint, a unique (channel, source id), is the database's to enforce:
    # create_item looks for a resend first and catches a concurrent one's IntegrityError.
    item.full_clean(
        exclude=["unit", "created_by", "topics", "joint_units"], validate_constraints=False
    )
    return item


def writer_unit(user: User, unit: Unit | None) -> Unit:
    """The unit ``user`` writes for: their own for a reporter, ``unit`` for office staff."""
    return _writer_unit(user, unit)


def topics_named(names: Iterable[str]) -> dict[str, Topic]:
    """The topics of these names, the missing ones created: two queries, three at most."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        return {}
    found = {t.name: t for t in Topic.objects.filter(name__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        # A concurrent writer may create the same topic: ignored here, read back below.
        Topic.objects.bulk_create([Topic(name=n) for n in missing], ignore_conflicts=True)
        found.update((t.name, t) for t in Topic.objects.filter(name__in=missing))
    return found


def add_relations(pairs: Sequence[tuple[Item, ItemData]]) -> None:
    """Topics and joint units of new, saved items, in a few queries however many items."""
    topics = topics_named(n for _, data in pairs for n in data.topics)
    wanted_units = {pk for item, data in pairs for pk in data.joint_unit_ids if pk != item.unit_id}
    active = (
        set(Unit.objects.filter(pk__in=wanted_units, is_active=True).values_list("pk", flat=True))
        if wanted_units
        else set()
    )
    topic_rows, unit_rows = [], []
    TopicLink, UnitLink = Item.topics.through, Item.joint_units.through
    for item, data in pairs:
        names = dict.fromkeys(n.strip() for n in data.topics if n.strip())
        topic_rows += [TopicLink(item_id=item.pk, topic_id=topics[n].pk) for n in names]
        joint = dict.fromkeys(pk for pk in data.joint_unit_ids if pk in active)
        unit_rows += [UnitLink(item_id=item.pk, unit_id=pk) for pk in joint if pk != item.unit_id]
    if topic_rows:
        TopicLink.objects.bulk_create(topic_rows, batch_size=500)
    if unit_rows:
        UnitLink.objects.bulk_create(unit_rows, batch_size=500)


def creation_events(*, user: User, item: Item, request: HttpRequest | None = None) -> list[Event]:
    """The audit events of a new item: its creation and, when it was submitted at once, its
    submission (as ``transition`` records one), to be written in one append."""
    events = [
        Event(
            actor=user,
            action="item.create",
            obj=item,
            summary={
                "title": item.title,
                "unit": item.unit.name,
                "channel": item.channel,
                "sensitivity": Sensitivity(item.sensitivity).name.lower(),
            },
            request=request,
        )
    ]
    if item.status == ItemStatus.SUBMITTED:
        events.append(
            Event(
                actor=user,
                action=f"item.{ItemStatus.SUBMITTED}",
                obj=item,
                summary={
                    "status": [str(ItemStatus.DRAFT), str(ItemStatus.SUBMITTED)],
                    "move": str(Move.SUBMIT),
                },
                request=request,
            )
        )
    return events


@dataclass(frozen=True)
class Indexed:
    """What a new item's text gives the search index and its same-event signature, computed
    from the text alone (``index_text``), so that a caller can compute it before its
    transaction takes the write lock and hand it to ``create_item`` or the batch."""

    #: The stored text it was computed from: title, body, place, event time.
    key: tuple[str, str, str, dt.datetime | None]
    words: tuple[str, str]
    signed: Signed | None


def index_text(data: ItemData, *, reference: dt.datetime) -> Indexed:
    """``Indexed`` for an item made of ``data`` (the text as ``build_item`` will store it);
    relative dates read against ``reference``, the time the item arrived."""
    title, body, place = data.title.strip(), normalise_body(data.body), data.place.strip()
    return Indexed(
        key=(title, body, place, data.event_at),
        words=search.words_of(title, body),
        signed=sign(
            title=title, body=body, place=place, event_at=data.event_at, reference=reference
        ),
    )


def _indexed(item: Item, given: Indexed | None) -> Indexed:
    key = (item.title, item.body, item.place, item.event_at)
    if given is not None and given.key == key:
        return given
    return Indexed(key=key, words=search.words_of(item.title, item.body), signed=sign_item(item))


def after_create(items: Sequence[Item], indexed: Sequence[Indexed | None] | None = None) -> None:
    """What every new item goes through once stored, whichever path made it (``create_item``,
    the batch in ``items.batch``): add a hook here, never to one path only. ``indexed``: each
    item's ``index_text`` where the caller computed it (one that does not match the stored
    text is computed again)."""
    given = indexed if indexed is not None else [None] * len(items)
    ready = [_indexed(item, g) for item, g in zip(items, given, strict=True)]
    index_items(items, new=True, signed=[r.signed for r in ready])
    search.index_items(items, new=True, words=[r.words for r in ready])


def after_text_change(item: Item) -> None:
    """What an item goes through whenever its title or body changed, whichever service changed
    it (``update_item``, the desk's edit, an issue's revision): its same-event signature and its
    search entry follow the new text. Add a hook here, never to one path only."""
    index_item(item)
    search.index_item(item)


@transaction.atomic
def create_item(
    *,
    user: User,
    data: ItemData,
    unit: Unit | None = None,
    channel: str = Channel.WEB,
    source_id: str = "",
    submit: bool = False,
    uploads: Iterable[UploadedFile] = (),
    request: HttpRequest | None = None,
    indexed: Indexed | None = None,
) -> Item:
    """Create an item as a draft (or submitted at once with ``submit``).

    With a ``source_id``, a resend from the same channel returns the existing item.
    ``indexed``: ``index_text(data)``, computed by a caller before the transaction.
    """
    unit = _writer_unit(user, unit)
    item = build_item(
        user=user, data=data, unit=unit, channel=channel, source_id=source_id, submit=submit
    )
    if source_id and (existing := _resent(channel, source_id, unit)) is not None:
        return existing
    if source_id:
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError:
            # A concurrent resend with the same source id won the race: that item is ours.
            if (existing := _resent(channel, source_id, unit)) is not None:
                return existing
            raise
    else:
        item.save(force_insert=True)
    add_relations([(item, data)])
    for upload in uploads:
        add_attachment(user=user, item=item, upload=upload, request=request)
    after_create([item], [indexed])
    # Last: the chain head stays locked until the commit, so the hooks run before it is taken.
    record_many(creation_events(user=user, item=item, request=request))
    return item


@transaction.atomic
def create_item_idempotent(
    *,
    user: User,
    key: str,
    data: ItemData,
    unit: Unit | None = None,
    submit: bool = False,
    request: HttpRequest | None = None,
    indexed: Indexed | None = None,
) -> tuple[Item, bool]:
    """The API's create: the same key and body give the same item (``created`` False).

    Raises ``IdempotencyConflict`` when the key was used with another body.
    """
    resolved = _writer_unit(user, unit)
    fingerprint = data.fingerprint(resolved.pk, submit=submit)
    seen = IdempotencyKey.objects.filter(user=user, key=key).select_related("item").first()
    if seen is not None:
        if seen.body_hash != fingerprint:
            raise IdempotencyConflict(key)
        return seen.item, False
    item = create_item(
        user=user,
        data=data,
        unit=resolved,
        channel=Channel.API,
        submit=submit,
        request=request,
        indexed=indexed,
    )
    IdempotencyKey.objects.create(user=user, key=key, body_hash=fingerprint, item=item)
    return item, True


def _require_author(user: User, item: Item) -> None:
    if not is_author(user, item):
        raise PermissionDenied(_("Only the writer's unit may change this item."))


@transaction.atomic
def update_item(
    *,
    user: User,
    item: Item,
    data: ItemData,
    uploads: Iterable[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Item:
    item = Item.objects.select_for_update(no_key=True).get(pk=item.pk)
    _require_author(user, item)
    if not item.is_editable:
        raise TransitionError(
            _("A %(status)s item can no longer be edited; withdraw it first.")
            % {"status": item.get_status_display()}
        )
    _check_fields(data)
    _check_content(data)
    _check_label(user, data.sensitivity)
    if data.sensitivity < item.sensitivity and item.status != ItemStatus.DRAFT:
        # Once the office has had it, lowering is the desk's audited decision (change_label).
        raise ValidationError(
            {
                "sensitivity": ValidationError(
                    _("Once sent, an item's label is lowered only by the editor, with a reason."),
                    code="lowered",
                )
            }
        )
    before = {"title": item.title, "body": item.body, "sensitivity": item.sensitivity}
    _apply(item, data)
    item.sensitivity = data.sensitivity
    item.full_clean(exclude=["unit", "created_by", "topics", "joint_units"])
    item.save()
    _set_relations(item, data)
    after_text_change(item)
    for upload in uploads:
        add_attachment(user=user, item=item, upload=upload, request=request)
    changed = [k for k, v in before.items() if getattr(item, k) != v]
    record(
        actor=user, action="item.update", obj=item, summary={"changed": changed}, request=request
    )
    return item


@transaction.atomic
def submit_item(*, user: User, item: Item, request: HttpRequest | None = None) -> Item:
    _check_content(
        ItemData(
            item.title, item.body, item.kind, item.urgency, item.writer_name, item.writer_phone
        )
    )
    return transition(
        user=user,
        item=item,
        move=Move.SUBMIT,
        stamp={"submitted_at": timezone.now()},
        request=request,
    )


@transaction.atomic
def withdraw_item(*, user: User, item: Item, request: HttpRequest | None = None) -> Item:
    return transition(user=user, item=item, move=Move.WITHDRAW, request=request)


@transaction.atomic
def receive_item(*, user: User, item: Item, request: HttpRequest | None = None) -> Item:
    """The office has it: stamped with who received it and when."""
    return transition(user=user, item=item, move=Move.RECEIVE, request=request)


@transaction.atomic
def change_label(
    *,
    user: User,
    item: Item,
    sensitivity: int,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Item:
    """The desk raises an item's label, or lowers it with a reason; each audited.

    Raises ``PermissionDenied`` for any role but the desk's and ``ValidationError`` for the
    label it already has, one above the user's own clearance, or a lowering without a reason.
    """
    if user.role not in DESK_ROLES:
        raise PermissionDenied(_("Only editors and section chiefs change an item's label."))
    item = Item.objects.select_for_update(no_key=True).get(pk=item.pk)
    old, new = Sensitivity(item.sensitivity), Sensitivity(sensitivity)
    if new == old:
        raise ValidationError(_("The item already carries this label."), code="unchanged")
    _check_label(user, new)
    reason = reason.strip()
    if new < old and not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Say why the label is lowered."), code="required")}
        )
    item.sensitivity = new
    item.save(update_fields=["sensitivity", "updated_at"])
    record(
        actor=user,
        action="item.label_raise" if new > old else "item.label_lower",
        obj=item,
        summary={"from": old.name.lower(), "to": new.name.lower(), "reason": reason},
        request=request,
    )
    return item


@transaction.atomic
def add_attachment(
    *,
    user: User,
    item: Item,
    upload: UploadedFile,
    sensitivity: int | None = None,
    request: HttpRequest | None = None,
) -> Attachment:
    """Check, then store an upload. A refused upload raises ``UploadRefused``, storing nothing.

    The file carries ``sensitivity`` (the item's label when None): lower than the item's is
    allowed, above the uploader's own clearance is refused.
    """
    label = Sensitivity(item.sensitivity if sensitivity is None else sensitivity)
    if label > user.clearance_level:
        raise UploadRefused(
            _("“%(name)s” may not be labelled above your own clearance (%(clearance)s).")
            % {"name": upload.name or "file", "clearance": user.clearance_level.label}
        )
    checked = check_upload(upload)
    attachment = Attachment(
        item=item,
        kind=checked.kind,
        original_name=(upload.name or "file")[-200:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        sensitivity=label,
        uploaded_by=user,
    )
    attachment.file.save(checked.sha256, upload, save=False)
    attachment.save()
    search.index_attachment(attachment)
    # A rollback after this point leaves the file behind; the orphan sweep
    # (items.chores) removes it.
    record(
        actor=user,
        action="attachment.add",
        obj=item,
        summary={
            "name": attachment.original_name,
            "type": checked.content_type,
            "size": checked.size,
            "sensitivity": label.name.lower(),
        },
        request=request,
    )
    if checked.kind == "picture":
        from xinbao.items.tasks import make_thumbnail

        transaction.on_commit(partial(make_thumbnail.enqueue, attachment.pk))
    return attachment


@transaction.atomic
def attach(
    *,
    user: User,
    item: Item,
    upload: UploadedFile,
    sensitivity: int | None = None,
    request: HttpRequest | None = None,
) -> Attachment:
    """The writer's unit adds a file to an item it may still edit (the API's upload).

    Raises ``PermissionDenied`` for anyone else, ``TransitionError`` for a sent item and
    ``UploadRefused`` for a file of a type or size we do not accept.
    """
    item = Item.objects.select_for_update(no_key=True).get(pk=item.pk)
    _require_author(user, item)
    if not item.is_editable:
        raise TransitionError(
            _(
                "Files are added to a draft, withdrawn or returned item; this one is "
                "%(status)s. Withdraw it first."
            )
            % {"status": item.get_status_display()}
        )
    return add_attachment(
        user=user, item=item, upload=upload, sensitivity=sensitivity, request=request
    )


@transaction.atomic
def remove_attachment(
    *, user: User, attachment: Attachment, request: HttpRequest | None = None
) -> None:
    item = attachment.item
    _require_author(user, item)
    if not item.is_editable:
        raise TransitionError(_("Attachments of a sent item cannot be removed."))
    name = attachment.original_name
    stored = attachment.file.name
    attachment.delete()
    record(
        actor=user, action="attachment.remove", obj=item, summary={"name": name}, request=request
    )
    storage = attachment.file.storage
    transaction.on_commit(lambda: _delete_if_unused(storage, stored))


def _delete_if_unused(storage: Any, name: str) -> None:
    if name and not Attachment.objects.filter(file=name).exists():
        storage.delete(name)
