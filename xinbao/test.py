"""Personas for tests: a small city with two counties, a direct point and the office staff; and
the one helper that freezes the query counts of list pages (`FrozenQueryCounts`)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import urljoin

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from xinbao.accounts.models import Role, User
from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.items.search import index_item
from xinbao.org.models import (
    DirectPointType,
    Person,
    Position,
    RosterEntry,
    Unit,
    UnitClass,
    UnitKind,
)

PASSWORD = "Xb-test-2026!"  # noqa: S105  (a fixture, not a secret)
#: The benchmarks (bench/ beside the package: scripts, not a package).
BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_module(name: str) -> ModuleType:
    """``bench/<name>.py`` loaded as a module, for the small run of a benchmark in a test. It is
    registered under ``bench_<name>`` before it runs: its dataclasses look their module up."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def totp_code(device: Any) -> str:
    """The code an authenticator app holding ``device``'s key shows now (a TOTPDevice)."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}"


def make_user(username: str, role: str, unit: Unit | None = None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        unit=unit,
        full_name=extra.pop("full_name", username.title()),
        **extra,
    )
    return user


class EnglishClient(Client):
    """A test client whose browser asks for English.

    Tests state facts against the English source strings; that the interface speaks Chinese
    by default, and completely, is the subject of ``xinbao/tests/test_i18n.py`` and of the
    browser tests, which ask for Chinese as an office's browsers do.
    """

    def __init__(self, *args: Any, **defaults: Any) -> None:
        defaults.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        super().__init__(*args, **defaults)


class Personas:
    """The cast, created once per test class."""

    client_class: type[Client] = EnglishClient

    class_one: UnitClass
    county_a: Unit
    county_b: Unit
    point: Unit
    dept: Unit
    alice: User  # reporter of county A
    bob: User  # reporter of county B
    carol: User  # reporter of the direct point
    ed: User  # editor
    chief: User  # section chief
    leader: User  # leader in charge
    principal: User  # principal leader
    duty: User  # duty officer
    liaison: User  # partner-department liaison
    sysadmin: User
    secadmin: User
    auditor: User

    @classmethod
    def create_personas(cls) -> None:
        cls.class_one = UnitClass.objects.create(name="一类", rank=1, quota_per_month=6)
        cls.county_a = Unit.objects.create(
            code="C01",
            name="东城县委办公室",
            short_name="东城县",
            kind=UnitKind.COUNTY,
            unit_class=cls.class_one,
        )
        cls.county_b = Unit.objects.create(
            code="C02",
            name="西山县委办公室",
            short_name="西山县",
            kind=UnitKind.COUNTY,
            unit_class=cls.class_one,
        )
        cls.dept = Unit.objects.create(
            code="D01",
            name="市应急管理局",
            short_name="应急局",
            kind=UnitKind.MUNICIPAL_DEPARTMENT,
            unit_class=cls.class_one,
        )
        cls.point = Unit.objects.create(
            code="P01",
            name="东城县第一中学",
            kind=UnitKind.DIRECT_POINT,
            direct_point_type=DirectPointType.SCHOOL,
            unit_class=cls.class_one,
            county=cls.county_a,
        )
        cls.alice = make_user("alice", Role.REPORTER, cls.county_a, phone="13800000001")
        cls.bob = make_user("bob", Role.REPORTER, cls.county_b, phone="13800000002")
        cls.carol = make_user("carol", Role.REPORTER, cls.point, phone="13800000003")
        cls.ed = make_user("ed", Role.EDITOR)
        cls.chief = make_user("chief", Role.SECTION_CHIEF)
        cls.leader = make_user("leader", Role.LEADER_IN_CHARGE)
        cls.principal = make_user("principal", Role.PRINCIPAL_LEADER)
        cls.duty = make_user("duty", Role.DUTY_OFFICER)
        cls.liaison = make_user("liaison", Role.PARTNER_LIAISON)
        cls.sysadmin = make_user("sysadmin", Role.SYSTEM_ADMIN)
        cls.secadmin = make_user("secadmin", Role.SECURITY_ADMIN)
        cls.auditor = make_user("auditor", Role.AUDIT_ADMIN)
        start = dt.date(2026, 1, 1)
        for unit, head, deputy, reporter in (
            (cls.county_a, "王建国", "李文华", "赵小红"),
            (cls.county_b, "陈志强", "刘海燕", "孙明"),
        ):
            for name, position in (
                (head, Position.HEAD),
                (deputy, Position.DEPUTY_IN_CHARGE),
                (reporter, Position.REPORTER),
            ):
                person = Person.objects.create(
                    name=name, unit=unit, phone="139" + unit.code[-2:] + str(len(name)) * 6
                )
                RosterEntry.objects.create(
                    unit=unit, person=person, position=position, started_on=start
                )

    @staticmethod
    def make_item(
        user: User,
        *,
        status: str = ItemStatus.SUBMITTED,
        unit: Unit | None = None,
        title: str = "东城县召开防汛工作会议",
        **extra: Any,
    ) -> Item:
        """An item straight in the database, for tests that are not about creating items."""
        unit = unit or user.unit
        assert unit is not None
        item = Item.objects.create(
            title=title,
            body=extra.pop("body", "7月3日，县委召开防汛工作会议，部署全县防汛工作。"),
            kind=extra.pop("kind", ItemKind.DYNAMIC),
            urgency=extra.pop("urgency", Urgency.ROUTINE),
            status=status,
            unit=unit,
            writer_name=user.full_name,
            writer_phone="13800000000",
            created_by=user,
            **extra,
        )
        index_item(item)  # found by search, as the services would have it
        return item


class BaseTestCase(Personas, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.create_personas()


def count_queries(client: Client, url: str, **extra: Any) -> int:
    """The number of SQL queries one GET of ``url`` costs; the page must answer 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@dataclass(frozen=True)
