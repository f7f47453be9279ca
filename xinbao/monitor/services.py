"""Every write of collection: keyword-only, typed, atomic, audited.

Editors and section chiefs keep the sources and the watchlist; editors promote a post to an
item. The scanner's polls land here too (``record_poll``, ``record_failure``), after the
network: what they store was fetched, parsed and prepared before the transaction opens.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.incidents.access import HANDLER_ROLES, access_incident
from xinbao.incidents.models import Incident, IncidentStatus
from xinbao.items.models import Channel, Item, ItemKind, Urgency
from xinbao.items.services import BODY_MAX_LENGTH, ItemData, create_item
from xinbao.items.similarity import pack
from xinbao.monitor import search
from xinbao.monitor.conf import monitor_conf
from xinbao.monitor.dedupe import Prepared, near_duplicate
from xinbao.monitor.models import (
    Hit,
    Post,
    PostAlias,
    PostBand,
    PostIncident,
    PostSignature,
    Promotion,
    Source,
    SourceState,
    WatchlistVersion,
    WatchTerm,
)
from xinbao.monitor.watch import context, term_key
from xinbao.org.models import Unit

log = logging.getLogger(__name__)

#: Who keeps the sources and the watchlist.
MANAGER_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: Who reads collected posts.
READER_ROLES = MANAGER_ROLES | {Role.DUTY_OFFICER}
#: Who makes an item of a post (an item needs a writer: the editor is one, the chief is not).
PROMOTER_ROLES = frozenset({Role.EDITOR})
#: Who attaches a post to an incident: those who handle incidents (and read posts).
ATTACHER_ROLES = READER_ROLES & HANDLER_ROLES


class MonitorError(Exception):
    """A move the page refuses, with a message for the user."""


def _require(user: User, roles: frozenset[str]) -> None:
    if user.role not in roles:
        raise PermissionDenied(_("Your role may not use this page."))


# --- sources ---------------------------------------------------------------------------------


@dataclass
class SourceData:
    name: str
    kind: str
    url: str
    interval_minutes: int


@transaction.atomic
def create_source(*, user: User, data: SourceData, request: HttpRequest | None = None) -> Source:
    _require(user, MANAGER_ROLES)
    source = Source(
        name=data.name.strip(),
        kind=data.kind,
        url=data.url.strip(),
        interval_minutes=data.interval_minutes,
        created_by=user,
        next_due=timezone.now(),
    )
    source.full_clean(exclude=["created_by"])
    source.save()
    record(
        actor=user,
        action="monitor.source_created",
        obj=source,
        summary={"name": source.name, "kind": source.kind, "url": source.url},
        request=request,
    )
    return source


@transaction.atomic
def update_source(
    *, user: User, source: Source, data: SourceData, request: HttpRequest | None = None
) -> Source:
    _require(user, MANAGER_ROLES)
    source = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
    moved = source.url != data.url.strip() or source.kind != data.kind
    source.name = data.name.strip()
    source.kind = data.kind
    source.url = data.url.strip()
    source.interval_minutes = data.interval_minutes
    if moved:
        # Another address: the old validators and page hash say nothing about it.
        source.etag = source.last_modified = source.content_hash = ""
        if source.state != SourceState.PAUSED:
            source.next_due = timezone.now()
    source.full_clean(exclude=["created_by"])
    source.save()
    record(
        actor=user,
        action="monitor.source_updated",
        obj=source,
        summary={"name": source.name, "kind": source.kind, "url": source.url},
        request=request,
    )
    return source


@transaction.atomic
def pause_source(*, user: User, source: Source, request: HttpRequest | None = None) -> Source:
    _require(user, MANAGER_ROLES)
    source = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
    if source.state == SourceState.PAUSED:
        raise MonitorError(_("This source is already paused."))
    source.state = SourceState.PAUSED
    source.next_due = None
    source.save(update_fields=["state", "next_due"])
    record(actor=user, action="monitor.source_paused", obj=source, request=request)
    return source


@transaction.atomic
def resume_source(*, user: User, source: Source, request: HttpRequest | None = None) -> Source:
    _require(user, MANAGER_ROLES)
    source = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
    if source.state != SourceState.PAUSED:
        raise MonitorError(_("This source is not paused."))
    source.state = SourceState.OK
    source.failures = 0
    source.next_due = timezone.now()
    source.save(update_fields=["state", "failures", "next_due"])
    record(actor=user, action="monitor.source_resumed", obj=source, request=request)
    return source


# --- polls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollOutcome:
    new: int = 0
    repeated: int = 0
    aliased: int = 0
    hits: int = 0

    def __str__(self) -> str:
        return (
            f"{self.new} new, {self.aliased} reposts, {self.repeated} seen before, {self.hits} hits"
        )


def backoff(source: Source, failures: int) -> dt.timedelta:
    """The wait after ``failures`` consecutive failures: the interval doubled each time,
    capped."""
    cap = dt.timedelta(minutes=monitor_conf()["backoff_cap_minutes"])
    minutes = source.interval_minutes * 2 ** min(failures, 30)
    return min(dt.timedelta(minutes=minutes), cap)


def _store(source: Source, prepared: Sequence[Prepared], now: dt.datetime) -> PollOutcome:
    threshold = monitor_conf()["repost_threshold"]
    chars = monitor_conf()["context_chars"]
    url_hashes = [p.url_hash for p in prepared]
    seen = set(Post.objects.filter(url_hash__in=url_hashes).values_list("url_hash", flat=True))
    seen |= set(
        PostAlias.objects.filter(url_hash__in=url_hashes).values_list("url_hash", flat=True)
    )
    by_content = dict(
        Post.objects.filter(content_hash__in=[p.content_hash for p in prepared]).values_list(
            "content_hash", "pk"
        )
    )
    live_terms = set(WatchTerm.objects.filter(active=True).values_list("pk", flat=True))
    new = repeated = aliased = hits = 0
    for p in prepared:
        if p.url_hash in seen:
            repeated += 1
            continue
        seen.add(p.url_hash)
        first: tuple[int, float] | None = None
        if p.content_hash in by_content:
            first = (by_content[p.content_hash], 1.0)
            reason = PostAlias.Reason.SAME_TEXT
        else:
            first = near_duplicate(p.signature, p.bands, threshold)
            reason = PostAlias.Reason.NEAR_DUPLICATE
        if first is not None:
            PostAlias.objects.create(
                post_id=first[0],
                source=source,
                url=p.url,
                url_hash=p.url_hash,
                reason=reason,
                similarity=first[1],
                seen_at=now,
            )
            aliased += 1
            continue
        matches = [m for m in p.matches if m.term_id in live_terms]
        post = Post.objects.create(
            source=source,
            url=p.url,
            url_hash=p.url_hash,
            content_hash=p.content_hash,
            title=p.entry.title,
            text=p.entry.text,
            normalised=p.normalised,
            published_at=p.entry.published_at,
            fetched_at=now,
            hit_count=len(matches),
        )
        by_content[p.content_hash] = post.pk
        if p.signature is not None:
            PostSignature.objects.create(post=post, minhash=pack(p.signature))
            PostBand.objects.bulk_create([PostBand(post=post, band=b, hash=h) for b, h in p.bands])
        search.index_posts([post], [p.words])
        Hit.objects.bulk_create(
            [
                Hit(
                    post=post,
                    term_id=m.term_id,
                    start=m.start,
                    end=m.end,
                    context=context(p.normalised, m.start, m.end, chars),
                )
                for m in matches
            ],
            ignore_conflicts=True,
        )
        new += 1
        hits += len(matches)
    return PollOutcome(new=new, repeated=repeated, aliased=aliased, hits=hits)


@transaction.atomic
def record_poll(
    *,
    source_pk: int,
    prepared: Sequence[Prepared],
    etag: str = "",
    last_modified: str = "",
    page_hash: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> PollOutcome:
    """Store what one successful poll brought (nothing new for a 304) and mark the source
    working again. The scanner's own act: audited without an actor when it changed
    anything (posts stored, a failing source recovered)."""
    now = now or timezone.now()
    source = Source.objects.select_for_update(no_key=True).get(pk=source_pk)
    outcome = _store(source, prepared, now) if prepared else PollOutcome()
    recovered = source.state == SourceState.FAILING
    if source.state != SourceState.PAUSED:
        source.state = SourceState.OK
        source.next_due = now + dt.timedelta(minutes=source.interval_minutes)
    source.failures = 0
    source.last_checked_at = source.last_ok_at = now
    source.last_error = ""
    source.last_note = note
    if etag or last_modified:
        source.etag, source.last_modified = etag, last_modified
    if page_hash is not None:
        source.content_hash = page_hash
    source.save()
    if outcome.new or outcome.aliased or recovered:
        record(
            actor=None,
            actor_name="scanner",
            action="monitor.polled",
            obj=source,
            summary={
                "new": outcome.new,
                "reposts": outcome.aliased,
                "hits": outcome.hits,
                "recovered": recovered,
            },
        )
    return outcome


@transaction.atomic
def record_failure(*, source_pk: int, error: str, now: dt.datetime | None = None) -> Source:
    """A failed poll: the error kept on the source, its next poll put off by the backoff."""
    now = now or timezone.now()
    source = Source.objects.select_for_update(no_key=True).get(pk=source_pk)
    was = source.state
    source.failures += 1
    source.last_error = error[:2000]
    source.last_checked_at = now
    if source.state != SourceState.PAUSED:
        source.state = SourceState.FAILING
        source.next_due = now + backoff(source, source.failures)
    source.save()
    log.warning("source %s (%s) failed: %s", source.pk, source.url, error)
    if was != source.state:
        record(
            actor=None,
            actor_name="scanner",
            action="monitor.source_failing",
            obj=source,
            summary={"error": source.last_error},
        )
    return source


# --- the watchlist ---------------------------------------------------------------------------


def _bump() -> None:
    token = uuid.uuid4().hex
    updated = WatchlistVersion.objects.filter(pk=1).update(number=F("number") + 1, token=token)
    if not updated:
        WatchlistVersion.objects.create(pk=1, number=1, token=token)


@transaction.atomic
def add_terms(
    *, user: User, kind: str, terms: Iterable[str], request: HttpRequest | None = None
) -> list[WatchTerm]:
    """Add terms of one kind (a term already there is made active, with this kind)."""
    _require(user, MANAGER_ROLES)
    added: list[WatchTerm] = []
    for raw in dict.fromkeys(t.strip() for t in terms):
        key = term_key(raw)
        if not key:
            continue
        if len(raw) > 100:
            raise ValidationError(
                _("A term may have at most 100 characters: %(term)s"), params={"term": raw[:20]}
            )
        term, created = WatchTerm.objects.get_or_create(
            key=key, defaults={"term": raw, "kind": kind, "created_by": user}
        )
        if not created and (not term.active or term.kind != kind):
            term.active = True
            term.kind = kind
            term.save(update_fields=["active", "kind"])
        added.append(term)
    if added:
        _bump()
        record(
            actor=user,
            action="monitor.terms_added",
            summary={"kind": kind, "terms": [t.term for t in added][:200], "count": len(added)},
            request=request,
        )
    return added


@transaction.atomic
def remove_term(*, user: User, term: WatchTerm, request: HttpRequest | None = None) -> None:
    """Take a term off the watchlist; its hits stay with the posts they were found in."""
    _require(user, MANAGER_ROLES)
    WatchTerm.objects.filter(pk=term.pk).update(active=False)
    _bump()
    record(
        actor=user,
        action="monitor.term_removed",
        obj=term,
        summary={"term": term.term, "kind": term.kind},
        request=request,
    )


# --- promotion -------------------------------------------------------------------------------


@transaction.atomic
def promote_post(
    *,
    user: User,
    post: Post,
    unit_id: int,
    writer_phone: str,
    kind: str = ItemKind.DYNAMIC,
    request: HttpRequest | None = None,
) -> Item:
    """Make a submitted item of ``post``, credited to the unit, channel "Internet collection";
    the post is linked to it (provenance). A post is promoted once."""
    _require(user, PROMOTER_ROLES)
    if Promotion.objects.filter(post=post).exists():
        raise MonitorError(_("This post was already made an item."))
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit this item is credited to.")})
    credit = f"{_('Source')}: {post.source.name} {post.url}"
    body = f"{post.text[: BODY_MAX_LENGTH - len(credit) - 1]}\n{credit}"
    item = create_item(
        user=user,
        data=ItemData(
            title=post.title[:200],
            body=body,
            kind=kind,
            urgency=Urgency.ROUTINE,
            writer_name=user.full_name,
            writer_phone=writer_phone,
        ),
        unit=unit,
        channel=Channel.COLLECTED,
        source_id=f"post:{post.pk}",
        submit=True,
        request=request,
    )
    Promotion.objects.create(post=post, item=item, promoted_by=user)
    record(
        actor=user,
        action="monitor.post_promoted",
        obj=post,
        summary={"item": item.pk, "unit": unit.pk, "url": post.url},
        request=request,
    )
    return item


# --- incidents -------------------------------------------------------------------------------


@transaction.atomic
def attach_to_incident(
    *,
    user: User,
    post: Post,
    incident: Incident,
    note: str = "",
    request: HttpRequest | None = None,
) -> PostIncident:
    """Attach ``post`` to an open incident as material on it, once. An incident the user may
    not see is a 404 (``Http404``), as on its page."""
    _require(user, ATTACHER_ROLES)
    incident = access_incident(user, incident.pk)
    if incident.status != IncidentStatus.OPEN:
        raise MonitorError(_("The incident is closed: a post is attached only to an open one."))
    if PostIncident.objects.filter(post=post, incident=incident).exists():
        raise MonitorError(_("This post is already attached to that incident."))
    try:
        # A savepoint: another handler attaching the same pair at once meets the constraint.
        with transaction.atomic():
            link = PostIncident.objects.create(
                post=post, incident=incident, attached_by=user, note=note.strip()[:500]
            )
    except IntegrityError:
        raise MonitorError(_("This post is already attached to that incident.")) from None
    record(
        actor=user,
        action="monitor.post_attached",
        obj=post,
        summary={"incident": incident.pk, "title": incident.title, "note": link.note},
        request=request,
    )
    return link


@transaction.atomic
def detach_from_incident(
    *, user: User, post: Post, incident: Incident, request: HttpRequest | None = None
) -> None:
    """Take ``post`` off an incident it was attached to (open or closed)."""
    _require(user, ATTACHER_ROLES)
    incident = access_incident(user, incident.pk)
    deleted, _rows = PostIncident.objects.filter(post=post, incident=incident).delete()
    if not deleted:
        raise MonitorError(_("This post is not attached to that incident."))
    record(
        actor=user,
        action="monitor.post_detached",
        obj=post,
        summary={"incident": incident.pk, "title": incident.title},
        request=request,
    )
