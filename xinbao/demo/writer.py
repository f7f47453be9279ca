"""Writing the demo city into the database.

Each step looks up what is already there (by unit code, username, person, source id) and adds only
what is missing, so a second run changes nothing. What the demo contains is decided before the
database is touched, from a seeded random generator, so every run plans the same city.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.demo import data
from xinbao.demo.agenda import agenda
from xinbao.demo.analysis import analysis
from xinbao.demo.data import COUNTIES, UNITS, UNITS_BY_CODE, PersonSpec, UnitSpec
from xinbao.demo.interests import interests
from xinbao.demo.mailbag import mailbag
from xinbao.demo.office import (
    ISSUING_OFFICE,
    Book,
    candidates_of,
    read_old_notifications,
    run_office,
)
from xinbao.demo.packs import packs
from xinbao.demo.research import research
from xinbao.demo.texts import PLAN, TEMPLATES, Template
from xinbao.demo.topiclists import topiclists
from xinbao.demo.urgent import Scene, explosion, landslide
from xinbao.demo.watch import watch
from xinbao.desk.models import Adoption, Decision
from xinbao.incidents.models import (
    AccountabilityRecord,
    Incident,
    Notice,
    Report,
    ReportRequest,
    Verification,
)
from xinbao.items.models import Attachment, Channel, Item, ItemStatus, Topic, Urgency
from xinbao.items.services import add_attachment
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.org.models import (
    DirectPointType,
    Person,
    Position,
    RosterEntry,
    Unit,
    UnitClass,
    UnitKind,
)
from xinbao.org.services import OfficeData, save_office
from xinbao.periodicals.models import Instruction, Issue, Periodical, ReadReceipt

VILLAGES = (
    "杨家湾村",
    "李家坪村",
    "枫树村",
    "新华村",
    "团结村",
    "桂花村",
    "大塘村",
    "竹林村",
    "石板村",
    "青山村",
    "河口村",
    "长冲村",
    "马鞍村",
    "龙井村",
    "金盆村",
    "茶园村",
)
ROADS = ("人民路", "解放路", "江滨大道", "建设路", "文化路", "新华路", "中山路", "长青路")
#: Items that were submitted and then withdrawn by their unit.
WITHDRAWN = frozenset({58, 203})
RECEIVERS = ("editor", "editor2", "chief")
_FIELD = re.compile(r"\{(\w+)(?::([^{}]*))?\}")
_RANGE = re.compile(r"^(\d+)-(\d+)$")


def render(rng: random.Random, context: Mapping[str, str], *texts: str) -> list[str]:
    """Fill the fields of ``texts`` (see ``texts``); drawn values are shared between them."""
    values: dict[str, str] = dict(context)
    for text in texts:
        for match in _FIELD.finditer(text):
            name, spec = match.groups()
            if spec is None or name in values:
                continue
            bounds = _RANGE.match(spec)
            if bounds and "|" not in spec:
                values[name] = str(rng.randint(int(bounds[1]), int(bounds[2])))
            else:
                values[name] = rng.choice(spec.split("|"))
    return [_FIELD.sub(lambda m: values[m.group(1)], text) for text in texts]


@dataclass(frozen=True)
class ItemSpec:
    """One demo item, decided in full before anything is written."""

    number: int
    unit_code: str
    joint_codes: tuple[str, ...]
    kind: str
    urgency: str
    title: str
    body: str
    topics: tuple[str, ...]
    place: str
    event_at: dt.datetime | None
    channel: str
    creator: str
    writer: PersonSpec
    approved_by: str
    status: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    receiver: str
    picture: bool

    @property
    def source_id(self) -> str:
        return f"demo-{self.number}"


def _context(rng: random.Random, unit: UnitSpec, day: dt.datetime) -> dict[str, str]:
    if unit.kind == UnitKind.COUNTY:
        home = unit
    elif unit.county_code:
        home = UNITS_BY_CODE[unit.county_code]
    else:
        home = rng.choice(COUNTIES)
    other = rng.choice([c for c in COUNTIES if c.code != home.code])
    town = unit.towns[0] if unit.kind == UnitKind.DIRECT_POINT and unit.towns else None
    town = town or rng.choice(home.towns)
    town2 = rng.choice([t for t in home.towns if t != town])
    ctype = home.short_name[-1]
    nxt = day + dt.timedelta(days=1)
    return {
        "city": data.CITY,
        "county": home.short_name,
        "county2": other.short_name,
        "ctype": ctype,
        "town": town,
        "town2": town2,
        "village": rng.choice(VILLAGES),
        "river": home.river,
        "unit": unit.short_name,
        "d0": f"{day.month}月{day.day}日",
        "d1": f"{nxt.month}月{nxt.day}日",
        "h": str(day.hour),
        "mi": f"{day.minute:02d}",
        "year": str(day.year),
    }


def _joint(rng: random.Random, unit: UnitSpec, template: Template) -> tuple[str, ...]:
    pool = [u for u in UNITS if u.code != unit.code and set(u.topics) & set(template.topics)]
    if not pool:
        pool = [c for c in COUNTIES if c.code != unit.code]
    return tuple(sorted(u.code for u in rng.sample(pool, min(len(pool), rng.randint(1, 2)))))


def plan_items(now: dt.datetime) -> list[ItemSpec]:
    """The demo's items, dated back from ``now``; the same list for the same ``now``."""
    rng = random.Random(data.SEED + 1)  # noqa: S311  (fixed demo data, not security)
    people = data.build_people()
    local_now = timezone.localtime(now)
    groups = [group for group, n in PLAN.items() for _ in range(n)]
    rng.shuffle(groups)
    specs: list[ItemSpec] = []
    for number, group in enumerate(groups, 1):
        template = rng.choice(TEMPLATES[group])
        candidates = (
            COUNTIES
            if template.scope == "county"
            else tuple(UNITS_BY_CODE[c] for c in template.units)
        )
        unit = rng.choice(candidates)
        urgent = template.urgency != Urgency.ROUTINE
        # Every draw happens whatever the outcome, so one item's choices never shift the next's.
        draft_roll, channel_roll, receive_roll, joint_roll, picture_roll = (
            rng.random() for _ in range(5)
        )
        draft = number not in WITHDRAWN and draft_roll < 0.06
        recent_days = rng.randint(0, 6)
        days_ago = recent_days if draft else int(rng.triangular(0, 120, 8))
        day = local_now - dt.timedelta(days=days_ago, minutes=rng.randint(90, 900))
        submit_delay = rng.randint(20, 85) if urgent else rng.randint(60, 60 * 40)
        write_time = rng.randint(5, 25) if urgent else rng.randint(30, 600)
        receive_delay = rng.randint(3, 40) if urgent else rng.randint(40, 60 * 30)
        receiver = "duty" if urgent else rng.choice(RECEIVERS)
        writer = rng.choice(people.current(unit.code, Position.REPORTER))
        joint = _joint(rng, unit, template)
        title, body, place = render(
            rng, _context(rng, unit, day), template.title, template.body, template.place
        )

        if unit.slug:
            if urgent and channel_roll < 0.3:
                channel, creator = Channel.PHONE, "duty"
            else:
                channel = Channel.API if channel_roll > 0.75 else Channel.WEB
                creator = data.reporter_username(unit)
        else:
            # Units without a login phone the duty officer or email the section.
            channel, creator = (Channel.PHONE, "duty") if urgent else (Channel.EMAIL, "editor")

        leader = (
            Position.HEAD
            if template.urgency in (Urgency.IMPORTANT, Urgency.MAJOR_EMERGENCY)
            else Position.DEPUTY_IN_CHARGE
        )
        approved_by = people.current(unit.code, leader)[0].name

        latest = now - dt.timedelta(minutes=5)
        submitted: dt.datetime | None = min(day + dt.timedelta(minutes=submit_delay), latest)
        received: dt.datetime | None = None
        if draft:
            status = ItemStatus.DRAFT
            created = now - dt.timedelta(minutes=30 + recent_days * 1440 + write_time)
            submitted = None
        else:
            assert submitted is not None
            # Nobody starts writing before the event happened.
            created = max(
                submitted - dt.timedelta(minutes=write_time),
                min(day + dt.timedelta(minutes=5), submitted),
            )
            received = submitted + dt.timedelta(minutes=receive_delay)
            if number in WITHDRAWN:
                status, received = ItemStatus.WITHDRAWN, None
            elif received < latest and (urgent or receive_roll < 0.85):
                status = ItemStatus.RECEIVED
            else:
                status, received = ItemStatus.SUBMITTED, None
        specs.append(
            ItemSpec(
                number=number,
                unit_code=unit.code,
                joint_codes=joint if joint_roll < 0.07 else (),
                kind=template.kind,
                urgency=template.urgency,
                title=title,
                body=body,
                topics=template.topics,
                place=place,
                event_at=day if group in ("routine", "urgent") else None,
                channel=channel,
                creator=creator,
                writer=writer,
                approved_by=approved_by,
                status=status,
                created_at=created,
                submitted_at=submitted,
                received_at=received,
                receiver=receiver if status == ItemStatus.RECEIVED else "",
                picture=urgent and picture_roll < 0.3,
            )
        )
    return specs


