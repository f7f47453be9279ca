"""The edit lock: taken, refused while someone else holds it, free again once expired."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.desk import services
from xinbao.desk.models import EditLock
from xinbao.desk.services import LOCK_MINUTES, DeskError
from xinbao.items.models import Item, ItemStatus
from xinbao.test import BaseTestCase, make_user

T0 = dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC)


class LockTest(BaseTestCase):
    item: Item
    ed2: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ed2 = make_user("ed2", Role.EDITOR, full_name="周编辑")
        cls.item = cls.make_item(cls.alice, submitted_at=T0)

    def test_it_takes_a_free_lock_for_fifteen_minutes(self) -> None:
        with time_machine.travel(T0, tick=False):
            lock = services.acquire_lock(user=self.ed, item=self.item)
        assert lock.user == self.ed
        assert lock.expires_at == T0 + dt.timedelta(minutes=LOCK_MINUTES)
        assert AuditEvent.objects.filter(action="desk.lock", object_id=str(self.item.pk)).exists()

    def test_it_refuses_someone_elses_live_lock_naming_them_and_the_time(self) -> None:
        with time_machine.travel(T0, tick=False) as tm:
            services.acquire_lock(user=self.ed2, item=self.item)
            tm.shift(dt.timedelta(minutes=10))
            with pytest.raises(DeskError) as caught:
                services.acquire_lock(user=self.ed, item=self.item)
        message = str(caught.value)
        assert "周编辑" in message
        # 09:15 UTC is 17:15 in Asia/Shanghai, where the office reads it.
        assert "17:15" in message
        assert EditLock.objects.get(item=self.item).user == self.ed2

    def test_it_lets_anyone_take_an_expired_lock(self) -> None:
        with time_machine.travel(T0, tick=False) as tm:
            services.acquire_lock(user=self.ed2, item=self.item)
            tm.shift(dt.timedelta(minutes=LOCK_MINUTES, seconds=1))
            lock = services.acquire_lock(user=self.ed, item=self.item)
            assert lock.user == self.ed
            assert lock.acquired_at == timezone.now()
        assert EditLock.objects.filter(item=self.item).count() == 1

    def test_it_renews_the_holders_own_lock(self) -> None:
        with time_machine.travel(T0, tick=False) as tm:
            services.acquire_lock(user=self.ed, item=self.item)
            tm.shift(dt.timedelta(minutes=10))
            lock = services.acquire_lock(user=self.ed, item=self.item)
        assert lock.acquired_at == T0
        assert lock.expires_at == T0 + dt.timedelta(minutes=10 + LOCK_MINUTES)
        # A renewal is not a new lock: one audit record only.
        assert AuditEvent.objects.filter(action="desk.lock").count() == 1

    def test_it_releases_only_the_holders_lock_unless_a_section_chief_breaks_it(self) -> None:
        services.acquire_lock(user=self.ed2, item=self.item)
        with pytest.raises(DeskError):
            services.release_lock(user=self.ed, item=self.item)
        assert services.release_lock(user=self.chief, item=self.item) is True
        assert not EditLock.objects.filter(item=self.item).exists()
        event = AuditEvent.objects.get(action="desk.unlock")
        assert event.summary["broken"] is True

    def test_it_does_not_lock_an_item_the_desk_cannot_edit(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT)
        with pytest.raises(DeskError):
            services.acquire_lock(user=self.ed, item=draft)

    def test_it_shows_the_lock_on_the_desk_page_and_in_the_inbox(self) -> None:
        self.client.force_login(self.ed2)
        response = self.client.post(reverse("desk:lock", args=[self.item.pk]))
        assert response.status_code == 302
        self.client.force_login(self.ed)
        edit_url = reverse("desk:edit", args=[self.item.pk])
        page = self.client.get(reverse("desk:item", args=[self.item.pk])).content.decode()
        assert "周编辑 is editing this item until" in page
        assert edit_url not in page  # no edit form while someone else holds the lock
        inbox = self.client.get(reverse("desk:inbox")).content.decode()
        assert "being edited by 周编辑" in inbox
        response = self.client.post(reverse("desk:lock", args=[self.item.pk]), follow=True)
        assert "周编辑 holds the edit lock on this item until" in response.content.decode()
        assert EditLock.objects.get(item=self.item).user == self.ed2
