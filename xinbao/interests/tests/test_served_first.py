"""Served first: a submitted item matching a leader's interest reaches the leader at once, with
why it matched, before the desk acts; urgent ones also by SMS; a digest every morning."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings

from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.interests import services
from xinbao.interests.chores import DIGEST, SERVE
from xinbao.interests.models import Cursor, Hit, Interest
from xinbao.items.models import Item, Urgency
from xinbao.items.services import ItemData, change_label, create_item
from xinbao.lib.labels import Sensitivity
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import GenericSmsPeer, SmtpPeer
from xinbao.org.models import Person
from xinbao.scheduler.services import run_chore
from xinbao.test import BaseTestCase

#: 10:00 in Shanghai.
NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)
TOKEN = "gw-secret"


class ServedFirstTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tm = self.enterContext(time_machine.travel(NOW, tick=False))
        self.flood = services.save_interest(
            user=self.leader, name="防汛", keywords=["防汛", "山洪"], exclude=["演练"]
        )

    def submit(
        self,
        title: str,
        body: str = "7月9日，全县防汛工作会议部署汛期安全。",
        *,
        urgency: str = Urgency.ROUTINE,
        user: User | None = None,
        sensitivity: int = Sensitivity.ORDINARY,
    ) -> Item:
        item = create_item(
            user=user or self.alice,
            data=ItemData(
                title=title,
                body=body,
                kind="dynamic",
                urgency=urgency,
                writer_name="赵小红",
                writer_phone="13800000001",
                sensitivity=sensitivity,
            ),
            submit=True,
        )
        # The matcher reads items once they have settled (``services.SETTLE``).
        self.tm.shift(dt.timedelta(seconds=10))
        return item

    def inbox(self, user: User) -> list[tuple[str, str]]:
        deliver_due()
        return list(
            Notification.objects.filter(user=user)
            .order_by("pk")
            .values_list("message__subject", "message__body")
        )

    def test_it_tells_the_leader_at_once_with_why(self) -> None:
        item = self.submit(
            "东城县部署防汛工作", "东城县召开会议，部署防汛和山洪防范，防汛责任落实到人。"
        )
        self.submit("西山县举办农民丰收节", "丰收节活动热闹非凡。", user=self.bob)

        assert run_chore(SERVE) == "2 items read, 1 interest matches"

        [(subject, body)] = self.inbox(self.leader)
        assert "东城县部署防汛工作" in subject and "防汛" in subject
        # Why it matched: the term in the title, the mentions in the text.
        assert "防汛" in body and "山洪" in body
        assert not self.inbox(self.principal)
        hit = Hit.objects.get()
        assert (hit.interest, hit.item, hit.urgent) == (self.flood, item, False)
        assert AuditEvent.objects.filter(action="interest.hit").count() == 1
        # Before the desk acted: the item is still only submitted.
        item.refresh_from_db()
        assert item.status == "submitted" and item.received_at is None

        # A second run finds nothing new, and a rerun over the same item tells nobody twice.
        assert run_chore(SERVE) == "0 items read, 0 interest matches"
        Cursor.objects.update(at=None, last_pk=0)
        run_chore(SERVE)
        assert Hit.objects.count() == 1 and len(self.inbox(self.leader)) == 1

    def test_it_leaves_out_excluded_words_paused_interests_and_other_leaders(self) -> None:
        services.save_interest(user=self.principal, name="教育", keywords=["教育"])
        self.submit("东城县开展防汛演练", "防汛演练在青石镇举行。")
        paused = services.save_interest(
            user=self.principal, name="丰收", keywords=["丰收节"], active=False
        )
        self.submit("西山县举办农民丰收节", "丰收节活动热闹非凡。", user=self.bob)
        run_chore(SERVE)
        assert not Hit.objects.exists()
        assert not self.inbox(self.leader) and not self.inbox(self.principal)
        assert not paused.hits.exists()

    def test_it_serves_an_interest_what_is_reported_once_it_is_set(self) -> None:
        self.submit("东城县教育工作会议召开", "部署教育工作。")
        late = services.save_interest(user=self.principal, name="教育", keywords=["教育"])
        self.submit("西山县教育系统开展家访", "教育系统家访。", user=self.bob)
        run_chore(SERVE)
        assert [h.item.title for h in late.hits.all()] == ["西山县教育系统开展家访"]

    def test_it_never_tells_a_leader_of_an_item_above_their_clearance(self) -> None:
        self.leader.clearance = Sensitivity.INTERNAL
        self.leader.save(update_fields=["clearance"])
        services.save_interest(user=self.principal, name="物资", keywords=["防汛物资"])
        item = self.submit("东城县防汛物资情况", "防汛物资储备情况。")
        change_label(user=self.ed, item=item, sensitivity=Sensitivity.SENSITIVE)

        run_chore(SERVE)

        # The principal (cleared for sensitive items) is told; the leader in charge is not.
        assert [h.interest.leader for h in Hit.objects.all()] == [self.principal]
        assert not self.inbox(self.leader)
        assert len(self.inbox(self.principal)) == 1
        self.client.force_login(self.leader)
        self.assertNotContains(self.client.get("/interests/"), "防汛物资情况")

    def test_it_sends_urgent_items_by_sms_too(self) -> None:
        sms = GenericSmsPeer(TOKEN)
        sms.start()
        self.addCleanup(sms.stop)
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "http_timeout": 2,
                    "sms": {"provider": "generic", "url": sms.url, "token": TOKEN},
                }
            )
        )
        self.leader.phone = "13900000888"
        self.leader.save(update_fields=["phone"])
        self.submit(
            "东城县青石镇突发山洪",
            "7月10日凌晨，青石镇突发山洪，转移群众200人。",
            urgency=Urgency.IMPORTANT,
        )
        self.submit("东城县防汛物资到位", "防汛物资已到位。")

        run_chore(SERVE)
        deliver_due()

        texts = [r.json() for r in sms.received]
        assert [t["phone"] for t in texts] == ["13900000888"]
        assert "青石镇突发山洪" in texts[0]["text"]
        # Both reached the in-app inbox; only the urgent one the phone.
        assert len(self.inbox(self.leader)) == 2
        assert Hit.objects.filter(urgent=True).count() == 1

    def test_it_keeps_urgent_items_off_sms_when_the_interest_says_so(self) -> None:
        sms = GenericSmsPeer(TOKEN)
        sms.start()
        self.addCleanup(sms.stop)
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "http_timeout": 2,
                    "sms": {"provider": "generic", "url": sms.url, "token": TOKEN},
                }
            )
        )
        self.leader.phone = "13900000888"
        self.leader.save(update_fields=["phone"])
        services.save_interest(
            user=self.leader,
            interest=self.flood,
            name="防汛",
            keywords=["山洪"],
            urgent_channel=False,
        )
        self.submit("东城县青石镇突发山洪", "青石镇突发山洪。", urgency=Urgency.MAJOR_EMERGENCY)
        run_chore(SERVE)
        deliver_due()
        assert not sms.received
        assert len(self.inbox(self.leader)) == 1

    def test_it_sends_the_digest_at_eight(self) -> None:
        person = Person.objects.create(
            name="李分管", unit=self.county_a, email="lifenguan@office.example", user=self.leader
        )
        assert person.user == self.leader
        services.save_interest(user=self.principal, name="教育", keywords=["教育"], digest=False)
        self.submit("东城县部署防汛工作", "部署防汛工作。")
        self.submit("东城县教育工作会议", "教育工作。")
        self.submit("西山县山洪灾害防御", "山洪灾害防御。", user=self.bob)
        run_chore(SERVE)

        # 07:59 the next morning: not yet.
        self.tm.move_to(dt.datetime(2026, 7, 10, 23, 59, tzinfo=dt.UTC))
        assert services.digest_due() == []
        # 08:00 (Asia/Shanghai): the leader's digest goes out once, in-app and by email.
        self.tm.move_to(dt.datetime(2026, 7, 11, 0, 0, 30, tzinfo=dt.UTC))
        assert services.digest_due() == [self.leader.pk]
        smtp = SmtpPeer()
        with (
            smtp.running(),
            override_settings(
                XINBAO_NOTIFY={
                    "email": {
                        "host": "127.0.0.1",
                        "port": smtp.port,
                        "from": "xinbao@office.example",
                    }
                }
            ),
        ):
            run_chore(DIGEST)
            subjects = [s for s, _b in self.inbox(self.leader)]
        digest = [s for s in subjects if "2026-07-11" in s]
        assert len(digest) == 1 and "2" in digest[0]
        [mail] = smtp.received
        assert mail.rcpt_tos == ["lifenguan@office.example"]
        text = mail.parsed().get_body(preferencelist=("plain",))
        assert text is not None
        content = text.get_content()
        assert "东城县部署防汛工作" in content and "西山县山洪灾害防御" in content
        assert "教育工作会议" not in content
        # The principal asked for no digest; a second run sends nothing again.
        assert services.digest_due() == []
        run_chore(DIGEST)
        assert not [n for n in self.inbox(self.principal) if "2026-07-11" in n[0]]

    def test_it_shows_the_leader_first_on_the_home_page(self) -> None:
        self.submit("东城县部署防汛工作", "东城县部署防汛工作。")
        run_chore(SERVE)
        self.client.force_login(self.leader)
        response = self.client.get("/")
        self.assertContains(response, "For your interests")
        page = response.content.decode()
        # First among the sections, with the reason.
        assert page.index("<section") == page.index('<section class="mb-4" id="for-your-interests"')
        self.assertContains(response, "the title contains “防汛”")
        # The desk's item page is reached from the leader's list.
        response = self.client.get("/interests/")
        self.assertContains(response, "东城县部署防汛工作")
        self.assertContains(response, "the title contains “防汛”")

    def test_it_lets_only_the_leader_keep_interests(self) -> None:
        self.client.force_login(self.alice)
        assert self.client.get("/interests/").status_code == 403
        assert (
            self.client.post("/interests/new/", {"name": "x", "keywords": "y"}).status_code == 403
        )
        self.client.force_login(self.principal)
        assert self.client.get(f"/interests/{self.flood.pk}/").status_code == 404
        assert Interest.objects.count() == 1
