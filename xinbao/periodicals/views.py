"""Periodical, issue, sign-off, instruction and reading-room pages: thin; every write goes
through periodicals.services, every fetch through periodicals.access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinbao.accounts.http import AuthedRequest
from xinbao.documents.views import offer
from xinbao.items.access import visible_items
from xinbao.items.attachments import download_name
from xinbao.items.models import Attachment, AttachmentKind
from xinbao.lib import panels
from xinbao.lib.http import document_download, pick_template
from xinbao.lib.officedoc import ClassifiedMarkingError
from xinbao.lib.pagination import bounded_count, keyset_page
from xinbao.periodicals import outputs, rendered, selectors, services
from xinbao.periodicals.access import (
    READING_STATES,
    access_entry,
    access_instruction,
    access_issue,
    access_periodical,
    access_reading,
    access_signer_issue,
    access_staff_issue,
    can_compile,
    can_see_ledger,
    is_issue_staff,
    is_signer,
    reading_issues,
    visible_periodicals,
)
from xinbao.periodicals.forms import (
    AddItemsForm,
    CommentForm,
    FeedbackForm,
    InstructionForm,
    IssueCreateForm,
    NoteForm,
    PositionForm,
    ReturnForm,
    ReviseForm,
)
from xinbao.periodicals.instructing import reading_panel
from xinbao.periodicals.models import (
    Instruction,
    Issue,
    IssueItem,
    IssuePicture,
    IssueState,
    ReadReceipt,
    SignOffAction,
)
from xinbao.periodicals.routing import (
    DIRECT_ROUTE_ROLES,
    direct_route_open,
    may_sign,
    required_signer,
    signer_label,
)

#: What a refused service call raises; the message is shown to the user.
REFUSALS = (services.IssueError, PermissionDenied)


def _refused(request: AuthedRequest, exc: Exception) -> None:
    messages.error(request, str(exc) or _("That is not allowed."))


# --- periodicals and issues (the information section) ----------------------------------------


@login_required
def periodical_list(request: AuthedRequest) -> HttpResponse:
    if not is_issue_staff(request.user):
        raise PermissionDenied(_("Periodicals are compiled by the information section."))
    periodicals = visible_periodicals(request.user).filter(is_active=True)
    recent = {p.pk: list(p.issues.order_by("-year", "-number")[:5]) for p in periodicals}
    return render(
        request,
        "periodicals/periodical_list.html",
        {
            "rows": [(p, recent[p.pk]) for p in periodicals],
            "check_queue": selectors.section_check_queue(),
            "night_issues": services.night_issues(),
            "countersign_queue": selectors.countersign_queue(),
            "can_compile": can_compile(request.user),
        },
    )


@login_required
def periodical_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = access_periodical(request.user, pk)
    issues = periodical.issues.order_by("-year", "-number")[:50]
    return render(
        request,
        "periodicals/periodical_detail.html",
        {
            "periodical": periodical,
            "issues": issues,
            "form": IssueCreateForm(),
            "can_compile": services.may_compile(request.user, periodical),
            # "500+" past 500: the count reads at most 501 rows.
            "candidates": bounded_count(services.compilable_items(request.user, periodical)),
        },
    )


@login_required
@require_POST
def issue_create(request: AuthedRequest, pk: int) -> HttpResponse:
    periodical = access_periodical(request.user, pk)
    form = IssueCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The title is too long."))
        return redirect("periodicals:periodical", pk=periodical.pk)
    try:
        issue = services.create_issue(
            user=request.user,
            periodical=periodical,
            title=form.cleaned_data["title"],
            request=request,
        )
    except REFUSALS as exc:
        _refused(request, exc)
        return redirect("periodicals:periodical", pk=periodical.pk)
    messages.success(request, _("%(issue)s created.") % {"issue": issue})
    return redirect("periodicals:issue", pk=issue.pk)


def _issue_context(
    request: AuthedRequest,
    issue: Issue,
    kept: dict[int, list[selectors.PictureChoice]] | None = None,
) -> dict[str, Any]:
    signed = bool(issue.content_hash)
    current = selectors.entries(issue)
    for row in current:
        # A refused choice of pictures shows again as the editor left it.
        row.choices = (kept or {}).get(row.entry.pk, row.choices)
    return {
        "issue": issue,
        "periodical": issue.periodical,
        "signed": signed,
        "entries": [] if signed else current,
        "frozen_entries": selectors.frozen_entries(issue) if signed else [],
        "revised": [e for e in current if e.revisions],
        "intact": services.frozen_intact(issue) if signed else None,
        "moves": services.allowed_moves(request.user, issue),
        "compiling": issue.state == IssueState.COMPILING,
        "can_compile": services.may_compile(request.user, issue.periodical),
        "phone_instruction": request.user.role in services.PHONE_RECORDER_ROLES,
        "can_direct": issue.state == IssueState.COMPILING
        and request.user.role in DIRECT_ROUTE_ROLES
        and direct_route_open(issue),
        "countersign": services.countersign_state(issue),
        "signer": signer_label(issue.signer_role or required_signer(issue)),
        "signoffs": issue.signoffs.select_related("user"),
        "readers": selectors.readers(issue) if issue.state in READING_STATES else None,
        "note_form": NoteForm(),
        "return_form": ReturnForm(),
        "A": SignOffAction,
    }


@login_required
def issue_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    return render(request, "periodicals/issue_detail.html", _issue_context(request, issue))


def _entries_or_back(request: AuthedRequest, issue: Issue) -> HttpResponse:
    """The entries partial for htmx, the issue page otherwise."""
    if pick_template(request, "full", "partial") == "partial":
        issue.refresh_from_db()
        return render(request, "periodicals/partials/_entries.html", _issue_context(request, issue))
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
def issue_add_items(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    if not services.may_compile(request.user, issue.periodical):
        raise PermissionDenied(_("Only editors and section chiefs compile issues."))
    candidates = services.compilable_items(request.user, issue.periodical).order_by(
        "-received_at", "-pk"
    )
    form = AddItemsForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_items(
                user=request.user,
                issue=issue,
                items=form.cleaned_data["items"],
                request=request,
            )
        except REFUSALS as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Items added."))
        return redirect("periodicals:issue", pk=issue.pk)
    return render(
        request,
        "periodicals/issue_add_items.html",
        {"issue": issue, "form": form, "candidates": candidates},
    )


@login_required
@require_POST
def issue_title(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    form = IssueCreateForm(request.POST)
    if form.is_valid():
        try:
            services.set_title(
                user=request.user, issue=issue, title=form.cleaned_data["title"], request=request
            )
        except REFUSALS as exc:
            _refused(request, exc)
    return redirect("periodicals:issue", pk=issue.pk)


def _entry(request: AuthedRequest, pk: int, entry: int) -> tuple[Issue, IssueItem]:
    issue = access_staff_issue(request.user, pk)
    return issue, access_entry(issue, entry)


@login_required
@require_POST
def entry_move(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    issue, row = _entry(request, pk, entry)
    form = PositionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.non_field_errors()) or _("Say where it goes.")
        )
        return _entries_or_back(request, issue)
    try:
        if form.cleaned_data.get("position"):
            services.set_position(
                user=request.user,
                entry=row,
                position=form.cleaned_data["position"],
                request=request,
            )
        else:
            services.move_entry(
                user=request.user,
                entry=row,
                direction=form.cleaned_data["direction"],
                request=request,
            )
    except REFUSALS as exc:
        _refused(request, exc)
    return _entries_or_back(request, issue)


@login_required
@require_POST
def entry_note(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    issue, row = _entry(request, pk, entry)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.set_note(
                user=request.user, entry=row, note=form.cleaned_data["note"], request=request
            )
        except REFUSALS as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Editor's note saved."))
    return _entries_or_back(request, issue)


@login_required
@require_POST
def entry_remove(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    issue, row = _entry(request, pk, entry)
    try:
        services.remove_entry(user=request.user, entry=row, request=request)
    except REFUSALS as exc:
        _refused(request, exc)
    return _entries_or_back(request, issue)


@login_required
@require_POST
def entry_pictures(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    """The editor's choice of the item's pictures for the issue, with a caption each."""
    issue, row = _entry(request, pk, entry)
    offered = list(row.item.attachments.filter(kind=AttachmentKind.PICTURE).order_by("pk"))
    wanted = set(request.POST.getlist("picture"))
    choice = [(a, request.POST.get(f"caption-{a.pk}", "")) for a in offered if str(a.pk) in wanted]
    try:
        services.set_pictures(user=request.user, entry=row, pictures=choice, request=request)
    except REFUSALS as exc:
        _refused(request, exc)
        kept = [
            selectors.PictureChoice(
                a, str(a.pk) in wanted, request.POST.get(f"caption-{a.pk}", "")[:300]
            )
            for a in offered
        ]
        context = _issue_context(request, issue, kept={row.pk: kept})
        return render(request, "periodicals/issue_detail.html", context, status=400)
    messages.success(request, _("Pictures for the issue saved."))
    return redirect(f"{reverse('periodicals:issue', args=[issue.pk])}#entry-{row.pk}")


@login_required
def issue_picture(request: AuthedRequest, pk: int, att: int) -> FileResponse:
    """A picture chosen for the issue, for whoever may see the issue (a reader of another
    unit's item included): once signed, only the pictures its signed content names."""
    issue = access_issue(request.user, pk)
    if issue.content_hash:
        names = {
            int(p["attachment"]): p.get("sha256")
            for item in issue.frozen.get("items", [])
            for p in item.get("pictures", [])
        }
        attachment = Attachment.objects.filter(pk=att, sha256=names.get(att, "")).first()
    else:
        attachment = Attachment.objects.filter(
            pk=att, pk__in=IssuePicture.objects.filter(entry__issue=issue).values("attachment")
        ).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _act(
    request: AuthedRequest,
    issue: Issue,
    action: Callable[..., Issue],
    done: str,
    **kwargs: Any,
) -> bool:
    try:
        action(user=request.user, issue=issue, request=request, **kwargs)
    except REFUSALS as exc:
        _refused(request, exc)
        return False
    messages.success(request, done)
    return True


def _comment(request: AuthedRequest) -> str:
    form = CommentForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else ""


@login_required
@require_POST
def issue_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    _act(request, issue, services.submit, _("Sent on."), comment=_comment(request))
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
@require_POST
def issue_direct(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    _act(
        request,
        issue,
        services.send_direct,
        _("Sent by the direct route to the principal leader."),
        comment=_comment(request),
    )
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
@require_POST
def issue_check(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    _act(request, issue, services.check, _("Checked; sent for signature."))
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
@require_POST
def issue_return(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the issue goes back: the editor needs the comment."))
    else:
        _act(
            request,
            issue,
            services.return_issue,
            _("Returned to the editor."),
            comment=form.cleaned_data["comment"],
        )
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
@require_POST
def issue_countersign(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    _act(request, issue, services.countersign, _("Countersigned."), comment=_comment(request))
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
@require_POST
def issue_distribute(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    _act(request, issue, services.distribute, _("Distributed; the readers have been told."))
    return redirect("periodicals:issue", pk=issue.pk)


@login_required
@require_POST
def issue_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_staff_issue(request.user, pk)
    _act(request, issue, services.archive, _("Archived."))
    return redirect("periodicals:issue", pk=issue.pk)


# --- outputs -----------------------------------------------------------------------------------


def _output(request: AuthedRequest, pk: int, kind: str) -> HttpResponseBase:
    issue = access_issue(request.user, pk)
    try:
        if kind == "html":
            response = HttpResponse(outputs.preview_html(issue))
            # The preview is a document, not a page of ours: it may run nothing, load nothing.
            response["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            )
            return response
        if rendered.is_frozen(issue):
            # Signed: the worker rendered it (or is rendering it); served from the cache.
            return offer(
                request,
                kind=services.ISSUE_DOCUMENT,
                subject=issue,
                fmt=kind,
                filename=outputs.file_name(issue, kind),
            )
        data = outputs.docx_bytes(issue) if kind == "docx" else outputs.pdf_bytes(issue)
    except ClassifiedMarkingError:
        messages.error(request, _("The issue carries a classified marking and is not printed."))
        return redirect("home")
    return document_download(data, outputs.file_name(issue, kind), kind)


@login_required
def issue_preview(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _output(request, pk, "html")


@login_required
def issue_docx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _output(request, pk, "docx")


@login_required
def issue_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _output(request, pk, "pdf")


# --- leaders' phone pages --------------------------------------------------------------------


@login_required
def sign_queue(request: AuthedRequest) -> HttpResponse:
    if not is_signer(request.user):
        raise PermissionDenied(_("Issues are signed by the office's leaders."))
    return render(
        request,
        "periodicals/sign_queue.html",
        {
            "queue": selectors.sign_queue(request.user),
            "instructions": selectors.leader_open_instructions(request.user)[:20],
        },
    )


@login_required
def sign_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_signer_issue(request.user, pk)
    signed = bool(issue.content_hash)
    return render(
        request,
        "periodicals/sign_issue.html",
        {
            "issue": issue,
            "signed": signed,
            "entries": [] if signed else selectors.entries(issue),
            "frozen_entries": _with_entry_ids(issue) if signed else [],
            "can_sign": issue.state == IssueState.AWAITING_SIGNATURE
            and may_sign(request.user, issue),
            "signer": signer_label(issue.signer_role or required_signer(issue)),
            "countersign": services.countersign_state(issue),
            "instructions": Instruction.objects.filter(
                Q(issue=issue) | Q(item__in=issue.entries.values("item"))
            ).select_related("leader", "item"),
        },
    )


def _with_entry_ids(issue: Issue) -> list[dict[str, object]]:
    """The signed items, each with the id of its place in the issue (to write instructions)."""
    ids: dict[object, int] = dict(issue.entries.values_list("item_id", "pk"))
    return [{**e, "entry_pk": ids.get(e.get("item"))} for e in selectors.frozen_entries(issue)]


@login_required
def sign_revise(request: AuthedRequest, pk: int, entry: int) -> HttpResponse:
    issue = access_signer_issue(request.user, pk)
    row = access_entry(issue, entry)
    title, body = services.current_text(row.item)
    form = ReviseForm(request.POST or None, initial={"title": title, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            services.revise_item(
                user=request.user,
                issue=issue,
                entry=row,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                request=request,
            )
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Revision saved; the editor sees it marked."))
            return redirect("periodicals:sign_issue", pk=issue.pk)
    return render(
        request, "periodicals/sign_revise.html", {"issue": issue, "entry": row, "form": form}
    )


@login_required
@require_POST
def sign_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_signer_issue(request.user, pk)
    # Back to the issue either way: after signing, a leader often adds an instruction (批示).
    _act(request, issue, services.sign, _("Signed."), comment=_comment(request))
    return redirect("periodicals:sign_issue", pk=issue.pk)


@login_required
def sign_return(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_signer_issue(request.user, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_issue(
                user=request.user,
                issue=issue,
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Returned to the editor."))
            return redirect("periodicals:sign_queue")
    return render(request, "periodicals/sign_return.html", {"issue": issue, "form": form})


@login_required
def sign_instruct(request: AuthedRequest, pk: int) -> HttpResponse:
    """An instruction on the issue, or with ``?entry=`` on one of its items."""
    issue = access_signer_issue(request.user, pk)
    raw = request.POST.get("entry") or request.GET.get("entry") or ""
    row = access_entry(issue, int(raw)) if raw.isdigit() else None
    item = visible_items(request.user).get(pk=row.item_id) if row is not None else None
    defaults = services.default_units(item=item, issue=None if item else issue)
    form = InstructionForm(request.POST or None, initial={"units": defaults})
    if request.method == "POST" and form.is_valid():
        try:
            services.give_instruction(
                user=request.user,
                text=form.cleaned_data["text"],
                item=item,
                issue=None if item else issue,
                units=form.cleaned_data["units"] or None,
                feedback_due=form.cleaned_data["feedback_due"],
                request=request,
            )
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Instruction given and forwarded to the units today."))
            return redirect("periodicals:sign_issue", pk=issue.pk)
    return render(
        request,
        "periodicals/sign_instruct.html",
        {"issue": issue, "entry": row, "form": form, "defaults": defaults},
    )


# --- instructions ----------------------------------------------------------------------------


@login_required
def instruction_list(request: AuthedRequest) -> HttpResponse:
    if not can_see_ledger(request.user):
        raise PermissionDenied(_("The instruction ledger is the office's."))
    state = request.GET.get("state", "open")
    # Keyset pages, newest first (index instruction_list_order / instruction_state_order).
    page = keyset_page(
        request, selectors.ledger(request.user, state=state), ("-created_at", "-id"), per_page=50
    )
    return render(
        request,
        "periodicals/instruction_list.html",
        {"page": page, "state": state, "today": timezone.localdate()},
    )


@login_required
def instruction_answer_list(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_reporter:
        raise PermissionDenied(_("Instructions are answered by the units' reporters."))
    return render(
        request,
        "periodicals/instruction_answer_list.html",
        {"rows": selectors.to_answer(request.user), "today": timezone.localdate()},
    )


def _instruction_page(
    request: AuthedRequest, instruction: Instruction, form: FeedbackForm | None = None
) -> HttpResponse:
    user = request.user
    concerned = (
        user.is_reporter
        and user.unit_id is not None
        and instruction.units.filter(pk=user.unit_id).exists()
    )
    feedback = instruction.feedback.select_related("unit", "by")
    if user.is_reporter:
        # A unit sees its own feedback, not what other units reported.
        feedback = feedback.filter(unit=user.unit_id)
    return render(
        request,
        "periodicals/instruction_detail.html",
        {
            "instruction": instruction,
            "units": instruction.units.order_by("code"),
            "feedback": feedback,
            "missing": selectors.missing_units(instruction) if not user.is_reporter else [],
            "overdue": selectors.is_overdue(instruction),
            "form": form or (FeedbackForm() if concerned else None),
            "can_close": can_compile(user) and instruction.status == "open",
        },
    )


@login_required
def instruction_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _instruction_page(request, access_instruction(request.user, pk))


@login_required
@require_POST
def instruction_feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    instruction = access_instruction(request.user, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _instruction_page(request, instruction, form)
    try:
        services.answer_instruction(
            user=request.user,
            instruction=instruction,
            text=form.cleaned_data["text"],
            request=request,
        )
    except REFUSALS as exc:
        form.add_error(None, str(exc))
        return _instruction_page(request, instruction, form)
    messages.success(request, _("Feedback sent to the office."))
    return redirect("periodicals:instruction", pk=instruction.pk)


@login_required
@require_POST
def instruction_close(request: AuthedRequest, pk: int) -> HttpResponse:
    instruction = access_instruction(request.user, pk)
    try:
        services.close_instruction(user=request.user, instruction=instruction, request=request)
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Instruction closed."))
    return redirect("periodicals:instruction", pk=instruction.pk)


# --- reading room ----------------------------------------------------------------------------


@login_required
def reading_list(request: AuthedRequest) -> HttpResponse:
    # Keyset pages, newest first (index issue_reading_order); the reader's receipts of the
    # issues on the page only, not all they ever read.
    page = keyset_page(
        request,
        reading_issues(request.user).select_related("periodical"),
        ("-distributed_at", "-id"),
        per_page=50,
    )
    shown = [issue.pk for issue in page]
    read = set(
        ReadReceipt.objects.filter(user=request.user, issue_id__in=shown).values_list(
            "issue_id", flat=True
        )
    )
    return render(request, "periodicals/reading_list.html", {"page": page, "read": read})


@login_required
def reading_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = access_reading(request.user, pk)
    if not issue.content_hash:
        raise Http404
    receipt, _created = services.record_read(user=request.user, issue=issue, request=request)
    return render(
        request,
        "periodicals/reading_issue.html",
        {
            "issue": issue,
            "entries": selectors.frozen_entries(issue),
            "receipt": receipt,
            # What apps above periodicals show on an issue a reader opened (kind "issue").
            "panels": panels.rendered("issue", request.user, issue, request),
            **reading_panel(request, issue),
        },
    )
