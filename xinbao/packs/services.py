"""Every write of a reference pack: keyword-only, atomic, audited; recipients are told through
``xinbao.notify`` in the same transaction.

A pack is edited only as a draft (``PackError`` otherwise); delivering freezes it, a new
version is a copy. Nothing goes to a leader above their clearance: an item labelled above a
recipient's clearance is refused when added, a recipient cleared below an entry is refused when
chosen, and delivery checks every item's current label once more (a label may have been raised
since the item was added).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.documents.services import schedule as schedule_documents
from xinbao.items.access import visible_items
from xinbao.items.models import Item
from xinbao.lib.classified import refuse_classified
from xinbao.lib.labels import Sensitivity
from xinbao.notify import Recipient, notify
from xinbao.packs.models import Entry, EntryKind, Occasion, Pack, PackState, Receipt
from xinbao.periodicals.models import Instruction

#: Who builds and delivers packs.
BUILDER_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: Who a pack is for.
LEADER_ROLES = frozenset({Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER})


class PackError(Exception):
    """A move the pack's state, the user's role or a recipient's clearance does not allow."""


def _check_builder(user: User) -> None:
    if user.role not in BUILDER_ROLES:
        raise PackError(_("Reference packs are built by the information section."))


def _locked_draft(pack: Pack) -> Pack:
    locked = Pack.objects.select_for_update(no_key=True).get(pk=pack.pk)
    if locked.state != PackState.DRAFT:
        raise PackError(
            _("This pack is %(state)s: it can no longer be changed. Make a new version instead.")
            % {"state": locked.get_state_display()}
        )
    return locked


def _name(user: User) -> str:
    return user.full_name or user.username


def _above(label: int, recipients: Sequence[User]) -> User | None:
    """The first recipient not cleared for ``label``."""
    return next((r for r in recipients if r.clearance_level < label), None)


def _label_refusal(title: str, label: int, leader: User) -> PackError:
    return PackError(
        _(
            "“%(title)s” is labelled %(label)s, above the clearance of %(leader)s: "
            "it cannot go to them in this pack."
        )
        % {"title": title, "label": Sensitivity(label).label, "leader": _name(leader)}
    )


def _check_recipients(recipients: Sequence[User]) -> None:
    if not recipients:
        raise PackError(_("Choose at least one leader the pack is for."))
    for leader in recipients:
        if leader.role not in LEADER_ROLES or not leader.is_active:
            raise PackError(
                _("%(name)s is not an active leader: packs go to leaders only.")
                % {"name": _name(leader)}
            )


def _summary(pack: Pack) -> dict[str, str]:
    return {"title": pack.title}


@transaction.atomic
def create_pack(
    *,
    user: User,
    title: str,
    occasion: str,
    occasion_at: datetime,
    subject: str,
    recipients: Sequence[User],
    foreword: str = "",
) -> Pack:
    """A new draft pack for ``recipients`` (leaders), on ``subject`` (keywords)."""
    _check_builder(user)
    _check_recipients(recipients)
    refuse_classified(title, subject, foreword)
    pack = Pack.objects.create(
        title=title.strip(),
        occasion=Occasion(occasion),
        occasion_at=occasion_at,
        subject=subject.strip(),
        foreword=foreword.strip(),
        created_by=user,
    )
    pack.recipients.set(recipients)
    record(
        actor=user,
        action="pack.create",
        obj=pack,
        summary={**_summary(pack), "for": ", ".join(r.username for r in recipients)},
    )
    return pack


@transaction.atomic
def update_pack(
    *,
    user: User,
    pack: Pack,
    title: str,
    occasion: str,
    occasion_at: datetime,
    subject: str,
    recipients: Sequence[User],
    foreword: str = "",
) -> Pack:
    """Change a draft's heading, subject, foreword or leaders; a leader cleared below an entry
    already in the pack is refused."""
    _check_builder(user)
    _check_recipients(recipients)
    refuse_classified(title, subject, foreword)
    pack = _locked_draft(pack)
    for entry in pack.entries.exclude(sensitivity=Sensitivity.ORDINARY):
        leader = _above(entry.sensitivity, recipients)
        if leader is not None:
            raise _label_refusal(entry.title, entry.sensitivity, leader)
    pack.title = title.strip()
    pack.occasion = Occasion(occasion)
    pack.occasion_at = occasion_at
    pack.subject = subject.strip()
    pack.foreword = foreword.strip()
    pack.save(update_fields=["title", "occasion", "occasion_at", "subject", "foreword"])
    pack.recipients.set(recipients)
    record(actor=user, action="pack.update", obj=pack, summary=_summary(pack))
    return pack


def _next_order(pack: Pack) -> int:
    top = pack.entries.aggregate(top=Max("order"))["top"]
    return (top or 0) + 1


