"""Headers: a Content-Security-Policy without inline script on every page, and pages of a
signed-in user kept out of every cache."""

from __future__ import annotations

import re

from django.test import Client, override_settings

from xinbao.accounts.models import User
from xinbao.test import BaseTestCase, EnglishClient
from xinbao.tests import test_menu

# A <script> element: inline unless it has a src; json_script's data is not script.
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:a-z-]*)\s*=", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


class HeadersTest(BaseTestCase):
    def assert_policy(self, response: object, where: object) -> None:
        header = response["Content-Security-Policy"]  # type: ignore[index]  # an HttpResponse
        policy = directives(header)
        assert policy["default-src"] == ["'self'"], where
        assert policy["script-src"] == ["'self'"], where
        assert policy["style-src"] == ["'self'"], where
        assert set(policy["img-src"]) <= {"'self'", "data:", "blob:"}, where
        assert policy["frame-ancestors"] == ["'none'"], where
        assert policy["form-action"] == ["'self'"], where
        assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, where

    def assert_nothing_inline(self, html: str, where: object) -> None:
        for attributes in SCRIPT.findall(html):
            assert "src=" in attributes or 'type="application/json"' in attributes, (
                where,
                attributes,
            )
        assert "<style" not in html, where
        assert not STYLE_ATTRIBUTE.search(html), (where, STYLE_ATTRIBUTE.search(html))
        assert not EVENT_ATTRIBUTE.search(html), (where, EVENT_ATTRIBUTE.search(html))

    def walk(self, user: User) -> list[str]:
        self.client.force_login(user)
        menu = self.client.get("/").context["nav_all"]
        return ["/", *(href for _, href in menu)]

    def test_it_sends_the_policy_and_no_store_on_every_page_of_every_role(self) -> None:
        for user in test_menu.cast(self):
            for href in self.walk(user):
                response = self.client.get(href)
                where = (user.role, href)
                assert response.status_code == 200, where
                self.assert_policy(response, where)
                assert response["Cache-Control"] == "private, no-store", where
                if response["Content-Type"].startswith("text/html"):
                    self.assert_nothing_inline(response.content.decode(), where)

    def test_it_keeps_an_item_page_and_its_htmx_parts_free_of_inline_code(self) -> None:
        item = self.make_item(self.alice)
        self.client.force_login(self.alice)
        response = self.client.get(f"/items/{item.pk}/")
        assert response.status_code == 200
        self.assert_policy(response, "item")
        self.assert_nothing_inline(response.content.decode(), "item")
        bell = self.client.get("/notify/bell/", headers={"HX-Request": "true"})
        assert bell.status_code == 200
        assert bell["Cache-Control"] == "private, no-store"

    def test_it_tells_htmx_to_add_no_style_and_evaluate_nothing(self) -> None:
        response = EnglishClient().get("/accounts/login/")
        html = response.content.decode()
        assert '<meta name="htmx-config"' in html
        assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html

    def test_it_sends_the_policy_to_a_visitor_not_signed_in(self) -> None:
        response = EnglishClient().get("/accounts/login/")
        assert response.status_code == 200
        self.assert_policy(response, "login")
        self.assert_nothing_inline(response.content.decode(), "login")

    def test_it_keeps_api_answers_to_a_token_out_of_caches(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get("/api/v1/items")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        anonymous = Client().get("/api/v1/items", headers={"Authorization": "Bearer xb_nothing"})
        assert anonymous.status_code == 401
        assert anonymous["Cache-Control"] == "private, no-store"

    def test_it_leaves_static_files_their_cache(self) -> None:
        # WhiteNoise serves static files before the middleware: they keep its public cache.
        with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
            client = Client()
            client.force_login(self.alice)
            response = client.get("/static/xinbao/xinbao.js")
            assert response.status_code == 200
            assert b"data-xb-width" in b"".join(response.streaming_content)  # type: ignore[attr-defined]  # a file response
        assert "public" in response["Cache-Control"]
        assert "no-store" not in response["Cache-Control"]
