"""Locust: an office's busiest hour against a running Xinbao (bench/busiest_hour.py starts it).

Four kinds of people, each logged in once with their own session:

- reporters (most users): their item list, the new-item form, an item submitted with a small
  JPEG or PNG made with Pillow, the item's page;
- editors at the desk: the queue, an item, adopting it into a periodical or marking it not
  adopted, the inbox and the search;
- leaders on phones (a mobile user agent): the sign queue, an issue, signing it;
- the duty officer: the incidents, a duty-phone call recorded as an incident, reports demanded
  from units.

A request counts as failed unless its outcome is there: a form re-shown with errors, a refusal
shown as a message, or a redirect to anywhere but the expected page is a failure, not only a
status other than 200. Requests are grouped by page name, not by URL.

Read from the environment (set by the runner): ``BUSIEST_HOUR_PLAN`` (the JSON the runner's
preparation wrote: the password, usernames by kind, the periodical to adopt into, units),
``BUSIEST_HOUR_OUT`` (where the figures are written when Locust quits) and the fixed counts of
the minority kinds ``BUSIEST_HOUR_EDITORS``, ``BUSIEST_HOUR_LEADERS``, ``BUSIEST_HOUR_DUTY``.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment
from PIL import Image

PLAN: dict[str, Any] = json.loads(Path(os.environ["BUSIEST_HOUR_PLAN"]).read_text())
OUT = Path(os.environ["BUSIEST_HOUR_OUT"])
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DESK_LINK = re.compile(r'href="/desk/(\d+)/"')
SIGN_LINK = re.compile(r'href="/periodicals/sign/(\d+)/"')
LOCATION_ID = re.compile(r"/(\d+)/$")

#: What each kind of person got done, checked on the page that followed.
DONE: Counter[str] = Counter()
#: Items the reporters submitted in this run (id: title), for the desk's check.
SUBMITTED: dict[int, str] = {}
PLACES = ["滨江路", "新城大道", "工业园区", "东湖街道", "南山村", "城北开发区"]
SUBJECTS = [
    "推进城乡环境整治",
    "开展安全生产检查",
    "做好防汛备汛工作",
    "优化营商环境",
    "推动乡村振兴",
]


def picture() -> tuple[str, bytes, str]:
    """A small photo of a different colour each time, as a phone would attach it."""
    image = Image.new("RGB", (96, 72), tuple(random.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    if random.random() < 0.5:
        image.save(buffer, "JPEG", quality=80)
        return "photo.jpg", buffer.getvalue(), "image/jpeg"
    image.save(buffer, "PNG")
    return "photo.png", buffer.getvalue(), "image/png"


class Person(HttpUser):
    """One logged-in person; ``accounts`` is the kind's list of usernames in the plan."""

    abstract = True
    kind = ""
    wait_time = between(2, 6)
    user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36"
    counter: itertools.count[int]

    def on_start(self) -> None:
        self.index = next(type(self).counter)
        accounts: list[str] = PLAN["accounts"][self.kind]
        self.username = accounts[self.index % len(accounts)]
        # The test client's rule: pages in English, so the checks read English source strings.
        self.client.headers.update({"Accept-Language": "en", "User-Agent": self.user_agent})
        self.login()

    def login(self) -> None:
        page = self.page("/accounts/login/", "login form")
        self.post(
            "/accounts/login/",
            "login",
            {"username": self.username, "password": PLAN["password"]},
            token=self.token(page),
            to=re.compile(r"^/"),
            refuse="/accounts/",
        )

    def token(self, page: str) -> str:
        found = CSRF.search(page)
        return found.group(1) if found else ""

    def page(self, path: str, name: str, *, expect: str = "", **kwargs: Any) -> str:
        """GET a page; a failure unless it is a 200 holding ``expect``."""
        with self.client.get(
            path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {path}")
            elif expect and expect not in r.text:
                r.failure(f"{expect!r} not on {path}")
            else:
                r.success()
            return r.text if r.status_code == 200 else ""

    def post(
        self,
        path: str,
        name: str,
        data: dict[str, Any] | list[tuple[str, Any]],
        *,
        token: str,
        to: re.Pattern[str],
        refuse: str = "",
        files: Any = None,
    ) -> str:
        """POST a form; a failure unless it redirects to a URL ``to`` matches (a re-shown form
        is a 200 with errors, a refused file sends the draft to its edit page)."""
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        fields.append(("csrfmiddlewaretoken", token))
        with self.client.post(
            path,
            data=fields,
            files=files,
            name=name,
            catch_response=True,
            allow_redirects=False,
            headers={"Referer": self.client.base_url + path},
        ) as r:
            location = str(r.headers.get("Location", ""))
            if r.status_code != 302:
                r.failure(f"{r.status_code} for {path} (a form re-shown or refused)")
                return ""
            if not to.search(location) or (refuse and location.startswith(refuse)):
                r.failure(f"{path} went to {location!r}")
                return ""
            r.success()
            return location


class Reporter(Person):
    """A unit's reporter: reads their items, writes and submits one with a picture."""

    kind = "reporter"
    weight = 1
    counter = itertools.count()

    def on_start(self) -> None:
        # The hour is busy because every unit has something to send: each one's first act.
        super().on_start()
        self.submit_item()

    @task(3)
    def read_lists(self) -> None:
        self.page("/items/", "reporter: item list")
        self.page("/", "home")

    @task(2)
    def submit_item(self) -> None:
        form = self.page("/items/new/", "reporter: new item form", expect="csrfmiddlewaretoken")
        subject = random.choice(SUBJECTS)
        n = random.randrange(10**6)
        title = f"{subject}工作取得阶段性成效（{n}）"
        body = (
            f"近日，我单位围绕{subject}，组织力量深入{random.choice(PLACES)}一线开展工作。\n"
            f"截至目前，共排查问题{random.randint(5, 90)}个，已整改{random.randint(1, 5)}个，"
            "群众反映良好。\n下一步将建立长效机制，持续跟踪问效。"
        )
        data = {
            "title": title,
            "body": body,
            "kind": "dynamic",
            "urgency": "routine",
            "place": random.choice(PLACES),
            "topics": subject,
            "writer_name": "王晓",
            "writer_phone": f"139{random.randrange(10**8):08d}",
            "approved_by": "李主任",
            "action": "submit",
        }
        files = [("uploads", picture()) for _ in range(random.choice((1, 1, 2)))]
        location = self.post(
            "/items/new/",
            "reporter: submit item",
            data,
            token=self.token(form),
            to=re.compile(r"^/items/\d+/$"),
            files=files,
        )
        if not location:
            return
        self.page(location, "reporter: item page", expect="Submitted. The office has received it")
        found = LOCATION_ID.search(location)
        if found:
            SUBMITTED[int(found.group(1))] = title
            DONE["item submitted"] += 1


class Editor(Person):
    """An editor at the desk; each takes only the items whose id falls to them, so that two
    editors never decide the same item at once (which the desk rightly refuses)."""

    kind = "editor"
    fixed_count = int(os.environ.get("BUSIEST_HOUR_EDITORS", "1"))
    counter = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        self.decide()

    @task(4)
    def decide(self) -> None:
        queue = self.page("/desk/queue/", "desk: queue", expect="Needs my action")
        ids = [int(i) for i in DESK_LINK.findall(queue)]
        # The reporters' own items of this run first: what the hour is about.
        mine = [i for i in ids if i % self.fixed_count == self.index % self.fixed_count]
        fresh = [i for i in mine if i in SUBMITTED]
        if not mine:
            return
        pk = random.choice(fresh or mine)
        page = self.page(f"/desk/{pk}/", "desk: item")
        if pk in SUBMITTED and SUBMITTED[pk] in page:
            DONE["item seen on the desk"] += 1
        token = self.token(page)
        if random.random() < 0.7:
            location = self.post(
                f"/desk/{pk}/adopt/",
                "desk: adopt",
                {"periodicals": PLAN["periodical"], "comment": "采用。"},
                token=token,
                to=re.compile(rf"^/desk/{pk}/$"),
            )
            expected, done = "Adopted; the unit has been told.", "item adopted"
        else:
            location = self.post(
                f"/desk/{pk}/reject/",
                "desk: not adopted",
                {"reason": "内容与近期已采用信息重复。"},
                token=token,
                to=re.compile(rf"^/desk/{pk}/$"),
            )
            expected, done = "Marked not adopted; the unit has been told.", "item not adopted"
        if location:
            self.page(location, "desk: item", expect=expected)
            DONE[done] += 1

    @task(2)
    def search(self) -> None:
        self.page("/items/search/?q=" + random.choice(SUBJECTS), "desk: search", expect="Search")
        DONE["searched"] += 1

    @task(1)
    def inbox(self) -> None:
        self.page("/desk/", "desk: inbox")


class Leader(Person):
    """A leader on a phone: the sign queue, an issue, signing it. Leaders alternate between
    the signer roles; those sharing one take the issues whose id falls to them."""

    kind = "leader"
    fixed_count = int(os.environ.get("BUSIEST_HOUR_LEADERS", "1"))
    wait_time = between(4, 10)
    user_agent = PHONE
    counter = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        accounts: list[str] = PLAN["accounts"]["leader"]
        self.share = len(range(self.index % len(accounts), self.fixed_count, len(accounts)))
        self.slot = self.index // len(accounts)

    @task
    def sign(self) -> None:
        queue = self.page("/periodicals/sign/", "leader: sign queue")
        ids = [int(i) for i in SIGN_LINK.findall(queue)]
        mine = [i for i in ids if i % self.share == self.slot]
        if not mine:
            return
        pk = min(mine)
        page = self.page(f"/periodicals/sign/{pk}/", "leader: issue", expect="sign-button")
        location = self.post(
            f"/periodicals/sign/{pk}/sign/",
            "leader: sign",
            {"comment": "同意。"},
            token=self.token(page),
            to=re.compile(rf"^/periodicals/sign/{pk}/$"),
        )
        if location:
            self.page(location, "leader: issue", expect="Signed.")
            DONE["issue signed"] += 1


class DutyOfficer(Person):
    """The duty officer takes a call: records the incident, demands reports from units."""

    kind = "duty"
    fixed_count = int(os.environ.get("BUSIEST_HOUR_DUTY", "1"))
    wait_time = between(5, 15)
    counter = itertools.count()

    @task
    def take_incident(self) -> None:
        self.page("/incidents/", "duty: incidents")
        form = self.page("/incidents/new/", "duty: new incident form", expect="csrfmiddlewaretoken")
        place = random.choice(PLACES)
        units = random.sample(PLAN["units"], 2)
        data: list[tuple[str, Any]] = [
            ("received_at", "2026-01-01T08:00"),
            ("source", "区应急管理局值班室"),
            ("place", place),
            ("what", f"{place}一处民房发生火灾，消防已到场处置，暂无人员伤亡报告。"),
            ("casualties", ""),
            ("measures", "已通知属地街道和消防部门。"),
            ("caller_name", "赵值班"),
            ("caller_phone", "13900001111"),
            ("title", f"{place}民房火灾（{random.randrange(10**6)}）"),
            ("category", "accident"),
            ("crowd", ""),
            ("level", ""),
            *[("units", u) for u in units],
        ]
        location = self.post(
            "/incidents/new/",
            "duty: record incident",
            data,
            token=self.token(form),
            to=re.compile(r"^/incidents/\d+/$"),
        )
        if not location:
            return
        page = self.page(location, "duty: incident", expect="Incident opened at")
        DONE["incident opened"] += 1
        pk = LOCATION_ID.search(location)
        assert pk is not None
        demanded = self.post(
            f"/incidents/{pk.group(1)}/demand/",
            "duty: demand reports",
            [("units", u) for u in units] + [("matter", "请迅速核实并报告现场情况。")],
            token=self.token(page),
            to=re.compile(rf"^/incidents/{pk.group(1)}/$"),
        )
        if demanded:
            self.page(demanded, "duty: incident", expect="Reports demanded from")
            DONE["reports demanded"] += 1


@events.quitting.add_listener  # type: ignore[untyped-decorator]  # locust's EventHook is untyped
def _save(environment: Environment, **_kwargs: Any) -> None:
    """The figures per page name and what got done, for the runner."""
    stats = environment.stats
    pages = {}
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        pages[entry.name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time or 0, 1),
        }
    OUT.write_text(
        json.dumps(
            {
                "pages": pages,
                "requests": stats.total.num_requests,
                "failures": stats.total.num_failures,
                "p50_ms": stats.total.get_response_time_percentile(0.5),
                "p95_ms": stats.total.get_response_time_percentile(0.95),
                "requests_per_s": round(stats.total.total_rps, 2),
                "errors": [
                    {"page": e.name, "error": str(e.error), "count": e.occurrences}
                    for e in stats.errors.values()
                ],
                "done": dict(DONE),
                "submitted": [{"id": k, "title": v} for k, v in list(SUBMITTED.items())[-5:]],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