def _add(*, user: User, pack: Pack, action: str, **fields: object) -> Entry:
    entry = Entry.objects.create(pack=pack, order=_next_order(pack), **fields)
    record(
        actor=user,
        action=action,
        obj=pack,
        summary={**_summary(pack), "entry": entry.title or entry.label},
    )
    return entry


@transaction.atomic
def add_item(*, user: User, pack: Pack, item: Item) -> Entry:
    """Add an item the user may see, as it reads now; refused above a recipient's clearance."""
    _check_builder(user)
    pack = _locked_draft(pack)
    if not visible_items(user).filter(pk=item.pk).exists():
        raise PackError(_("You may not use this item."))
    leader = _above(item.sensitivity, list(pack.recipients.all()))
    if leader is not None:
        raise _label_refusal(item.title, item.sensitivity, leader)
    if pack.entries.filter(item=item).exists():
        raise PackError(_("“%(title)s” is in the pack already.") % {"title": item.title})
    return _add(
        user=user,
        pack=pack,
        action="pack.add_item",
        kind=EntryKind.ITEM,
        item=item,
        title=item.title,
        text=item.body,
        sensitivity=item.sensitivity,
    )


def instruction_label(instruction: Instruction) -> int:
    """The label an instruction carries in a pack: that of the item it was given on."""
    item = instruction.item
    return int(item.sensitivity) if item is not None else int(Sensitivity.ORDINARY)


@transaction.atomic
def add_instruction(*, user: User, pack: Pack, instruction: Instruction) -> Entry:
    """Add a leader's instruction (批示), with the leader's name, as it was given."""
    _check_builder(user)
    pack = _locked_draft(pack)
    label = instruction_label(instruction)
    if (
        instruction.item_id is not None
        and not visible_items(user).filter(pk=instruction.item_id).exists()
    ):
        raise PackError(_("You may not use this instruction."))
    title = _name(instruction.leader)
    leader = _above(label, list(pack.recipients.all()))
    if leader is not None:
        raise _label_refusal(instruction.text[:40], label, leader)
    if pack.entries.filter(instruction=instruction).exists():
        raise PackError(_("This instruction is in the pack already."))
    return _add(
        user=user,
        pack=pack,
        action="pack.add_instruction",
        kind=EntryKind.INSTRUCTION,
        instruction=instruction,
        title=title,
        text=instruction.text,
        sensitivity=label,
    )


@transaction.atomic
def add_figure(
    *, user: User, pack: Pack, label: str, value: str, unit: str = "", source: str = ""
) -> Entry:
    """A figure typed by the editor or taken from the items' facts: "死亡人数 3 人"."""
    _check_builder(user)
    label, value = label.strip(), value.strip()
    if not label or not value:
        raise PackError(_("A figure needs a label and a value."))
    refuse_classified(label, value, unit, source)
    pack = _locked_draft(pack)
    return _add(
        user=user,
        pack=pack,
        action="pack.add_figure",
        kind=EntryKind.FIGURE,
        label=label,
        value=value,
        unit=unit.strip(),
        source=source.strip(),
    )


@transaction.atomic
def add_text(*, user: User, pack: Pack, title: str, text: str) -> Entry:
    """The office's own text: background, a summary, points for the leader."""
    _check_builder(user)
    text = text.strip()
    if not text:
        raise PackError(_("Write the text."))
    refuse_classified(title, text)
    pack = _locked_draft(pack)
    return _add(
        user=user, pack=pack, action="pack.add_text", kind=EntryKind.TEXT, title=title, text=text
    )


def _locked_entry(entry: Entry) -> tuple[Pack, Entry]:
    pack = _locked_draft(entry.pack)
    return pack, Entry.objects.get(pk=entry.pk, pack=pack)


@transaction.atomic
def annotate(*, user: User, entry: Entry, note: str) -> Entry:
    """The editor's summary of an item, or a note on any entry (empty: none)."""
    _check_builder(user)
    refuse_classified(note)
    pack, entry = _locked_entry(entry)
    entry.note = note.strip()
    entry.save(update_fields=["note"])
    record(
        actor=user,
        action="pack.annotate",
        obj=pack,
        summary={**_summary(pack), "entry": entry.title or entry.label},
    )
    return entry


@transaction.atomic
def move(*, user: User, entry: Entry, up: bool) -> None:
    """Swap the entry with the one before (``up``) or after it; at an end, nothing moves."""
    _check_builder(user)
    pack, entry = _locked_entry(entry)
    entries = list(pack.entries.all())
    at = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
    other_at = at - 1 if up else at + 1
    if not 0 <= other_at < len(entries):
        return
    entries[at], entries[other_at] = entries[other_at], entries[at]
    for order, e in enumerate(entries, start=1):
        if e.order != order:
            e.order = order
            e.save(update_fields=["order"])
    record(
        actor=user,
        action="pack.move",
        obj=pack,
        summary={**_summary(pack), "entry": entry.title or entry.label, "up": up},
    )


