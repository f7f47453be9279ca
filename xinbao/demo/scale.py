"""`xinbao demo --scale N`: the demo city grown to N items in all, through the bulk paths.

The benchmarks and the page-speed work need an office of 10^5 to 10^6 items. A service call
per item would take hours, so the items, and what the desk and the periodicals made of them,
are written a chunk at a time through the same bulk paths the API's batch intake uses:
``Item`` rows by ``bulk_create``, their search words and same-event signatures by
``items.services.after_create`` (``lib.bulk`` COPY on PostgreSQL), the audit events appended to
the hash chain in one append per chunk (so ``xinbao audit verify`` still passes).

What is made, for N - (items already there) new items, spread over the last 24 months:

* items of every kind, urgency and sensitivity label in an office's proportions (most sent
  and decided, about a quarter adopted), written by each unit's reporter; their text from
  paragraphs of the State Council's work reports and the CEC emergency reports in
  ``../shared/data`` where present, from the demo's own templates (``demo.texts``) otherwise;
* the desk's decisions (adopt, reject, return, archive), adoptions into the periodicals (a
  few by the province too), issues holding the adopted items, most signed (their content
  frozen with its hash) and distributed, with their sign-offs;
* the scoring ledger's entries for every adoption (``scoring.ledger.derive_adoption``'s rule
  and its county share);
* the audit events of all of it, at the times they happened.

Memory stays bounded: a chunk (a few thousand items) is generated, written and dropped; the
texts' words and signatures are computed on every core. Running again with a larger N adds
the difference.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.audit.services import Event, record_history
from xinbao.demo import data, texts
from xinbao.demo.writer import _context, render
from xinbao.desk.models import Adoption, AdoptionLevel, Decision, DecisionKind
from xinbao.items import services
from xinbao.items.models import Channel, Item, ItemKind, ItemStatus, Urgency
from xinbao.items.services import Indexed, ItemData
from xinbao.lib import bulk
from xinbao.lib.labels import Sensitivity
from xinbao.org.models import Unit, UnitKind
from xinbao.periodicals.models import Issue, IssueItem, IssueState, Periodical, SignOff
from xinbao.periodicals.services import content_hash, printed_content, signed_content
from xinbao.scoring.ledger import adoption_key
from xinbao.scoring.models import Cause, Rule, RuleKind, RuleSet, ScoreEntry
from xinbao.scoring.rules import fallback_keys

#: The public corpus (``../shared/data``, beside the project); absent in a lone checkout.
DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
#: Items written per chunk: one transaction, one audit append.
CHUNK = 5_000
#: The items are spread over this many days before now.
SPAN_DAYS = 730
#: Items of a periodical's issue.
ISSUE_SIZE = 8
SEED = data.SEED

KINDS = (
    (ItemKind.DYNAMIC, 78),
    (ItemKind.COMPREHENSIVE, 6),
    (ItemKind.ANALYSIS, 6),
    (ItemKind.ASSESSMENT, 5),
    (ItemKind.PROPOSAL, 5),
)
URGENCIES = (
    (Urgency.ROUTINE, 90),
    (Urgency.GENERAL_URGENT, 6),
    (Urgency.IMPORTANT, 3),
    (Urgency.MAJOR_EMERGENCY, 1),
)
LABELS = ((Sensitivity.ORDINARY, 88), (Sensitivity.INTERNAL, 10), (Sensitivity.SENSITIVE, 2))
CHANNELS = (
    (Channel.WEB, 70),
    (Channel.API, 10),
    (Channel.EMAIL, 7),
    (Channel.SMS, 5),
    (Channel.WECOM, 6),
    (Channel.PHONE, 2),
)
#: Statuses of items of the last fortnight, and of older ones (decided by now).
RECENT = (
    (ItemStatus.DRAFT, 6),
    (ItemStatus.SUBMITTED, 30),
    (ItemStatus.RECEIVED, 28),
    (ItemStatus.RETURNED, 5),
    (ItemStatus.WITHDRAWN, 1),
    (ItemStatus.ADOPTED, 14),
    (ItemStatus.NOT_ADOPTED, 10),
    (ItemStatus.ARCHIVED, 6),
)
OLDER = (
    (ItemStatus.DRAFT, 1),
    (ItemStatus.WITHDRAWN, 1),
    (ItemStatus.RETURNED, 2),
    (ItemStatus.ADOPTED, 25),
    (ItemStatus.NOT_ADOPTED, 26),
    (ItemStatus.ARCHIVED, 45),
)
DECISION_OF = {
    ItemStatus.ADOPTED: DecisionKind.ADOPT,
    ItemStatus.NOT_ADOPTED: DecisionKind.REJECT,
    ItemStatus.RETURNED: DecisionKind.RETURN,
    ItemStatus.ARCHIVED: DecisionKind.ARCHIVE,
}
COMMENTS = {
    DecisionKind.ADOPT: ("采用。", "采用，编入本期。", "信息及时，予以采用。"),
    DecisionKind.REJECT: (
        "内容较为一般，暂不采用。",
        "与已采用信息重复，不再采用。",
        "缺少具体数据和做法，暂不采用。",
    ),
    DecisionKind.RETURN: ("请补充具体数据和下一步打算后重报。", "请核实时间、地点后重报。"),
    DecisionKind.ARCHIVE: ("存档备查。", "作为资料存档。"),
}
NOTES = ("", "", "", "此件反映的做法值得各地学习借鉴。", "请各地结合实际参照。")
PROVINCE_PUBLICATION = "省委办公厅《每日要情》"


def _pick(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


@dataclass
class Corpus:
    """Realistic text: report paragraphs for routine items, emergency reports for urgent ones,
    the demo's templates where the public corpus is absent."""

    paragraphs: list[str] = field(default_factory=list)
    emergencies: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path = DATA) -> Corpus:
        corpus = cls()
        reports = folder / "gov-reports" / "government_work_reports.jsonl"
        if reports.exists():
            for line in reports.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    content = json.loads(line).get("content", "")
                    corpus.paragraphs += [
                        p.strip() for p in content.split("\n") if 60 <= len(p.strip()) <= 900
                    ]
        cec = folder / "cec" / "text"
        if cec.exists():
            for path in sorted(cec.rglob("*.txt")):
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                # The first line is the report's time.
                body = "\n".join(x.strip() for x in lines[1:] if x.strip())
                if len(body) >= 40:
                    corpus.emergencies.append(body)
        return corpus

    @property
    def source(self) -> str:
        return "shared data" if self.paragraphs else "demo templates"


