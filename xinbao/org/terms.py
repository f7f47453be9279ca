"""The office's dictionary (词库): its screen, and the words org gives the segmenter.

Unit names and short names from the org tree, and the terms kept on this screen (policy terms,
place names), are registered with ``xinbao.lib.text.register_words`` (in ``OrgConfig.ready``),
so that search and analysis keep them whole. A changed term moves ``TermsVersion``; every
process sees that within ``xinbao.lib.text.CHECK_SECONDS`` and reloads, without a restart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import Role, User
from xinbao.accounts.permissions import require
from xinbao.lib.text import register_words
from xinbao.org import services
from xinbao.org.forms import add_service_errors
from xinbao.org.models import Term, TermKind, TermsVersion, Unit

#: Who keeps the dictionary.
TERM_ROLES = frozenset({Role.SECTION_CHIEF, Role.SYSTEM_ADMIN})


def can_edit_terms(user: User) -> bool:
    return user.role in TERM_ROLES


# --- Words for the segmenter ----------------------------------------------------------------


def unit_words() -> Iterator[str]:
    for name, short in Unit.objects.values_list("name", "short_name"):
        yield name
        if short:
            yield short


def unit_words_version() -> str:
    """A digest of every unit's names: cheap for an org tree of a few hundred units."""
    digest = hashlib.sha256()
    for name, short in Unit.objects.order_by("pk").values_list("name", "short_name"):
        digest.update(f"{name}\t{short}\n".encode())
    return digest.hexdigest()


def term_words() -> Iterator[str]:
    yield from Term.objects.values_list("text", flat=True)


def term_words_version() -> int:
    return (
        TermsVersion.objects.filter(pk=TermsVersion.SINGLETON_PK)
        .values_list("version", flat=True)
        .first()
        or 0
    )


def register() -> None:
    register_words(unit_words, version=unit_words_version)
    register_words(term_words, version=term_words_version)


# --- The screen -----------------------------------------------------------------------------


class TermForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Word"), max_length=50)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=TermKind.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _access_term(user: User, pk: int) -> Term:
    require(can_edit_terms(user))
    term = Term.objects.filter(pk=pk).first()
    if term is None:
        raise Http404
    return term


def _list_page(request: AuthedRequest, form: TermForm) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    terms = Term.objects.all()
    if q:
        terms = terms.filter(Q(text__icontains=q) | Q(note__icontains=q))
    page = Paginator(terms, 100).get_page(request.GET.get("page"))
    return render(request, "org/term_list.html", {"form": form, "page": page, "q": q})


@login_required
def term_list(request: AuthedRequest) -> HttpResponse:
    """The dictionary, with a form to add a word."""
    require(can_edit_terms(request.user))
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.save_term(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _list_page(request, form)
        messages.success(request, _("“%(word)s” added to the dictionary.") % {"word": term.text})
        return redirect("org:term_list")
    return _list_page(request, form)


@login_required
def term_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    term = _access_term(request.user, pk)
    initial = {"text": term.text, "kind": term.kind, "note": term.note}
    form = TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_term(user=request.user, term=term, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Word saved."))
            return redirect("org:term_list")
    return render(request, "org/term_form.html", {"form": form, "term": term})


@login_required
@require_POST
def term_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    term = _access_term(request.user, pk)
    services.delete_term(user=request.user, term=term, request=request)
    messages.success(request, _("“%(word)s” removed from the dictionary.") % {"word": term.text})
    return redirect("org:term_list")
