from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts import services
from xinbao.accounts.forms import TokenForm, UserForm
from xinbao.accounts.http import AuthedRequest
from xinbao.accounts.models import ADMIN_ROLES, ApiToken, User
from xinbao.accounts.permissions import can_manage_users, require


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(
            user=request.user, password=form.cleaned_data["new_password1"], request=request
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.create_token(
            user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "raw": raw})


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.revoke_token(user=request.user, token=token, request=request)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:token_list")


def _managed_user(request: AuthedRequest, pk: int) -> User:
    """A user the acting administrator may manage: never an administrator account."""
    require(can_manage_users(request.user))
    user = User.objects.exclude(role__in=ADMIN_ROLES).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    require(can_manage_users(request.user))
    from axes.models import AccessAttempt
    from django.conf import settings

    q = request.GET.get("q", "").strip()
    qs = User.objects.select_related("unit").order_by("role", "username")
    if q:
        qs = qs.filter(full_name__icontains=q) | qs.filter(username__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    locked = set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "locked": locked})


@login_required
def user_create(request: AuthedRequest) -> HttpResponse:
    require(can_manage_users(request.user))
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.save_user(
            actor=request.user,
            user=form.save(commit=False),
            password=form.cleaned_data["password"],
            changed=dict.fromkeys(form.changed_data),
            request=request,
        )
        messages.success(request, _("User %(name)s created.") % {"name": user})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.save_user(
            actor=request.user,
            user=form.save(commit=False),
            password=form.cleaned_data["password"],
            changed=dict.fromkeys(form.changed_data),
            request=request,
        )
        messages.success(request, _("User %(name)s saved.") % {"name": user})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "target": user})


@login_required
@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    services.unlock_user(actor=request.user, user=user, request=request)
    messages.success(request, _("%(name)s can log in again.") % {"name": user})
    return redirect("accounts:user_list")


@login_required
@require_POST
def user_enable(request: AuthedRequest, pk: int) -> HttpResponse:
    """Let a disabled account (e.g. disabled after long inactivity) log in again."""
    user = _managed_user(request, pk)
    services.enable_user(actor=request.user, user=user, request=request)
    messages.success(request, _("%(name)s is enabled again.") % {"name": user})
    return redirect("accounts:user_list")