_TEMPLATES = {
    ItemKind.DYNAMIC: texts.ROUTINE_DYNAMIC,
    ItemKind.COMPREHENSIVE: texts.COMPREHENSIVE,
    ItemKind.ANALYSIS: texts.ANALYSIS,
    ItemKind.ASSESSMENT: texts.ASSESSMENT,
    ItemKind.PROPOSAL: texts.PROPOSAL,
}


def _clause(text: str, limit: int = 36) -> str:
    first = text.split("。")[0]
    for mark in "；：，":
        if len(first) > limit:
            first = first.split(mark)[0]
    return first[:limit].strip("，、；： ")


def _text(
    rng: random.Random,
    corpus: Corpus,
    spec: data.UnitSpec,
    kind: str,
    urgency: str,
    day: dt.datetime,
) -> tuple[str, str]:
    """A title and body for an item of ``spec`` written on ``day``."""
    urgent = urgency != Urgency.ROUTINE
    if urgent and corpus.emergencies and rng.random() < 0.8:
        body = rng.choice(corpus.emergencies)[:1500]
        return f"{spec.short_name}报告：{_clause(body, 30)}", body
    if corpus.paragraphs and rng.random() < 0.75:
        at = rng.randrange(len(corpus.paragraphs))
        parts = corpus.paragraphs[at : at + rng.randint(1, 3)]
        body = "\n".join(parts)[:1800]
        return f"{spec.short_name}：{_clause(parts[0])}", body
    pool = texts.URGENT if urgent else _TEMPLATES[ItemKind(kind)]
    template = rng.choice(pool)
    title, body = render(rng, _context(rng, spec, day), template.title, template.body)
    return title[:200], body


@dataclass(frozen=True)
class Planned:
    """One new item, before it is stored."""

    unit_id: int
    data: ItemData
    status: str
    channel: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    decided_at: dt.datetime | None


