"""The watchlist: terms added by kind (one a line), matched over each new post with the
automaton rebuilt when they change, hits stored with their context and highlighted."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from xinbao.monitor import poll, services
from xinbao.monitor.models import Hit, Post, Source, TermKind, WatchTerm
from xinbao.monitor.tests.cases import MonitorCase
from xinbao.monitor.tests.feeds import FIRE, FLOOD, rss
from xinbao.monitor.tests.servers import serve

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


class WatchlistTests(MonitorCase):
    def test_it_stores_each_hit_with_its_context(self) -> None:
        services.add_terms(user=self.ed, kind=TermKind.PLACE, terms=["东河镇", "东城县"])
        services.add_terms(user=self.chief, kind=TermKind.KEYWORD, terms=["内涝", "转移群众"])
        with serve() as site:
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
        post = Post.objects.get()
        found = {(h.term.term, post.normalised[h.start : h.end]) for h in post.hits.all()}
        self.assertEqual(
            found,
            {
                ("东城县", "东城县"),
                ("东河镇", "东河镇"),
                ("内涝", "内涝"),
                ("转移群众", "转移群众"),
            },
        )
        hit = Hit.objects.get(term__term="转移群众")
        self.assertIn("镇政府已组织转移群众120人", hit.context)
        self.assertEqual(post.hit_count, post.hits.count())

    def test_it_matches_terms_added_after_the_automaton_was_built(self) -> None:
        services.add_terms(user=self.ed, kind=TermKind.KEYWORD, terms=["内涝"])
        with serve() as site:
            site.put("/rss", rss([("东城县东河镇发生内涝", site.url("/1"), FLOOD)]), headers=XML)
            source = self.add_source(site.url("/rss"))
            poll.poll(source.pk)
            services.add_terms(user=self.ed, kind=TermKind.KEYWORD, terms=["火灾"])
            services.remove_term(user=self.ed, term=WatchTerm.objects.get(term="内涝"))
            site.put("/rss", rss([("西山县餐馆火灾内涝", site.url("/2"), FIRE)]), headers=XML)
            Source.objects.filter(pk=source.pk).update(next_due=timezone.now())
            poll.poll(source.pk)
        second = Post.objects.get(url=site.url("/2"))
        self.assertEqual({h.term.term for h in second.hits.all()}, {"火灾"})

    def test_it_pastes_terms_one_a_line_and_removes_them(self) -> None:
        self.client.force_login(self.chief)
        url = reverse("monitor:watchlist")
        response = self.client.post(url, {"kind": "person", "terms": "张三\n\n李四\n张三\n"})
        self.assertRedirects(response, url)
        self.assertEqual(
            set(WatchTerm.objects.filter(active=True).values_list("term", "kind")),
            {("张三", "person"), ("李四", "person")},
        )
        page = self.client.get(url).content.decode()
        self.assertIn("张三", page)
        term = WatchTerm.objects.get(term="李四")
        remove = reverse("monitor:term_remove", args=[term.pk])
        self.assertIn(remove, page)
        response = self.client.post(remove, follow=True)
        self.assertContains(response, "Term removed: 李四")
        self.assertNotContains(response, remove)
        self.assertFalse(WatchTerm.objects.get(pk=term.pk).active)

    def test_it_keeps_what_was_typed_when_a_term_is_too_long(self) -> None:
        self.client.force_login(self.ed)
        long = "长" * 101
        response = self.client.post(
            reverse("monitor:watchlist"), {"kind": "keyword", "terms": f"内涝\n{long}"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "A term may have at most 100 characters", status_code=400)
        self.assertContains(response, long, status_code=400)
        self.assertFalse(WatchTerm.objects.exists())

    def test_it_lets_the_duty_officer_read_the_watchlist_but_not_change_it(self) -> None:
        services.add_terms(user=self.ed, kind=TermKind.SENSITIVE, terms=["群体性事件"])
        self.client.force_login(self.duty)
        response = self.client.get(reverse("monitor:watchlist"))
        self.assertContains(response, "群体性事件")
        self.assertNotContains(response, 'id="terms-form"')
        refused = self.client.post(reverse("monitor:watchlist"), {"kind": "keyword", "terms": "x"})
        self.assertEqual(refused.status_code, 403)
