"""The outbox: queue inside business transactions, claim with a lease, send, record, retry."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import engines
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.audit.services import record
from xinbao.notify.conf import conf
from xinbao.notify.models import (
    Attempt,
    CallOutcome,
    Channel,
    Dispatch,
    Endpoint,
    Message,
    MessageState,
    Notification,
    PhoneCall,
    Preference,
)
from xinbao.notify.transports import Sent, Transport, TransportError, transport_for
from xinbao.notify.transports.inapp import InAppTransport
from xinbao.org.models import Person

log = logging.getLogger(__name__)


class CallAlreadyRecorded(Exception):
    """Someone else recorded this call's outcome first."""


@dataclass(frozen=True)
class Recipient:
    """Someone (or some group chat) to tell: a person of the roster, a user, or a robot."""

    name: str
    person: Person | None = None
    user: User | None = None
    endpoint: Endpoint | None = None

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        person = getattr(user, "person", None)
        return cls(name=str(user), user=user, person=person)

    @classmethod
    def of_person(cls, person: Person) -> Recipient:
        return cls(name=person.name, person=person, user=person.user)

    @classmethod
    def of_endpoint(cls, endpoint: Endpoint) -> Recipient:
        return cls(name=endpoint.name, endpoint=endpoint)


def render(event: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render an event's template: the first line is the subject, the rest the text."""
    template = engines["text"].get_template(f"notify/events/{event}.txt")
    # Messages go out in the office's language, whatever language the sender's page is in.
    with translation.override(settings.LANGUAGE_CODE):
        text = template.render(context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() or subject.strip()


def _kick() -> None:
    from xinbao.notify.tasks import deliver_due_task

    deliver_due_task.enqueue()


def _kick_on_commit() -> None:
    """Enqueue one delivery task when the transaction commits, however many were queued."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _kick for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


def queue(
    *,
    channel: str,
    to: Recipient,
    event: str,
    context: dict[str, Any],
    dedupe_key: str = "",
    link: str = "",
    document: str = "",
    document_name: str = "",
    dispatch: Dispatch | None = None,
    not_before: dt.datetime | None = None,
) -> Message:
    """Put one message in the outbox, inside the caller's transaction.

    A rolled-back transaction takes the message with it. With a ``dedupe_key`` already in
    the outbox, the existing message is returned and nothing new is queued.
    """
    if dedupe_key:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    subject, body = render(event, {**context, "recipient": to.name, "channel": channel})
    try:
        # An equal message queued meanwhile by an overlapping transaction wins: the unique
        # key refuses this one, and the savepoint keeps the caller's transaction usable.
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                event=event,
                user=to.user,
                person=to.person,
                endpoint=to.endpoint,
                recipient_name=to.name[:100],
                subject=subject[:200],
                body=body,
                link=link,
                document=document,
                document_name=document_name[:200],
                dedupe_key=dedupe_key or f"{event}:{uuid.uuid4().hex}",
                dispatch=dispatch,
                next_attempt_at=not_before or timezone.now(),
            )
    except IntegrityError:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        if existing is None:
            raise
        return existing
    _kick_on_commit()
    return message


# --- the sender -------------------------------------------------------------------------


def _due() -> Q:
    now = timezone.now()
    return Q(state=MessageState.QUEUED, next_attempt_at__lte=now) | Q(
        state=MessageState.SENDING, lease_until__lt=now
    )


def claim_batch(owner: str, limit: int) -> list[Message]:
    """Claim up to ``limit`` due messages for ``owner`` with a conditional UPDATE.

    A message whose lease expired (its sender died mid-send) is due again. Two senders
    racing for the same rows cannot both win: the UPDATE re-checks the due condition. On
    PostgreSQL the rows are picked with SKIP LOCKED, so two senders take different ones; a
    sender that still loses every row of its pick (SQLite) picks again rather than taking the
    empty claim for an empty outbox and stopping while the other sends alone.
    """
    for _pick in range(CLAIM_PICKS):
        lease_until = timezone.now() + dt.timedelta(seconds=conf()["lease_seconds"])
        with transaction.atomic():
            ids = list(
                Message.objects.filter(_due())
                .select_for_update(skip_locked=True, no_key=True)
                .order_by("next_attempt_at")
                .values_list("id", flat=True)[:limit]
            )
            if not ids:
                return []
            claimed = Message.objects.filter(Q(pk__in=ids) & _due()).update(
                state=MessageState.SENDING, lease_owner=owner, lease_until=lease_until
            )
        if claimed:
            return list(
                Message.objects.filter(pk__in=ids, lease_owner=owner, lease_until=lease_until)
                .select_related("person", "user", "endpoint")
                .order_by("next_attempt_at")
            )
    return []


#: How many times a sender picks due messages again after losing all of its pick to another.
CLAIM_PICKS = 5


def _rate_limited(message: Message) -> dt.datetime | None:
    """When a robot has had its fill this minute: the time a slot frees up."""
    endpoint = message.endpoint
    if endpoint is None:
        return None
    window_start = timezone.now() - dt.timedelta(minutes=1)
    recent = list(
        Message.objects.filter(endpoint=endpoint, sent_at__gt=window_start)
        .order_by("sent_at")
        .values_list("sent_at", flat=True)[: endpoint.per_minute]
    )
    if len(recent) < endpoint.per_minute:
        return None
    oldest = recent[0]
    assert oldest is not None
    return oldest + dt.timedelta(minutes=1, milliseconds=10)


def _ours(message: Message, owner: str) -> Q:
    return Q(pk=message.pk, state=MessageState.SENDING, lease_owner=owner)


@dataclass(frozen=True)
class Tried:
    """One send attempt of a claimed message, not yet recorded."""

    message: Message
    started: dt.datetime
    duration: int
    ok: bool
    permanent: bool
    response: str
    error: str
    sent: Sent | None


def _held(message: Message, owner: str) -> str | None:
    """None when the claimed message may be sent now, else the state it was left in.

    The lease is renewed first: a batch may take long enough for the lease taken at claim
    time to run out, and a message whose lease another sender has taken is left to it.
    """
    now = timezone.now()
    lease = dt.timedelta(seconds=conf()["lease_seconds"])
    if message.lease_until is None or now > message.lease_until - lease / 2:
        renewed = Message.objects.filter(_ours(message, owner), lease_until__gt=now).update(
            lease_until=now + lease
        )
        if not renewed:
            return MessageState.SENDING
        message.lease_until = now + lease
    free_at = _rate_limited(message)
    if free_at is not None:
        # Queued again without counting an attempt: a rate limit is not a failure.
        Message.objects.filter(_ours(message, owner)).update(
            state=MessageState.QUEUED, next_attempt_at=free_at, lease_until=None
        )
        return MessageState.QUEUED
    return None


def _send(message: Message, owner: str, transports: dict[str, Transport]) -> Tried | str:
    """Send one claimed message; its attempt, or (without one) the state it was left in."""
    if (left := _held(message, owner)) is not None:
        return left
    started = timezone.now()
    clock = time.monotonic()
    ok, permanent, response, error = False, False, "", ""
    sent = None
    try:
        transport = transports.get(message.channel)
        if transport is None:
            transport = transports[message.channel] = transport_for(message.channel)
        # Resolved on every attempt, so a retry uses the roster as it stands now.
        message.address = transport.address_of(message)
        if not message.address:
            raise TransportError("the recipient has no address for this channel", permanent=True)
        sent = transport.send(message)
        ok, response = True, sent.response
    except TransportError as exc:
        permanent, response, error = exc.permanent, exc.response, str(exc)
    except Exception as exc:  # a bug or an unexpected library error: retried, and logged
        log.exception("transport %s crashed on message %s", message.channel, message.pk)
        error = f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - clock) * 1000)
    return Tried(message, started, duration, ok, permanent, response, error, sent)


def deliver(message: Message, owner: str) -> str:
    """Send one claimed message and record the attempt; returns the new state."""
    transports: dict[str, Transport] = {}
    try:
        tried = _send(message, owner, transports)
    finally:
        _close(transports)
    if isinstance(tried, str):
        return tried
    with transaction.atomic():
        return _record([tried], owner)[0]


def _close(transports: dict[str, Transport]) -> None:
    for transport in transports.values():
        try:
            transport.close()
        except Exception:  # closing is courtesy: a failure there loses nothing
            log.exception("closing the %s transport failed", transport.channel)


def deliver_batch(messages: Sequence[Message], owner: str) -> list[str]:
    """Send claimed messages and record their attempts in one transaction.

    Every send comes first, outside any transaction (no database lock is held while a
    gateway answers); then one transaction stores all attempts, instead of one commit (and,
    on SQLite, one fsync and one turn of the write lock) per message. In-app messages have
    no network to wait on: they are made notifications inside that same transaction.
    """
    states: dict[int, str] = {}
    # A robot's messages count against its per-minute limit by their recorded sending
    # times: each is recorded as it is sent (robots take a few a minute; nothing to batch).
    for message in messages:
        if message.endpoint_id is not None:
            states[message.pk] = deliver(message, owner)
    rest = [m for m in messages if m.endpoint_id is None]
    local = [m for m in rest if m.channel == Channel.IN_APP]
    remote = [m for m in rest if m.channel != Channel.IN_APP]
    tried: list[Tried] = []
    # One transport per channel for the batch: an SMTP connection, say, serves every mail.
    transports: dict[str, Transport] = {}
    try:
        for message in remote:
            outcome = _send(message, owner, transports)
            if isinstance(outcome, str):
                states[message.pk] = outcome
            else:
                tried.append(outcome)
    finally:
        _close(transports)
    with transaction.atomic():
        ready: list[Message] = []
        for message in local:
            if (left := _held(message, owner)) is not None:
                states[message.pk] = left
            else:
                ready.append(message)
        if ready:
            # Made all at once (``InAppTransport.send_many``): one query, not one a message.
            started = timezone.now()
            results = InAppTransport().send_many(ready)
            for message, result in zip(ready, results, strict=True):
                if isinstance(result, Sent):
                    tried.append(Tried(message, started, 0, True, False, "", "", result))
                else:
                    tried.append(
                        Tried(message, started, 0, False, True, result.response, str(result), None)
                    )
        for t, state in zip(tried, _record(tried, owner), strict=True):
            states[t.message.pk] = state
    return [states[m.pk] for m in messages]


def _record(tried: Sequence[Tried], owner: str) -> list[str]:
    """Store the attempts (one INSERT) and move each message on; the states, in order."""
    Attempt.objects.bulk_create(
        [
            Attempt(
                message=t.message,
                started_at=t.started,
                duration_ms=t.duration,
                ok=t.ok,
                permanent=t.permanent,
                response=t.response[:4000],
                error=t.error[:4000],
                by=owner,
            )
            for t in tried
        ]
    )
    return [_move_on(t, owner) for t in tried]


def _move_on(t: Tried, owner: str) -> str:
    message = t.message
    attempts = message.attempt_count + 1
    update: dict[str, Any] = {
        "attempt_count": attempts,
        "address": message.address[:500],
        "lease_until": None,
    }
    if t.ok and t.sent is not None:
        now = timezone.now()
        state = MessageState.WAITING if t.sent.waiting else MessageState.SENT
        update.update(state=state, provider_id=t.sent.provider_id[:200], last_error="")
        if not t.sent.waiting:
            update["sent_at"] = now
    else:
        backoff: Sequence[int] = conf()["backoff"]
        if t.permanent or attempts > len(backoff):
            state = MessageState.FAILED
            update.update(state=state, last_error=t.error[:4000])
        else:
            state = MessageState.QUEUED
            update.update(
                state=state,
                last_error=t.error[:4000],
                next_attempt_at=timezone.now() + dt.timedelta(seconds=backoff[attempts - 1]),
            )
    if not Message.objects.filter(_ours(message, owner)).update(**update):
        # Our lease ran out and another sender took the message over: its outcome counts.
        log.warning("lease of message %s lost by %s", message.pk, owner)
    return state


def deliver_due(*, owner: str = "", limit: int | None = None, max_batches: int = 1000) -> int:
    """Claim and send due messages in batches until none is due; returns how many were tried."""
    owner = owner or f"sender-{uuid.uuid4().hex[:12]}"
    batch = limit or conf()["batch"]
    done = 0
    for _batch in range(max_batches):
        messages = claim_batch(owner, batch)
        if not messages:
            break
        deliver_batch(messages, owner)
        done += len(messages)
    return done


@transaction.atomic
def retry(*, actor: User, message: Message) -> Message:
    """An administrator sends a failed message again, now."""
    updated = Message.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.QUEUED, next_attempt_at=timezone.now(), lease_until=None
    )
    if updated:
        record(
            actor=actor,
            action="message.retry",
            obj=message,
            summary={"channel": message.channel, "to": message.recipient_name},
        )
        _kick_on_commit()
    message.refresh_from_db()
    return message


@transaction.atomic
def record_call(*, actor: User, call: PhoneCall, outcome: str, notes: str = "") -> PhoneCall:
    """The duty officer's call is an attempt: reached → sent and read; otherwise retried."""
    call = PhoneCall.objects.select_for_update(no_key=True).get(pk=call.pk)
    if call.outcome:
        raise CallAlreadyRecorded(
            _("%(who)s already recorded this call.") % {"who": call.called_by or "?"}
        )
    now = timezone.now()
    call.outcome, call.notes, call.called_at, call.called_by = outcome, notes, now, actor
    call.save()
    message = call.message
    reached = outcome == CallOutcome.REACHED
    Attempt.objects.create(
        message=message,
        started_at=now,
        duration_ms=0,
        ok=reached,
        response=str(CallOutcome(outcome).label),
        error="" if reached else notes or outcome,
        by=str(actor),
    )
    if reached:
        Message.objects.filter(pk=message.pk).update(
            state=MessageState.SENT,
            sent_at=now,
            read_at=now,
            attempt_count=F("attempt_count") + 1,
        )
        if message.dispatch_id:
            mark_dispatch_read(dispatch=message.dispatch, how="phone_call")
    else:
        # Another call is due after the first backoff step; the duty officer sees it again.
        Message.objects.filter(pk=message.pk).update(
            state=MessageState.QUEUED,
            attempt_count=F("attempt_count") + 1,
            next_attempt_at=now + dt.timedelta(seconds=conf()["backoff"][1]),
            last_error=CallOutcome(outcome).label,
        )
    record(
        actor=actor,
        action="phone_call.record",
        obj=message,
        summary={"outcome": outcome, "to": message.recipient_name},
    )
    return call


# --- ladders and addressing -------------------------------------------------------------


def new_ack_token() -> str:
    return secrets.token_urlsafe(16)[:22]


def mark_dispatch_read(*, dispatch: Dispatch | None, how: str) -> None:
    if dispatch is None or dispatch.read_at is not None:
        return
    now = timezone.now()
    Dispatch.objects.filter(pk=dispatch.pk, read_at__isnull=True).update(
        read_at=now, next_step_at=None
    )
    Message.objects.filter(dispatch=dispatch, read_at__isnull=True).update(read_at=now)
    # Calls not yet made are no longer needed.
    Message.objects.filter(
        dispatch=dispatch,
        channel=Channel.PHONE_CALL,
        state__in=[MessageState.QUEUED, MessageState.WAITING],
    ).update(state=MessageState.CANCELLED, last_error=f"read ({how})")


@transaction.atomic
def mark_read(*, user: User, notification: Notification) -> None:
    now = timezone.now()
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=now)
        Message.objects.filter(pk=notification.message_id).update(read_at=now)
        mark_dispatch_read(dispatch=notification.message.dispatch, how="in_app")


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    """Every unread notification of ``user`` read at once: each one is a read receipt."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True).select_related(
        "message__dispatch"
    )
    count = 0
    for notification in unread:
        mark_read(user=user, notification=notification)
        count += 1
    return count


@transaction.atomic
def save_preference(*, user: User, email_digest: bool, wecom: bool) -> Preference:
    """A user's channel choices; urgent SMS and phone calls are not among them."""
    preference, _ = Preference.objects.select_for_update(no_key=True).get_or_create(user=user)
    preference.email_digest, preference.wecom = email_digest, wecom
    preference.save()
    record(
        actor=user,
        action="notify.preference",
        obj=preference,
        summary={"email_digest": email_digest, "wecom": wecom},
    )
    return preference