@dataclass
class City:
    """What the new rows refer to: the demo's units, people and periodicals."""

    units: list[tuple[Unit, data.UnitSpec, User]]
    receivers: list[User]
    signers: list[User]
    chief: User
    periodicals: list[Periodical]
    rulesets: list[RuleSet]
    rules: dict[tuple[int, str], Rule | None] = field(default_factory=dict)

    @classmethod
    def read(cls) -> City:
        specs = {s.code: s for s in data.UNITS}
        reporters: dict[int, User] = {}
        for user in User.objects.filter(role=Role.REPORTER, is_active=True).order_by("pk"):
            if user.unit_id is not None:
                reporters.setdefault(user.unit_id, user)
        units = [
            (unit, specs[unit.code], reporters[unit.pk])
            for unit in Unit.objects.filter(is_active=True).select_related("county").order_by("pk")
            if unit.pk in reporters and unit.code in specs
        ]
        office = {u.username: u for u in User.objects.filter(unit__isnull=True)}
        receivers = [office[n] for n in ("editor", "editor2") if n in office]
        signers = [u for u in office.values() if u.role == Role.LEADER_IN_CHARGE]
        chief = office.get("chief") or receivers[0]
        return cls(
            units=units,
            receivers=receivers or [chief],
            signers=signers or [chief],
            chief=chief,
            periodicals=list(Periodical.objects.filter(is_active=True).order_by("pk")),
            rulesets=list(RuleSet.objects.order_by("effective_from")),
        )

    def rule(self, day: dt.date, key: str) -> Rule | None:
        """The adoption rule in force on ``day`` for ``key`` (``scoring.rules.value_in``'s
        fallbacks), read once per rule set."""
        ruleset = None
        for candidate in self.rulesets:
            if candidate.effective_from <= day:
                ruleset = candidate
        if ruleset is None:
            return None
        if (ruleset.pk, key) not in self.rules:
            keys = fallback_keys(RuleKind.ADOPTION, key)
            found = {
                r.key: r
                for r in Rule.objects.filter(ruleset=ruleset, kind=RuleKind.ADOPTION, key__in=keys)
            }
            self.rules[ruleset.pk, key] = next((found[k] for k in keys if k in found), None)
        return self.rules[ruleset.pk, key]


def plan(
    rng: random.Random, city: City, corpus: Corpus, times: Sequence[dt.datetime], now: dt.datetime
) -> list[Planned]:
    """The new items written at ``times``."""
    out: list[Planned] = []
    for created in times:
        unit, spec, reporter = rng.choice(city.units)
        kind = _pick(rng, KINDS)
        urgency = _pick(rng, URGENCIES)
        label = _pick(rng, LABELS)
        if label > reporter.clearance_level:
            label = Sensitivity(reporter.clearance_level)
        age = now - created
        status = _pick(rng, RECENT if age < dt.timedelta(days=14) else OLDER)
        title, body = _text(rng, corpus, spec, kind, urgency, timezone.localtime(created))
        latest = now - dt.timedelta(minutes=1)
        submitted: dt.datetime | None = None
        received: dt.datetime | None = None
        decided: dt.datetime | None = None
        if status != ItemStatus.DRAFT:
            submitted = min(created + dt.timedelta(minutes=rng.randint(5, 240)), latest)
            if status not in (ItemStatus.SUBMITTED, ItemStatus.WITHDRAWN):
                quick = urgency != Urgency.ROUTINE
                wait = dt.timedelta(minutes=rng.randint(3, 60 if quick else 600))
                received = min(submitted + wait, latest)
                if status in DECISION_OF:
                    decided = min(received + dt.timedelta(minutes=rng.randint(10, 1440)), latest)
        out.append(
            Planned(
                unit_id=unit.pk,
                data=ItemData(
                    title=title,
                    body=body,
                    kind=kind,
                    urgency=urgency,
                    writer_name=reporter.full_name or reporter.username,
                    writer_phone=getattr(reporter, "phone", "") or "13800000000",
                    place=spec.short_name if rng.random() < 0.5 else "",
                    sensitivity=label,
                ),
                status=status,
                channel=_pick(rng, CHANNELS),
                created_at=created,
                submitted_at=submitted,
                received_at=received,
                decided_at=decided,
            )
        )
    return out


