"""Collection, early signals and the partner department in the demo, told through the services.

* The editor sets up six sources of the city's news and forum sites and a watchlist eight days
  ago. The office network is closed, so nothing is fetched: the posts of ``posts`` are handed to
  ``monitor.services.record_poll`` as the poller hands what it fetched, each at the moment it
  was collected, and the sources are paused at the end (they cannot be reached from here).
* Over eight days about a hundred posts come in at a flat pace; 望江镇 is named every half day
  or so. Then, in the hour before the burst scan, a flood rumour at 望江镇: nine posts and two
  word-for-word reposts. The scan (``signals.chores.scan``, as the scanner runs it) raises early
  signals whose evidence is those posts.
* The partner department's liaison shared a lead two days ago, which the editor took in. From
  the 望江镇 signal the editor asks the department about the "江堤溃口" rumour; the liaison
  answers before the demo's "now".

The story is told once: when its first source exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.utils import timezone

from xinbao.demo.data import CITY, COUNTIES, SEED
from xinbao.demo.office import Book, replay
from xinbao.demo.posts import (
    AFTER,
    BURST,
    HISTORY,
    PAGE_VERSIONS,
    REPOST_OF,
    REPOSTS,
    ROADS,
    SOURCES,
    TAILS,
    TERMS,
    VILLAGES,
    BurstPost,
)
from xinbao.liaison import services as liaison
from xinbao.liaison.models import Lead
from xinbao.monitor import services as monitor
from xinbao.monitor.dedupe import prepare
from xinbao.monitor.models import Post, Source
from xinbao.monitor.parse import Entry
from xinbao.monitor.watch import automaton
from xinbao.signals.chores import scan
from xinbao.signals.models import EarlySignal, SignalKind

#: The place of the rumour, and how long before the demo's "now" the burst scan ran.
BURST_PLACE = "望江镇"
SCAN_BEFORE = dt.timedelta(minutes=40)
HISTORY_DAYS = 8
HISTORY_POSTS = 110
#: The lead the liaison shares, and the request the office sends from the signal.
SHARED_TITLE = "网民反映市一中食堂饭菜变质"
REQUEST_TITLE = "望江镇积水及“江堤溃口”传言"

MINUTE = dt.timedelta(minutes=1)


def _host(url: str) -> str:
    return url.split("/")[2]


def _entry(source_key: str, serial: int, fetched: dt.datetime, title: str, text: str) -> Entry:
    spec = next(s for s in SOURCES if s.key == source_key)
    day = timezone.localtime(fetched).strftime("%Y%m%d")
    return Entry(
        url=f"https://{_host(spec.url)}/a/{day}/{serial}.html",
        title=title,
        text=text,
        published_at=fetched - dt.timedelta(minutes=3 + serial % 20),
    )


def plan_history(now: dt.datetime) -> list[tuple[dt.datetime, str, Entry]]:
    """The flat history: (collected at, source key, entry), oldest first; the same for the same
    ``now``. Every eighth post is told of 望江镇, the rest of the city's counties and towns."""
    rng = random.Random(SEED + 13)  # noqa: S311  (fixed demo data, not security)
    jiangwan = next(c for c in COUNTIES if c.short_name == "江湾区")
    start = now - dt.timedelta(days=HISTORY_DAYS)
    # Nothing in the three hours before the scan: the burst stands on a quiet evening.
    span = (now - SCAN_BEFORE - dt.timedelta(hours=3)) - start
    planned: list[tuple[dt.datetime, str, Entry]] = []
    for serial in range(1, HISTORY_POSTS + 1):
        template = HISTORY[rng.randrange(len(HISTORY))]
        county = rng.choice(COUNTIES)
        town = rng.choice(county.towns)
        if serial % 8 == 0:
            county, town = jiangwan, BURST_PLACE
        fields = {
            "county": county.short_name,
            "town": town,
            "road": rng.choice(ROADS),
            "village": rng.choice(VILLAGES),
            "n": str(rng.randint(3, 60)),
            "m": str(rng.randint(2, 9)),
            "hour": str(rng.randint(2, 11)),
            "city": CITY,
        }
        # Evenly spread, with a little jitter: a flat hourly baseline.
        at_ = start + span * (serial / (HISTORY_POSTS + 1)) + rng.randint(-40, 40) * MINUTE
        source = rng.choice(template.sources)
        title = template.title.format(**fields)
        text = template.text.format(**fields) + rng.choice(TAILS)
        planned.append((at_, source, _entry(source, serial, at_, title, text)))
    return sorted(planned, key=lambda row: row[0])


def _collect(sources: dict[str, Source], when: dt.datetime, key: str, entry: Entry) -> None:
    """What the poller does after the network: prepare the entry, store it in one short
    transaction, at the moment it was collected."""
    source = sources[key]

    def step() -> None:
        prepared = prepare(entry, kind=source.kind, automaton=automaton())
        monitor.record_poll(source_pk=source.pk, prepared=[prepared], now=when)

    replay(when, step)


def _burst_entries(
    scan_at: dt.datetime, posts: Sequence[BurstPost], first_serial: int
) -> list[tuple[dt.datetime, str, Entry]]:
    return [
        (
            scan_at - post.minutes_before * MINUTE,
            post.source,
            _entry(
                post.source,
                first_serial + i,
                scan_at - post.minutes_before * MINUTE,
                post.title,
                post.text,
            ),
        )
        for i, post in enumerate(posts)
    ]


