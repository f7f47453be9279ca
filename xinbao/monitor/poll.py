"""One poll of one source, as the scanner runs it: claim, politeness, fetch, parse, prepare —
all outside any transaction — then one short transaction of ``services.record_poll`` (or
``record_failure``) to store what came back.

The claim is a conditional UPDATE of the source's due time (to a lease), so two scanners never
poll one source at once; the politeness limit is a conditional UPDATE of the host's slot, so
no two requests reach one host closer than ``host_gap_seconds``, whichever source and process
sends them: a source whose host is busy is put off until the slot frees, without a failure.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError
from django.utils import timezone

from xinbao.monitor import services
from xinbao.monitor.conf import monitor_conf
from xinbao.monitor.dedupe import prepare
from xinbao.monitor.fetch import FetchError, HostBusy, fetch, host_of
from xinbao.monitor.models import POLLED_STATES, HostSlot, Source, SourceKind
from xinbao.monitor.parse import ParseError, content_hash, parse_feed, parse_page
from xinbao.monitor.services import PollOutcome
from xinbao.monitor.watch import automaton

log = logging.getLogger(__name__)

#: How long a claimed source is held by the scanner polling it (a dead scanner's claim lapses).
LEASE = dt.timedelta(minutes=10)


def due(now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    now = now or timezone.now()
    rows = Source.objects.due(now).order_by("next_due", "pk")
    return list(rows.values_list("pk", flat=True)[: limit or monitor_conf()["batch"]])


def _claim(pk: int, now: dt.datetime) -> Source | None:
    source = Source.objects.due(now).filter(pk=pk).first()
    if source is None:
        return None
    claimed = Source.objects.filter(
        pk=pk, next_due=source.next_due, state__in=POLLED_STATES
    ).update(next_due=now + LEASE)
    return source if claimed else None


def _host_free(host: str, now: dt.datetime) -> dt.datetime | None:
    """Take the host's slot; None when taken, else when it frees."""
    gap = dt.timedelta(seconds=monitor_conf()["host_gap_seconds"])
    if not HostSlot.objects.filter(host=host).exists():
        try:
            HostSlot.objects.create(host=host, next_at=now + gap)
            return None
        except IntegrityError:
            pass  # another scanner made it meanwhile: compete for it below
    if HostSlot.objects.filter(host=host, next_at__lte=now).update(next_at=now + gap):
        return None
    return HostSlot.objects.filter(host=host).values_list("next_at", flat=True).first() or now


def poll(pk: int, *, now: dt.datetime | None = None) -> PollOutcome | None:
    """Poll one due source; None when it was not due, not ours, or its host is busy."""
    now = now or timezone.now()
    source = _claim(pk, now)
    if source is None:
        return None
    busy_until = _host_free(host_of(source.url), now)
    if busy_until is not None:
        Source.objects.filter(pk=pk, next_due=now + LEASE).update(next_due=busy_until)
        return None

    def gate(host: str) -> None:
        # A redirect to another host waits for that host's slot as a first request would.
        until = _host_free(host, timezone.now())
        if until is not None:
            raise HostBusy(host, until)

    try:
        got = fetch(source.url, etag=source.etag, last_modified=source.last_modified, gate=gate)
        note = ""
        if got.other_host:
            note = f"redirected to another host: {' → '.join(got.redirects)}"
            log.warning("source %s redirected to another host: %s", pk, got.redirects)
        if got.not_modified:
            return services.record_poll(
                source_pk=pk,
                prepared=[],
                etag=source.etag,
                last_modified=source.last_modified,
                note=note,
            )
        if source.kind == SourceKind.FEED:
            parsed = parse_feed(got.content, url=got.url, content_type=got.content_type)
        else:
            parsed = parse_page(got.content, url=source.url)
        note = "; ".join(n for n in (note, parsed.note) if n)
        entries = parsed.entries
        page_hash: str | None = None
        if source.kind == SourceKind.PAGE:
            page_hash = content_hash(entries[0].title, entries[0].text)
            if page_hash == source.content_hash:
                entries = []  # the same text in other clothes: nothing new
        ac = automaton()
        prepared = [prepare(e, kind=source.kind, automaton=ac) for e in entries]
    except HostBusy as busy:
        Source.objects.filter(pk=pk, next_due=now + LEASE).update(next_due=busy.until)
        return None
    except (FetchError, ParseError) as exc:
        services.record_failure(source_pk=pk, error=str(exc))
        return None
    except Exception as exc:  # a parser's own bug must not stop the scan: recorded, retried
        log.exception("source %s: unexpected error", pk)
        services.record_failure(source_pk=pk, error=f"{type(exc).__name__}: {exc}")
        return None
    return services.record_poll(
        source_pk=pk,
        prepared=prepared,
        etag=got.etag,
        last_modified=got.last_modified,
        page_hash=page_hash,
        note=note,
    )