def _index(job: tuple[str, str, str, dt.datetime | None, dt.datetime]) -> Indexed:
    title, body, place, event_at, reference = job
    data_ = ItemData(
        title=title,
        body=body,
        kind=ItemKind.DYNAMIC,
        urgency=Urgency.ROUTINE,
        writer_name="",
        writer_phone="",
        place=place,
        event_at=event_at,
    )
    return services.index_text(data_, reference=reference)


def index_all(planned: Sequence[Planned], pool: Any | None) -> list[Indexed]:
    """Each item's search words and signature (``services.index_text``), on every core."""
    jobs = [
        (p.data.title, p.data.body, p.data.place, p.data.event_at, p.submitted_at or p.created_at)
        for p in planned
    ]
    if pool is None:
        return [_index(j) for j in jobs]
    return list(pool.map(_index, jobs, chunksize=100))


@contextmanager
def own_times(*model_list: type[models.Model]) -> Iterator[None]:
    """Store the times given on the rows (history), not "now": the models' ``auto_now`` and
    ``auto_now_add`` are off meanwhile (this process only; a command, never a request)."""
    saved = []
    for model in model_list:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


class Chain:
    """Audit events collected for one append, each at its own time."""

    def __init__(self) -> None:
        self.events: list[tuple[dt.datetime, Event]] = []

    def add(
        self, at: dt.datetime, actor: User | None, action: str, obj: Any, **summary: Any
    ) -> None:
        self.events.append((at, Event(actor=actor, action=action, obj=obj, summary=summary)))

    def append(self) -> int:
        """Append the events, oldest first, in one ``record_history`` (one lock of the head)."""
        if not self.events:
            return 0
        self.events.sort(key=lambda e: e[0])
        record_history(self.events)
        n = len(self.events)
        self.events = []
        return n


@dataclass
class Numbers:
    """The next issue numbers of each periodical: in the year, and overall."""

    in_year: dict[tuple[int, int], int]
    overall: dict[int, int]

    @classmethod
    def read(cls) -> Numbers:
        in_year: dict[tuple[int, int], int] = {}
        overall: dict[int, int] = {}
        for pid, year, number, total in Issue.objects.values_list(
            "periodical_id", "year", "number", "total_number"
        ):
            in_year[pid, year] = max(in_year.get((pid, year), 0), number)
            overall[pid] = max(overall.get(pid, 0), total)
        return cls(in_year, overall)

    def take(self, pid: int, year: int) -> tuple[int, int]:
        self.in_year[pid, year] = self.in_year.get((pid, year), 0) + 1
        self.overall[pid] = self.overall.get(pid, 0) + 1
        return self.in_year[pid, year], self.overall[pid]


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, n: int) -> None:
        self.counts[key] += n


