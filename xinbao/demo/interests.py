"""Leaders' interests, requests and marks in the demo, told through the services.

* Two weeks ago the leader in charge set two interests (防汛 with SMS for urgent items, 安全生产
  without), the principal leader two more (营商环境, 乡村振兴); all four want the morning digest.
* The scanner's matcher ran as the days went by: what the units reported since reached the
  leaders at once, with why it matched; every morning at 08:00 a digest summed up the day.
* Half an hour ago the leader in charge marked the first two items served to them, one useful
  (正待此件) and one not; the principal leader marked the latest issue they read useful.
* Two days ago the principal leader asked for information on rural drinking water (点题); the
  section chief issued it yesterday to three counties as a commission. This morning the leader
  in charge asked about geological hazards in the flood season: still waiting for the office.

The story is told once: when an interest exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.demo.office import Book, replay
from xinbao.interests import selectors, services
from xinbao.interests.models import InfoRequest, Interest
from xinbao.org.models import Unit, UnitKind
from xinbao.periodicals.access import reading_issues
from xinbao.research.models import CommissionForm

#: How many days ago the leaders set their interests.
DAYS = 14
#: (user key, name, keywords, words left out, urgent items by SMS).
INTERESTS = (
    ("leader", "防汛抗洪", ("防汛", "山洪", "汛期", "江堤", "内涝"), ("演练",), True),
    ("leader", "安全生产", ("安全生产", "燃气", "隐患排查"), (), False),
    ("principal", "营商环境", ("营商环境", "惠企", "民营企业"), (), True),
    ("principal", "乡村振兴", ("乡村振兴", "人居环境", "农村饮水"), (), False),
)
WATER = "农村饮水安全保障情况"
WATER_WANTED = "各县农村饮水工程运行管护情况、季节性缺水问题和下一步保障措施。"
HAZARD = "汛期地质灾害隐患点排查整治情况"
HAZARD_WANTED = "全市地质灾害隐患点底数、排查整治进度，以及人员转移避险预案落实情况。"
USEFUL_NOTE = "正待此件，明天防汛会商会用得上"
NOT_USEFUL_NOTE = "情况已掌握"
ISSUE_NOTE = "适逢其盼，请继续跟踪"


def _serve() -> None:
    while services.serve_new_items().items:
        pass


def _mornings(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every digest time (08:05 Asia/Shanghai) after ``start`` and before ``end``."""
    local = timezone.localtime(start)
    eight = local.replace(hour=services.DIGEST_HOUR, minute=5, second=0, microsecond=0)
    found = []
    while eight < end:
        if eight > start:
            found.append(eight)
        eight += dt.timedelta(days=1)
    return found


def interests(book: Book) -> None:
    """See the module's docstring."""
    if Interest.objects.exists():
        book.skipped.append("interests: an interest exists")
        return
    now = book.now
    leader, principal = book.users["leader"], book.users["principal"]
    chief = book.users["chief"]
    counties = list(Unit.objects.filter(kind=UnitKind.COUNTY, is_active=True).order_by("code")[:3])

    def set_interests() -> None:
        for key, name, keywords, exclude, sms in INTERESTS:
            services.save_interest(
                user=book.users[key],
                name=name,
                keywords=keywords,
                exclude=exclude,
                urgent_channel=sms,
                digest=True,
            )
            book.add("interests")

    def ask_water() -> None:
        services.ask(
            user=principal,
            subject=WATER,
            wanted=WATER_WANTED,
            wanted_by=timezone.localdate() + dt.timedelta(days=12),
        )
        book.add("interest_requests")

    def issue_water() -> None:
        request = InfoRequest.objects.get(subject=WATER)
        services.issue_request(
            user=chief,
            request=request,
            units=counties,
            due_on=timezone.localdate() + dt.timedelta(days=9),
            form=CommissionForm.COMMISSIONED,
            requirements=f"{WATER_WANTED}\n写清情况、分析原因、提出对策，篇幅不超过2000字。",
        )

    def digest() -> None:
        for leader_id in services.digest_due():
            services.send_digest(leader_id)

    def mark() -> None:
        served = selectors.served(leader)
        for row, useful, note in zip(
            served, (True, False), (USEFUL_NOTE, NOT_USEFUL_NOTE), strict=False
        ):
            services.set_mark(user=leader, item=row.item, useful=useful, note=note)
            book.add("interest_marks")
        issue = reading_issues(principal).order_by("-distributed_at", "-pk").first()
        if issue is not None:
            services.set_mark(user=principal, issue=issue, useful=True, note=ISSUE_NOTE)
            book.add("interest_marks")

    def ask_hazard() -> None:
        services.ask(
            user=leader,
            subject=HAZARD,
            wanted=HAZARD_WANTED,
            wanted_by=timezone.localdate() + dt.timedelta(days=5),
            units=counties[:2],
        )
        book.add("interest_requests")

    start = now - dt.timedelta(days=DAYS)
    steps = [
        (start, set_interests),
        (now - dt.timedelta(days=2, hours=1), ask_water),
        (now - dt.timedelta(days=1, hours=2), issue_water),
        (now - dt.timedelta(minutes=30), mark),
        (now - dt.timedelta(minutes=20), ask_hazard),
    ]
    # The scanner's matcher, seen once a day and an hour ago; the digest every morning.
    steps += [(now - dt.timedelta(days=d, minutes=50), _serve) for d in range(DAYS - 1, -1, -1)]
    steps += [(morning, digest) for morning in _mornings(start, now)]
    for moment, step in sorted(steps, key=lambda s: s[0]):
        replay(moment, step)
