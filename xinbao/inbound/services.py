"""Every write of inbound messages: keyword-only, typed, atomic, audited.

A message is stored once per (channel, source id), whatever happens to it: a known reporter's
becomes a draft of their unit (submitted at once where the office's policy says so), a reply is
added to the thread of the message it answers, and anything else — an unknown sender, a sender
who is not a reporter, a message that cannot become an item as it stands — is quarantined for
an editor, a section chief or the duty officer to release to a unit or reject. Nothing is
dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import DESK_ROLES
from xinbao.audit.services import record
from xinbao.inbound.mail import MailAttachment
from xinbao.inbound.models import InboundMessage, InboundPolicy, InboundState
from xinbao.items.attachments import UploadRefused
from xinbao.items.models import Channel, Item, ItemKind, Urgency
from xinbao.items.services import ItemData, add_attachment, create_item
from xinbao.items.workflow import OFFICE_ROLES, WRITER_ROLES
from xinbao.org.models import Person, Unit

#: Who reviews the quarantine: releases a message to a unit or rejects it.
REVIEWERS = OFFICE_ROLES

TITLE_LENGTH = 60


class InboundError(Exception):
    """A move the message's state does not allow; the message is for the user."""


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    created: bool


def phone_digits(value: str) -> str:
    """A phone number as digits only, without China's +86 / 0086."""
    digits = re.sub(r"\D", "", value)
    for prefix in ("0086", "86"):
        if len(digits) > 11 and digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def match_sender(*, channel: str, sender: str) -> list[User]:
    """The active users a channel address belongs to: their account's email or phone, or the
    email, mobile phone or WeCom user id of the person in the roster linked to their account."""
    sender = sender.strip()
    if not sender:
        return []
    users = User.objects.filter(is_active=True).select_related("unit")
    if channel == Channel.EMAIL:
        found = list(users.filter(Q(email__iexact=sender) | Q(person__email__iexact=sender)))
    elif channel == Channel.WECOM:
        found = list(users.filter(person__wecom_userid=sender))
    elif channel == Channel.SMS:
        digits = phone_digits(sender)
        if len(digits) < 7:
            return []
        tail = digits[-7:]
        candidates = list(users.filter(Q(phone__contains=tail) | Q(person__phone__contains=tail)))
        people = dict(Person.objects.filter(user__in=candidates).values_list("user_id", "phone"))
        found = [
            u
            for u in candidates
            if digits in (phone_digits(u.phone), phone_digits(people.get(u.pk) or ""))
        ]
    else:
        return []
    return list({u.pk: u for u in found}.values())


def submits_at_once(channel: str) -> bool:
    policy = InboundPolicy.objects.filter(channel=channel).first()
    return bool(policy and policy.submit_at_once)


def _title(subject: str, text: str) -> str:
    title = subject.strip()
    if not title:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        title = first[:TITLE_LENGTH] + ("…" if len(first) > TITLE_LENGTH else "")
    return title[:200] or _("Message without a subject")


def _writer_phone(user: User | None, message: InboundMessage) -> str:
    phones = [user.phone if user else ""]
    if user is not None:
        phones.append(
            Person.objects.filter(user=user).values_list("phone", flat=True).first() or ""
        )
    if message.channel == Channel.SMS:
        phones.append(message.sender)
    return next((p for p in phones if p and 7 <= len(phone_digits(p)) <= 12), "")


def _item_data(message: InboundMessage, *, writer_name: str, writer_phone: str) -> ItemData:
    title = _title(message.subject, message.text)
    return ItemData(
        title=title,
        body=message.text.strip() or title,
        kind=ItemKind.DYNAMIC,
        urgency=Urgency.ROUTINE,
        writer_name=writer_name,
        writer_phone=writer_phone,
    )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


def _attach(
    message: InboundMessage, item: Item, user: User, files: Sequence[MailAttachment]
) -> None:
    """Keep each file on the item through the items' upload checks; a refused one is recorded on
    the message with the reason, never lost (the original message keeps it)."""
    refused = list(message.refused_attachments)
    for f in files:
        upload = SimpleUploadedFile(f.name, f.data, content_type=f.content_type)
        try:
            with transaction.atomic():
                add_attachment(user=user, item=item, upload=upload)
        except UploadRefused as exc:
            refused.append({"name": f.name, "reason": str(exc)})
    message.refused_attachments = refused


