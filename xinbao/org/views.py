"""The reporting network's pages: thin; writes go through org.services and org.importing."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.lib.http import pick_template
from xinbao.lib.readiness import missing_steps
from xinbao.org import services
from xinbao.org.access import (
    access_entry,
    access_person,
    access_unit,
    access_unit_class,
    require_org_manager,
    require_system_admin,
)
from xinbao.org.forms import (
    AssignForm,
    EndForm,
    ImportForm,
    OfficeForm,
    OfficeUserForm,
    PersonFilterForm,
    PersonForm,
    UnitClassForm,
    UnitFilterForm,
    UnitForm,
    add_service_errors,
)
from xinbao.org.importing import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    ImportKind,
    ImportPlan,
    ImportRefused,
    import_file,
    plan_file,
)
from xinbao.org.models import OfficeProfile, Person, Position, Unit, UnitClass
from xinbao.org.selectors import people_with_positions, posts, unit_tree

PAGE_SIZE = 50


def _filtered_units(form: UnitFilterForm) -> QuerySet[Unit]:
    qs = Unit.objects.all()
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(
                Q(code__icontains=d["q"])
                | Q(name__icontains=d["q"])
                | Q(short_name__icontains=d["q"])
            )
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["unit_class"]:
            qs = qs.filter(unit_class=d["unit_class"])
    return qs


@login_required
def unit_list(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    form = UnitFilterForm(request.GET or None)
    tree = unit_tree(_filtered_units(form))
    template = pick_template(request, "org/unit_list.html", "org/partials/_unit_tree.html")
    return render(request, template, {"tree": tree, "filter": form})


@login_required
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = access_unit(request.user, pk)
    history = list(unit.roster.select_related("person").order_by("-started_on", "position"))
    current = [e for e in history if e.is_current and e.started_on <= timezone.localdate()]
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "posts": posts(current),
            "history": history,
            "people": people_with_positions(unit.people.all()),
            "children": unit.children.order_by("code"),
            "linked_points": unit.linked_points.order_by("code"),
        },
    )


def _unit_form_page(request: AuthedRequest, form: UnitForm, unit: Unit | None) -> HttpResponse:
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@login_required
def unit_create(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(user=request.user, data=form.to_data(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _unit_form_page(request, form, None)
        messages.success(request, _("Unit created."))
        return redirect("org:unit_detail", pk=unit.pk)
    return _unit_form_page(request, form, None)


@login_required
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = access_unit(request.user, pk)
    form = UnitForm(request.POST or None, initial=UnitForm.initial_for(unit), unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(user=request.user, unit=unit, data=form.to_data(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _unit_form_page(request, form, unit)
        messages.success(request, _("Unit saved."))
        return redirect("org:unit_detail", pk=unit.pk)
    return _unit_form_page(request, form, unit)


def _filtered_people(form: PersonFilterForm) -> QuerySet[Person]:
    qs = Person.objects.order_by("unit__code", "name")
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(
                Q(name__icontains=d["q"])
                | Q(phone__icontains=d["q"])
                | Q(email__icontains=d["q"])
                | Q(office_phone__icontains=d["q"])
            )
        if d["unit"]:
            qs = qs.filter(unit=d["unit"])
        if d["position"]:
            today = timezone.localdate()
            qs = qs.filter(
                Q(roster__ended_on__isnull=True) | Q(roster__ended_on__gt=today),
                roster__position=d["position"],
                roster__started_on__lte=today,
            ).distinct()
    return qs


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    form = PersonFilterForm(request.GET or None)
    page = Paginator(people_with_positions(_filtered_people(form)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = pick_template(request, "org/person_list.html", "org/partials/_person_table.html")
    return render(request, template, {"page": page, "filter": form})


def _person_form_page(
    request: AuthedRequest, form: PersonForm, person: Person | None
) -> HttpResponse:
    history = person.roster.select_related("unit").order_by("-started_on") if person else []
    return render(
        request, "org/person_form.html", {"form": form, "person": person, "history": history}
    )


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit") else {}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(user=request.user, data=form.to_data(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _person_form_page(request, form, None)
        messages.success(request, _("Person added."))
        return redirect("org:unit_detail", pk=person.unit_id)
    return _person_form_page(request, form, None)


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                user=request.user, person=person, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _person_form_page(request, form, person)
        messages.success(request, _("Person saved."))
        return redirect("org:unit_detail", pk=person.unit_id)
    return _person_form_page(request, form, person)


@login_required
def roster_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = access_unit(request.user, pk)
    initial: dict[str, Any] = {}
    for name in ("person", "position"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = AssignForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.assign_position(
                user=request.user,
                person=d["person"],
                position=d["position"],
                started_on=d["started_on"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(position)s.")
                % {"name": d["person"].name, "position": Position(d["position"]).label},
            )
            return redirect("org:unit_detail", pk=unit.pk)
    return render(
        request,
        "org/roster_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Assign a position"),
            "submit": _("Assign"),
        },
    )


@login_required
def roster_end(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = access_entry(request.user, pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_entry(
                user=request.user,
                entry=entry,
                ended_on=form.cleaned_data["ended_on"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The entry has been ended."))
            return redirect("org:unit_detail", pk=entry.unit_id)
    return render(
        request,
        "org/roster_form.html",
        {
            "form": form,
            "unit": entry.unit,
            "entry": entry,
            "title": _("End a position"),
            "submit": _("End"),
        },
    )


# Import ------------------------------------------------------------------------------------

STASH_DIR = "org-imports"
STASH_KEY = "org_import"
STASH_MAX_AGE = dt.timedelta(days=1)


def _stash(request: AuthedRequest, kind: str, filename: str, content: bytes) -> str:
    """Keep a checked file until the user confirms, so they need not choose it again.

    The file sits in storage rather than in the session: the session is read on every request.
    """
    _drop_stale_stashes()
    _unstash(request)
    token = uuid.uuid4().hex
    path = default_storage.save(f"{STASH_DIR}/{token}.bin", ContentFile(content))
    request.session[STASH_KEY] = {"token": token, "path": path, "kind": kind, "filename": filename}
    return token


def _unstash(request: AuthedRequest) -> None:
    stash = request.session.pop(STASH_KEY, None)
    if stash and default_storage.exists(stash["path"]):
        default_storage.delete(stash["path"])


def _drop_stale_stashes() -> None:
    """Files of checks never confirmed; a day is far longer than a session lives."""
    try:
        _dirs, files = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - STASH_MAX_AGE
    for name in files:
        path = f"{STASH_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _import_page(request: AuthedRequest, form: ImportForm, **extra: Any) -> HttpResponse:
    columns = [(kind_label, COLUMNS[ImportKind(kind)]) for kind, kind_label in ImportKind.choices]
    return render(
        request,
        "org/import.html",
        {
            "form": form,
            "columns": columns,
            "max_mb": MAX_IMPORT_BYTES // (1024 * 1024),
            **extra,
        },
    )


def _done(request: AuthedRequest, plan: ImportPlan) -> HttpResponse:
    counts = plan.counts
    messages.success(
        request,
        _("Imported %(rows)d rows: %(new)d new, %(updated)d updated, %(same)d unchanged.")
        % {
            "rows": len(plan.rows),
            "new": counts["create"],
            "updated": counts["update"],
            "same": counts["unchanged"],
        },
    )
    return redirect("org:unit_list" if plan.kind == ImportKind.UNITS else "org:person_list")


@login_required
def import_view(request: AuthedRequest) -> HttpResponse:
    """Upload → check (every bad row listed, or a preview of what would change) → import.

    "Import" imports straight away when every row is good; "Check" shows the preview and
    keeps the file for the confirmation.
    """
    require_org_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _import_page(request, form)
    kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
    filename = PurePath(upload.name or "").name
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        form.add_error(
            "file",
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
        )
        return _import_page(request, form)
    content = upload.read()
    try:
        if request.POST.get("action") == "import":
            plan = import_file(
                user=request.user, kind=kind, content=content, filename=filename, request=request
            )
            return _done(request, plan)
        plan = plan_file(kind, content, filename)
    except ImportRefused as refused:
        return _import_page(request, form, errors=refused.errors, filename=filename)
    token = _stash(request, kind, filename, content)
    return _import_page(
        request, ImportForm(initial={"kind": kind}), plan=plan, token=token, filename=filename
    )


@login_required
@require_POST
def import_confirm(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    stash = request.session.get(STASH_KEY)
    if not stash or stash["token"] != request.POST.get("token"):
        messages.error(request, _("That check has expired: choose the file again."))
        return redirect("org:import")
    if request.POST.get("action") == "cancel":
        _unstash(request)
        messages.info(request, _("Nothing was imported."))
        return redirect("org:import")
    try:
        with default_storage.open(stash["path"], "rb") as fh:
            content = fh.read()
    except FileNotFoundError:
        request.session.pop(STASH_KEY, None)
        messages.error(request, _("That check has expired: choose the file again."))
        return redirect("org:import")
    try:
        plan = import_file(
            user=request.user,
            kind=stash["kind"],
            content=content,
            filename=stash["filename"],
            request=request,
        )
    except ImportRefused as refused:
        # The data changed since the check (someone else edited a unit): show why.
        _unstash(request)
        form = ImportForm(initial={"kind": stash["kind"]})
        return _import_page(request, form, errors=refused.errors, filename=stash["filename"])
    _unstash(request)
    return _done(request, plan)


# Unit classes ------------------------------------------------------------------------------


def _class_list_page(request: AuthedRequest, **extra: Any) -> HttpResponse:
    classes = UnitClass.objects.annotate(unit_count=Count("units")).order_by(
        "-is_active", "rank", "name"
    )
    return render(request, "org/class_list.html", {"classes": classes, **extra})


@login_required
def class_list(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    return _class_list_page(request)


def _class_form_page(
    request: AuthedRequest, form: UnitClassForm, unit_class: UnitClass | None
) -> HttpResponse:
    return render(request, "org/class_form.html", {"form": form, "unit_class": unit_class})


@login_required
def class_create(request: AuthedRequest) -> HttpResponse:
    require_org_manager(request.user)
    form = UnitClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_unit_class(user=request.user, data=form.to_data(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _class_form_page(request, form, None)
        messages.success(request, _("Class created."))
        return redirect("org:class_list")
    return _class_form_page(request, form, None)


@login_required
def class_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit_class = access_unit_class(request.user, pk)
    form = UnitClassForm(request.POST or None, initial=UnitClassForm.initial_for(unit_class))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit_class(
                user=request.user, unit_class=unit_class, data=form.to_data(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _class_form_page(request, form, unit_class)
        messages.success(request, _("Class saved."))
        return redirect("org:class_list")
    return _class_form_page(request, form, unit_class)


@login_required
@require_POST
def class_retire(request: AuthedRequest, pk: int) -> HttpResponse:
    """Retire the class, or bring it back with ``active=1``."""
    unit_class = access_unit_class(request.user, pk)
    active = request.POST.get("active") == "1"
    services.set_unit_class_active(
        user=request.user, unit_class=unit_class, active=active, request=request
    )
    if active:
        messages.success(request, _("The class is offered for new units again."))
    else:
        messages.success(request, _("Class retired: it is no longer offered for new units."))
    return redirect("org:class_list")


@login_required
@require_POST
def class_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    unit_class = access_unit_class(request.user, pk)
    try:
        services.delete_unit_class(user=request.user, unit_class=unit_class, request=request)
    except services.ClassInUse as refused:
        return _class_list_page(request, refused=refused)
    messages.success(request, _("Class deleted."))
    return redirect("org:class_list")


# The office and the first run ---------------------------------------------------------------


@login_required
def office(request: AuthedRequest) -> HttpResponse:
    require_system_admin(request.user)
    profile = OfficeProfile.objects.filter(pk=OfficeProfile.SINGLETON_PK).first()
    form = OfficeForm(request.POST or None, initial=OfficeForm.initial_for(profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_office(user=request.user, data=form.to_data(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Office profile saved."))
            return redirect("org:setup" if request.POST.get("next") == "setup" else "org:office")
    return render(request, "org/office_form.html", {"form": form, "profile": profile})


@login_required
def setup(request: AuthedRequest) -> HttpResponse:
    """The first-run page: the office, the first leaders, and what is still missing."""
    require_system_admin(request.user)
    profile = OfficeProfile.objects.filter(pk=OfficeProfile.SINGLETON_PK).first()
    office_form = OfficeForm(initial=OfficeForm.initial_for(profile))
    user_form = OfficeUserForm(request.POST or None)
    created: dict[str, Any] | None = None
    if request.method == "POST" and user_form.is_valid():
        try:
            user, password = services.create_office_user(
                actor=request.user, data=user_form.to_data(), request=request
            )
        except ValidationError as exc:
            add_service_errors(user_form, exc)
        else:
            # Shown once, on this response only: the password is stored hashed.
            created = {"user": user, "password": password}
            user_form = OfficeUserForm()
    return render(
        request,
        "org/setup.html",
        {
            "office_form": office_form,
            "user_form": user_form,
            "profile": profile,
            "created": created,
            "steps": missing_steps(),
            "classes": UnitClass.objects.filter(is_active=True),
        },
    )