def watch(book: Book) -> None:
    if Source.objects.filter(name=SOURCES[0].name).exists():
        book.skipped.append("collection and early signals: the demo's sources exist")
        return
    now = book.now
    editor = book.users["editor"]
    scan_at = now - SCAN_BEFORE
    setup_at = now - dt.timedelta(days=HISTORY_DAYS, hours=2)
    sources: dict[str, Source] = {}

    def setup() -> None:
        for spec in SOURCES:
            sources[spec.key] = monitor.create_source(
                user=editor,
                data=monitor.SourceData(
                    name=spec.name,
                    kind=spec.kind,
                    url=spec.url,
                    interval_minutes=spec.interval_minutes,
                ),
            )
        for kind, terms in TERMS.items():
            monitor.add_terms(user=editor, kind=kind, terms=terms)

    replay(setup_at, setup)
    book.add("monitor_sources", len(sources))

    timeline = plan_history(now)
    page = sources["qingping"]
    for days, (title, text) in zip((5, 1), PAGE_VERSIONS, strict=True):
        when = now - dt.timedelta(days=days, hours=3)
        timeline.append((when, "qingping", Entry(page.url, title, text, None)))
    burst = _burst_entries(scan_at, BURST, 900)
    rumour = burst[REPOST_OF][2]
    reposts = [
        (
            scan_at - minutes * MINUTE,
            key,
            Entry(
                _entry(key, 950 + i, scan_at - minutes * MINUTE, "", "").url,
                rumour.title,
                rumour.text,
                rumour.published_at,
            ),
        )
        for i, (key, minutes) in enumerate(REPOSTS)
    ]
    timeline += burst + reposts
    for when, key, entry in sorted(timeline, key=lambda row: row[0]):
        _collect(sources, when, key, entry)

    def burst_scan() -> None:
        scan()  # the scanner's chore, at the moment it ran

    replay(scan_at, burst_scan)
    signal = EarlySignal.objects.filter(kind=SignalKind.PLACE, key=BURST_PLACE).first()
    book.add("early_signals", EarlySignal.objects.count())

    for when, key, entry in _burst_entries(scan_at, AFTER, 990):
        _collect(sources, when, key, entry)
    book.add("monitor_posts", Post.objects.count())

    _partner(book, signal, rumour.url)

    def pause() -> None:
        for source in sources.values():
            monitor.pause_source(user=editor, source=source)

    # The sites cannot be reached from the office network: the editor paused them.
    replay(now - 2 * MINUTE, pause)


def _partner(book: Book, signal: EarlySignal | None, rumour_url: str) -> None:
    """The exchange with the partner department: a lead shared in and taken, a request sent
    from the signal and answered."""
    if Lead.objects.filter(title=SHARED_TITLE).exists():
        book.skipped.append("partner leads: the demo's leads exist")
        return
    now = book.now
    office, partner = book.users["editor"], book.users["liaison"]
    shared_at = now - dt.timedelta(days=2, hours=3)
    shared: list[Lead] = []
    replay(
        shared_at,
        lambda: shared.append(
            liaison.share(
                user=partner,
                title=SHARED_TITLE,
                text=(
                    "澜江论坛昨晚出现帖文，称市一中食堂午餐出现变质肉类，附图三张，"
                    "截至今晨阅读量约1.2万、跟帖300余条，部分家长在群里转发。"
                    "网信部门已留存证据，请市委办公室关注并协调教育、市场监管部门核查。"
                ),
                source_url="https://bbs.lanjiang.example/forum-12/thread-20811.html",
            )
        ),
    )

    def take() -> None:
        liaison.take(user=office, lead=shared[0])

    replay(shared_at + dt.timedelta(minutes=35), take)
    book.add("partner_leads")
    if signal is None:
        book.skipped.append("partner request: no early signal was raised for 望江镇")
        return
    sent_at = now - SCAN_BEFORE + dt.timedelta(minutes=12)
    post = Post.objects.filter(url=rumour_url).first()
    request: list[Lead] = []
    replay(
        sent_at,
        lambda: request.append(
            liaison.send_request(
                user=office,
                liaison=partner,
                title=REQUEST_TITLE,
                text=(
                    f"{BURST_PLACE}强降雨，近一小时内网上相关帖文{signal.observed}条"
                    f"（平时每小时约{signal.baseline:.1f}条），其中有“{BURST_PLACE}江堤溃口”的说法"
                    "在论坛和生活号转发。"
                ),
                question="请核实“江堤溃口”说法的来源和传播范围，告知处置情况。",
                due_at=sent_at + dt.timedelta(hours=3),
                source_url=rumour_url,
                post=post,
                signal=signal,
            )
        ),
    )

    def answer() -> None:
        liaison.answer(
            user=partner,
            lead=request[0],
            text=(
                "已核实：“江堤溃口”说法最早出自一个微信群的转发截图，无现场图片，经江湾区防汛指挥部"
                "确认江堤运行正常。已协调平台处置不实帖文3条，江湾融媒已发布辟谣消息，"
                "我们继续关注，有新情况及时通报。"
            ),
        )

    replay(sent_at + dt.timedelta(minutes=20), answer)
    book.add("partner_leads")