def _make_item(
    message: InboundMessage,
    *,
    author: User,
    unit: Unit | None,
    writer_name: str,
    writer_phone: str,
    submit: bool,
    files: Sequence[MailAttachment],
    request: HttpRequest | None = None,
) -> Item:
    data = _item_data(message, writer_name=writer_name, writer_phone=writer_phone)
    item = create_item(
        user=author,
        data=data,
        unit=unit,
        channel=message.channel,
        source_id=message.source_id[:200],
        submit=submit,
        request=request,
    )
    _attach(message, item, author, files)
    return item


def _thread_of(
    references: Sequence[str], sender: str, person: User | None
) -> InboundMessage | None:
    """The earlier message a reply answers, when the reply comes from its sender or from the
    person its item belongs to (a stranger naming a Message-ID joins no thread)."""
    if not references:
        return None
    earlier = (
        InboundMessage.objects.filter(channel=Channel.EMAIL, message_id__in=list(references))
        .select_related("item")
        .order_by("-received_at")
        .first()
    )
    if earlier is None:
        return None
    same_sender = earlier.sender.lower() == sender.lower()
    same_person = person is not None and earlier.person_id == person.pk
    return earlier if same_sender or same_person else None


@transaction.atomic
def receive(
    *,
    channel: str,
    source_id: str,
    sender: str,
    sender_name: str = "",
    subject: str = "",
    text: str = "",
    received_at: dt.datetime | None = None,
    message_id: str = "",
    references: Sequence[str] = (),
    attachments: Sequence[MailAttachment] = (),
    raw: bytes | None = None,
) -> Received:
    """Store a message that arrived and make of it what the roster and the policy say.

    Idempotent: a second message with the same (channel, source id) changes nothing and returns
    the first (``created`` False).
    """
    source_id = source_id.strip()[:200]
    if not source_id:
        raise ValueError("an inbound message needs its source id")
    existing = InboundMessage.objects.filter(channel=channel, source_id=source_id).first()
    if existing is not None:
        return Received(existing, False)
    message = InboundMessage(
        channel=channel,
        source_id=source_id,
        sender=sender.strip()[:255],
        sender_name=sender_name.strip()[:100],
        subject=subject.strip()[:255],
        text=text.strip(),
        received_at=received_at or timezone.now(),
        message_id=message_id[:255],
        state=InboundState.QUARANTINED,
    )
    if raw is not None:
        message.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # A concurrent delivery of the same message won the race: that one is the message.
        existing = InboundMessage.objects.filter(channel=channel, source_id=source_id).first()
        if existing is None:
            raise
        return Received(existing, False)

    matched = match_sender(channel=channel, sender=message.sender)
    person = matched[0] if len(matched) == 1 else None
    message.person = person
    earlier = _thread_of(references, message.sender, person)
    message.reply_to = earlier
    if earlier is not None and earlier.item is not None:
        # Added to the item the earlier message made; a reply to a message still in quarantine
        # goes its own way below, linked to it for the reviewer.
        message.item = earlier.item
        message.state = InboundState.THREADED
        if attachments:
            _attach(message, earlier.item, person or earlier.item.created_by, attachments)
    elif len(matched) > 1:
        message.problem = _("Several people have this address; choose the unit by hand.")
    elif person is None:
        pass  # an unknown sender: quarantined for review
    elif person.role != Role.REPORTER or person.unit is None:
        message.problem = _("The sender is not a reporter of a unit.")
    else:
        submit = submits_at_once(channel)
        try:
            with transaction.atomic():
                message.item = _make_item(
                    message,
                    author=person,
                    unit=person.unit,
                    writer_name=person.full_name or person.username,
                    writer_phone=_writer_phone(person, message),
                    submit=submit,
                    files=attachments,
                )
            message.state = InboundState.SUBMITTED if submit else InboundState.DRAFTED
        except (ValidationError, PermissionDenied) as exc:
            message.problem = _error_text(exc)
    message.save()
    record(
        actor=None,
        actor_name=f"{channel}:{message.sender}",
        action="inbound.receive",
        obj=message,
        summary={
            "channel": channel,
            "source_id": source_id,
            "state": message.state,
            "item": message.item_id,
        },
    )
    return Received(message, True)


@transaction.atomic
def record_failure(
    *, channel: str, source_id: str, error: str, raw: bytes | None = None
) -> Received:
    """A message that could not be read: stored with the error and its original bytes, so
    that it is seen on the list and can be read by hand."""
    existing = InboundMessage.objects.filter(channel=channel, source_id=source_id).first()
    if existing is not None:
        return Received(existing, False)
    message = InboundMessage(
        channel=channel,
        source_id=source_id[:200],
        sender="",
        received_at=timezone.now(),
        state=InboundState.FAILED,
        problem=error[:2000],
    )
    if raw is not None:
        message.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)
    message.save(force_insert=True)
    record(
        actor=None,
        actor_name=channel,
        action="inbound.failed",
        obj=message,
        summary={"channel": channel, "source_id": source_id, "error": error[:200]},
    )
    return Received(message, True)


