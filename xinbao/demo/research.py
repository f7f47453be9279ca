"""Research commissions in the demo city, told through the services.

* Twenty days ago the section chief commissioned the counties of class 一类 on the county
  economy (central work), due six days ago: one county answered in time with one of its items;
  the two others were reminded the day before, and the deadline scan, as it ran the night after
  the due day, marked them missed and posted the −10 to each. One of them answered two days
  later: its answer shows late, the deduction stays.
* Five days ago an editor sent two counties a joint research topic on residents' incomes (the
  leaders' concerns), due in a week; one has answered already.
* Two days ago the chief sent a commissioned article on rural elderly care (a grassroots hot
  issue) to three municipal departments, due in eight days.
* A stationed research topic on old-neighbourhood renovation (difficult problems) waits as a
  draft.

The story is told once: when its first commission exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.demo.office import Book, replay
from xinbao.items.models import Item
from xinbao.org.models import Unit, UnitKind
from xinbao.research import services
from xinbao.research.models import (
    Assignment,
    Commission,
    CommissionForm,
    CommissionSource,
)

ECONOMY = "县域经济高质量发展的做法、问题与对策"
INCOMES = "城乡居民增收渠道拓展情况"
ELDERLY = "农村养老服务体系建设情况"
RENOVATION = "老旧小区改造中的矛盾纠纷及化解办法"


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _reporter(unit: Unit) -> User | None:
    return User.objects.filter(unit=unit, role=Role.REPORTER, is_active=True).order_by("pk").first()


def _answering_item(unit: Unit, before: dt.datetime) -> Item | None:
    return (
        Item.objects.filter(
            unit=unit, status__in=services.ANSWERING_STATUSES, submitted_at__lte=before
        )
        .order_by("-submitted_at", "-pk")
        .first()
    )


def _answer(commission: Commission, unit: Unit, at: dt.datetime) -> bool:
    """The unit's reporter links the unit's latest item submitted before ``at``."""
    reporter, item = _reporter(unit), _answering_item(unit, at)
    if reporter is None or item is None:
        return False
    assignment = Assignment.objects.get(commission=commission, unit=unit)

    def link() -> None:
        services.link_answer(assignment=assignment, item=item, user=reporter)

    replay(at, link)
    return True


def _units_with_reporters(kind: str, n: int) -> list[Unit]:
    units = Unit.objects.filter(kind=kind, is_active=True).order_by("code")
    return [u for u in units if _reporter(u) is not None][:n]


def _send(
    book: Book,
    at: dt.datetime,
    *,
    by: str,
    subject: str,
    source: str,
    form: str,
    units: Sequence[Unit],
    due_on: dt.date,
    send: bool = True,
) -> Commission:
    holder: list[Commission] = []

    def create() -> None:
        holder.append(
            services.create_commission(
                subject=subject,
                requirements=services.DEFAULT_REQUIREMENTS,
                source=source,
                form=form,
                units=units,
                due_on=due_on,
                user=book.users[by],
                send=send,
            )
        )

    replay(at, create)
    book.add("research_commissions")
    return holder[0]


def _scan(at: dt.datetime, commission: Commission) -> None:
    """The deadline scan at ``at``, as the scanner runs it, for the commission's units."""

    def scan() -> None:
        for pk in commission.assignments.values_list("pk", flat=True):
            services.check_assignment(pk)

    replay(at, scan)


def research(book: Book) -> None:
    """See the module's docstring."""
    if Commission.objects.filter(subject=ECONOMY).exists():
        book.skipped.append("research: the demo's commissions exist")
        return
    today = timezone.localtime(book.now).date()
    counties = [
        u for u in _units_with_reporters(UnitKind.COUNTY, 12) if u.unit_class.name == "一类"
    ][:3]
    if len(counties) < 3:
        counties = _units_with_reporters(UnitKind.COUNTY, 3)

    due = today - dt.timedelta(days=6)
    economy = _send(
        book,
        _local(today - dt.timedelta(days=20), 10),
        by="chief",
        subject=ECONOMY,
        source=CommissionSource.CENTRAL_WORK,
        form=CommissionForm.COMMISSIONED,
        units=counties,
        due_on=due,
    )
    on_time, late = counties[0], counties[1]
    _answer(economy, on_time, _local(due - dt.timedelta(days=2), 16))
    # The reminder the day before, then the miss just after midnight.
    _scan(services.reminder_at(due) + dt.timedelta(minutes=5), economy)
    _scan(services.missed_at(due) + dt.timedelta(minutes=5), economy)
    _answer(economy, late, _local(due + dt.timedelta(days=2), 11))
    book.add(
        "research_missed",
        Assignment.objects.filter(commission=economy, missed_posted=True).count(),
    )

    pair = _units_with_reporters(UnitKind.COUNTY, 5)[3:5]
    incomes = _send(
        book,
        _local(today - dt.timedelta(days=5), 9, 30),
        by="editor",
        subject=INCOMES,
        source=CommissionSource.LEADER_CONCERN,
        form=CommissionForm.JOINT,
        units=pair,
        due_on=today + dt.timedelta(days=7),
    )
    _answer(incomes, pair[0], min(book.now - dt.timedelta(hours=3), _local(today, 9)))

    departments = _units_with_reporters(UnitKind.MUNICIPAL_DEPARTMENT, 3)
    _send(
        book,
        _local(today - dt.timedelta(days=2), 15),
        by="chief",
        subject=ELDERLY,
        source=CommissionSource.GRASSROOTS_HOT,
        form=CommissionForm.COMMISSIONED,
        units=departments,
        due_on=today + dt.timedelta(days=8),
    )
    _send(
        book,
        _local(today - dt.timedelta(days=1), 17),
        by="editor",
        subject=RENOVATION,
        source=CommissionSource.DIFFICULT_PROBLEM,
        form=CommissionForm.STATIONED,
        units=counties[:2],
        due_on=today + dt.timedelta(days=20),
        send=False,
    )
