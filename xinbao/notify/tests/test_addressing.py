"""Addressing: office roles by ``Role``, unit positions through the roster, each person once."""

from __future__ import annotations

import datetime as dt

import pytest

from xinbao.accounts.models import Role
from xinbao.notify import resolve
from xinbao.org.models import Person, Position, RosterEntry
from xinbao.test import BaseTestCase, make_user


class AddressingTest(BaseTestCase):
    def test_it_resolves_unit_positions_through_the_roster_on_the_day(self) -> None:
        head = Person.objects.get(unit=self.county_a, name="王建国")
        [found] = resolve(units=[self.county_a], positions=[Position.HEAD])
        assert found.person == head
        successor = Person.objects.create(name="周新", unit=self.county_a, phone="13911110000")
        RosterEntry.objects.filter(unit=self.county_a, position=Position.HEAD).update(
            ended_on=dt.date(2026, 6, 30)
        )
        RosterEntry.objects.create(
            unit=self.county_a,
            person=successor,
            position=Position.HEAD,
            started_on=dt.date(2026, 6, 30),
        )
        on = {
            day: [r.person for r in resolve(units=[self.county_a], positions=["head"], day=day)]
            for day in (dt.date(2026, 7, 1), dt.date(2026, 6, 1))
        }
        assert on == {dt.date(2026, 7, 1): [successor], dt.date(2026, 6, 1): [head]}

    def test_it_tells_reporters_on_the_roster_and_reporters_with_a_login_only(self) -> None:
        found = resolve(units=[self.county_a], positions=[Position.REPORTER])
        assert [r.name for r in found] == ["赵小红", "Alice"]
        assert found[1].user == self.alice

    def test_it_resolves_office_roles_by_their_role_values_active_logins_only(self) -> None:
        make_user("chief2", Role.SECTION_CHIEF, is_active=False)
        assert [r.user for r in resolve(roles=[Role.LEADER_IN_CHARGE])] == [self.leader]
        assert [r.user for r in resolve(roles=["section_chief", Role.EDITOR])] == [
            self.chief,
            self.ed,
        ]

    def test_it_lists_roles_first_then_unit_by_unit_each_person_once(self) -> None:
        # One person holds two positions in one unit and has the editor's login as well.
        both = Person.objects.create(name="钱一人", unit=self.county_b, user=self.ed)
        for position in (Position.HEAD, Position.REPORTER):
            RosterEntry.objects.create(
                unit=self.county_b, person=both, position=position, started_on=dt.date(2026, 1, 1)
            )
        found = resolve(
            roles=[Role.EDITOR],
            units=[self.county_a, self.county_b],
            positions=[Position.HEAD, Position.REPORTER],
        )
        county_a = ["王建国", "赵小红", "Alice"]
        county_b_without_the_editor = ["陈志强", "孙明", "Bob"]
        assert [r.name for r in found] == ["Ed", *county_a, *county_b_without_the_editor]

    def test_it_refuses_a_name_that_is_not_a_role_or_a_position(self) -> None:
        with pytest.raises(ValueError, match="reporters"):
            resolve(units=[self.county_a], positions=["reporters"])
        with pytest.raises(ValueError, match="section_chiefs"):
            resolve(roles=["section_chiefs"])
