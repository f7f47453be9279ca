"""Reference-pack pages: thin; every write goes through ``packs.services``.

The builder is one page whose body (``partials/_builder.html``) htmx swaps in place after a
search or an addition; without htmx every form posts and comes back to the page, keeping the
search words and the group offered.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.permissions import require
from xinbao.documents.views import offer
from xinbao.items.access import access_item
from xinbao.items.models import Item
from xinbao.items.search_views import item_href
from xinbao.lib.http import document_download
from xinbao.lib.officedoc import ClassifiedMarkingError
from xinbao.packs import outputs, rendered, selectors, services
from xinbao.packs.access import (
    access_built,
    access_readable,
    built_packs,
    can_build,
    received_packs,
)
from xinbao.packs.forms import FigureForm, NoteForm, PackForm, TextForm
from xinbao.packs.models import Entry, Pack, PackState, Receipt
from xinbao.periodicals.models import Instruction

LIST_LIMIT = 200


def _htmx(request: AuthedRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


@login_required
def pack_list(request: AuthedRequest) -> HttpResponse:
    packs = built_packs(request.user).select_related("created_by")[:LIST_LIMIT]
    return render(request, "packs/list.html", {"packs": packs})


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """The leader's packs, the newest first, with whether they opened each."""
    packs = list(received_packs(request.user).order_by("-delivered_at", "-pk")[:LIST_LIMIT])
    opened = set(
        Receipt.objects.filter(user=request.user, pack__in=packs).values_list("pack_id", flat=True)
    )
    return render(request, "packs/mine.html", {"packs": packs, "opened": opened})