def write_chunk(
    rng: random.Random,
    city: City,
    numbers: Numbers,
    planned: Sequence[Planned],
    indexed: Sequence[Indexed],
    now: dt.datetime,
    tally: Tally,
) -> None:
    """Store one chunk: items, index, decisions, adoptions, issues, ledger, audit."""
    reporters = {unit.pk: reporter for unit, _spec, reporter in city.units}
    units = {unit.pk: unit for unit, _spec, _reporter in city.units}
    chain = Chain()
    with transaction.atomic(), own_times(Item, Decision, Adoption, Issue, SignOff, ScoreEntry):
        items = []
        receivers = []
        for p in planned:
            receiver = rng.choice(city.receivers) if p.received_at else None
            receivers.append(receiver)
            item = Item(
                title=p.data.title,
                body=p.data.body,
                kind=p.data.kind,
                urgency=p.data.urgency,
                status=p.status,
                sensitivity=p.data.sensitivity,
                unit=units[p.unit_id],
                writer_name=p.data.writer_name,
                writer_phone=p.data.writer_phone,
                place=p.data.place,
                channel=p.channel,
                created_by=reporters[p.unit_id],
                created_at=p.created_at,
                updated_at=p.decided_at or p.received_at or p.submitted_at or p.created_at,
                submitted_at=p.submitted_at,
                received_at=p.received_at,
                received_by=receiver,
            )
            items.append(item)
        Item.objects.bulk_create(items, batch_size=1000)
        # The batch intake's own hook: search entries and same-event signatures.
        services.after_create(items, list(indexed))
        tally.add("items", len(items))
        decisions, adoptions = [], []
        for item, p, receiver in zip(items, planned, receivers, strict=True):
            reporter = reporters[p.unit_id]
            summary = {
                "title": item.title,
                "unit": units[p.unit_id].name,
                "channel": item.channel,
                "sensitivity": Sensitivity(item.sensitivity).name.lower(),
            }
            chain.add(p.created_at, reporter, "item.create", item, **summary)
            if p.submitted_at:
                chain.add(
                    p.submitted_at,
                    reporter,
                    "item.submitted",
                    item,
                    status=[ItemStatus.DRAFT.value, ItemStatus.SUBMITTED.value],
                    move="submit",
                )
            if p.status == ItemStatus.WITHDRAWN:
                chain.add(
                    p.submitted_at or p.created_at,
                    reporter,
                    "item.withdrawn",
                    item,
                    status=[ItemStatus.SUBMITTED.value, ItemStatus.WITHDRAWN.value],
                    move="withdraw",
                )
            if p.received_at and receiver is not None:
                chain.add(
                    p.received_at,
                    receiver,
                    "item.received",
                    item,
                    status=[ItemStatus.SUBMITTED.value, ItemStatus.RECEIVED.value],
                    move="receive",
                )
            kind = DECISION_OF.get(ItemStatus(p.status))
            if kind is None or p.decided_at is None or receiver is None:
                continue
            comment = rng.choice(COMMENTS[kind])
            decisions.append(
                Decision(item=item, kind=kind, comment=comment, by=receiver, at=p.decided_at)
            )
            chain.add(
                p.decided_at,
                receiver,
                f"desk.{kind}",
                item,
                status=p.status,
                comment=comment,
            )
            if kind == DecisionKind.ADOPT and city.periodicals:
                day = timezone.localdate(p.decided_at)
                adoptions.append(
                    Adoption(
                        item=item,
                        level=AdoptionLevel.OFFICE,
                        periodical=rng.choice(city.periodicals),
                        adopted_on=day,
                        by=receiver,
                        at=p.decided_at,
                    )
                )
                if rng.random() < 0.08:
                    later = min(p.decided_at + dt.timedelta(days=rng.randint(2, 20)), now)
                    adoptions.append(
                        Adoption(
                            item=item,
                            level=AdoptionLevel.PROVINCE,
                            publication=PROVINCE_PUBLICATION,
                            adopted_on=timezone.localdate(later),
                            by=city.chief,
                            at=later,
                        )
                    )
        bulk.insert(Decision, decisions)
        tally.add("decisions", len(decisions))
        # Their keys are needed: the ledger names each adoption.
        Adoption.objects.bulk_create(adoptions, batch_size=1000)
        tally.add("adoptions", len(adoptions))
        for adoption in adoptions:
            chain.add(
                adoption.at,
                adoption.by,
                "desk.adoption",
                adoption,
                item=adoption.item_id,
                level=adoption.level,
            )
        _issues(rng, city, numbers, adoptions, now, chain, tally)
        _ledger(city, units, adoptions, chain, tally)
        tally.add("audit_events", chain.append())


