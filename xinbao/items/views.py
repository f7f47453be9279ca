"""Item pages: thin; every write goes through items.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import can_use_desk
from xinbao.items import search, services
from xinbao.items.access import (
    access_attachment,
    access_item,
    refuse_administrators,
    visible_attachments,
    visible_item_parts,
)
from xinbao.items.attachments import (
    MAX_ATTACHMENT_BYTES,
    UploadRefused,
    download_name,
    human_size,
)
from xinbao.items.forms import ItemFilterForm, ItemForm, LabelForm
from xinbao.items.models import Attachment, Channel, Item
from xinbao.items.quality import Draft, check_item, run_checks
from xinbao.items.workflow import allowed_moves, is_author
from xinbao.lib import panels
from xinbao.lib.http import pick_template
from xinbao.lib.labels import Sensitivity
from xinbao.lib.pagination import keyset_page

PAGE_SIZE = 25


def _filter(request: AuthedRequest, qs: QuerySet[Item], form: ItemFilterForm) -> QuerySet[Item]:
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = search.filter_by_text(request.user, qs, d["q"])
        for name in ("status", "urgency", "kind"):
            if d[name]:
                qs = qs.filter(**{name: d[name]})
        if d["unit"]:
            qs = qs.filter(unit=d["unit"])
    return qs


@login_required
def item_list(request: AuthedRequest) -> HttpResponse:
    refuse_administrators(request.user)
    form = ItemFilterForm(request.GET or None)
    # The visible items in parts, each read through its own index (items.access).
    qs = [
        _filter(request, part.select_related("unit"), form)
        for part in visible_item_parts(request.user)
    ]
    page = keyset_page(request, qs, ("-submitted_at", "-id"), per_page=PAGE_SIZE)
    template = pick_template(request, "items/item_list.html", "items/partials/_item_table.html")
    return render(request, template, {"page": page, "filter": form})


def _save_uploads(request: AuthedRequest, item: Item, form: ItemForm) -> bool:
    """Store each file on its own; a refused one is named and the rest are kept."""
    ok = True
    for name in getattr(request, "upload_refusals", []):
        messages.error(
            request,
            _("“%(name)s” is larger than %(limit)s, the most we accept for any file.")
            % {"name": name, "limit": human_size(MAX_ATTACHMENT_BYTES)},
        )
        ok = False
    label = form.cleaned_data.get("upload_sensitivity")
    for upload in form.cleaned_data.get("uploads") or []:
        try:
            with transaction.atomic():
                services.add_attachment(
                    user=request.user,
                    item=item,
                    upload=upload,
                    sensitivity=label,
                    request=request,
                )
        except UploadRefused as exc:
            messages.error(request, str(exc))
            ok = False
    return ok


def _render_form(request: AuthedRequest, form: ItemForm, item: Item | None) -> HttpResponse:
    if request.method == "POST" and request.FILES:
        messages.warning(
            request, _("Files are not kept when the form has errors: choose them again.")
        )
    return render(request, "items/item_form.html", {"form": form, "item": item}, status=200)


def _initial_for(request: AuthedRequest) -> dict[str, str]:
    person = getattr(request.user, "person", None)
    return {
        # A demand for urgent information links here with its incident's title (?title=).
        "title": request.GET.get("title", "")[:200],
        "writer_name": request.user.full_name,
        "writer_phone": request.user.phone or (person.phone if person else ""),
    }


@login_required
def item_create(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in services.WRITER_ROLES:
        raise PermissionDenied(_("Your role may not write items."))
    unit_required = not request.user.is_reporter
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        unit_required=unit_required,
        own_unit=request.user.unit,
        initial=_initial_for(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(
                user=request.user,
                data=form.to_data(),
                unit=form.cleaned_data.get("unit"),
                # A unit's own form is the web channel; staff say how it came in.
                channel=form.cleaned_data.get("channel") or Channel.WEB,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return _render_form(request, form, None)
        return _after_save(request, item, form)
    return _render_form(request, form, None)


def _after_save(request: AuthedRequest, item: Item, form: ItemForm) -> HttpResponse:
    files_ok = _save_uploads(request, item, form)
    if request.POST.get("action") == "submit":
        if not files_ok:
            messages.warning(
                request, _("The draft was saved but not submitted: see the file that was refused.")
            )
            return redirect("items:edit", pk=item.pk)
        # The web form asks for the quality check (its hidden "quality" field); advice stops
        # nothing: the draft is kept and the next page offers "submit anyway".
        if request.POST.get("quality") == "check" and check_item(item, user=request.user):
            messages.info(request, _("Saved as a draft. Look at the advice before submitting."))
            return redirect("items:quality", pk=item.pk)
        services.submit_item(user=request.user, item=item, request=request)
        messages.success(request, _("Submitted. The office has received it in its inbox."))
        return redirect("items:detail", pk=item.pk)
    messages.success(request, _("Draft saved."))
    return redirect("items:edit" if not files_ok else "items:detail", pk=item.pk)


def _typed_draft(request: AuthedRequest) -> Draft:
    """What the writer has typed so far, read leniently: advice needs no valid form."""
    post = request.POST
    event_field = ItemForm.base_fields["event_at"]
    try:
        event_at = event_field.clean(post.get("event_at", "")) if post.get("event_at") else None
    except ValidationError:
        event_at = None
    item: Item | None = None
    if post.get("item", "").isdigit():
        try:
            item = access_item(request.user, int(post["item"]))
        except Http404:
            item = None
    return Draft(
        title=post.get("title", ""),
        body=post.get("body", ""),
        kind=post.get("kind", "") or (item.kind if item else ""),
        urgency=post.get("urgency", "") or (item.urgency if item else ""),
        place=post.get("place", ""),
        event_at=event_at,
        unit=item.unit if item else request.user.unit,
        item=item,
        user=request.user,
    )


@login_required
@require_POST
def item_quality_check(request: AuthedRequest) -> HttpResponse:
    """The advice on what is typed in the item form (htmx, as the writer types or on a button)."""
    if request.user.role not in services.WRITER_ROLES:
        raise PermissionDenied(_("Your role may not write items."))
    advice = run_checks(_typed_draft(request))
    return render(request, "items/partials/_quality.html", {"advice": advice, "checked": True})


@login_required
def item_quality(request: AuthedRequest, pk: int) -> HttpResponse:
    """The advice on a saved draft before it is submitted, with "submit anyway"."""
    item = access_item(request.user, pk)
    if not is_author(request.user, item):
        raise PermissionDenied(_("Only the writer's unit submits this item."))
    return render(
        request,
        "items/item_quality.html",
        {
            "item": item,
            "advice": check_item(item, user=request.user),
            "moves": allowed_moves(request.user, item),
            "checked": True,
        },
    )


@login_required
def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = access_item(request.user, pk)
    if not item.is_editable:
        messages.info(request, _("A sent item cannot be edited; withdraw it first."))
        return redirect("items:detail", pk=item.pk)
    initial = {
        "title": item.title,
        "body": item.body,
        "kind": item.kind,
        "urgency": item.urgency,
        "sensitivity": item.sensitivity,
        "place": item.place,
        "event_at": item.event_at,
        "writer_name": item.writer_name,
        "writer_phone": item.writer_phone,
        "approved_by": item.approved_by,
        "topics": ", ".join(t.name for t in item.topics.all()),
        "joint_units": list(item.joint_units.all()),
    }
    form = ItemForm(
        request.POST or None, request.FILES or None, initial=initial, own_unit=item.unit
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.update_item(
                user=request.user, item=item, data=form.to_data(), request=request
            )
        except (ValidationError, services.TransitionError) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
            return _render_form(request, form, item)
        except PermissionDenied:
            raise Http404 from None
        return _after_save(request, item, form)
    return _render_form(request, form, item)


@login_required
def item_detail(
    request: AuthedRequest, pk: int, label_form: LabelForm | None = None
) -> HttpResponse:
    item = access_item(request.user, pk)
    attachments = list(visible_attachments(request.user, item))
    can_author = is_author(request.user, item)
    if label_form is None and can_use_desk(request.user):
        label_form = LabelForm(initial={"sensitivity": item.sensitivity})
    return render(
        request,
        "items/item_detail.html",
        {
            "label_form": label_form,
            "item": item,
            "attachments": attachments,
            "can_author": can_author,
            # The state table's moves this user has now: the buttons never offer a refused one.
            "moves": allowed_moves(request.user, item),
            "paragraphs": item.body.split("\n"),
            # What the desk decided and where the item was adopted, for everyone who sees it:
            # the desk's rows through the item's reverse relations (items sits below the desk).
            "outcome": {
                "decisions": list(item.decisions.order_by("at", "id")),
                "adoptions": list(item.adoptions.select_related("periodical")),
            },
            "can_desk": can_use_desk(request.user),
            # What apps above items show on the item (lib/panels.py, kind "item").
            "panels": panels.rendered("item", request.user, item, request),
        },
    )


@login_required
@require_POST
def item_label(request: AuthedRequest, pk: int) -> HttpResponse:
    """The desk raises an item's label, or lowers it with a reason (items.services)."""
    item = access_item(request.user, pk)
    if not can_use_desk(request.user):
        raise PermissionDenied(_("Only editors and section chiefs change an item's label."))
    form = LabelForm(request.POST)
    if form.is_valid():
        try:
            item = services.change_label(
                user=request.user,
                item=item,
                sensitivity=form.cleaned_data["sensitivity"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The item's label is now %(label)s.")
                % {"label": Sensitivity(item.sensitivity).label},
            )
            return redirect("items:detail", pk=item.pk)
    response = item_detail(request, pk, label_form=form)
    response.status_code = 400
    return response


def _transition_view(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    item = access_item(request.user, pk)
    func = {
        "submit": services.submit_item,
        "withdraw": services.withdraw_item,
        "receive": services.receive_item,
    }[action]
    try:
        func(user=request.user, item=item, request=request)
    except (services.TransitionError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = {
            "submit": _("Submitted."),
            "withdraw": _("Withdrawn; you may edit it now."),
            "receive": _("Marked as received."),
        }[action]
        messages.success(request, done)
    return redirect("items:detail", pk=item.pk)


@login_required
@require_POST
def item_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "submit")


@login_required
@require_POST
def item_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "withdraw")


@login_required
@require_POST
def item_receive(request: AuthedRequest, pk: int) -> HttpResponse:
    return _transition_view(request, pk, "receive")


def _serve(attachment: Attachment, *, inline: bool, thumb: bool = False) -> FileResponse:
    field = attachment.thumbnail if thumb else attachment.file
    if not field:
        raise Http404
    content_type = "image/jpeg" if thumb else attachment.content_type
    response = FileResponse(
        field.open("rb"),
        as_attachment=not inline,
        filename=download_name(attachment.original_name, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even an inline preview may not run scripts or load anything else.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    )
    return response


@login_required
def attachment_download(request: AuthedRequest, pk: int, att: int) -> FileResponse:
    return _serve(access_attachment(request.user, pk, att), inline=False)


@login_required
def attachment_inline(request: AuthedRequest, pk: int, att: int) -> FileResponse:
    attachment = access_attachment(request.user, pk, att)
    if not attachment.previewable:
        return _serve(attachment, inline=False)
    return _serve(attachment, inline=True)


@login_required
def attachment_thumb(request: AuthedRequest, pk: int, att: int) -> FileResponse:
    return _serve(access_attachment(request.user, pk, att), inline=True, thumb=True)


@login_required
@require_POST
def attachment_remove(request: AuthedRequest, pk: int, att: int) -> HttpResponse:
    attachment = access_attachment(request.user, pk, att)
    try:
        services.remove_attachment(user=request.user, attachment=attachment, request=request)
    except (services.TransitionError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return redirect("items:edit", pk=pk)
