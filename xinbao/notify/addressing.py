"""Addressing: who holds a role or a position, looked up when a message is sent.

Office roles are ``accounts.Role`` values (every active login with that role); unit positions
are ``org.Position`` values, read from each unit's roster on the day. Business code names
whom it tells here, never by walking users or the roster itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from xinbao.accounts.models import Role, User
from xinbao.notify.services import Recipient
from xinbao.org.models import Position, Unit


def resolve(
    *,
    roles: Iterable[Role | str] = (),
    units: Iterable[Unit] = (),
    positions: Iterable[Position | str] = (),
    day: dt.date | None = None,
) -> list[Recipient]:
    """Everyone who holds one of ``roles`` in the office, then, unit by unit, everyone who holds
    one of ``positions`` in one of ``units`` on ``day`` (today); each person once, in that order.

    A value that is not a ``Role`` or a ``Position`` raises ``ValueError``. Reporters with a
    login in the unit but no roster entry are told as well as those on the roster.
    """
    office_roles = [Role(r) for r in roles]
    unit_positions = [Position(p) for p in positions]
    found: list[Recipient] = []
    for role in office_roles:
        users = User.objects.filter(role=role, is_active=True).select_related("person")
        found += [Recipient.of_user(u) for u in users.order_by("pk")]
    for unit in units:
        roster = list(unit.roster_on(day).select_related("person__user"))
        for position in unit_positions:
            people = [e.person for e in roster if e.position == position]
            found += [Recipient.of_person(p) for p in people]
            if position == Position.REPORTER:
                listed = {p.user_id for p in people if p.user_id}
                logins = User.objects.filter(unit=unit, role=Role.REPORTER, is_active=True)
                found += [
                    Recipient.of_user(u)
                    for u in logins.select_related("person").order_by("pk")
                    if u.pk not in listed
                ]
    return unique(found)


def unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    """``recipients`` with each person, login or endpoint once, first occurrence kept."""
    seen: set[tuple[str, object]] = set()
    out: list[Recipient] = []
    for r in recipients:
        if r.person is not None or r.user is not None:
            key: tuple[str, object] = (
                "someone",
                (r.person.pk if r.person else None, r.user.pk if r.user else None),
            )
        elif r.endpoint is not None:
            key = ("endpoint", r.endpoint.pk)
        else:
            key = ("name", r.name)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