def scene_jpeg(number: int) -> bytes:
    """A small made-up 'photo from the scene': sky, hills, water and a few houses."""
    rng = random.Random(number)  # noqa: S311  (a picture, not security)
    width, height = 640, 420
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):
        shade = 150 + y * 80 // (height // 2)
        draw.line([(0, y), (width, y)], fill=(shade - 40, shade - 20, shade))
    ridge = [(x, height // 2 - rng.randint(10, 70)) for x in range(0, width + 80, 80)]
    draw.polygon([(0, height), *ridge, (width, height)], fill=(70, 110, 70))
    for _ in range(rng.randint(3, 6)):
        x, y = rng.randint(20, width - 120), rng.randint(height // 2, height - 140)
        draw.rectangle([x, y, x + 90, y + 60], fill=(200, 195, 180), outline=(90, 80, 70))
        draw.polygon([(x - 8, y), (x + 45, y - 35), (x + 98, y)], fill=(150, 60, 50))
    water = height - rng.randint(70, 130)
    draw.rectangle([0, water, width, height], fill=(120, 105, 80))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


@dataclass
class Tally:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n


def _classes(tally: Tally) -> dict[str, UnitClass]:
    result: dict[str, UnitClass] = {}
    for spec in data.UNIT_CLASSES:
        obj, made = UnitClass.objects.get_or_create(
            name=spec.name,
            defaults={"rank": spec.rank, "quota_per_month": spec.quota_per_month},
        )
        tally.add("unit_classes", made)
        result[spec.name] = obj
    return result


def _units(tally: Tally, classes: Mapping[str, UnitClass]) -> dict[str, Unit]:
    result: dict[str, Unit] = {}
    for index, spec in enumerate(UNITS, 1):
        county = result[spec.county_code] if spec.county_code else None
        area = (
            county.short_name
            if county
            else (spec.short_name if spec.kind == UnitKind.COUNTY else "")
        )
        inside = spec.point_type in (DirectPointType.TOWNSHIP, DirectPointType.GRASSROOTS)
        obj, made = Unit.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "short_name": spec.short_name,
                "kind": spec.kind,
                "direct_point_type": spec.point_type,
                "unit_class": classes[spec.class_name],
                "county": county,
                "parent": county if inside else None,
                "address": f"{data.CITY}{area}{ROADS[index % len(ROADS)]}{index * 7 % 200 + 1}号",
                "fax": f"87{index:05d}",
            },
        )
        tally.add("units", made)
        result[spec.code] = obj
    return result


def _people(tally: Tally, units: Mapping[str, Unit]) -> dict[str, Person]:
    specs = data.build_people().people
    existing = {
        (p.unit_id, p.name, p.phone): p
        for p in Person.objects.filter(unit__in=list(units.values()))
    }
    missing = [
        Person(
            unit=units[s.unit_code],
            name=s.name,
            title=s.title,
            phone=s.phone,
            office_phone=s.office_phone,
            email=s.email,
        )
        for s in specs
        if (units[s.unit_code].pk, s.name, s.phone) not in existing
    ]
    for person in Person.objects.bulk_create(missing):
        existing[(person.unit_id, person.name, person.phone)] = person
    tally.add("people", len(missing))
    by_key = {s.key: existing[(units[s.unit_code].pk, s.name, s.phone)] for s in specs}

    entries = {
        (e.person_id, e.position, e.started_on)
        for e in RosterEntry.objects.filter(person__in=list(by_key.values()))
    }
    new_entries = [
        RosterEntry(
            unit=units[s.unit_code],
            person=by_key[s.key],
            position=s.position,
            started_on=s.started_on,
            ended_on=s.ended_on,
        )
        for s in specs
        if (by_key[s.key].pk, s.position, s.started_on) not in entries
    ]
    RosterEntry.objects.bulk_create(new_entries)
    tally.add("roster_entries", len(new_entries))
    return by_key


class _Password:
    """Hash the demo password once: hashing is slow on purpose, and every user shares it."""

    def __init__(self) -> None:
        self._hash = ""

    def __str__(self) -> str:
        if not self._hash:
            self._hash = make_password(data.DEMO_PASSWORD)
        return self._hash


def _users(
    tally: Tally, units: Mapping[str, Unit], people: Mapping[str, Person]
) -> dict[str, User]:
    password = _Password()
    result: dict[str, User] = {}

    def ensure(username: str, role: str, full_name: str, phone: str, unit: Unit | None) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                password=str(password),
                role=role,
                unit=unit,
                full_name=full_name,
                phone=phone,
                email=f"{username}@{data.EMAIL_DOMAIN}",
                must_change_password=False,
            )
            tally.add("users")
        result[username] = user
        return user

    for office in data.OFFICE_USERS:
        ensure(office.username, office.role, office.full_name, office.phone, None)
    for spec in UNITS:
        if not spec.slug:
            continue
        person = people[f"{spec.code}-{Position.REPORTER}-0"]
        user = ensure(
            data.reporter_username(spec),
            Role.REPORTER,
            person.name,
            person.phone,
            units[spec.code],
        )
        if person.user_id is None and not Person.objects.filter(user=user).exists():
            person.user = user
            person.save(update_fields=["user"])
    return result