def _pack_form_page(
    request: AuthedRequest, form: PackForm, pack: Pack | None, status: int = 200
) -> HttpResponse:
    return render(request, "packs/form.html", {"form": form, "pack": pack}, status=status)


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    require(can_build(request.user))
    form = PackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pack = services.create_pack(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.PackError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Pack created: now add what the leader needs."))
            return redirect("packs:build", pk=pack.pk)
    return _pack_form_page(request, form, None, 400 if request.method == "POST" else 200)


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    initial = {
        "title": pack.title,
        "occasion": pack.occasion,
        "occasion_at": pack.occasion_at,
        "subject": pack.subject,
        "recipients": list(pack.recipients.all()),
        "foreword": pack.foreword,
    }
    form = PackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_pack(user=request.user, pack=pack, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.PackError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Pack saved."))
            return redirect("packs:build", pk=pack.pk)
    return _pack_form_page(request, form, pack, 400 if request.method == "POST" else 200)


# --- the builder -------------------------------------------------------------------------------


def _int(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


def _builder_context(
    request: AuthedRequest, pack: Pack, *, params: Any, **extra: Any
) -> dict[str, Any]:
    user = request.user
    entries = selectors.entries(pack)
    in_pack = {e.item_id for e in entries if e.item_id}
    query = str(params.get("q", "")).strip()[:200]
    group_item: Item | None = None
    group_pk = _int(params.get("group"))
    if group_pk is not None:
        group_item = next((e.item for e in entries if e.item_id == group_pk), None)
    context: dict[str, Any] = {
        "pack": pack,
        "entries": entries,
        "q": query,
        "group_item": group_item,
        "keep": urlencode({"q": query, "group": group_pk or ""}),
        "figure_form": FigureForm(),
        "text_form": TextForm(),
        "receipt_rows": [],
    }
    if pack.editable:
        hits = selectors.hits(user, query)
        context |= {
            "hits": [(h, item_href(user, h.item), h.item.pk in in_pack) for h in hits],
            "group": selectors.group(user, group_item, exclude=in_pack),
            "adopted": selectors.adopted(user, pack.subject, exclude=in_pack),
            "instructions": selectors.instructions_on(
                user, pack.subject, exclude={e.instruction_id for e in entries if e.instruction_id}
            ),
            "figures": selectors.figures(entries),
        }
    else:
        receipts = {
            r.user_id: r.read_at for r in Receipt.objects.filter(pack=pack).only("user", "read_at")
        }
    recipients = list(pack.recipients.order_by("pk"))
    context["recipients"] = recipients
    # What every recipient may read: an item above it is shown, not offered.
    context["ceiling"] = min((int(r.clearance_level) for r in recipients), default=0)
    if not pack.editable:
        context["receipt_rows"] = [(r, receipts.get(r.pk)) for r in recipients]
    return context | extra


def _builder(
    request: AuthedRequest, pack: Pack, *, params: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _builder_context(request, pack, params=params, **extra)
    template = "packs/partials/_builder.html" if _htmx(request) else "packs/build.html"
    return render(request, template, context, status=status)


@login_required
def build(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    return _builder(request, pack, params=request.GET)


def _done(request: AuthedRequest, pack: Pack, text: str, **keep: Any) -> HttpResponse:
    """After a write: the builder's body for htmx, else back to the page."""
    params = {"q": request.POST.get("q", ""), "group": request.POST.get("group", ""), **keep}
    if _htmx(request):
        return _builder(request, pack, params=params, notice=text)
    messages.success(request, text)
    query = urlencode({k: v for k, v in params.items() if v})
    url = reverse("packs:build", args=[pack.pk])
    return redirect(f"{url}?{query}" if query else url)


def _refused(request: AuthedRequest, pack: Pack, text: str) -> HttpResponse:
    """A refusal: said on the builder (htmx swaps only what answers 200, so the body does)."""
    params = {"q": request.POST.get("q", ""), "group": request.POST.get("group", "")}
    if _htmx(request):
        return _builder(request, pack, params=params, error=text)
    messages.error(request, text)
    query = urlencode({k: v for k, v in params.items() if v})
    url = reverse("packs:build", args=[pack.pk])
    return redirect(f"{url}?{query}" if query else url)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@login_required
@require_POST
def add_item(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    item = access_item(request.user, _int(request.POST.get("item")) or 0)
    try:
        services.add_item(user=request.user, pack=pack, item=item)
    except services.PackError as exc:
        return _refused(request, pack, str(exc))
    # The item's same-event group is offered next.
    return _done(request, pack, _("Added: %(title)s") % {"title": item.title}, group=item.pk)


@login_required
@require_POST
def add_instruction(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    instruction = Instruction.objects.filter(pk=_int(request.POST.get("instruction")) or 0).first()
    if instruction is None:
        return _refused(request, pack, _("That instruction was not found."))
    # The service checks that the user may see the item it was given on.
    try:
        services.add_instruction(user=request.user, pack=pack, instruction=instruction)
    except services.PackError as exc:
        return _refused(request, pack, str(exc))
    return _done(request, pack, _("Instruction added."))


@login_required
@require_POST
def add_figure(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    form = FigureForm(request.POST)
    if form.is_valid():
        try:
            services.add_figure(user=request.user, pack=pack, **form.cleaned_data)
        except (services.PackError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return _done(request, pack, _("Figure added."))
    params = {"q": request.POST.get("q", ""), "group": request.POST.get("group", "")}
    status = 200 if _htmx(request) else 400
    return _builder(request, pack, params=params, status=status, figure_form=form)


@login_required
@require_POST
def add_text(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            services.add_text(user=request.user, pack=pack, **form.cleaned_data)
        except (services.PackError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return _done(request, pack, _("Text added."))
    params = {"q": request.POST.get("q", ""), "group": request.POST.get("group", "")}
    status = 200 if _htmx(request) else 400
    return _builder(request, pack, params=params, status=status, text_form=form)


def _entry(pack: Pack, entry_pk: int) -> Entry:
    found = pack.entries.filter(pk=entry_pk).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def entry_note(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    row = _entry(pack, entry)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.annotate(user=request.user, entry=row, note=note)
    except (services.PackError, ValidationError) as exc:
        return _refused(request, pack, _error_text(exc))
    return _done(request, pack, _("Note saved."))


@login_required
@require_POST
def entry_move(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    row = _entry(pack, entry)
    try:
        services.move(user=request.user, entry=row, up=request.POST.get("direction") == "up")
    except services.PackError as exc:
        return _refused(request, pack, str(exc))
    return _done(request, pack, _("Moved."))


@login_required
@require_POST
def entry_remove(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    row = _entry(pack, entry)
    try:
        services.remove(user=request.user, entry=row)
    except services.PackError as exc:
        return _refused(request, pack, str(exc))
    return _done(request, pack, _("Removed from the pack."))


@login_required
@require_POST
def deliver(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    try:
        pack = services.deliver(user=request.user, pack=pack)
    except services.PackError as exc:
        return _refused(request, pack, str(exc))
    messages.success(
        request,
        _("Delivered as %(number)s: the leaders have been told.") % {"number": pack.number_text()},
    )
    return redirect("packs:build", pk=pack.pk)


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    try:
        services.withdraw(user=request.user, pack=pack)
    except services.PackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Withdrawn: the leaders no longer find it."))
    return redirect("packs:build", pk=pack.pk)


@login_required
@require_POST
def copy(request: AuthedRequest, pk: int) -> HttpResponse:
    pack = access_built(request.user, pk)
    new = services.copy(user=request.user, pack=pack)
    messages.success(request, _("A new version to edit, copied from this pack."))
    return redirect("packs:build", pk=new.pk)


# --- reading -----------------------------------------------------------------------------------


@login_required
def read(request: AuthedRequest, pk: int) -> HttpResponse:
    """The pack as the leader reads it, on a phone too; their first opening is receipted."""
    pack = access_readable(request.user, pk)
    if pack.state == PackState.DELIVERED:
        services.record_read(user=request.user, pack=pack, request=request)
    entries = list(pack.entries.all())
    return render(
        request,
        "packs/read.html",
        {
            "pack": pack,
            "entries": entries,
            "figures": [e for e in entries if e.kind == "figure"],
            "recipients": list(pack.recipients.order_by("pk")),
            "builder": can_build(request.user),
        },
    )


def _output(request: AuthedRequest, pk: int, kind: str) -> HttpResponseBase:
    pack = access_readable(request.user, pk)
    name = outputs.file_name(pack, kind)
    try:
        if rendered.is_frozen(pack):
            # Delivered: rendered once by the worker, served from the cache.
            cached = offer(
                request, kind=services.PACK_DOCUMENT, subject=pack, fmt=kind, filename=name
            )
        else:
            data = outputs.docx_bytes(pack) if kind == "docx" else outputs.pdf_bytes(pack)
    except ClassifiedMarkingError:
        messages.error(request, _("The pack carries a classified marking and is not printed."))
        return redirect("home")
    if pack.state == PackState.DELIVERED and not getattr(request, "htmx", False):
        # The file fetched, not the page's partial loading or polling: that is no reading.
        services.record_read(user=request.user, pack=pack, request=request)
    if rendered.is_frozen(pack):
        return cached
    return document_download(data, name, kind)


@login_required
def pack_docx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _output(request, pk, "docx")


@login_required
def pack_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _output(request, pk, "pdf")
