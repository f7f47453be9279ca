"""The user manual (docs/manual/) as help pages, with its screenshots."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from xinbao.accounts.http import AuthedRequest
from xinbao.help import render as markdown


def manual_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "manual"


def _resolve(kind: str, name: str) -> str | None:
    if kind == "image":
        return reverse("help:image", args=[name])
    if not name:
        return reverse("help:index")
    if (manual_dir() / f"{name}.md").is_file():
        return reverse("help:page", args=[name])
    return None


def _page(request: AuthedRequest, path: Path) -> HttpResponse:
    if not path.is_file():
        raise Http404
    title, body = markdown.render(path.read_text(encoding="utf-8"), _resolve)
    # render_markdown escapes every piece of text it does not itself turn into markup.
    return render(request, "help/page.html", {"title": title, "body": mark_safe(body)})  # noqa: S308


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    return _page(request, manual_dir() / "README.md")


@login_required
@require_GET
def page(request: AuthedRequest, slug: str) -> HttpResponse:
    if slug.upper() == "README":
        raise Http404
    return _page(request, manual_dir() / f"{slug}.md")


@login_required
@require_GET
def image(request: AuthedRequest, name: str) -> FileResponse:
    # Only a plain file name of the manual's own pictures: no path can be smuggled in.
    if not markdown.PICTURE.match(f"img/{name}"):
        raise Http404
    path = manual_dir() / "img" / name
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