def _issues(
    rng: random.Random,
    city: City,
    numbers: Numbers,
    adoptions: Sequence[Adoption],
    now: dt.datetime,
    chain: Chain,
    tally: Tally,
) -> None:
    """The office's adoptions placed in issues: one a week per periodical, a few items each;
    recent ones still compiling or awaiting the signature, older ones signed and sent."""
    weekly: dict[tuple[int, int, int], list[Adoption]] = defaultdict(list)
    for a in adoptions:
        if a.periodical_id is not None:
            year, week, _ = a.adopted_on.isocalendar()
            weekly[a.periodical_id, year, week].append(a)
    periodicals = {p.pk: p for p in city.periodicals}
    issues: list[tuple[Issue, list[Adoption], User | None]] = []
    for (pid, _year, _week), group in sorted(weekly.items(), key=lambda kv: kv[1][0].adopted_on):
        group.sort(key=lambda a: a.at)
        for start in range(0, len(group), ISSUE_SIZE):
            part = group[start : start + ISSUE_SIZE]
            made = max(a.at for a in part) + dt.timedelta(hours=rng.randint(2, 30))
            made = min(made, now - dt.timedelta(minutes=1))
            number, total = numbers.take(pid, timezone.localdate(made).year)
            age = now - made
            if age < dt.timedelta(days=2):
                state = IssueState.COMPILING
            elif age < dt.timedelta(days=4):
                state = IssueState.AWAITING_SIGNATURE
            elif age < dt.timedelta(days=6):
                state = IssueState.SIGNED
            elif age < dt.timedelta(days=180):
                state = IssueState.DISTRIBUTED
            else:
                state = IssueState.ARCHIVED
            issue = Issue(
                periodical=periodicals[pid],
                year=timezone.localdate(made).year,
                number=number,
                total_number=total,
                title=part[0].item.title[:200],
                state=state,
                signer_role=Role.LEADER_IN_CHARGE,
                created_by=part[0].by,
                created_at=made,
            )
            signer = None
            if state not in (IssueState.COMPILING, IssueState.AWAITING_SIGNATURE):
                signer = rng.choice(city.signers)
                _sign(issue, part, signer, made + dt.timedelta(hours=rng.randint(3, 20)))
            issues.append((issue, part, signer))
    Issue.objects.bulk_create([i for i, _, _ in issues], batch_size=500)
    entries, signoffs = [], []
    for issue, part, signer in issues:
        chain.add(issue.created_at, issue.created_by, "issue.create", issue, state="compiling")
        for position, a in enumerate(part, 1):
            entries.append(
                IssueItem(issue=issue, item=a.item, position=position, editor_note=_note(a))
            )
        if issue.state == IssueState.COMPILING:
            continue
        sent = issue.created_at + dt.timedelta(hours=2)
        signoffs.append(SignOff(issue=issue, action="submit", user=issue.created_by, at=sent))
        chain.add(sent, issue.created_by, "issue.submit", issue)
        if signer is None or issue.signed_at is None:
            continue
        signoffs.append(SignOff(issue=issue, action="sign", user=signer, at=issue.signed_at))
        chain.add(issue.signed_at, signer, "issue.sign", issue, content_hash=issue.content_hash)
        if issue.distributed_at is not None:
            signoffs.append(
                SignOff(
                    issue=issue,
                    action="distribute",
                    user=issue.created_by,
                    at=issue.distributed_at,
                )
            )
            chain.add(issue.distributed_at, issue.created_by, "issue.distribute", issue)
    bulk.insert(IssueItem, entries)
    bulk.insert(SignOff, signoffs)
    # The adoptions just placed are marked so, as ``periodicals.services`` marks them.
    placed = IssueItem.objects.filter(
        item_id=models.OuterRef("item_id"), issue__periodical_id=models.OuterRef("periodical_id")
    )
    Adoption.objects.filter(
        item_id__in=[e.item_id for e in entries], in_issue=False, periodical__isnull=False
    ).filter(models.Exists(placed)).update(in_issue=True)
    tally.add("issues", len(issues))
    tally.add("issue_entries", len(entries))


def _note(adoption: Adoption) -> str:
    """The editor's note (按语) on an adopted item: one in a few has one."""
    return NOTES[adoption.item_id % len(NOTES)]


def _sign(issue: Issue, part: Sequence[Adoption], signer: User, at: dt.datetime) -> None:
    """The issue signed at ``at``: its content frozen with its hash, as ``periodicals.services
    .sign`` freezes it (the items as ``issue_content`` lists them, without edits or pictures,
    which a grown issue has none of); distributed an hour later unless it is only just signed."""
    items = [
        {
            "position": position,
            "item": a.item_id,
            "title": a.item.title,
            "body": a.item.body,
            "note": _note(a),
            "unit": a.item.unit.name,
            "urgency": a.item.urgency,
        }
        for position, a in enumerate(part, 1)
    ]
    frozen = signed_content(printed_content(issue, items), signer, at)
    issue.frozen = frozen
    issue.content_hash = content_hash(frozen)
    issue.signed_by, issue.signed_at = signer, at
    if issue.state != IssueState.SIGNED:
        issue.distributed_at = at + dt.timedelta(hours=1)


