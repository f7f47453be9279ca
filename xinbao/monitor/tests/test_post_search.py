"""Full-text search over collected posts: words found in posts as they are stored, on the
same engine as the items' search, from the collection's page."""

from __future__ import annotations

from django.urls import reverse

from xinbao.monitor import chores, poll, search
from xinbao.monitor.models import Post, PostEntry
from xinbao.monitor.tests.cases import MonitorCase
from xinbao.monitor.tests.feeds import FIRE, FLOOD, rss
from xinbao.monitor.tests.servers import serve
from xinbao.test import EnglishClient

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
TRADITIONAL = "東城縣東河鎮組織轉移群眾，應急管理局派出工作組。"


class PostSearchTests(MonitorCase):
    client_class = EnglishClient

    def _collect(self) -> None:
        with serve() as site:
            site.put(
                "/a",
                rss(
                    [
                        ("东城县东河镇发生内涝", site.url("/a/1"), FLOOD),
                        ("西山县城南餐馆火灾", site.url("/a/2"), FIRE),
                        ("東河鎮轉移群眾", site.url("/a/3"), TRADITIONAL),
                    ]
                ),
                headers=XML,
            )
            poll.poll(self.add_source(site.url("/a"), name="甲源").pk)

    def test_it_finds_posts_by_their_words_as_they_are_stored(self) -> None:
        self._collect()
        assert PostEntry.objects.count() == Post.objects.count() == 3
        found = search.matching_ids("转移群众")
        titles = set(Post.objects.filter(pk__in=found).values_list("title", flat=True))
        # The traditional-character post is found by the simplified words too.
        assert titles == {"东城县东河镇发生内涝", "東河鎮轉移群眾"}
        assert set(
            Post.objects.filter(pk__in=search.matching_ids("火灾 扑灭")).values_list(
                "title", flat=True
            )
        ) == {"西山县城南餐馆火灾"}
        assert search.matching_ids("火灾 转移群众") == {}

    def test_it_indexes_posts_stored_before_the_index(self) -> None:
        self._collect()
        PostEntry.objects.all().delete()
        assert search.matching_ids("火灾") == {}
        assert chores.index_unsearchable_posts() == "3 posts indexed for search"
        assert len(search.matching_ids("火灾")) == 1

    def test_it_searches_from_the_collection_page_with_marked_snippets(self) -> None:
        self._collect()
        self.client.force_login(self.duty)
        home = self.client.get(reverse("home")).content.decode()
        url = reverse("monitor:posts")
        assert f'href="{url}"' in home
        page = self.client.get(url, {"q": "过火面积"})
        body = page.content.decode()
        assert page.status_code == 200
        assert "西山县城南餐馆火灾" in body
        assert "东城县东河镇发生内涝" not in body
        assert "<mark>过火</mark><mark>面积</mark>" in body or "<mark>过火面积</mark>" in body
        nothing = self.client.get(url, {"q": "地震"})
        self.assertContains(nothing, "No collected post has all these words.")
        # Words and the other filters together; the words are kept in the form.
        both = self.client.get(url, {"q": "转移", "hits": "no"})
        self.assertContains(both, 'value="转移"')
        self.assertContains(both, "东城县东河镇发生内涝")
