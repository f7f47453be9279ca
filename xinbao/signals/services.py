"""Every write of the early signals: the scan that raises and ends bursts, and the three things a
person does with a signal. Keyword-only, atomic, audited; messages queued in the transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.incidents.models import ReportRequest
from xinbao.incidents.services import LeadData, demand_reports, record_lead
from xinbao.items.similarity import place_names
from xinbao.lib.levels import Level
from xinbao.lib.text import clauses
from xinbao.notify import notify, resolve
from xinbao.org.models import Unit
from xinbao.signals import selectors
from xinbao.signals.conf import Params, params
from xinbao.signals.detect import HOUR, Verdict, hourly_counts, judge
from xinbao.signals.models import EarlySignal, PostPlaces, SignalKind, SignalState

#: Who is told of a raised signal.
ALERTED_ROLES = (Role.EDITOR, Role.DUTY_OFFICER)
#: Who handles signals (their pages and moves).
SIGNAL_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF, Role.DUTY_OFFICER})
#: Posts kept as a signal's evidence, newest first.
EVIDENCE_LIMIT = 200


class SignalError(Exception):
    """A move the signal's state does not allow."""


#: The state table: move → (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({SignalState.RAISED}), SignalState.ACKNOWLEDGED),
    "dismiss": (
        frozenset({SignalState.RAISED, SignalState.ACKNOWLEDGED}),
        SignalState.DISMISSED,
    ),
    "demand": (
        frozenset({SignalState.RAISED, SignalState.ACKNOWLEDGED}),
        SignalState.DEMANDED,
    ),
}


def allowed_moves(user: User, signal: EarlySignal) -> list[str]:
    if user.role not in SIGNAL_ROLES:
        return []
    return [move for move, (sources, _to) in TRANSITIONS.items() if signal.state in sources]


# --- the scan --------------------------------------------------------------------------------


def read_places(*, now: dt.datetime, p: Params) -> int:
    """Read the place names of the posts collected within the model's span and not read yet.

    The words are cut before the short transaction that stores them, so that no write lock is
    held while the segmenter works."""
    rows = selectors.unplaced_posts(now - p.span_hours * HOUR)
    made = [
        PostPlaces(
            post_id=pk,
            names=place_names(f"{title}\n{text}", clauses=clauses(f"{title}\n{text}")),
            at=at,
        )
        for pk, title, text, at in rows
    ]
    with transaction.atomic():
        PostPlaces.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


@dataclass
class ScanResult:
    raised: list[EarlySignal]
    continuing: int = 0
    ended: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.raised)} signal(s) raised, {self.continuing} burst(s) going on, "
            f"{self.ended} ended"
        )


def evaluate(*, now: dt.datetime | None = None) -> ScanResult:
    """Judge every series with enough posts in the window (or a burst still open) and raise a
    signal for each new burst; a burst already signalled raises nothing until it has ended.

    The places of new posts are read first (their own short transaction), then the series are
    judged and the signals raised in one transaction."""
    now = now or timezone.now()
    p = params()
    read_places(now=now, p=p)
    with transaction.atomic():
        return _judge_all(now=now, p=p)


def _judge_all(*, now: dt.datetime, p: Params) -> ScanResult:
    since = now - p.span_hours * HOUR
    window_start = now - p.window_hours * HOUR
    series: dict[tuple[str, str], list[selectors.Event]] = defaultdict(list)
    for event in (
        *selectors.term_events(since, now),
        *selectors.place_events(since, now),
        *selectors.group_events(since, now),
    ):
        series[(event.kind, event.key)].append(event)
    open_bursts = {
        (s.kind, s.key): s
        for s in EarlySignal.objects.select_for_update(no_key=True).filter(burst_open=True)
    }
    result = ScanResult(raised=[])
    sensitive = selectors.sensitive_term_keys(k for kind, k in series if kind == SignalKind.TERM)
    for (kind, key), events in series.items():
        in_window = [e for e in events if e.at >= window_start]
        current = open_bursts.pop((kind, key), None)
        if len(in_window) < p.min_count and current is None:
            continue
        counts = hourly_counts((e.at for e in events), end=now, hours=p.span_hours)
        verdict = judge(counts, p)
        if verdict.bursting and current is not None:
            current.burst_last_seen_at = now
            current.save(update_fields=["burst_last_seen_at"])
            result.continuing += 1
        elif verdict.bursting:
            urgent = verdict.score >= p.urgent_z or (key in sensitive and kind == SignalKind.TERM)
            result.raised.append(
                _raise(
                    kind=kind,
                    key=key,
                    label=events[0].label,
                    verdict=verdict,
                    counts=counts,
                    window=(window_start, now),
                    post_ids=[e.post_id for e in sorted(in_window, key=lambda e: e.at)],
                    urgent=urgent,
                )
            )
        elif current is not None:
            _end(current, now)
            result.ended += 1
    for current in open_bursts.values():  # nothing at all in the span any more
        _end(current, now)
        result.ended += 1
    return result