class Frozen:
    """One row of an app's table of frozen query counts.

    ``page`` is a URL name, ``persona`` the attribute of the persona who opens it, ``count`` the
    number of queries the page costs with a few rows and with many, and ``reason`` says what
    those queries are. ``args`` names attributes of the test case whose primary keys fill the
    URL; ``query`` is appended after a ``?``; ``htmx`` asks for the partial.
    """

    page: str
    persona: str
    count: int
    reason: str
    args: tuple[str, ...] = ()
    query: str = ""
    htmx: bool = False


class FrozenQueryCounts:
    """Mix into a test case with personas: every list page of ``frozen`` costs its frozen count
    of queries with ``small`` rows and again with ``large`` rows, so it cannot grow with rows.

    A subclass lists its pages in ``frozen`` and fills every listed page with ``add_rows(n)``.
    Raise a number only with its reason in the table.
    """

    client: Client
    frozen: ClassVar[Sequence[Frozen]]
    small: ClassVar[int] = 3
    large: ClassVar[int] = 20

    def add_rows(self, n: int) -> None:
        """Add ``n`` more rows to every page of the table."""
        raise NotImplementedError

    def frozen_url(self, row: Frozen) -> str:
        url = reverse(row.page, args=[getattr(self, name).pk for name in row.args])
        return f"{url}?{row.query}" if row.query else url

    def frozen_counts(self) -> dict[Frozen, int]:
        counts = {}
        for row in self.frozen:
            self.client.force_login(getattr(self, row.persona))
            extra = {"HTTP_HX_REQUEST": "true"} if row.htmx else {}
            counts[row] = count_queries(self.client, self.frozen_url(row), **extra)
        return counts

    def test_it_keeps_list_pages_at_their_frozen_counts(self) -> None:
        self.add_rows(self.small)
        small = self.frozen_counts()
        self.add_rows(self.large - self.small)
        large = self.frozen_counts()
        wrong = [
            f"{row.page} {row.query} as {row.persona}: frozen {row.count}, "
            f"{small[row]} with {self.small} rows, {large[row]} with {self.large}"
            for row in self.frozen
            if small[row] != row.count or large[row] != row.count
        ]
        assert not wrong, "\n".join(wrong)


def next_link(html: str, base: str = "", *, rel: str = "next") -> str | None:
    """The address the page's pager link ``rel`` (next, prev) shows, as a person follows it:
    its ``href`` unescaped and resolved against ``base`` (the page's own address); ``None``
    when the page shows no such link."""
    found = re.search(r'href="([^"]*)"[^>]*\brel="' + re.escape(rel) + '"', html)
    if found is None:
        return None
    href = unescape(found.group(1))
    return urljoin(base, href) if base else href


def menu_link(html: str, label: str) -> str:
    """The address of the menu entry ``label`` (its English source text) on a page."""
    found = re.search(r'href="([^"]+)"[^>]*>\s*' + re.escape(escape(label)) + r"\s*<", html)
    assert found, f"no menu entry {label!r}"
    return found.group(1)