def _require_reviewer(user: User) -> None:
    if user.role not in REVIEWERS:
        raise PermissionDenied(
            _("Only editors, section chiefs and the duty officer review inbound messages.")
        )


def _lock_quarantined(message: InboundMessage) -> InboundMessage:
    message = InboundMessage.objects.select_for_update(no_key=True).get(pk=message.pk)
    if message.state != InboundState.QUARANTINED:
        raise InboundError(
            _("This message is no longer in quarantine: it is %(state)s.")
            % {"state": message.get_state_display().lower()}
        )
    return message


def raw_attachments(message: InboundMessage) -> list[MailAttachment]:
    """The attachments of a stored email, read again from its original bytes."""
    if message.channel != Channel.EMAIL or not message.raw:
        return []
    from xinbao.inbound.mail import BrokenMessage, parse

    with message.raw.open("rb") as f:
        raw = f.read()
    try:
        return parse(raw).attachments
    except BrokenMessage:
        return []


@transaction.atomic
def release(
    *,
    user: User,
    message: InboundMessage,
    unit: Unit,
    author: User | None = None,
    writer_name: str,
    writer_phone: str,
    submit: bool = False,
    request: HttpRequest | None = None,
) -> InboundMessage:
    """Make a quarantined message an item crediting ``unit``: written by ``author`` (a reporter
    of that unit) or, without one, by the reviewer themselves where their role writes items.

    Raises ``PermissionDenied`` for a role that does not review, ``InboundError`` for a message
    already decided, and ``ValidationError`` for what the release form must correct.
    """
    _require_reviewer(user)
    message = _lock_quarantined(message)
    if author is not None and (author.role != Role.REPORTER or author.unit_id != unit.pk):
        raise ValidationError(
            {"author": ValidationError(_("Choose a reporter of the chosen unit."), code="unit")}
        )
    if author is None and user.role not in WRITER_ROLES:
        raise ValidationError(
            {
                "author": ValidationError(
                    _("Your role does not write items: choose a reporter of the unit."),
                    code="required",
                )
            }
        )
    writer = author or user
    try:
        message.item = _make_item(
            message,
            author=writer,
            unit=unit,
            writer_name=writer_name,
            writer_phone=writer_phone,
            submit=submit,
            files=raw_attachments(message),
            request=request,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            fields = {"writer_phone", "writer_name"}
            if set(exc.error_dict) <= fields:
                raise
        raise ValidationError(_error_text(exc), code="item") from exc
    message.state = InboundState.RELEASED
    message.decided_by = user
    message.decided_at = timezone.now()
    message.save()
    record(
        actor=user,
        action="inbound.release",
        obj=message,
        summary={
            "unit": unit.name,
            "item": message.item.pk,
            "author": writer.username,
            "submitted": submit,
        },
        request=request,
    )
    return message


@transaction.atomic
def reject(
    *,
    user: User,
    message: InboundMessage,
    reason: str,
    request: HttpRequest | None = None,
) -> InboundMessage:
    """Refuse a quarantined message with a reason (kept on the message and in the audit log)."""
    _require_reviewer(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Say why the message is rejected."), code="required")}
        )
    message = _lock_quarantined(message)
    message.state = InboundState.REJECTED
    message.rejection_reason = reason
    message.decided_by = user
    message.decided_at = timezone.now()
    message.save()
    record(
        actor=user,
        action="inbound.reject",
        obj=message,
        summary={"reason": reason},
        request=request,
    )
    return message


@transaction.atomic
def set_policy(
    *, user: User, channel: str, submit_at_once: bool, request: HttpRequest | None = None
) -> InboundPolicy:
    """The desk decides whether a known reporter's message on ``channel`` is submitted at once."""
    if user.role not in DESK_ROLES:
        raise PermissionDenied(_("Only editors and section chiefs set the inbound policy."))
    policy, _created = InboundPolicy.objects.select_for_update(no_key=True).get_or_create(
        channel=channel
    )
    if policy.submit_at_once != submit_at_once:
        policy.submit_at_once = submit_at_once
        policy.save()
        record(
            actor=user,
            action="inbound.policy",
            obj=policy,
            summary={"channel": channel, "submit_at_once": submit_at_once},
            request=request,
        )
    return policy