def _raise(
    *,
    kind: str,
    key: str,
    label: str,
    verdict: Verdict,
    counts: list[int],
    window: tuple[dt.datetime, dt.datetime],
    post_ids: list[int],
    urgent: bool,
) -> EarlySignal:
    now = window[1]
    signal = EarlySignal.objects.create(
        kind=kind,
        key=key,
        label=label[:300],
        window_start=window[0],
        window_end=now,
        observed=verdict.observed,
        baseline=verdict.mean,
        baseline_std=verdict.std,
        score=verdict.score,
        urgent=urgent,
        counts=counts,
        raised_at=now,
        burst_last_seen_at=now,
    )
    newest_first = list(dict.fromkeys(reversed(post_ids)))[:EVIDENCE_LIMIT]
    signal.evidence.set(newest_first)
    record(
        actor=None,
        actor_name="xinbao",
        action="signal.raise",
        obj=signal,
        summary={
            "kind": kind,
            "label": signal.label,
            "observed": verdict.observed,
            "baseline": verdict.mean,
            "score": verdict.score,
            "urgent": urgent,
        },
    )
    notify(
        to=resolve(roles=ALERTED_ROLES),
        event="signal_raised",
        ladder="urgent" if urgent else "normal",
        link=f"/signals/{signal.pk}/",
        context={
            "kind": str(SignalKind(kind).label),
            "label": signal.label,
            "observed": verdict.observed,
            "baseline": f"{verdict.mean:.1f}",
            "hours": round((window[1] - window[0]) / HOUR),
        },
        key=f"signal-{signal.pk}",
    )
    return signal


def _end(signal: EarlySignal, now: dt.datetime) -> None:
    signal.burst_open = False
    signal.burst_ended_at = now
    signal.save(update_fields=["burst_open", "burst_ended_at"])
    record(
        actor=None,
        actor_name="xinbao",
        action="signal.burst_end",
        obj=signal,
        summary={"label": signal.label, "since": str(signal.raised_at)},
    )


# --- what people do with a signal ------------------------------------------------------------


def _move(*, user: User, signal: EarlySignal, move: str) -> EarlySignal:
    """Lock the signal, check the move against the table, set the new state (not saved)."""
    if user.role not in SIGNAL_ROLES:
        raise SignalError(_("Your role may not handle early signals."))
    locked = EarlySignal.objects.select_for_update(no_key=True).get(pk=signal.pk)
    sources, target = TRANSITIONS[move]
    if locked.state not in sources:
        raise SignalError(
            _("This signal is already %(state)s.") % {"state": locked.get_state_display()}
        )
    locked.state = target
    locked.handled_by = user
    locked.handled_at = timezone.now()
    return locked


@transaction.atomic
def acknowledge(*, user: User, signal: EarlySignal) -> EarlySignal:
    signal = _move(user=user, signal=signal, move="acknowledge")
    signal.save(update_fields=["state", "handled_by", "handled_at"])
    record(actor=user, action="signal.acknowledge", obj=signal, summary={"label": signal.label})
    return signal


@transaction.atomic
def dismiss(*, user: User, signal: EarlySignal, reason: str) -> EarlySignal:
    """Dismiss a signal; the reason is required (``SignalError`` without one)."""
    reason = reason.strip()
    if not reason:
        raise SignalError(_("Say why the signal is dismissed."))
    signal = _move(user=user, signal=signal, move="dismiss")
    signal.reason = reason
    signal.save(update_fields=["state", "handled_by", "handled_at", "reason"])
    record(
        actor=user,
        action="signal.dismiss",
        obj=signal,
        summary={"label": signal.label, "reason": reason},
    )
    return signal


@transaction.atomic
def demand_verification(
    *, user: User, signal: EarlySignal, unit: Unit, matter: str, category: str
) -> ReportRequest:
    """Turn the signal into a verification demand (核实) to ``unit``: an ordinary (level IV)
    incident opened from the signal and the incidents' demand, with its deadlines on the urgent
    ladder, its reminders and its chase."""
    signal = _move(user=user, signal=signal, move="demand")
    matter = matter.strip() or _("Verify: %(label)s") % {"label": signal.label}
    now = timezone.now()
    what = _(
        "Early signal: %(kind)s “%(label)s”, %(observed)d posts in %(hours)d h "
        "(normal %(baseline).1f)."
    ) % {
        "kind": signal.get_kind_display(),
        "label": signal.label,
        "observed": signal.observed,
        "hours": round((signal.window_end - signal.window_start) / HOUR),
        "baseline": signal.baseline,
    }
    incident = record_lead(
        user=user,
        lead=LeadData(
            received_at=now,
            source=str(_("Early signal")),
            place=signal.label if signal.kind == SignalKind.PLACE else "",
            what=what,
            caller_name="",
            caller_phone="",
        ),
        title=matter[:200],
        category=category,
        level=Level.IV,
        units=[unit],
    )
    [request] = demand_reports(user=user, incident=incident, units=[unit], matter=matter)
    signal.request = request
    signal.save(update_fields=["state", "handled_by", "handled_at", "request"])
    record(
        actor=user,
        action="signal.demand",
        obj=signal,
        summary={"label": signal.label, "unit": unit.name, "request": request.pk},
    )
    return request
