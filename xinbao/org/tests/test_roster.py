"""The roster: one head and one deputy at a time, several reporters, history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xinbao.audit.models import AuditEvent
from xinbao.org import services
from xinbao.org.models import Person, Position, RosterEntry
from xinbao.org.services import PersonData, UnitData
from xinbao.test import BaseTestCase

JAN = dt.date(2026, 1, 1)


class RosterTest(BaseTestCase):
    def person(self, name: str, phone: str = "") -> Person:
        return services.create_person(
            user=self.ed, data=PersonData(unit=self.county_a, name=name, phone=phone)
        )

    def test_it_ends_the_previous_head_when_a_new_one_is_assigned(self) -> None:
        first = self.person("张一", "13900000101")
        second = self.person("张二", "13900000102")
        services.assign_position(
            user=self.ed, person=first, position=Position.HEAD, started_on=dt.date(2026, 3, 1)
        )
        services.assign_position(
            user=self.ed, person=second, position=Position.HEAD, started_on=dt.date(2026, 6, 1)
        )
        entries = RosterEntry.objects.filter(unit=self.county_a, position=Position.HEAD)
        first_entry = entries.get(person=first)
        assert first_entry.ended_on == dt.date(2026, 6, 1)
        assert entries.get(person=second).ended_on is None
        # The persona head from January was ended by the first assignment.
        assert entries.get(person__name="王建国").ended_on == dt.date(2026, 3, 1)
        assert entries.count() == 3

    def test_it_answers_who_held_a_position_on_a_past_day(self) -> None:
        new = self.person("钱新", "13900000103")
        services.assign_position(
            user=self.ed, person=new, position=Position.HEAD, started_on=dt.date(2026, 5, 1)
        )
        assert [p.name for p in self.county_a.holders(Position.HEAD, dt.date(2026, 4, 30))] == [
            "王建国"
        ]
        assert self.county_a.holders(Position.HEAD, dt.date(2026, 5, 1)) == [new]
        assert self.county_a.holders(Position.HEAD, dt.date(2025, 12, 31)) == []

    def test_it_keeps_several_reporters(self) -> None:
        extra = self.person("孙二", "13900000104")
        services.assign_position(
            user=self.ed, person=extra, position=Position.REPORTER, started_on=dt.date(2026, 2, 1)
        )
        names = {p.name for p in self.county_a.holders(Position.REPORTER, dt.date(2026, 2, 2))}
        assert names == {"赵小红", "孙二"}

    def test_it_refuses_a_head_who_starts_before_the_current_one(self) -> None:
        late = self.person("周迟", "13900000105")
        with pytest.raises(ValidationError) as refused:
            services.assign_position(
                user=self.ed, person=late, position=Position.HEAD, started_on=dt.date(2025, 6, 1)
            )
        assert "王建国" in str(refused.value)
        assert not RosterEntry.objects.filter(person=late).exists()

    def test_it_refuses_to_assign_a_position_twice(self) -> None:
        reporter = Person.objects.get(name="赵小红")
        with pytest.raises(ValidationError):
            services.assign_position(
                user=self.ed, person=reporter, position=Position.REPORTER, started_on=JAN
            )

    def test_it_ends_an_entry_and_audits_it(self) -> None:
        entry = RosterEntry.objects.get(person__name="赵小红")
        services.end_entry(user=self.ed, entry=entry, ended_on=dt.date(2026, 7, 1))
        entry.refresh_from_db()
        assert entry.ended_on == dt.date(2026, 7, 1)
        assert self.county_a.holders(Position.REPORTER, dt.date(2026, 7, 1)) == []
        assert AuditEvent.objects.filter(action="roster.end", object_id=str(entry.pk)).exists()
        with pytest.raises(ValidationError):
            services.end_entry(user=self.ed, entry=entry, ended_on=dt.date(2026, 8, 1))

    def test_it_refuses_to_end_before_the_start(self) -> None:
        entry = RosterEntry.objects.get(person__name="赵小红")
        with pytest.raises(ValidationError):
            services.end_entry(user=self.ed, entry=entry, ended_on=dt.date(2025, 1, 1))

    def test_it_audits_every_assignment(self) -> None:
        person = self.person("吴三", "13900000106")
        services.assign_position(
            user=self.ed, person=person, position=Position.DEPUTY_IN_CHARGE, started_on=JAN
        )
        event = AuditEvent.objects.get(action="roster.assign")
        assert event.summary["replaced"] == ["李文华"]
        assert event.actor == self.ed


class UnitServiceTest(BaseTestCase):
    def data(self, **extra: object) -> UnitData:
        values: dict[str, object] = {
            "code": "P90",
            "name": "东城县第二中学",
            "kind": "direct_point",
            "unit_class": self.class_one,
            "direct_point_type": "school",
        }
        values.update(extra)
        return UnitData(**values)  # type: ignore[arg-type]  # test data built by keyword

    def test_it_creates_a_direct_point_linked_to_its_county(self) -> None:
        unit = services.create_unit(user=self.ed, data=self.data(county=self.county_a))
        assert unit.county == self.county_a
        assert AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()

    def test_it_refuses_a_direct_point_without_type_and_a_county_link_elsewhere(self) -> None:
        with pytest.raises(ValidationError) as refused:
            services.create_unit(user=self.ed, data=self.data(direct_point_type=""))
        assert "direct_point_type" in refused.value.message_dict
        with pytest.raises(ValidationError) as refused:
            services.create_unit(
                user=self.ed,
                data=self.data(
                    kind="municipal_department", direct_point_type="", county=self.county_a
                ),
            )
        assert "county" in refused.value.message_dict

    def test_it_refuses_a_parent_loop(self) -> None:
        child = services.create_unit(user=self.ed, data=self.data(parent=self.county_a))
        data = UnitData(
            code="C01",
            name="东城县委办公室",
            kind="county",
            unit_class=self.class_one,
            parent=child,
        )
        with pytest.raises(ValidationError) as refused:
            services.update_unit(user=self.ed, unit=self.county_a, data=data)
        assert "parent" in refused.value.message_dict

    def test_it_refuses_to_turn_a_county_with_linked_points_into_something_else(self) -> None:
        data = UnitData(
            code="C01",
            name="东城县委办公室",
            kind="municipal_department",
            unit_class=self.class_one,
        )
        with pytest.raises(ValidationError) as refused:
            services.update_unit(user=self.ed, unit=self.county_a, data=data)
        assert "kind" in refused.value.message_dict

    def test_it_refuses_a_duplicate_person(self) -> None:
        data = PersonData(unit=self.county_a, name="王建国", phone="139 01 333333")
        existing = Person.objects.get(name="王建国")
        assert existing.phone == "13901333333"
        with pytest.raises(ValidationError):
            services.create_person(user=self.ed, data=data)
