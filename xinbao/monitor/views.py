"""Collection pages: thin; every write goes through monitor.services.

Every page checks the role first (403); objects come from the getters in ``access`` (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.incidents.access import access_incident, visible_incidents
from xinbao.items.services import TransitionError
from xinbao.lib import fulltext
from xinbao.lib.http import require
from xinbao.lib.text import query_words
from xinbao.monitor import search, selectors, services
from xinbao.monitor.access import (
    access_post,
    access_source,
    access_term,
    can_attach,
    can_manage,
    can_promote,
    can_read,
)
from xinbao.monitor.forms import AttachForm, PostFilterForm, PromoteForm, SourceForm, TermsForm
from xinbao.monitor.models import Hit, Post, Promotion, Source, TermKind, WatchTerm
from xinbao.monitor.services import MonitorError
from xinbao.monitor.watch import term_key

PAGE_SIZE = 30


@dataclass(frozen=True)
class Listed:
    """A post on the list: its title escaped (a search's words marked) and, for a search, a
    snippet around the words."""

    post: Post
    title_html: SafeString
    snippet: SafeString | None = None


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- sources ---------------------------------------------------------------------------------


@login_required
def source_list(request: AuthedRequest) -> HttpResponse:
    require(can_read(request.user))
    sources = Source.objects.order_by("name", "pk")
    return render(
        request,
        "monitor/source_list.html",
        {"sources": sources, "can_manage": can_manage(request.user)},
    )


def _source_form(request: AuthedRequest, source: Source | None) -> HttpResponse:
    require(can_manage(request.user))
    form = (
        SourceForm(request.POST)
        if request.method == "POST"
        else (SourceForm.of(source) if source else SourceForm())
    )
    if request.method == "POST" and form.is_valid():
        try:
            if source is None:
                source = services.create_source(
                    user=request.user, data=form.data_object(), request=request
                )
                messages.success(request, _("Source added: it is checked within a minute."))
            else:
                services.update_source(
                    user=request.user, source=source, data=form.data_object(), request=request
                )
                messages.success(request, _("Source saved."))
            return redirect("monitor:sources")
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "monitor/source_form.html", {"form": form, "source": source})


@login_required
def source_create(request: AuthedRequest) -> HttpResponse:
    return _source_form(request, None)


@login_required
def source_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _source_form(request, access_source(request.user, pk))


def _move_source(
    request: AuthedRequest, pk: int, move: Callable[..., Source], done: str
) -> HttpResponse:
    """Pause or resume a source through its service; back to the list with what happened."""
    source = access_source(request.user, pk)
    require(can_manage(request.user))
    try:
        move(user=request.user, source=source, request=request)
        messages.success(request, done)
    except MonitorError as exc:
        messages.error(request, str(exc))
    return redirect("monitor:sources")


@login_required
@require_POST
def source_pause(request: AuthedRequest, pk: int) -> HttpResponse:
    return _move_source(
        request, pk, services.pause_source, _("Source paused: it is not checked until resumed.")
    )


@login_required
@require_POST
def source_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    return _move_source(
        request, pk, services.resume_source, _("Source resumed: it is checked within a minute.")
    )


# --- posts -----------------------------------------------------------------------------------


@login_required
def post_list(request: AuthedRequest) -> HttpResponse:
    require(can_read(request.user))
    form = PostFilterForm(request.GET or None)
    source_id: int | None = None
    has_hits: bool | None = None
    term_ids: list[int] | None = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        source_id = d["source"].pk if d["source"] else None
        has_hits = {"yes": True, "no": False}.get(d["hits"] or "")
        if d["term"]:
            term_ids = list(
                WatchTerm.objects.filter(key=term_key(d["term"])).values_list("pk", flat=True)
            )
    words = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    posts = selectors.posts(source_id=source_id, has_hits=has_hits, term_ids=term_ids)
    rows: list[Listed]
    if words:
        # Full-text: the matches best first, each with its words marked in a snippet.
        relevance = search.matching_ids(words)
        found = posts.filter(pk__in=list(relevance)).order_by().values_list("pk", flat=True)
        ranked = sorted(found, key=lambda pk: (-relevance[pk], -pk))
        page: Page[Any] = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
        by_pk = Post.objects.select_related("source").in_bulk(list(page.object_list))
        cut = query_words(words)
        rows = [
            Listed(
                by_pk[pk],
                fulltext.highlight(by_pk[pk].title, cut),
                fulltext.snippet_for(by_pk[pk].text, cut),
            )
            for pk in page.object_list
        ]
    else:
        page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [Listed(post, escape(post.title)) for post in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitor/post_list.html",
        {"page": page, "rows": rows, "filter": form, "query": query.urlencode(), "words": words},
    )


def _post_page(
    request: AuthedRequest,
    post: Post,
    *,
    promote_form: PromoteForm | None = None,
    attach_form: AttachForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The post's page; a bound form with errors replaces the blank one."""
    user = request.user
    hits = list(Hit.objects.filter(post=post).select_related("term").order_by("start"))
    if promote_form is not None:
        promotion = None  # the refused promotion's form, with its errors, in its place
    else:
        promotion = Promotion.objects.filter(post=post).select_related("item").first()
        if can_promote(user) and promotion is None:
            promote_form = PromoteForm(initial={"writer_phone": user.phone})
    attach = can_attach(user)
    if attach_form is None and attach:
        attach_form = AttachForm(user=user)
    return render(
        request,
        "monitor/post_detail.html",
        {
            "post": post,
            "hits": hits,
            "body": selectors.highlighted(post, hits),
            "aliases": post.aliases.select_related("source").order_by("seen_at"),
            "promotion": promotion,
            "promote_form": promote_form,
            "incident_links": list(
                post.incident_links.filter(incident__in=visible_incidents(user)).select_related(
                    "incident", "attached_by"
                )
            ),
            "attach_form": attach_form,
            "can_attach": attach,
        },
        status=status,
    )


@login_required
def post_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post_page(request, access_post(request.user, pk))


@login_required
@require_POST
def post_promote(request: AuthedRequest, pk: int) -> HttpResponse:
    post = access_post(request.user, pk)
    require(can_promote(request.user))
    form = PromoteForm(request.POST)
    if form.is_valid():
        try:
            item = services.promote_post(
                user=request.user,
                post=post,
                unit_id=form.cleaned_data["unit"].pk,
                writer_phone=form.cleaned_data["writer_phone"],
                kind=form.cleaned_data["kind"],
                request=request,
            )
            messages.success(
                request, _("The post is now an item of %(unit)s.") % {"unit": item.unit.name}
            )
            return redirect("items:detail", pk=item.pk)
        except (ValidationError, TransitionError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                _form_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        except MonitorError as exc:
            form.add_error(None, str(exc))
    return _post_page(request, post, promote_form=form, status=400)


@login_required
@require_POST
def post_attach(request: AuthedRequest, pk: int) -> HttpResponse:
    post = access_post(request.user, pk)
    require(can_attach(request.user))
    form = AttachForm(request.POST, user=request.user)
    if form.is_valid():
        incident = access_incident(request.user, form.cleaned_data["incident"].pk)
        try:
            services.attach_to_incident(
                user=request.user,
                post=post,
                incident=incident,
                note=form.cleaned_data["note"],
                request=request,
            )
            messages.success(
                request,
                _("The post is attached to the incident %(title)s.") % {"title": incident.title},
            )
            return redirect("monitor:post", pk=post.pk)
        except MonitorError as exc:
            form.add_error("incident", str(exc))
    return _post_page(request, post, attach_form=form, status=400)


@login_required
@require_POST
def post_detach(request: AuthedRequest, pk: int, incident: int) -> HttpResponse:
    post = access_post(request.user, pk)
    require(can_attach(request.user))
    found = access_incident(request.user, incident)
    try:
        services.detach_from_incident(user=request.user, post=post, incident=found, request=request)
        messages.success(
            request,
            _("The post is no longer attached to the incident %(title)s.") % {"title": found.title},
        )
    except MonitorError as exc:
        messages.error(request, str(exc))
    return redirect("monitor:post", pk=post.pk)


# --- the watchlist ---------------------------------------------------------------------------


@login_required
def watchlist(request: AuthedRequest) -> HttpResponse:
    require(can_read(request.user))
    manage = can_manage(request.user)
    form = TermsForm(request.POST) if request.method == "POST" else TermsForm()
    if request.method == "POST":
        require(manage)
        if form.is_valid():
            try:
                added = services.add_terms(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    terms=form.cleaned_data["terms"],
                    request=request,
                )
                messages.success(
                    request, _("%(count)s terms on the watchlist.") % {"count": len(added)}
                )
                return redirect("monitor:watchlist")
            except ValidationError as exc:
                _form_errors(form, exc)
    terms = WatchTerm.objects.filter(active=True).order_by("kind", "term")
    groups = [(label, [t for t in terms if t.kind == value]) for value, label in TermKind.choices]
    return render(
        request,
        "monitor/watchlist.html",
        {"form": form, "groups": groups, "can_manage": manage},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def term_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    term = access_term(request.user, pk)
    services.remove_term(user=request.user, term=term, request=request)
    messages.success(request, _("Term removed: %(term)s") % {"term": term.term})
    return redirect("monitor:watchlist")