@transaction.atomic
def remove(*, user: User, entry: Entry) -> None:
    _check_builder(user)
    pack, entry = _locked_entry(entry)
    name = entry.title or entry.label
    entry.delete()
    record(actor=user, action="pack.remove", obj=pack, summary={**_summary(pack), "entry": name})


#: The pack's documents in the document cache (registered in ``packs/rendered.py``).
PACK_DOCUMENT = "packs.pack"


@transaction.atomic
def deliver(*, user: User, pack: Pack) -> Pack:
    """Number and freeze the pack and tell each leader it is for, with the link."""
    _check_builder(user)
    pack = _locked_draft(pack)
    recipients = list(pack.recipients.all())
    _check_recipients(recipients)
    entries = list(pack.entries.select_related("item", "instruction__item"))
    if not entries:
        raise PackError(_("The pack is empty: add items, instructions, figures or text first."))
    for entry in entries:
        # Labels now, not when added: a label raised since then holds.
        if entry.item is not None:
            label, title = int(entry.item.sensitivity), entry.title
        elif entry.instruction is not None:
            label, title = instruction_label(entry.instruction), entry.text[:40]
        else:
            label, title = entry.sensitivity, entry.title
        leader = _above(label, recipients)
        if leader is not None:
            raise _label_refusal(title, label, leader)
        if label != entry.sensitivity:
            entry.sensitivity = label
            entry.save(update_fields=["sensitivity"])
    now = timezone.now()
    year = timezone.localtime(now).year
    top = Pack.objects.filter(year=year).aggregate(top=Max("number"))["top"]
    pack.year, pack.number = year, (top or 0) + 1
    pack.state = PackState.DELIVERED
    pack.delivered_at, pack.delivered_by = now, user
    pack.save(update_fields=["year", "number", "state", "delivered_at", "delivered_by"])
    record(
        actor=user,
        action="pack.deliver",
        obj=pack,
        summary={**_summary(pack), "number": pack.number_text()},
    )
    notify(
        to=[Recipient.of_user(r) for r in recipients],
        event="pack_delivered",
        link=f"/packs/{pack.pk}/read/",
        context={
            "title": pack.title,
            "when": timezone.localtime(pack.occasion_at).strftime("%Y-%m-%d %H:%M"),
        },
        key=f"pack-{pack.pk}",
    )
    # Frozen: the worker renders its PDF and DOCX once, after commit; downloads serve them.
    schedule_documents(kind=PACK_DOCUMENT, subject_id=pack.pk)
    return pack


@transaction.atomic
def withdraw(*, user: User, pack: Pack) -> Pack:
    """Take a delivered pack back: its leaders no longer find it (a corrected copy follows)."""
    _check_builder(user)
    locked = Pack.objects.select_for_update(no_key=True).get(pk=pack.pk)
    if locked.state != PackState.DELIVERED:
        raise PackError(_("Only a delivered pack can be withdrawn."))
    locked.state = PackState.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["state", "withdrawn_at"])
    record(actor=user, action="pack.withdraw", obj=locked, summary=_summary(locked))
    return locked


@transaction.atomic
def copy(*, user: User, pack: Pack) -> Pack:
    """A new draft with the pack's heading, leaders and entries: the way to a new version."""
    _check_builder(user)
    new = Pack.objects.create(
        title=pack.title,
        occasion=pack.occasion,
        occasion_at=pack.occasion_at,
        subject=pack.subject,
        foreword=pack.foreword,
        created_by=user,
        copied_from=pack,
    )
    new.recipients.set(pack.recipients.all())
    Entry.objects.bulk_create(
        Entry(
            pack=new,
            order=e.order,
            kind=e.kind,
            item=e.item,
            instruction=e.instruction,
            title=e.title,
            text=e.text,
            note=e.note,
            sensitivity=e.sensitivity,
            label=e.label,
            value=e.value,
            unit=e.unit,
            source=e.source,
        )
        for e in pack.entries.all()
    )
    record(
        actor=user,
        action="pack.copy",
        obj=new,
        summary={**_summary(new), "from": pack.number_text() or str(pack.pk)},
    )
    return new


@transaction.atomic
def record_read(*, user: User, pack: Pack, request: HttpRequest | None = None) -> bool:
    """The recipient's receipt, made on their first opening of the pack only; True then."""
    if not pack.recipients.filter(pk=user.pk).exists():
        return False
    _receipt, created = Receipt.objects.get_or_create(
        pack=pack, user=user, defaults={"read_at": timezone.now()}
    )
    if created:
        record(actor=user, action="pack.read", obj=pack, summary=_summary(pack), request=request)
    return created
