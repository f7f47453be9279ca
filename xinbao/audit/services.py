"""Writing and verifying the audit chain."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from xinbao.audit import checkpoints
from xinbao.audit.checkpoints import Checkpoint
from xinbao.audit.models import AuditError, AuditEvent, ChainHead
from xinbao.audit.signing import AuditKeyMissing, audit_key
from xinbao.lib import bulk

#: The canonical form new events are written in (see ``AuditEvent.version``).
VERSION = 2
GENESIS = "0" * 64


def _networks(spec: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in spec if entry.strip()]


def _trusted(
    address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The address a request came from: the peer, or, when the peer is one of our own
    reverse proxies (``XINBAO_TRUSTED_PROXIES``), the last address in ``X-Forwarded-For`` that
    is not one of them. Addresses further left were written by the client and are not
    believed. Audit, the login throttles and the per-account lockout (django-axes, through
    ``AXES_CLIENT_IP_CALLABLE``) all count by this address.
    """
    if request is None:
        return None
    peer: str | None = request.META.get("REMOTE_ADDR") or None
    proxies = _networks(settings.XINBAO_TRUSTED_PROXIES)
    if peer is None or not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if _trusted(address, proxies):
            continue
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return peer
    return peer


def record(
    *,
    actor: AbstractUser | None,
    action: str,
    obj: models.Model | None = None,
    summary: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain.

    Runs inside the caller's transaction (it opens one if there is none), so that a failed
    audit write rolls back the action it records.
    """
    key = audit_key(create=True)
    with transaction.atomic():
        head = _locked_head()
        event = _chained(
            Event(
                actor=actor,
                action=action,
                obj=obj,
                summary=summary,
                request=request,
                actor_name=actor_name,
            ),
            at=timezone.now(),
            seq=head.count + 1,
            prev_hash=head.last_hash,
            key=key,
        )
        event.save(force_insert=True)
        head.last_hash = event.hash
        head.count = event.seq
        head.save(update_fields=["last_hash", "count"])
    return event


def _locked_head() -> ChainHead:
    """The chain head under a row lock, inside the caller's transaction."""
    head = ChainHead.objects.select_for_update(no_key=True).filter(pk=1).first()
    if head is None:
        # Only an empty log starts a chain: a head gone while events remain was removed
        # behind the database's back, and a new chain would hide the old one's end.
        if AuditEvent.objects.exists():
            raise AuditError("the audit chain head is missing; run `xinbao audit verify`")
        head, _ = ChainHead.objects.select_for_update(no_key=True).get_or_create(pk=1)
    return head


@dataclass(frozen=True)
class Event:
    """One event for :func:`record_many`, with the same meaning as :func:`record`'s arguments."""

    actor: AbstractUser | None
    action: str
    obj: models.Model | None = None
    summary: dict[str, Any] | None = None
    request: HttpRequest | None = None
    actor_name: str = ""


def _chained(e: Event, *, at: dt.datetime, seq: int, prev_hash: str, key: bytes) -> AuditEvent:
    """The unsaved row of ``e`` at place ``seq`` after ``prev_hash``, hashed and signed.

    The hash covers the event's place in the chain, not its primary key, so it is known before
    the insert: the row is written once and never updated (the database refuses).
    """
    actor, obj = e.actor, e.obj
    event = AuditEvent(
        at=at,
        # The actor is typed as Django's user: the audit log sits below accounts.
        actor_id=actor.pk if actor is not None else None,
        actor_name=e.actor_name or (str(actor) if actor else ""),
        role=getattr(actor, "role", "") or "",
        unit_name=str(getattr(actor, "unit", "")) if getattr(actor, "unit_id", None) else "",
        action=e.action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=e.summary or {},
        address=client_address(e.request),
        seq=seq,
        version=VERSION,
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    event.mac = event.compute_mac(key)
    return event


def record_many(events: Sequence[Event]) -> list[AuditEvent]:
    """Append several events to the chain in one append: one lock of the chain head, one
    insert of all rows with consecutive places, the head moved along them in one statement.

    Each event is hashed and signed exactly as :func:`record` does, so ``verify`` walks them
    like any other. Runs inside the caller's transaction (it opens one if there is none).
    The rows returned carry their places (``seq``) and hashes; their ids only where the
    database handed them back (not after a large append by COPY on PostgreSQL).
    """
    now = timezone.now()
    return _append([(now, e) for e in events])


def record_history(events: Sequence[tuple[dt.datetime, Event]]) -> list[AuditEvent]:
    """Append events that happened earlier, each at its own time, oldest first (history brought
    in at once: a grown demo city). Each row's summary also says when it was really written
    (``written_at``), so the log never passes history off as written at the time."""
    written = timezone.now().isoformat()
    return _append(
        [
            (at, dataclasses.replace(e, summary={**(e.summary or {}), "written_at": written}))
            for at, e in events
        ]
    )


def _append(events: Sequence[tuple[dt.datetime, Event]]) -> list[AuditEvent]:
    if not events:
        return []
    key = audit_key(create=True)
    # No savepoint of its own: a failed append must roll back the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        prev, seq = head.last_hash, head.count
        rows: list[AuditEvent] = []
        for at, e in events:
            seq += 1
            row = _chained(e, at=at, seq=seq, prev_hash=prev, key=key)
            prev = row.hash
            rows.append(row)
        # By COPY on PostgreSQL for a large append (``lib.bulk``): the rows' ids stay unset.
        bulk.insert(AuditEvent, rows)
        # The head's guard (``audit.guard``) lets it move forward only to an event that
        # exists, with its hash: one statement, to the last row just written.
        head.last_hash, head.count = rows[-1].hash, rows[-1].seq
        head.save(update_fields=["last_hash", "count"])
    return rows


@dataclass(frozen=True)
class Problem:
    event_id: int | None
    reason: str


@contextmanager
def snapshot() -> Iterator[None]:
    """Read the audit tables as of one moment, however many events are appended meanwhile.

    PostgreSQL: a read-only REPEATABLE READ transaction. SQLite (WAL): one deferred read
    transaction, which sees the database as of its first read and, unlike the IMMEDIATE
    transactions Django opens here, holds no write lock, so writers go on meanwhile. Inside a
    transaction already open, that transaction is the snapshot.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            # An error inside may have ended the transaction already.
            if connection.connection is not None and connection.connection.in_transaction:
                cursor.execute("COMMIT")


def verify() -> list[Problem]:
    """Walk the chain from the first event and report every break, on one snapshot.

    Detects an edited row (its hash or its keyed signature no longer matches: a row rewritten
    with its plain hash recomputed still lacks the key), a removed row (the next row's
    ``prev_hash`` or place names another), a truncated tail (the chain head records more
    events or another last hash than the table holds), a removed or reset chain head, and a
    chain that disagrees with a signed checkpoint written outside the database (shorter than
    it, or another hash at its place).
    """
    # The checkpoints first: one written while the walk runs would be newer than the snapshot.
    saved = checkpoints.read_all()
    with snapshot():
        return _verify(saved)


def _verify(saved: list[tuple[Path, Checkpoint | None]]) -> list[Problem]:
    problems: list[Problem] = []
    head = ChainHead.objects.filter(pk=1).first()
    key_problem = ""
    try:
        key: bytes | None = audit_key(create=False)
    except AuditKeyMissing as exc:
        key, key_problem = None, str(exc)
    prev = GENESIS
    last_seq = count = unchecked = 0
    at_place: dict[int, str] = {}
    wanted = {c.seq for _, c in saved if c is not None}
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev or event.seq != last_seq + 1:
            problems.append(Problem(event.pk, "link broken: a row before it was removed or edited"))
        if event.compute_hash() != event.hash:
            problems.append(Problem(event.pk, "content does not match its hash: row edited"))
        elif event.version >= VERSION:
            if key is None:
                unchecked += 1
            elif not secrets.compare_digest(event.mac, event.compute_mac(key)):
                problems.append(
                    Problem(event.pk, "signature does not match: row rewritten without the key")
                )
        if event.seq in wanted:
            at_place[event.seq] = event.hash
        prev, last_seq = event.hash, event.seq
    if unchecked:
        reason = f"signatures of {unchecked} events not checked: {key_problem}"
        problems.append(Problem(None, reason))
    if head is None:
        if count:
            problems.append(Problem(None, "chain head missing: it was removed"))
    elif head.count != count or head.last_hash != prev:
        problems.append(Problem(None, "chain head disagrees with the table: rows removed"))
    problems.extend(_against_checkpoints(saved, key, last_seq, at_place))
    return problems


def _against_checkpoints(
    saved: list[tuple[Path, Checkpoint | None]],
    key: bytes | None,
    last_seq: int,
    at_place: dict[int, str],
) -> list[Problem]:
    problems: list[Problem] = []
    for path, cp in saved:
        if cp is None:
            problems.append(Problem(None, f"checkpoint {path.name} is unreadable"))
            continue
        if key is not None and not cp.is_signed_by(key):
            problems.append(Problem(None, f"checkpoint {path.name} is not signed by the audit key"))
            continue
        if cp.seq > last_seq:
            problems.append(
                Problem(
                    None,
                    f"chain shorter than checkpoint {path.name}: it ends at event {last_seq}, "
                    f"the checkpoint saw {cp.seq}: rows removed",
                )
            )
        elif cp.seq and at_place.get(cp.seq) != cp.last_hash:
            problems.append(
                Problem(
                    None,
                    f"checkpoint {path.name}: event {cp.seq} no longer has the hash it saw: "
                    "chain rewritten",
                )
            )
    return problems


def write_checkpoint() -> tuple[Checkpoint, Path]:
    """Write a signed checkpoint of the chain as it is now and hand it to the listeners."""
    key = audit_key(create=True)
    with snapshot():
        head = ChainHead.objects.filter(pk=1).first()
        seq, last = (head.count, head.last_hash) if head is not None else (0, GENESIS)
    cp = Checkpoint(seq=seq, last_hash=last, at=timezone.now()).signed(key)
    path = checkpoints.write(cp)
    for listener in checkpoints.listeners():
        listener(cp, path)
    return cp, path
