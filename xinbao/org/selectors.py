"""Reads for the org screens: the unit tree and the roster, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from xinbao.org.models import (
    DirectPointType,
    OfficeProfile,
    Person,
    Position,
    RosterEntry,
    Unit,
    UnitKind,
)


def current_entries(day: dt.date | None = None) -> QuerySet[RosterEntry]:
    day = day or timezone.localdate()
    return (
        RosterEntry.objects.filter(started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .select_related("person")
        .order_by("position", "started_on")
    )


def units_with_roster(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """Units with ``current_roster`` (today's entries) and their linked points loaded."""
    return qs.select_related("unit_class", "parent", "county").prefetch_related(
        Prefetch("roster", queryset=current_entries(), to_attr="current_roster"),
        Prefetch("linked_points", queryset=Unit.objects.order_by("code"), to_attr="points_linked"),
    )


@dataclass
class UnitNode:
    """A unit in the tree with today's holders of each position."""

    unit: Unit
    heads: list[Person]
    deputies: list[Person]
    reporters: list[Person]
    points: list[Unit]

    @classmethod
    def of(cls, unit: Unit) -> UnitNode:
        entries: list[RosterEntry] = getattr(unit, "current_roster", [])

        def holding(position: str) -> list[Person]:
            return [e.person for e in entries if e.position == position]

        return cls(
            unit,
            holding(Position.HEAD),
            holding(Position.DEPUTY_IN_CHARGE),
            holding(Position.REPORTER),
            getattr(unit, "points_linked", []),
        )


@dataclass
class PointGroup:
    label: str
    nodes: list[UnitNode]


@dataclass
class UnitTree:
    """Units grouped as the office thinks of them."""

    counties: list[UnitNode] = field(default_factory=list)
    departments: list[UnitNode] = field(default_factory=list)
    point_groups: list[PointGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        points = sum(len(g.nodes) for g in self.point_groups)
        return len(self.counties) + len(self.departments) + points


def unit_tree(qs: QuerySet[Unit]) -> UnitTree:
    """Counties (each with its linked direct points), municipal departments, then direct
    points grouped by type; three queries whatever the number of units."""
    tree = UnitTree()
    by_type: dict[str, list[UnitNode]] = {}
    for unit in units_with_roster(qs).order_by("code"):
        node = UnitNode.of(unit)
        if unit.kind == UnitKind.COUNTY:
            tree.counties.append(node)
        elif unit.kind == UnitKind.MUNICIPAL_DEPARTMENT:
            tree.departments.append(node)
        else:
            by_type.setdefault(unit.direct_point_type, []).append(node)
    tree.point_groups = [
        PointGroup(str(label), by_type[value])
        for value, label in DirectPointType.choices
        if value in by_type
    ]
    return tree


@dataclass
class Post:
    """One position of a unit and who holds it."""

    position: str
    label: str
    holders: list[RosterEntry]


def posts(entries: list[RosterEntry]) -> list[Post]:
    """Head, deputy and reporters in that order, each with its current entries."""
    return [
        Post(value, str(label), [e for e in entries if e.position == value])
        for value, label in Position.choices
    ]


def people_with_positions(qs: QuerySet[Person]) -> QuerySet[Person]:
    return qs.select_related("unit").prefetch_related(
        Prefetch("roster", queryset=current_entries(), to_attr="current_roster")
    )


@dataclass(frozen=True)
class Office:
    """The office as documents print it; ``configured`` is False while only defaults apply."""

    name: str
    city: str
    contact: str
    fax: str
    configured: bool


def current_office() -> Office:
    """The office profile, or ``settings.XINBAO_OFFICE`` (else blanks) before one is saved."""
    row = OfficeProfile.objects.filter(pk=OfficeProfile.SINGLETON_PK).first()
    if row is not None:
        return Office(row.name, row.city, row.contact, row.fax, configured=True)
    given = getattr(settings, "XINBAO_OFFICE", {})
    return Office(
        name=given.get("name", ""),
        city=given.get("city", ""),
        contact=given.get("contact", ""),
        fax=given.get("fax", ""),
        configured=False,
    )
