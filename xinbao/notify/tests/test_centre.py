"""Each user's notification centre, the bell, preferences and the acknowledgement link."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.notify.ladders import escalate_due, notify
from xinbao.notify.models import Channel, Dispatch, Message, Notification, PhoneCall, Preference
from xinbao.notify.services import Recipient, deliver_due
from xinbao.test import BaseTestCase, next_link


class CentreCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def tell(
        self, user: User, title: str = "东城县召开防汛工作会议", *, link: str = "/items/"
    ) -> Notification:
        """One in-app notification for ``user``, delivered the way the sender delivers it."""
        notify(
            to=[Recipient.of_user(user)],
            event="item_received",
            context={"title": title, "unit": "东城县委办公室"},
            link=link,
        )
        deliver_due()
        return Notification.objects.filter(user=user).latest("id")


class CentreTest(CentreCase):
    def test_it_shows_only_the_users_own_notifications_newest_first(self) -> None:
        self.tell(self.alice, "甲信息")
        self.tell(self.alice, "乙信息")
        self.tell(self.bob, "丙信息")
        self.client.force_login(self.alice)
        body = self.client.get(reverse("notify:centre")).content.decode()
        assert "乙信息" in body and "甲信息" in body
        assert body.index("乙信息") < body.index("甲信息")
        assert "丙信息" not in body

    def test_it_highlights_unread_and_filters_to_unread(self) -> None:
        old = self.tell(self.alice, "已读信息")
        Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
        self.tell(self.alice, "未读信息")
        self.client.force_login(self.alice)
        body = self.client.get(reverse("notify:centre")).content.decode()
        assert body.count("xb-unread") == 1
        assert body.index("xb-unread") < body.index("未读信息") < body.index("已读信息")
        unread = self.client.get(reverse("notify:centre") + "?show=unread").content.decode()
        assert "未读信息" in unread and "已读信息" not in unread

    def test_it_paginates(self) -> None:
        for i in range(30):
            self.tell(self.alice, f"信息{i:02d}")
        self.client.force_login(self.alice)
        first = self.client.get(reverse("notify:centre")).content.decode()
        following = next_link(first, reverse("notify:centre"))
        assert following is not None
        second = self.client.get(following)
        assert "信息29" in first and "信息00" not in first
        assert "信息00" in second.content.decode() and "信息29" not in second.content.decode()
        assert 'rel="prev"' in second.content.decode()

    def test_it_refuses_to_open_another_users_notification(self) -> None:
        theirs = self.tell(self.bob)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notify:read", args=[theirs.pk]))
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_it_records_the_read_receipt_and_follows_the_link(self) -> None:
        mine = self.tell(self.alice, link="/items/7/")
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notify:read", args=[mine.pk]))
        assert response.status_code == 302
        assert response["Location"] == "/items/7/"
        mine.refresh_from_db()
        assert mine.read_at is not None
        assert Message.objects.get(pk=mine.message_id).read_at is not None

    def test_it_does_not_open_by_get(self) -> None:
        mine = self.tell(self.alice)
        self.client.force_login(self.alice)
        assert self.client.get(reverse("notify:read", args=[mine.pk])).status_code == 405
        mine.refresh_from_db()
        assert mine.read_at is None

    def test_it_refuses_an_open_redirect(self) -> None:
        self.client.force_login(self.alice)
        for link in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil"):
            mine = self.tell(self.alice)
            Notification.objects.filter(pk=mine.pk).update(link=link)
            response = self.client.post(reverse("notify:read", args=[mine.pk]))
            assert response["Location"] == reverse("notify:centre"), link

    def test_it_stops_the_urgent_ladder_when_read_in_the_centre(self) -> None:
        notify(
            to=[Recipient.of_user(self.alice)],
            event="urgent_demand",
            context={"matter": "暴雨灾情", "unit": "东城县委办公室", "deadline": "18时"},
            ladder="urgent",
            link="/items/",
        )
        deliver_due()
        dispatch = Dispatch.objects.get(user=self.alice)
        assert dispatch.next_step_at is not None
        notification = Notification.objects.get(user=self.alice)
        self.client.force_login(self.alice)
        self.client.post(reverse("notify:read", args=[notification.pk]))
        dispatch.refresh_from_db()
        assert dispatch.read_at is not None and dispatch.next_step_at is None
        with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
            assert escalate_due() == 0
        assert not Message.objects.filter(dispatch=dispatch, channel=Channel.PHONE_CALL).exists()
        assert not PhoneCall.objects.exists()

    def test_it_marks_all_read(self) -> None:
        for i in range(3):
            self.tell(self.alice, f"信息{i}")
        theirs = self.tell(self.bob)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notify:centre"))
        assert response.status_code == 302
        assert not Notification.objects.filter(user=self.alice, read_at__isnull=True).exists()
        assert Message.objects.filter(user=self.alice, read_at__isnull=True).count() == 0
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        response = self.client.get(reverse("notify:centre"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class BellTest(CentreCase):
    def test_it_shows_the_unread_count_in_one_query(self) -> None:
        for _ in range(3):
            self.tell(self.alice)
        self.tell(self.bob)
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(reverse("notify:bell"), HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert 'id="bell-count">3<' in body
        assert reverse("notify:centre") in body
        counts = [q for q in ctx.captured_queries if "notify_notification" in q["sql"]]
        assert len(counts) == 1

    def test_it_is_in_the_navbar_of_every_page(self) -> None:
        self.client.force_login(self.bob)
        body = self.client.get(reverse("home")).content.decode()
        assert f'hx-get="{reverse("notify:bell")}"' in body
        assert 'hx-trigger="load, every 60s"' in body

    def test_it_waits_until_a_required_password_change_is_done(self) -> None:
        # Until then the bell's poll would be answered with the password form.
        User.objects.filter(pk=self.bob.pk).update(must_change_password=True)
        self.client.force_login(self.bob)
        body = self.client.get(reverse("accounts:password_change")).content.decode()
        assert reverse("notify:bell") not in body

    def test_it_does_not_keep_an_idle_session_alive(self) -> None:
        self.client.force_login(self.alice)
        key = self.client.session.session_key

        def expiry() -> dt.datetime:
            return Session.objects.get(session_key=key).expire_date

        before = expiry()
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
            assert self.client.get(reverse("notify:bell")).status_code == 200
            assert expiry() == before
            self.client.get(reverse("notify:centre"))
            assert expiry() > before

    def test_it_goes_quiet_when_the_session_has_ended(self) -> None:
        response = self.client.get(reverse("notify:bell"), HTTP_HX_REQUEST="true")
        assert response.status_code == 286  # htmx stops polling on this status
        assert response.content == b""


class PreferenceTest(CentreCase):
    def test_it_saves_the_choices_with_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(reverse("notify:preferences")).content.decode()
        assert "cannot be turned off" in page
        response = self.client.post(reverse("notify:preferences"), {"wecom": "on"})
        assert response.status_code == 302
        pref = Preference.objects.get(user=self.alice)
        assert pref.wecom and not pref.email_digest
        assert AuditEvent.objects.filter(action="notify.preference", actor=self.alice).exists()
        page = self.client.get(reverse("notify:preferences")).content.decode()
        boxes = dict(re.findall(r'<input type="checkbox" name="(\w+)"([^>]*)>', page))
        assert "checked" not in boxes["email_digest"] and "checked" in boxes["wecom"]


class AckTest(CentreCase):
    def dispatch(self) -> Dispatch:
        person = self.county_a.people.first()
        assert person is not None
        [dispatch] = notify(
            to=[Recipient.of_person(person)],
            event="urgent_demand",
            context={"matter": "暴雨灾情", "unit": "东城县委办公室", "deadline": "18时"},
            ladder="urgent",
        )
        return dispatch

    def test_it_shows_a_button_on_get_and_confirms_only_on_post(self) -> None:
        dispatch = self.dispatch()
        url = reverse("notify:ack", args=[dispatch.ack_token])
        page = self.client.get(url)
        assert page.status_code == 200
        assert "I have received it" in page.content.decode()
        dispatch.refresh_from_db()
        assert dispatch.read_at is None
        done = self.client.post(url)
        assert done.status_code == 200
        assert 'id="ack-done"' in done.content.decode()
        dispatch.refresh_from_db()
        assert dispatch.read_at is not None and dispatch.next_step_at is None
        assert not Message.objects.filter(dispatch=dispatch, read_at__isnull=True).exists()

    def test_it_needs_no_login_and_matches_the_link_the_ladder_sends(self) -> None:
        dispatch = self.dispatch()
        sms = Message.objects.get(dispatch=dispatch, channel=Channel.SMS)
        url = reverse("notify:ack", args=[dispatch.ack_token])
        assert url in sms.body
        assert len(dispatch.ack_token) == 22

    def test_it_answers_404_to_an_unknown_token(self) -> None:
        self.dispatch()
        for token in ("A" * 22, "short", "A" * 40):
            assert self.client.get(reverse("notify:ack", args=[token])).status_code == 404
            assert self.client.post(reverse("notify:ack", args=[token])).status_code == 404
        assert not Dispatch.objects.filter(read_at__isnull=False).exists()
