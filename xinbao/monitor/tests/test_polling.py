"""Polling sources from real HTTP servers on loopback: feeds, pages, encodings, validators,
failures with backoff, redirects, size cap, politeness and deduplication."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.monitor import poll
from xinbao.monitor.chores import POLL
from xinbao.monitor.models import Post, PostAlias, Source, SourceKind, SourceState
from xinbao.monitor.tests.cases import FAST, MonitorCase
from xinbao.monitor.tests.feeds import FIRE, FLOOD, ROADS, atom, page, rss
from xinbao.monitor.tests.servers import serve
from xinbao.scheduler.services import run_chore

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML_UTF8 = {"Content-Type": "text/html; charset=utf-8"}


class FeedTests(MonitorCase):
    def test_it_stores_the_entries_of_an_rss_feed(self) -> None:
        with serve() as site:
            link = site.url("/news/1?utm_source=wx&id=7#top")
            site.put("/rss", rss([("东城县东河镇发生内涝", link, FLOOD)]), headers=XML)
            source = self.add_source(site.url("/rss"))
            outcome = poll.poll(source.pk)
        assert outcome is not None and outcome.new == 1
        post = Post.objects.get()
        self.assertEqual(post.title, "东城县东河镇发生内涝")
        self.assertEqual(post.url, site.url("/news/1?id=7"))
        self.assertIn("转移群众120人", post.text)
        self.assertEqual(post.published_at, dt.datetime(2026, 12, 7, 2, tzinfo=dt.UTC))
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.OK)
        self.assertIsNotNone(source.last_ok_at)
        self.assertTrue(AuditEvent.objects.filter(action="monitor.polled").exists())

    def test_it_stores_the_entries_of_an_atom_feed(self) -> None:
        with serve() as site:
            site.put(
                "/atom",
                atom([("西山县城南餐馆火灾", site.url("/a/1"), FIRE)]),
                headers={"Content-Type": "application/atom+xml"},
            )
            source = self.add_source(site.url("/atom"))
            poll.poll(source.pk)
        post = Post.objects.get()
        self.assertEqual(post.title, "西山县城南餐馆火灾")
        self.assertIn("过火面积约30平方米", post.text)

    def test_it_reads_a_malformed_feed_loosely_and_says_so(self) -> None:
        broken = rss([("东城县东河镇发生内涝", "http://example.org/1", FLOOD)])
        broken = broken.replace("</channel></rss>", "<item><title>未闭合")
        with serve() as site:
            site.put("/rss", broken, headers=XML)
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.OK)
        self.assertIn("malformed feed", source.last_note)
        self.assertTrue(Post.objects.filter(title="东城县东河镇发生内涝").exists())

    def test_it_marks_a_source_that_serves_no_feed_failing(self) -> None:
        with serve() as site:
            site.put("/rss", "<html><body>维护中</body></html>", headers=HTML_UTF8)
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.FAILING)
        self.assertIn("not a feed", source.last_error)

    def test_it_reads_a_gbk_feed_declared_as_utf8(self) -> None:
        feed = rss([("东城县东河镇发生内涝", "http://example.org/1", FLOOD)]).encode("gbk")
        with serve() as site:
            site.put("/rss", feed, headers=XML)
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
        post = Post.objects.get()
        self.assertEqual(post.title, "东城县东河镇发生内涝")
        source.refresh_from_db()
        self.assertIn("gb18030", source.last_note)

    def test_it_sends_the_etag_and_stores_nothing_on_304(self) -> None:
        with serve() as site:
            site.put(
                "/rss",
                rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]),
                headers=XML,
                etag='"v1"',
            )
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
            Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
            outcome = poll.poll(source.pk)
            requests = site.hits("/rss")
        self.assertEqual(len(requests), 2)
        self.assertNotIn("if-none-match", requests[0].headers)
        self.assertEqual(requests[1].headers["if-none-match"], '"v1"')
        assert outcome is not None
        self.assertEqual(outcome.new, 0)
        self.assertEqual(Post.objects.count(), 1)
        source.refresh_from_db()
        self.assertEqual((source.state, source.etag), (SourceState.OK, '"v1"'))


class FailureTests(MonitorCase):
    def test_it_marks_a_500_failing_with_backoff_and_polls_the_others(self) -> None:
        with serve() as site:
            site.put("/broken", "oops", status=500)
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            broken = self.add_source(site.url("/broken"))
            good = self.add_source(site.url("/rss"))
            before = timezone.now()
            run_chore(POLL)
        broken.refresh_from_db()
        good.refresh_from_db()
        self.assertEqual(broken.state, SourceState.FAILING)
        self.assertEqual(broken.last_error, "HTTP 500")
        self.assertEqual(broken.failures, 1)
        assert broken.next_due is not None
        self.assertGreaterEqual(broken.next_due, before + dt.timedelta(minutes=60))
        self.assertEqual(good.state, SourceState.OK)
        self.assertEqual(Post.objects.filter(source=good).count(), 1)

    def test_it_doubles_the_backoff_up_to_its_cap(self) -> None:
        with serve() as site:
            site.put("/broken", "oops", status=503)
            source = self.add_source(site.url("/broken"))
            waits = []
            for _ in range(7):
                Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
                now = timezone.now()
                poll.poll(source.pk)
                source.refresh_from_db()
                assert source.next_due is not None
                waits.append(round((source.next_due - now).total_seconds() / 60))
        self.assertEqual(waits[:5], [60, 120, 240, 480, 960])
        self.assertEqual(waits[5:], [1440, 1440])
        self.assertEqual(source.failures, 7)

    def test_it_fails_a_source_that_answers_too_slowly(self) -> None:
        with serve() as site:
            site.put("/slow", rss([]), headers=XML, delay=2.5)
            source = self.add_source(site.url("/slow"))
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.FAILING)
        self.assertIn("timed out", source.last_error)

    def test_it_refuses_a_page_larger_than_the_cap(self) -> None:
        big = page("大页面", FLOOD * 3000)
        with serve() as site:
            site.put("/big", big, headers=HTML_UTF8)
            source = self.add_source(site.url("/big"), kind=SourceKind.PAGE)
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.FAILING)
        self.assertIn("page too large", source.last_error)
        self.assertFalse(Post.objects.exists())

    def test_it_follows_a_redirect_to_another_host_and_notes_it(self) -> None:
        with serve() as site:
            site.put(
                "/moved", "", status=301, headers={"Location": site.url("/rss", host="localhost")}
            )
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            source = self.add_source(site.url("/moved"))
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.OK)
        self.assertIn("redirected to another host", source.last_note)
        self.assertIn("localhost", source.last_note)
        self.assertEqual(Post.objects.count(), 1)

    def test_it_recovers_a_failing_source(self) -> None:
        with serve() as site:
            site.put("/rss", "oops", status=500)
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual((source.state, source.failures, source.last_error), ("ok", 0, ""))


class PageTests(MonitorCase):
    def test_it_reads_a_gbk_page_declared_as_utf8_and_the_reverse(self) -> None:
        with serve() as site:
            site.put(
                "/gbk", page("东河镇内涝", FLOOD, charset="utf-8").encode("gbk"), headers=HTML_UTF8
            )
            site.put(
                "/utf8",
                page("城南餐馆火灾", FIRE, charset="gbk").encode(),
                headers={"Content-Type": "text/html; charset=gbk"},
            )
            a = self.add_source(site.url("/gbk"), kind=SourceKind.PAGE)
            b = self.add_source(site.url("/utf8"), kind=SourceKind.PAGE)
            poll.poll(a.pk)
            poll.poll(b.pk)
        self.assertIn("转移群众120人", Post.objects.get(source=a).text)
        self.assertIn("过火面积约30平方米", Post.objects.get(source=b).text)

    def test_it_stores_a_page_again_only_when_its_text_changed(self) -> None:
        with serve() as site:
            site.put("/p", page("东河镇内涝", FLOOD, decoration="访问量 1"), headers=HTML_UTF8)
            source = self.add_source(site.url("/p"), kind=SourceKind.PAGE)
            poll.poll(source.pk)
            site.put("/p", page("东河镇内涝", FLOOD, decoration="访问量 2"), headers=HTML_UTF8)
            Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
            poll.poll(source.pk)
            self.assertEqual(Post.objects.count(), 1)
            site.put("/p", page("东河镇内涝", FLOOD + ROADS), headers=HTML_UTF8)
            Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
            poll.poll(source.pk)
        self.assertEqual(Post.objects.filter(source=source).count(), 2)


class DedupeTests(MonitorCase):
    def test_it_links_a_repost_under_another_url_to_the_first_post(self) -> None:
        with serve() as site:
            site.put("/a", rss([("东城县东河镇发生内涝", site.url("/a/1"), FLOOD)]), headers=XML)
            reposted = "转载：" + FLOOD.replace("120人", "一百二十人")
            site.put(
                "/b",
                rss(
                    [
                        ("东城县东河镇发生内涝", site.url("/b/9"), FLOOD),
                        ("转：东河镇内涝", site.url("/b/10"), reposted),
                        ("道路施工", site.url("/b/11"), ROADS),
                    ]
                ),
                headers=XML,
            )
            a = self.add_source(site.url("/a"))
            b = self.add_source(site.url("/b"))
            poll.poll(a.pk)
            outcome = poll.poll(b.pk)
        assert outcome is not None
        self.assertEqual((outcome.new, outcome.aliased), (1, 2))
        first = Post.objects.get(source=a)
        reasons = dict(PostAlias.objects.filter(post=first).values_list("url", "reason"))
        self.assertEqual(
            reasons,
            {site.url("/b/9"): "same_text", site.url("/b/10"): "near_duplicate"},
        )
        self.assertEqual(Post.objects.count(), 2)

    def test_it_stores_a_feed_entry_once_whatever_its_tracking_parameters(self) -> None:
        with serve() as site:
            site.put(
                "/rss",
                rss([("东城县东河镇发生内涝", site.url("/1?utm_medium=x"), FLOOD)]),
                headers=XML,
            )
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
            site.put(
                "/rss", rss([("东城县东河镇发生内涝", site.url("/1#comments"), FLOOD)]), headers=XML
            )
            Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
            outcome = poll.poll(source.pk)
        assert outcome is not None
        self.assertEqual(outcome.repeated, 1)
        self.assertEqual(Post.objects.count(), 1)


@override_settings(XINBAO_MONITOR={**FAST, "host_gap_seconds": 60})
class PolitenessTests(MonitorCase):
    def test_it_never_asks_one_host_twice_within_the_gap(self) -> None:
        with serve() as site:
            site.put("/a", rss([("东城县东河镇发生内涝", site.url("/a/1"), FLOOD)]), headers=XML)
            site.put("/b", rss([("道路施工", site.url("/b/1"), ROADS)]), headers=XML)
            a = self.add_source(site.url("/a"))
            b = self.add_source(site.url("/b"))
            start = timezone.now()
            with time_machine.travel(start, tick=True):
                poll.poll(a.pk)
                self.assertIsNone(poll.poll(b.pk))
                self.assertEqual(len(site.seen), 1)
                b.refresh_from_db()
                assert b.next_due is not None
                self.assertGreaterEqual(b.next_due, start + dt.timedelta(seconds=59))
            with time_machine.travel(start + dt.timedelta(seconds=61), tick=True):
                poll.poll(b.pk)
        self.assertEqual([s.path for s in site.seen], ["/a", "/b"])
        self.assertEqual(Post.objects.count(), 2)