def _ledger(
    city: City,
    units: dict[int, Unit],
    adoptions: Sequence[Adoption],
    chain: Chain,
    tally: Tally,
) -> None:
    """Each adoption's points to the item's unit (and a direct point's county, ``via`` it), as
    ``scoring.services.post_adoption`` posts them for an item of one unit."""
    entries = []
    for a in adoptions:
        rule = city.rule(a.adopted_on, adoption_key(a))
        if rule is None or not rule.points:
            continue
        unit = units[a.item.unit_id]
        explanation = f"{a.item.title[:100]}: {rule.label or rule.key} {rule.points}"[:300]
        points: Decimal = rule.points
        shares: list[tuple[Unit, Unit | None]] = [(unit, None)]
        if unit.kind == UnitKind.DIRECT_POINT and unit.county is not None:
            shares.append((unit.county, unit))
        for credited, via in shares:
            entries.append(
                ScoreEntry(
                    unit=credited,
                    on=a.adopted_on,
                    points=points,
                    cause=Cause.ADOPTION,
                    cause_id=a.pk,
                    rule=rule,
                    explanation=explanation,
                    via=via,
                    created_at=a.at,
                )
            )
        chain.add(
            a.at,
            None,
            "scoring_posted",
            a,
            cause=Cause.ADOPTION.value,
            cause_id=a.pk,
            on=a.adopted_on.isoformat(),
            points={str(unit.pk): str(points)},
        )
    bulk.insert(ScoreEntry, entries)
    tally.add("score_entries", len(entries))


def _times(rng: random.Random, n: int, now: dt.datetime) -> list[dt.datetime]:
    """``n`` writing times over the last two years, in order, more on working days and hours."""
    out: list[dt.datetime] = []
    start = now - dt.timedelta(days=SPAN_DAYS)
    while len(out) < n:
        t = start + dt.timedelta(seconds=rng.uniform(0, SPAN_DAYS * 86400 - 3600))
        local = timezone.localtime(t)
        if local.weekday() >= 5 and rng.random() < 0.7:
            continue
        if not 8 <= local.hour < 19 and rng.random() < 0.8:
            continue
        out.append(t)
    out.sort()
    return out


def _pool(workers: int) -> Any | None:
    """Processes for ``index_all``, forked with no database connection open: a child asks the
    database for the office's dictionary now and then (``lib.text.segmenter``), and one on the
    parent's socket would mix its messages with the parent's. None inside a transaction (the
    connection cannot be closed there): the texts are then indexed in this process."""
    if connection.in_atomic_block:
        return None
    # The dictionary read once here, so that the children start with it.
    _index(("工作", "", "", None, timezone.now()))
    connections.close_all()
    return multiprocessing.get_context("fork").Pool(workers)


def grow(
    *,
    target: int,
    chunk: int = CHUNK,
    workers: int | None = None,
    now: dt.datetime | None = None,
    corpus: Corpus | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, int]:
    """Grow the (loaded) demo city to ``target`` items; what was added, per table."""
    now = now or timezone.now()
    have = Item.objects.count()
    need = target - have
    tally = Tally()
    if need <= 0:
        out(f"{have} items already: nothing to add.")
        return dict(tally.counts)
    corpus = corpus or Corpus.load()
    city = City.read()
    if not city.units:
        raise RuntimeError("no demo units with a reporter: load the demo first")
    numbers = Numbers.read()
    # A run adding to an earlier one draws other texts and times.
    rng = random.Random(SEED * 1_000_003 + have)  # noqa: S311  (fixed demo data, not security)
    times = _times(rng, need, now)
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    out(
        f"Growing {have} items to {target}: {need} new, in chunks of {chunk}, "
        f"text from the {corpus.source}, {workers} process(es) indexing."
    )
    started = time.perf_counter()
    pool = _pool(workers) if workers > 1 and need > 2000 else None
    try:
        for first in range(0, need, chunk):
            part = times[first : first + chunk]
            planned = plan(rng, city, corpus, part, now)
            indexed = index_all(planned, pool)
            write_chunk(rng, city, numbers, planned, indexed, now, tally)
            done = first + len(part)
            elapsed = time.perf_counter() - started
            out(
                f"  {have + done} items ({done}/{need} new), {elapsed:.0f} s, "
                f"{done / elapsed:.0f} items/s"
            )
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    elapsed = time.perf_counter() - started
    out(
        f"Added {need} items in {elapsed:.1f} s ({need / elapsed:.0f} items/s): "
        + ", ".join(f"{k} {v}" for k, v in tally.counts.items())
    )
    return dict(tally.counts)