def _items(
    tally: Tally,
    specs: Iterable[ItemSpec],
    units: Mapping[str, Unit],
    users: Mapping[str, User],
) -> dict[int, Item]:
    specs = list(specs)
    existing = {
        item.source_id: item
        for item in Item.objects.filter(source_id__in=[s.source_id for s in specs])
    }
    todo = [s for s in specs if s.source_id not in existing]
    topics = {
        name: Topic.objects.get_or_create(name=name)[0]
        for name in sorted({t for s in todo for t in s.topics})
    }
    made = Item.objects.bulk_create(
        Item(
            title=s.title,
            body=s.body,
            kind=s.kind,
            urgency=s.urgency,
            status=s.status,
            unit=units[s.unit_code],
            writer_name=s.writer.name,
            writer_phone=s.writer.phone,
            approved_by=s.approved_by,
            place=s.place,
            event_at=s.event_at,
            channel=s.channel,
            source_id=s.source_id,
            created_by=users[s.creator],
            submitted_at=s.submitted_at,
            received_at=s.received_at,
            received_by=users[s.receiver] if s.receiver else None,
        )
        for s in todo
    )
    # created_at/updated_at are stamped "now" on insert; the demo wants its own history.
    for item, s in zip(made, todo, strict=True):
        item.created_at = s.created_at
        item.updated_at = s.received_at or s.submitted_at or s.created_at
    Item.objects.bulk_update(made, ["created_at", "updated_at"])
    Item.topics.through.objects.bulk_create(
        Item.topics.through(item_id=item.pk, topic_id=topics[name].pk)
        for item, s in zip(made, todo, strict=True)
        for name in s.topics
    )
    Item.joint_units.through.objects.bulk_create(
        Item.joint_units.through(item_id=item.pk, unit_id=units[code].pk)
        for item, s in zip(made, todo, strict=True)
        for code in s.joint_codes
    )
    tally.add("items", len(made))
    existing.update((item.source_id, item) for item in made)
    return {s.number: existing[s.source_id] for s in specs}


