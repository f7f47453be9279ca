"""The collection screens: sources kept by the section, posts read by the office's handlers,
a post promoted to an item that the desk then sees, with its provenance."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from xinbao.items.models import Channel, Item, ItemStatus
from xinbao.monitor import poll, services
from xinbao.monitor.models import Post, Promotion, Source, SourceState, TermKind
from xinbao.monitor.tests.cases import MonitorCase
from xinbao.monitor.tests.feeds import FIRE, FLOOD, rss
from xinbao.monitor.tests.servers import serve

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


class SourcePagesTests(MonitorCase):
    def test_it_adds_a_source_and_lists_it_with_its_state(self) -> None:
        self.client.force_login(self.chief)
        # Public accounts and forums come in through the feed an exporter makes of them.
        self.assertContains(
            self.client.get(reverse("monitor:source_create")),
            "Forums and public accounts have no feed of their own",
        )
        response = self.client.post(
            reverse("monitor:source_create"),
            {
                "name": "澜江发布",
                "kind": "feed",
                "url": "https://lj.example.cn/rss",
                "interval_minutes": "15",
            },
        )
        self.assertRedirects(response, reverse("monitor:sources"))
        source = Source.objects.get()
        self.assertEqual((source.interval_minutes, source.state), (15, SourceState.OK))
        page = self.client.get(reverse("monitor:sources"))
        self.assertContains(page, "澜江发布")
        self.assertContains(page, "https://lj.example.cn/rss")
        self.assertContains(page, "Working")

    def test_it_keeps_what_was_typed_and_explains_a_bad_address(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("monitor:source_create"),
            {
                "name": "澜江论坛",
                "kind": "page",
                "url": "lj.example.cn/bbs",
                "interval_minutes": "30",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This is not a web address")
        self.assertContains(response, 'value="澜江论坛"')
        self.assertContains(response, 'value="lj.example.cn/bbs"')
        self.assertFalse(Source.objects.exists())

    def test_it_shows_the_error_and_next_check_of_a_failing_source(self) -> None:
        with serve() as site:
            site.put("/rss", "oops", status=500)
            source = self.add_source(site.url("/rss"), name="坏源")
            poll.poll(source.pk)
        self.client.force_login(self.duty)
        page = self.client.get(reverse("monitor:sources"))
        self.assertContains(page, "Failing")
        self.assertContains(page, "HTTP 500")
        source.refresh_from_db()
        assert source.next_due is not None
        shown = timezone.localtime(source.next_due).strftime("%Y-%m-%d %H:%M")
        self.assertContains(page, shown)
        self.assertNotContains(page, 'id="source-add"')

    def test_it_edits_pauses_and_resumes_a_source(self) -> None:
        source = self.add_source("https://lj.example.cn/rss", name="澜江发布")
        self.client.force_login(self.ed)
        edit = reverse("monitor:source_edit", args=[source.pk])
        self.assertContains(self.client.get(edit), 'value="https://lj.example.cn/rss"')
        self.client.post(
            edit,
            {
                "name": "澜江发布2",
                "kind": "feed",
                "url": "https://lj.example.cn/rss2",
                "interval_minutes": "60",
            },
        )
        self.client.post(reverse("monitor:source_pause", args=[source.pk]))
        source.refresh_from_db()
        self.assertEqual(
            (source.name, source.state, source.next_due), ("澜江发布2", "paused", None)
        )
        self.assertEqual(poll.due(), [])
        self.client.post(reverse("monitor:source_resume", args=[source.pk]))
        source.refresh_from_db()
        self.assertEqual(source.state, SourceState.OK)
        self.assertEqual(poll.due(), [source.pk])

    def test_it_refuses_reporters_and_lets_the_duty_officer_only_read(self) -> None:
        source = self.add_source("https://lj.example.cn/rss")
        self.client.force_login(self.alice)
        for name in ("monitor:posts", "monitor:sources", "monitor:watchlist"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403, name)
        self.client.force_login(self.duty)
        self.assertEqual(self.client.get(reverse("monitor:source_create")).status_code, 403)
        refused = self.client.post(reverse("monitor:source_pause", args=[source.pk]))
        self.assertEqual(refused.status_code, 403)

    def test_it_is_reached_from_the_menu(self) -> None:
        for user in (self.ed, self.chief, self.duty):
            self.client.force_login(user)
            menu = dict(self.client.get("/").context["nav_all"])
            self.assertEqual(menu["Collection"], reverse("monitor:posts"))
            self.assertEqual(self.client.get(menu["Collection"]).status_code, 200)
        self.client.force_login(self.leader)
        self.assertNotIn("Collection", dict(self.client.get("/").context["nav_all"]))


class PostPagesTests(MonitorCase):
    def _collect(self) -> tuple[Source, Source]:
        services.add_terms(user=self.ed, kind=TermKind.KEYWORD, terms=["内涝"])
        with serve() as site:
            site.put("/a", rss([("东城县东河镇发生内涝", site.url("/a/1"), FLOOD)]), headers=XML)
            site.put("/b", rss([("西山县城南餐馆火灾", site.url("/b/1"), FIRE)]), headers=XML)
            a = self.add_source(site.url("/a"), name="甲源")
            b = self.add_source(site.url("/b"), name="乙源")
            poll.poll(a.pk)
            poll.poll(b.pk)
        return a, b

    def test_it_lists_posts_newest_first_and_filters_them(self) -> None:
        a, _b = self._collect()
        self.client.force_login(self.duty)
        url = reverse("monitor:posts")
        page = self.client.get(url).content.decode()
        self.assertLess(page.index("西山县城南餐馆火灾"), page.index("东城县东河镇发生内涝"))
        by_source = self.client.get(url, {"source": a.pk})
        self.assertContains(by_source, "东城县东河镇发生内涝")
        self.assertNotContains(by_source, "西山县城南餐馆火灾")
        with_hits = self.client.get(url, {"hits": "yes"})
        self.assertContains(with_hits, "东城县东河镇发生内涝")
        self.assertNotContains(with_hits, "西山县城南餐馆火灾")
        without = self.client.get(url, {"hits": "no"})
        self.assertContains(without, "西山县城南餐馆火灾")
        self.assertNotContains(without, "东城县东河镇发生内涝")
        by_term = self.client.get(url, {"term": "内涝"})
        self.assertContains(by_term, "东城县东河镇发生内涝")
        self.assertNotContains(by_term, "西山县城南餐馆火灾")

    def test_it_shows_a_post_with_its_hits_highlighted(self) -> None:
        self._collect()
        post = Post.objects.get(title="东城县东河镇发生内涝")
        self.client.force_login(self.ed)
        response = self.client.get(reverse("monitor:post", args=[post.pk]))
        self.assertContains(response, "东城县东河镇发生<mark>内涝</mark>", html=False)
        self.assertContains(response, "连日降雨发生<mark>内涝</mark>")
        self.assertContains(response, 'id="promote-form"')

    def test_it_promotes_a_post_to_an_item_the_desk_sees(self) -> None:
        self._collect()
        post = Post.objects.get(title="东城县东河镇发生内涝")
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("monitor:promote", args=[post.pk]),
            {"unit": self.county_a.pk, "kind": "dynamic", "writer_phone": "0571-88880000"},
        )
        item = Item.objects.get(channel=Channel.COLLECTED)
        self.assertRedirects(response, reverse("items:detail", args=[item.pk]))
        self.assertEqual((item.unit, item.status), (self.county_a, ItemStatus.SUBMITTED))
        self.assertEqual(Promotion.objects.get(item=item).post, post)
        detail = self.client.get(reverse("items:detail", args=[item.pk]))
        self.assertContains(detail, 'id="item-provenance"')
        self.assertContains(detail, "甲源")
        self.assertContains(detail, post.url)
        self.client.force_login(self.chief)
        self.assertContains(self.client.get(reverse("desk:inbox")), "东城县东河镇发生内涝")
        again = self.client.get(reverse("monitor:post", args=[post.pk]))
        self.assertContains(again, 'id="promoted"')

    def test_it_keeps_the_promotion_form_and_says_what_is_wrong(self) -> None:
        self._collect()
        post = Post.objects.get(title="东城县东河镇发生内涝")
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("monitor:promote", args=[post.pk]),
            {"unit": self.county_b.pk, "kind": "dynamic", "writer_phone": "12ab"},
        )
        self.assertContains(response, "Enter a phone number of 7 to 12 digits.", status_code=400)
        self.assertContains(response, 'value="12ab"', status_code=400)
        self.assertFalse(Item.objects.filter(channel=Channel.COLLECTED).exists())

    def test_it_lets_only_editors_promote(self) -> None:
        self._collect()
        post = Post.objects.get(title="东城县东河镇发生内涝")
        self.client.force_login(self.chief)
        self.assertNotContains(
            self.client.get(reverse("monitor:post", args=[post.pk])), 'id="promote-form"'
        )
        refused = self.client.post(
            reverse("monitor:promote", args=[post.pk]),
            {"unit": self.county_a.pk, "kind": "dynamic", "writer_phone": "05718888000"},
        )
        self.assertEqual(refused.status_code, 403)
