"""The user manual (docs/manual/) served as help pages, from the help menu."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from xinbao.help.render import render
from xinbao.help.views import manual_dir
from xinbao.test import BaseTestCase

ROLE_PAGES = (
    "system-admin",
    "section-chief",
    "editor",
    "leaders",
    "duty-officer",
    "reporter",
    "partner-liaison",
    "security-audit",
)


def resolve(kind: str, name: str) -> str:
    return f"/{kind}/{name}"


class ManualPagesTests(BaseTestCase):
    def test_it_is_in_the_help_menu_of_every_role(self) -> None:
        for user in (self.alice, self.ed, self.leader, self.duty, self.liaison, self.auditor):
            self.client.force_login(user)
            response = self.client.get(reverse("home"))
            hrefs = [href for _label, href in response.context["nav_all"]]
            assert reverse("help:index") in hrefs, user.role

    def test_it_shows_the_index_with_a_link_to_every_role(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("help:index"))
        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="h3 mb-3">信报用户手册</h1>' in html
        for slug in ROLE_PAGES:
            assert f'href="{reverse("help:page", args=[slug])}"' in html, slug

    def test_it_shows_a_role_page_with_its_screenshots(self) -> None:
        self.client.force_login(self.leader)
        response = self.client.get(reverse("help:page", args=["leaders"]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "分管领导和主要领导" in html
        pictures = re.findall(r'<img [^>]*src="([^"]+)"', html)
        assert reverse("help:image", args=["leader-sign-phone.png"]) in pictures
        for src in pictures:
            picture = self.client.get(src)
            assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
            assert b"".join(picture.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"  # type: ignore[attr-defined]  # FileResponse streams

    def test_it_answers_404_for_pages_and_pictures_it_does_not_have(self) -> None:
        self.client.force_login(self.alice)
        for path in (
            reverse("help:page", args=["nothing-here"]),
            reverse("help:page", args=["README"]),
            reverse("help:image", args=["missing.png"]),
            reverse("help:image", args=["..%2Fsystem-admin.md"]),
            "/help/img/../README.md",
        ):
            assert self.client.get(path).status_code == 404, path

    def test_it_asks_for_a_login(self) -> None:
        response = self.client.get(reverse("help:index"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class ManualFilesTests(BaseTestCase):
    def test_every_picture_is_in_place_and_small(self) -> None:
        folder = manual_dir()
        named = set()
        for page in folder.glob("*.md"):
            named |= set(re.findall(r"\(img/([a-z0-9-]+\.png)\)", page.read_text("utf-8")))
        found = {p.name for p in (folder / "img").glob("*.png")}
        assert named == found
        assert len(found) <= 12
        for name in found:
            assert (folder / "img" / name).stat().st_size < 150_000, name

    def test_every_link_of_the_manual_leads_somewhere(self) -> None:
        for page in manual_dir().glob("*.md"):
            for target in re.findall(r"\]\(([^)]+)\)", page.read_text("utf-8")):
                assert (Path(page.parent) / target).is_file(), (page.name, target)


class RenderTests(BaseTestCase):
    def test_it_renders_headings_lists_quotes_and_inline_marks(self) -> None:
        source = (
            "# 标题\n\n## 一节\n\n正文**加粗**和`代码`。\n\n1. 第一步\n2. 第二步\n"
            "   接着说\n\n段落\n\n- 一项\n\n> 提示\n"
        )
        title, html = render(source, resolve)
        html = html.replace("\n", "")
        assert title == "标题" and "<h1" not in html and "<h2" not in html
        assert "<h3>一节</h3>" in html
        assert "<p>正文<strong>加粗</strong>和<code>代码</code>。</p>" in html
        assert "<ol><li>第一步</li><li>第二步   接着说</li></ol>" in html
        assert "<ul><li>一项</li></ul>" in html
        assert '<div class="alert alert-info small">提示</div>' in html

    def test_it_escapes_text_and_follows_only_the_manuals_links(self) -> None:
        source = (
            "<script>alert(1)</script> [页](editor.md) [首页](README.md) "
            "[坏](javascript:alert(1)) [外](https://example.com/) [站内](/items/) "
            '![图](img/a-b.png) ![坏图](https://example.com/x.png) [引号](/a"b)'
        )
        _title, html = render(source, resolve)
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert '<a href="/page/editor">页</a>' in html
        assert '<a href="/page/">首页</a>' in html
        assert "javascript:" not in html
        assert "example.com" not in html
        assert '<a href="/items/">站内</a>' in html
        assert 'src="/image/a-b.png"' in html
        # A quote in a target could break out of the attribute: such a link is not followed.
        assert '"b' not in html and "> 坏图 引号</p>" in html