def _pictures(tally: Tally, specs: Iterable[ItemSpec], items: Mapping[int, Item]) -> None:
    wanted = [s for s in specs if s.picture]
    have = set(
        Attachment.objects.filter(item__in=[items[s.number] for s in wanted]).values_list(
            "item_id", flat=True
        )
    )
    for s in wanted:
        item = items[s.number]
        if item.pk in have:
            continue
        upload = SimpleUploadedFile(
            f"现场照片{s.number}.jpg", scene_jpeg(s.number), content_type="image/jpeg"
        )
        add_attachment(user=item.created_by, item=item, upload=upload)
        tally.add("attachments")


def totals() -> dict[str, int]:
    """What the database holds now, for the summary."""
    by_kind = dict(
        Unit.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    by_status = dict(
        Item.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "counties": by_kind.get(UnitKind.COUNTY, 0),
        "municipal_departments": by_kind.get(UnitKind.MUNICIPAL_DEPARTMENT, 0),
        "direct_points": by_kind.get(UnitKind.DIRECT_POINT, 0),
        "people": Person.objects.count(),
        "roster_entries": RosterEntry.objects.count(),
        "users": User.objects.count(),
        "items": sum(by_status.values()),
        **{f"items_{status}": by_status.get(status, 0) for status in ItemStatus},
        "attachments": Attachment.objects.count(),
        "decisions": Decision.objects.count(),
        "adoptions": Adoption.objects.count(),
        "periodicals": Periodical.objects.count(),
        **{
            f"issues_{state}": n
            for state, n in (Issue.objects.values_list("state").annotate(n=Count("id")).order_by())
        },
        "read_receipts": ReadReceipt.objects.count(),
        "instructions": Instruction.objects.count(),
        "incidents": Incident.objects.count(),
        "demands": ReportRequest.objects.count(),
        "reports": Report.objects.count(),
        "verifications": Verification.objects.count(),
        "records": AccountabilityRecord.objects.count(),
        "notices": Notice.objects.count(),
        "notifications": Notification.objects.count(),
    }


@transaction.atomic
def load_demo(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write whatever of the demo city is missing; return what was created and the totals."""
    tally = Tally()
    now = now or timezone.now()
    specs = plan_items(now)
    # The demo city's office, through the same service as the office profile screen.
    save_office(
        user=None,
        data=OfficeData(
            name=ISSUING_OFFICE, city="澜江市", contact="市委办公室信息科 值班电话 0000-00000000"
        ),
    )
    classes = _classes(tally)
    units = _units(tally, classes)
    people = _people(tally, units)
    users = _users(tally, units, people)
    items = _items(tally, specs, units, users)
    _pictures(tally, specs, items)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    book = Book(now=now, items=items, users=users)
    run_office(book, candidates_of(specs))
    scene = Scene(book, units)
    landslide(scene)
    explosion(scene)
    mailbag(book)
    watch(book)
    # The leaders' agenda: commissions and topic lists first, since priorities turn stale
    # ones into commissions and interests issue leaders' requests as commissions.
    research(book)
    topiclists(book)
    agenda(book)
    interests(book)
    packs(book)
    analysis(book)
    _scores(tally, now)
    for key, n in book.created.items():
        tally.add(key, n)
    # Every step above was followed by the worker's round (external channels are not
    # configured: their messages fail, as on any new install). What is older than half a day
    # has been read; the bell shows the rest.
    deliver_due()
    read_old_notifications(now, dt.timedelta(hours=12), before)
    created = {key: n for key, n in tally.created.items() if n}
    summary: dict[str, Any] = {"created": created, "totals": totals(), "skipped": book.skipped}
    record(actor=None, actor_name="demo", action="demo.load", summary=summary)
    return summary


def _scores(tally: Tally, now: dt.datetime) -> None:
    """Post the ledger as the scanner does (``scoring.post``), plus the quotas of the two
    months before last so the dashboard has a trend. Posting is idempotent."""
    from xinbao.scoring import services as scoring
    from xinbao.scoring.chores import post_ledger
    from xinbao.scoring.models import ScoreEntry

    before = ScoreEntry.objects.count()
    post_ledger()
    first_of_month = timezone.localdate(now).replace(day=1)
    for _ in range(3):
        end = first_of_month - dt.timedelta(days=1)
        start = end.replace(day=1)
        for unit in Unit.objects.filter(is_active=True).order_by("pk"):
            scoring.post_quota(unit=unit, period_start=start, period_end=end)
        first_of_month = start
    tally.add("score_entries", ScoreEntry.objects.count() - before)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    unit: str
    password: str


def demo_logins() -> list[Login]:
    """The demo's logins that exist in this database: office staff first, then reporters."""
    order = [o.username for o in data.OFFICE_USERS] + [
        data.reporter_username(u) for u in UNITS if u.slug
    ]
    found = {u.username: u for u in User.objects.filter(username__in=order).select_related("unit")}
    return [
        Login(
            username=user.username,
            role=str(Role(user.role).label),
            unit=str(user.unit or ""),
            password=data.DEMO_PASSWORD,
        )
        for user in (found[name] for name in order if name in found)
    ]
