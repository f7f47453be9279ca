"""A collected post attached to an incident: the handlers attach it from the post's page, the
incident's page lists it (through the panel registry, incidents importing nothing of
collection), and it is taken off again."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.audit.models import AuditEvent
from xinbao.incidents.models import Incident, IncidentStatus
from xinbao.incidents.tests.cases import IncidentCase
from xinbao.monitor.models import Post, PostIncident, Source
from xinbao.monitor.parse import sha256

#: 23:30 in Shanghai: the duty officer's night.
NIGHT = dt.datetime(2026, 11, 28, 15, 30, tzinfo=dt.UTC)

ALREADY = "This post is already attached to that incident."


class IncidentLinkTests(IncidentCase):
    def setUp(self) -> None:
        super().setUp()
        self.source = Source.objects.create(
            name="澜江论坛", kind="page", url="https://bbs.lj.example.cn/", created_by=self.ed
        )
        self.post = Post.objects.create(
            source=self.source,
            url="https://bbs.lj.example.cn/t/1",
            url_hash=sha256("post 1"),
            content_hash=sha256("text 1"),
            title="网传化工园区爆炸现场视频",
            text="有网友发布化工园区爆炸现场视频，称伤亡较大。",
            normalised="网传化工园区爆炸现场视频\n有网友发布化工园区爆炸现场视频，称伤亡较大。",
            fetched_at=timezone.now(),
        )
        self.incident = self.open_incident()

    def attach(self, user: User, incident: Incident, note: str = "", language: str = "en") -> str:
        self.client.force_login(user)
        response = self.client.post(
            reverse("monitor:attach", args=[self.post.pk]),
            {"incident": str(incident.pk), "note": note},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        return f"{response.status_code} {response.content.decode()}"

    def incident_page(self, user: User) -> str:
        return self.page(user, reverse("incidents:detail", args=[self.incident.pk]))

    def test_it_attaches_a_post_that_the_incident_page_then_lists(self) -> None:
        before = self.incident_page(self.ed)
        self.assertNotIn("网传化工园区爆炸现场视频", before)
        post_page = self.page(self.ed, reverse("monitor:post", args=[self.post.pk]))
        self.assertIn("Attach to an incident", post_page)
        self.assertIn("东城县化工园区爆炸事故", post_page)  # the open incident to choose

        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("monitor:attach", args=[self.post.pk]),
            {"incident": str(self.incident.pk), "note": "现场视频，待核实伤亡"},
        )
        self.assertRedirects(response, reverse("monitor:post", args=[self.post.pk]))

        link = PostIncident.objects.get()
        self.assertEqual(
            (link.post, link.incident, link.attached_by), (self.post, self.incident, self.ed)
        )
        event = AuditEvent.objects.get(action="monitor.post_attached")
        self.assertEqual((event.actor, event.object_id), (self.ed, str(self.post.pk)))
        self.assertEqual(event.summary["incident"], self.incident.pk)

        html = self.incident_page(self.ed)
        self.assertIn('id="incident-posts"', html)
        self.assertIn("网传化工园区爆炸现场视频", html)
        self.assertIn("澜江论坛", html)
        self.assertIn(reverse("monitor:post", args=[self.post.pk]), html)
        self.assertIn(timezone.localtime(self.post.fetched_at).strftime("%m-%d %H:%M"), html)
        self.assertIn("现场视频，待核实伤亡", html)
        # The post's page names the incident it is attached to.
        post_page = self.page(self.ed, reverse("monitor:post", args=[self.post.pk]))
        self.assertIn(reverse("incidents:detail", args=[self.incident.pk]), post_page)

    def test_it_shows_the_titles_without_links_to_leaders_who_read_no_posts(self) -> None:
        self.attach(self.chief, self.incident)
        html = self.incident_page(self.leader)
        self.assertIn("网传化工园区爆炸现场视频", html)
        self.assertNotIn(reverse("monitor:post", args=[self.post.pk]), html)

    def test_it_refuses_reporters_and_other_units(self) -> None:
        for user in (self.alice, self.bob, self.liaison, self.leader):
            self.assertTrue(self.attach(user, self.incident).startswith("403 "), user)
        self.client.force_login(self.bob)
        detach = reverse("monitor:detach", args=[self.post.pk, self.incident.pk])
        self.assertEqual(self.client.post(detach).status_code, 403)
        self.assertFalse(PostIncident.objects.exists())
        # An incident that is not there (or not to be seen) is no choice, and no detaching.
        self.client.force_login(self.ed)
        missing = self.incident.pk + 1000
        response = self.client.post(
            reverse("monitor:attach", args=[self.post.pk]), {"incident": str(missing)}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        gone = reverse("monitor:detach", args=[self.post.pk, missing])
        self.assertEqual(self.client.post(gone).status_code, 404)
        self.assertFalse(PostIncident.objects.exists())

    def test_it_offers_only_open_incidents_newest_first(self) -> None:
        newer = self.open_incident(title="西山县山体滑坡")
        closed = self.open_incident(title="已结束的火灾")
        Incident.objects.filter(pk=closed.pk).update(status=IncidentStatus.CLOSED)
        html = self.page(self.duty, reverse("monitor:post", args=[self.post.pk]))
        self.assertNotIn("已结束的火灾", html)
        self.assertLess(html.index("西山县山体滑坡"), html.index("东城县化工园区爆炸事故"))
        self.assertTrue(self.attach(self.ed, closed).startswith("400 "))
        self.assertTrue(self.attach(self.ed, newer).startswith("302 "))
        self.assertEqual(list(PostIncident.objects.values_list("incident", flat=True)), [newer.pk])

    def test_it_refuses_attaching_twice_politely_in_chinese(self) -> None:
        self.assertTrue(self.attach(self.ed, self.incident, note="第一次").startswith("302 "))
        again = self.attach(self.ed, self.incident, note="第二次")
        self.assertTrue(again.startswith("400 "))
        self.assertIn(ALREADY, again)
        self.assertIn("第二次", again)  # what was typed is kept
        chinese = self.attach(self.chief, self.incident, note="第三次", language="zh-hans")
        self.assertTrue(chinese.startswith("400 "))
        self.assertIn("这条采集信息已经关联到该事件，无需重复关联。", chinese)
        self.assertIn("采集的信息", chinese)  # the page is in Chinese
        self.assertIn("第三次", chinese)
        self.assertEqual(PostIncident.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="monitor.post_attached").count(), 1)
        self.assertEqual(self.incident_page(self.ed).count("网传化工园区爆炸现场视频"), 1)

    def test_it_detaches_a_post_from_the_incident_page(self) -> None:
        self.attach(self.ed, self.incident)
        self.assertIn("网传化工园区爆炸现场视频", self.incident_page(self.ed))
        self.client.force_login(self.chief)
        response = self.client.post(
            reverse("monitor:detach", args=[self.post.pk, self.incident.pk])
        )
        self.assertRedirects(response, reverse("monitor:post", args=[self.post.pk]))
        self.assertFalse(PostIncident.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="monitor.post_detached").exists())
        html = self.incident_page(self.ed)
        self.assertNotIn("网传化工园区爆炸现场视频", html)
        self.assertNotIn('id="incident-posts"', html)
        # Detaching again says it is not attached.
        again = self.client.post(
            reverse("monitor:detach", args=[self.post.pk, self.incident.pk]), follow=True
        )
        self.assertContains(again, "This post is not attached to that incident.")

    def test_it_lets_the_duty_officer_attach_at_night(self) -> None:
        with time_machine.travel(NIGHT, tick=False):
            night_incident = self.open_incident(title="夜间化工园区爆炸")
            self.client.force_login(self.duty)
            response = self.client.post(
                reverse("monitor:attach", args=[self.post.pk]),
                {"incident": str(night_incident.pk), "note": "夜班发现"},
                follow=True,
            )
            self.assertContains(response, "The post is attached to the incident 夜间化工园区爆炸.")
            link = PostIncident.objects.get()
            self.assertEqual((link.attached_by, link.attached_at), (self.duty, NIGHT))
            html = self.page(self.duty, reverse("incidents:detail", args=[night_incident.pk]))
        self.assertIn("网传化工园区爆炸现场视频", html)
        self.assertIn("夜班发现", html)
        # The post's page shows the time in Shanghai: 23:30 that night.
        self.client.force_login(self.duty)
        post_page = self.client.get(reverse("monitor:post", args=[self.post.pk])).content.decode()
        self.assertIn("2026-11-28 23:30", post_page)
