"""Setup pages of periodicals (settings, distribution list, readers) and of the sign-off routing
table: thin; every write goes through ``periodicals.setup``, every fetch through its getters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.lib.http import pick_template
from xinbao.periodicals import setup
from xinbao.periodicals.models import Periodical
from xinbao.periodicals.services import next_numbers
from xinbao.periodicals.setup_forms import (
    EntryForm,
    NewPeriodicalForm,
    PeriodicalForm,
    ReaderForm,
    RoutesForm,
    add_service_errors,
)

PAGE = "periodicals/setup_form.html"
RECIPIENTS = "periodicals/partials/_recipients.html"


@login_required
def setup_list(request: AuthedRequest) -> HttpResponse:
    setup.require_setup(request.user)
    periodicals = Periodical.objects.annotate(
        issue_count=Count("issues", distinct=True),
        reader_count=Count("readers", distinct=True),
        entry_count=Count("distribution_entries", distinct=True),
    ).order_by("-is_active", "name")
    return render(request, "periodicals/setup_list.html", {"periodicals": periodicals})


@login_required
def setup_create(request: AuthedRequest) -> HttpResponse:
    setup.require_setup(request.user)
    form = NewPeriodicalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            periodical = setup.create_periodical(
                user=request.user,
                data=form.to_data(),
                readers=form.cleaned_data["readers"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s created. Now add its distribution list.") % {"name": periodical},
            )
            return redirect("periodicals:setup_edit", pk=periodical.pk)
    return render(request, PAGE, {"form": form, "periodical": None})


def _recipients(
    request: AuthedRequest,
    periodical: Periodical,
    *,
    add_form: EntryForm | None = None,
    editing: int | None = None,
    entry_form: EntryForm | None = None,
    reader_form: ReaderForm | None = None,
) -> dict[str, Any]:
    """What the distribution and readers part of the page shows."""
    entries = setup.distribution_entries(periodical)
    from_list = {r.pk for r in (setup.entry_reader(e) for e in entries) if r is not None}
    readers = periodical.readers.order_by("role", "full_name", "username")
    if editing is not None and entry_form is None:
        entry = next((e for e in entries if e.pk == editing), None)
        if entry is None:
            raise Http404
        entry_form = EntryForm(
            prefix=f"e{entry.pk}",
            initial={
                "group": entry.group,
                "label": entry.label,
                "person": entry.person_id,
                "user": entry.user_id,
                "copies": entry.copies,
            },
        )
    copies = sum(e.copies for e in entries)
    return {
        "periodical": periodical,
        "entries": entries,
        "editing": editing,
        "entry_form": entry_form,
        "add_form": add_form or EntryForm(prefix="new"),
        "distributed_copies": copies,
        "short_of_copies": copies > periodical.copies,
        "readers": [(r, r.pk in from_list) for r in readers],
        "reader_form": reader_form or ReaderForm(candidates=setup.reader_candidates(periodical)),
    }


def _edit_page(
    request: AuthedRequest,
    periodical: Periodical,
    form: PeriodicalForm | None = None,
    **recipients: Any,
) -> HttpResponse:
    number, total = next_numbers(periodical, timezone.localdate().year)
    context = {
        "form": form or PeriodicalForm(initial=PeriodicalForm.initial_for(periodical)),
        "periodical": periodical,
        "next_number": number,
        "next_total": total,
        "year": timezone.localdate().year,
        "issue_count": periodical.issues.count(),
        **_recipients(request, periodical, **recipients),
    }
    return render(request, PAGE, context)


def _recipients_or_page(
    request: AuthedRequest, periodical: Periodical, **recipients: Any
) -> HttpResponse:
    """The distribution-and-readers partial for htmx, the whole page otherwise."""
    if pick_template(request, "full", "partial") == "partial":
        return render(request, RECIPIENTS, _recipients(request, periodical, **recipients))
    return _edit_page(request, periodical, **recipients)


@login_required
def setup_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    if request.method != "POST":
        return _edit_page(request, periodical)
    form = PeriodicalForm(request.POST)
    if form.is_valid():
        try:
            setup.update_periodical(
                user=request.user, periodical=periodical, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": periodical.name})
            return redirect("periodicals:setup_edit", pk=periodical.pk)
    periodical.refresh_from_db()
    return _edit_page(request, periodical, form)


@login_required
@require_POST
def setup_retire(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    setup.set_active(user=request.user, periodical=periodical, active=False, request=request)
    messages.success(
        request,
        _("%(name)s is retired: no new issues, and the desk no longer offers it.")
        % {"name": periodical.name},
    )
    return redirect("periodicals:setup_list")


@login_required
@require_POST
def setup_reinstate(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    setup.set_active(user=request.user, periodical=periodical, active=True, request=request)
    messages.success(request, _("%(name)s is published again.") % {"name": periodical.name})
    return redirect("periodicals:setup_edit", pk=periodical.pk)


@login_required
def setup_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """A confirmation page, or the refusal with the count and an offer to retire instead."""
    periodical = setup.access_setup_periodical(request.user, pk)
    refusal = setup.delete_refusal(periodical)
    if request.method == "POST" and not refusal:
        try:
            setup.delete_periodical(user=request.user, periodical=periodical, request=request)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s deleted.") % {"name": periodical.name})
            return redirect("periodicals:setup_list")
    status = 409 if request.method == "POST" and refusal else 200
    return render(
        request,
        "periodicals/setup_delete.html",
        {"periodical": periodical, "refusal": refusal},
        status=status,
    )


# --- distribution list and readers (htmx rows) ------------------------------------------------


@login_required
@require_POST
def distribution_add(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    form = EntryForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            setup.add_distribution_entry(
                user=request.user, periodical=periodical, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _recipients_or_page(request, periodical)
    return _recipients_or_page(request, periodical, add_form=form)


@login_required
def distribution_edit(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    """GET: the row as a form; POST: save it (the row stays a form, with the errors, if not)."""
    periodical = setup.access_setup_periodical(request.user, pk)
    row = setup.access_distribution_entry(periodical, entry)
    if request.method != "POST":
        return _recipients_or_page(request, periodical, editing=row.pk)
    form = EntryForm(request.POST, prefix=f"e{row.pk}")
    if form.is_valid():
        try:
            setup.update_distribution_entry(
                user=request.user, entry=row, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _recipients_or_page(request, periodical)
    return _recipients_or_page(request, periodical, editing=row.pk, entry_form=form)


@login_required
@require_POST
def distribution_remove(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    row = setup.access_distribution_entry(periodical, entry)
    setup.remove_distribution_entry(user=request.user, entry=row, request=request)
    return _recipients_or_page(request, periodical)


@login_required
@require_POST
def reader_add(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    form = ReaderForm(request.POST, candidates=setup.reader_candidates(periodical))
    if form.is_valid():
        try:
            setup.add_reader(
                user=request.user,
                periodical=periodical,
                reader=form.cleaned_data["reader"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _recipients_or_page(request, periodical)
    return _recipients_or_page(request, periodical, reader_form=form)


@login_required
@require_POST
def reader_remove(request: AuthedRequest, pk: int, user: int) -> HttpResponse:
    periodical = setup.access_setup_periodical(request.user, pk)
    try:
        reader = periodical.readers.get(pk=user)
    except User.DoesNotExist:
        raise Http404 from None
    setup.remove_reader(user=request.user, periodical=periodical, reader=reader, request=request)
    return _recipients_or_page(request, periodical)


# --- sign-off routing -------------------------------------------------------------------------


@login_required
def routes(request: AuthedRequest) -> HttpResponse:
    setup.require_setup(request.user)
    form = RoutesForm(request.POST or None, initial=setup.routes())
    if request.method == "POST" and form.is_valid():
        try:
            setup.set_routes(user=request.user, table=form.table(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sign-off routing saved."))
            return redirect("periodicals:routes")
    rows = [form[name] for name in setup.routes()]
    return render(request, "periodicals/routes.html", {"form": form, "rows": rows})
