"""The security administrator's clearance screen: one select per user, saved as it changes.

三员分立: clearances are the security administrator's alone; the system administrator, who
manages accounts, gets 403 here.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinbao.accounts import services
from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.lib.labels import Sensitivity

PAGE_SIZE = 50


class ClearanceForm(forms.Form):
    clearance = forms.TypedChoiceField(
        label=gettext_lazy("Clearance"),
        choices=[("", gettext_lazy("By role")), *Sensitivity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


def _require_security_admin(user: User) -> None:
    require(user.is_security_admin)


@login_required
def clearance_list(request: AuthedRequest) -> HttpResponse:
    _require_security_admin(request.user)
    q = request.GET.get("q", "").strip()
    qs = User.objects.select_related("unit").order_by("role", "username")
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/clearance_list.html",
        {"page": page, "q": q, "choices": Sensitivity.choices},
    )


@login_required
@require_POST
def clearance_set(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_security_admin(request.user)
    target = get_object_or_404(User.objects.select_related("unit"), pk=pk)
    form = ClearanceForm(request.POST)
    htmx = getattr(request, "htmx", False)
    if not form.is_valid():
        error = " ".join(str(e) for e in form.errors.get("clearance", []))
        if htmx:
            context = {"u": target, "choices": Sensitivity.choices, "error": error}
            return render(request, "accounts/partials/_clearance_row.html", context, status=400)
        messages.error(request, error)
        return redirect("accounts:clearance_list")
    services.set_clearance(
        actor=request.user,
        user=target,
        clearance=form.cleaned_data["clearance"],
        request=request,
    )
    if htmx:
        context = {"u": target, "choices": Sensitivity.choices, "saved": True}
        return render(request, "accounts/partials/_clearance_row.html", context)
    messages.success(
        request,
        _("%(name)s may now read up to %(label)s.")
        % {"name": target, "label": target.clearance_level.label},
    )
    return redirect("accounts:clearance_list")
