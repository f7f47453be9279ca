"""Topic-list pages: thin; every write goes through ``topiclists.services``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.documents.views import offer
from xinbao.items.access import access_item
from xinbao.lib.http import DOCUMENT_TYPES
from xinbao.topiclists import documents, rendered, selectors, services
from xinbao.topiclists.access import (
    access_answer,
    access_list,
    access_topic,
    is_unit_reporter,
    is_writer,
)
from xinbao.topiclists.forms import CreateListForm, EditListForm, LinkForm, TopicForm
from xinbao.topiclists.models import ListedTopic, ListState, TopicList


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """Every list the user may read: this month's first, past months kept."""
    lists = selectors.lists_for(request.user)
    return render(
        request,
        "topiclists/index.html",
        {"lists": lists, "can_write": is_writer(request.user)},
    )


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    require(is_writer(request.user))
    form = CreateListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic_list = services.create_list(
                user=request.user,
                month=data["month"],
                title=data["title"],
                foreword=data["foreword"],
                copy_from=data["copy_from"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.TopicListError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Topic list created."))
            return redirect("topiclists:detail", pk=topic_list.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "topiclists/create.html", {"form": form}, status=status)


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    topic_list = access_list(request.user, pk)
    topics = list(topic_list.topics.prefetch_related("unit_classes").order_by("order", "pk"))
    cover = selectors.coverage(request.user, topic_list)
    counts = {row.topic.pk: row for row in cover.topics}
    return render(
        request,
        "topiclists/detail.html",
        {
            "topic_list": topic_list,
            "rows": [(topic, counts[topic.pk]) for topic in topics],
            "moves": services.allowed_moves(request.user, topic_list),
            "can_write": is_writer(request.user),
            "editable": is_writer(request.user) and services.is_editable(topic_list),
        },
    )


def _list_form_page(
    request: AuthedRequest, topic_list: TopicList, form: EditListForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "topiclists/edit.html",
        {"topic_list": topic_list, "form": form},
        status=status,
    )


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    topic_list = access_list(request.user, pk)
    require(is_writer(request.user))
    initial = {"title": topic_list.title, "foreword": topic_list.foreword}
    form = EditListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_list(
                user=request.user,
                topic_list=topic_list,
                title=form.cleaned_data["title"],
                foreword=form.cleaned_data["foreword"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.TopicListError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Topic list saved."))
            return redirect("topiclists:detail", pk=topic_list.pk)
    return _list_form_page(request, topic_list, form, 400 if request.method == "POST" else 200)


def _topic_page(
    request: AuthedRequest,
    topic_list: TopicList,
    form: TopicForm,
    topic: ListedTopic | None,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "topiclists/topic_form.html",
        {"topic_list": topic_list, "form": form, "topic": topic},
        status=status,
    )


def _save_topic(
    request: AuthedRequest, topic_list: TopicList, topic: ListedTopic | None
) -> HttpResponse:
    initial = {}
    if topic is not None:
        initial = {
            "title": topic.title,
            "wanted": topic.wanted,
            "keywords": topic.keywords,
            "suggested_kind": topic.suggested_kind,
            "unit_classes": list(topic.unit_classes.all()),
        }
    form = TopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "wanted": data["wanted"],
            "keywords": data["keywords"],
            "suggested_kind": data["suggested_kind"],
            "unit_classes": list(data["unit_classes"]),
        }
        try:
            if topic is None:
                services.add_topic(user=request.user, topic_list=topic_list, **fields)
            else:
                services.update_topic(user=request.user, topic=topic, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.TopicListError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Topic saved."))
            return redirect("topiclists:detail", pk=topic_list.pk)
    status = 400 if request.method == "POST" else 200
    return _topic_page(request, topic_list, form, topic, status)


@login_required
def topic_add(request: AuthedRequest, pk: int) -> HttpResponse:
    topic_list = access_list(request.user, pk)
    require(is_writer(request.user))
    return _save_topic(request, topic_list, None)


@login_required
def topic_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    require(is_writer(request.user))
    return _save_topic(request, topic.topic_list, topic)


def _act(request: AuthedRequest, action: Callable[[], object], done: str) -> None:
    """Run one service; its refusal becomes the page's error message."""
    try:
        action()
    except services.TopicListError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)


@login_required
@require_POST
def topic_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    require(is_writer(request.user))
    _act(
        request,
        lambda: services.remove_topic(user=request.user, topic=topic),
        _("Topic removed."),
    )
    return redirect("topiclists:detail", pk=topic.topic_list_id)


@login_required
@require_POST
def topic_move(request: AuthedRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    require(is_writer(request.user))
    up = request.POST.get("to") == "up"
    _act(
        request,
        lambda: services.move_topic(user=request.user, topic=topic, up=up),
        _("Topic moved."),
    )
    return redirect("topiclists:detail", pk=topic.topic_list_id)


@login_required
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    topic_list = access_list(request.user, pk)
    require(is_writer(request.user))
    _act(
        request,
        lambda: services.publish(user=request.user, topic_list=topic_list),
        _("Topic list published: the units' reporters are told."),
    )
    return redirect("topiclists:detail", pk=topic_list.pk)


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    topic_list = access_list(request.user, pk)
    require(is_writer(request.user))
    _act(
        request,
        lambda: services.withdraw(user=request.user, topic_list=topic_list),
        _("Topic list withdrawn."),
    )
    return redirect("topiclists:detail", pk=topic_list.pk)


def _topic(
    request: AuthedRequest, topic: ListedTopic, form: LinkForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    writer = is_writer(user)
    reporter = is_unit_reporter(user)
    open_for_answers = topic.topic_list.state == ListState.PUBLISHED
    answers = list(selectors.answers(user, topic))
    linked = {a.item_id for a in answers}
    return render(
        request,
        "topiclists/topic.html",
        {
            "topic": topic,
            "topic_list": topic.topic_list,
            "answers": answers,
            "may_unlink": {
                a.pk for a in answers if writer or (reporter and a.item.unit_id == user.unit_id)
            },
            "can_link": open_for_answers and (writer or reporter),
            "own_items": [i for i in selectors.linkable_items(user)[:100] if i.pk not in linked]
            if reporter and open_for_answers
            else [],
            "link_form": form or LinkForm(),
            "suggestions": selectors.suggestions(user, topic)
            if writer and open_for_answers
            else [],
            "writer": writer,
        },
        status=status,
    )


@login_required
def topic(request: AuthedRequest, pk: int) -> HttpResponse:
    return _topic(request, access_topic(request.user, pk))


@login_required
@require_POST
def link(request: AuthedRequest, pk: int) -> HttpResponse:
    """Link an item to the topic: a reporter one of their unit's (another's: 404, as any item
    they may not see), the office any item it sees; ``suggested`` confirms a suggestion."""
    topic = access_topic(request.user, pk)
    require(is_writer(request.user) or is_unit_reporter(request.user))
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _topic(request, topic, form, status=400)
    item = access_item(request.user, form.cleaned_data["item"])
    if not is_writer(request.user) and item.unit_id != request.user.unit_id:
        raise Http404
    suggested = request.POST.get("suggested") == "1"
    try:
        services.link(user=request.user, topic=topic, item=item, suggested=suggested)
    except services.TopicListError as exc:
        form.add_error(None, str(exc))
        return _topic(request, topic, form, status=409)
    messages.success(
        request,
        _("Suggestion confirmed: the item answers the topic.")
        if suggested
        else _("Item linked to the topic."),
    )
    return redirect("topiclists:topic", pk=topic.pk)


@login_required
@require_POST
def link_item(request: AuthedRequest, pk: int) -> HttpResponse:
    """From the item's page: the item answers the topic chosen in the panel."""
    require(is_writer(request.user) or is_unit_reporter(request.user))
    item = access_item(request.user, pk)
    if not is_writer(request.user) and item.unit_id != request.user.unit_id:
        raise Http404
    raw = request.POST.get("topic", "")
    topic = access_topic(request.user, int(raw)) if raw.isdigit() else None
    if topic is None:
        messages.error(request, _("Choose a topic."))
    else:
        _act(
            request,
            lambda: services.link(user=request.user, topic=topic, item=item),
            _("Item linked to the topic."),
        )
    return redirect("items:detail", pk=item.pk)


@login_required
@require_POST
def dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    require(is_writer(request.user))
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _topic(request, topic, form, status=400)
    item = access_item(request.user, form.cleaned_data["item"])
    _act(
        request,
        lambda: services.dismiss_suggestion(user=request.user, topic=topic, item=item),
        _("Suggestion dismissed."),
    )
    return redirect("topiclists:topic", pk=topic.pk)


@login_required
@require_POST
def unlink(request: AuthedRequest, pk: int) -> HttpResponse:
    answer = access_answer(request.user, pk)
    _act(
        request,
        lambda: services.unlink(user=request.user, answer=answer),
        _("Link taken off."),
    )
    return redirect("topiclists:topic", pk=answer.topic_id)


@login_required
def coverage(request: AuthedRequest, pk: int) -> HttpResponse:
    topic_list = access_list(request.user, pk)
    return render(
        request,
        "topiclists/coverage.html",
        {
            "topic_list": topic_list,
            "cover": selectors.coverage(request.user, topic_list),
            "office": not is_unit_reporter(request.user),
        },
    )


@login_required
def document(request: AuthedRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The list as the office prints and sends it (DOCX or PDF, GB/T 9704)."""
    topic_list = access_list(request.user, pk)
    if fmt in DOCUMENT_TYPES and rendered.is_frozen(topic_list):
        # Published: rendered once by the worker, served from the cache.
        name = documents.file_name(topic_list, fmt)
        return offer(
            request, kind=services.LIST_DOCUMENT, subject=topic_list, fmt=fmt, filename=name
        )
    return documents.response(topic_list, fmt)
