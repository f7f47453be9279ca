"""Collection fetches public addresses only, and waits its turn at every host a redirect
reaches: real servers on loopback, which the office must allow explicitly."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings
from django.utils import timezone

from xinbao.monitor import poll
from xinbao.monitor.fetch import FetchError, fetch, resolve
from xinbao.monitor.models import Post, SourceState
from xinbao.monitor.tests.cases import FAST, MonitorCase
from xinbao.monitor.tests.feeds import FLOOD, ROADS, rss
from xinbao.monitor.tests.servers import serve

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
CLOSED = {**FAST, "allowed_networks": []}
#: FAST leaving the allowed networks to the setting (XINBAO_MONITOR_ALLOWED_NETWORKS).
FROM_SETTINGS = {k: v for k, v in FAST.items() if k != "allowed_networks"}


class InternalAddressTests(MonitorCase):
    @override_settings(XINBAO_MONITOR=CLOSED)
    def test_it_refuses_a_source_on_an_internal_address_without_asking_it(self) -> None:
        with serve() as site:
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            source = self.add_source(site.url("/rss"))
            self.assertIsNone(poll.poll(source.pk))
        self.assertEqual(site.seen, [])
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.FAILING)
        self.assertIn("internal address (127.0.0.1)", source.last_error)
        self.assertFalse(Post.objects.exists())

    @override_settings(
        XINBAO_MONITOR=FROM_SETTINGS, XINBAO_MONITOR_ALLOWED_NETWORKS=["127.0.0.0/8"]
    )
    def test_it_fetches_an_internal_network_the_office_allowed_in_settings(self) -> None:
        with serve() as site:
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            source = self.add_source(site.url("/rss", host="localhost"))
            poll.poll(source.pk)
        self.assertEqual(Post.objects.get().title, "东城县东河镇发生内涝")
        # Sent to the address that was checked (the site listens on 127.0.0.1 only), under
        # the host's own name.
        self.assertEqual(site.seen[0].headers["host"], f"localhost:{site.port}")
        self.assertEqual(site.seen[0].local, "127.0.0.1")

    def test_it_never_sends_one_host_s_request_on_another_host_s_connection(self) -> None:
        """Two names of one address (a shared host, a CDN): each request on a connection of
        its own host, as a server that checks the TLS name against Host requires."""
        with serve(keep_alive=True) as site:
            site.put("/a", "a", headers={"Content-Type": "text/plain"})
            site.put("/b", "b", headers={"Content-Type": "text/plain"})
            first = fetch(site.url("/a", host="localhost"))
            second = fetch(site.url("/b", host="127.0.0.1"))
            third = fetch(site.url("/a", host="localhost"))
        self.assertEqual([first.content, second.content, third.content], [b"a", b"b", b"a"])
        hosts = [s.headers["host"] for s in site.seen]
        port = site.port
        self.assertEqual(hosts, [f"localhost:{port}", f"127.0.0.1:{port}", f"localhost:{port}"])
        by_connection: dict[tuple[str, int], set[str]] = {}
        for seen in site.seen:
            by_connection.setdefault(seen.peer, set()).add(seen.headers["host"])
        self.assertTrue(all(len(names) == 1 for names in by_connection.values()), by_connection)

    def test_it_refuses_a_redirect_to_the_metadata_address(self) -> None:
        with serve() as site:
            site.put(
                "/moved", "", status=302, headers={"Location": "http://169.254.169.254/latest/"}
            )
            source = self.add_source(site.url("/moved"))
            poll.poll(source.pk)
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.FAILING)
        self.assertIn("refused: 169.254.169.254 is an internal address", source.last_error)

    def test_it_refuses_every_kind_of_internal_address(self) -> None:
        for url in (
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
        ):
            with self.subTest(url), self.assertRaisesMessage(FetchError, "internal address"):
                resolve(url, [])
        self.assertEqual(str(resolve("http://10.1.2.3/", ["10.0.0.0/8"])), "10.1.2.3")


@override_settings(XINBAO_MONITOR={**FAST, "host_gap_seconds": 60})
class RedirectPolitenessTests(MonitorCase):
    def test_it_waits_for_the_slot_of_the_host_a_redirect_reaches(self) -> None:
        with serve() as site:
            site.put("/roads", rss([("道路施工", site.url("/r/1"), ROADS)]), headers=XML)
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            site.put(
                "/moved", "", status=301, headers={"Location": site.url("/rss", host="localhost")}
            )
            on_localhost = self.add_source(site.url("/roads", host="localhost"))
            moved = self.add_source(site.url("/moved"))
            start = timezone.now()
            with time_machine.travel(start, tick=True):
                poll.poll(on_localhost.pk)  # takes localhost's slot for 60 s
                self.assertIsNone(poll.poll(moved.pk))
                # The first host was asked; the redirect's host, busy, was not.
                self.assertEqual([s.path for s in site.seen], ["/roads", "/moved"])
                moved.refresh_from_db()
                self.assertEqual(moved.state, SourceState.OK)
                self.assertEqual(moved.last_error, "")
                assert moved.next_due is not None
                self.assertGreaterEqual(moved.next_due, start + dt.timedelta(seconds=59))
            with time_machine.travel(start + dt.timedelta(seconds=121), tick=True):
                poll.poll(moved.pk)
        self.assertEqual([s.path for s in site.seen], ["/roads", "/moved", "/moved", "/rss"])
        self.assertEqual(Post.objects.count(), 2)
