"""Periodicals, their numbered issues, sign-off, instructions and the reading room."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    IRREGULAR = "irregular", _("As needed")


class SignerRule(models.TextChoices):
    BY_URGENCY = "by_urgency", _("By the most urgent item (routing table)")
    LEADER_IN_CHARGE = "leader_in_charge", _("Always the leader in charge of information")
    PRINCIPAL_LEADER = "principal_leader", _("Always the principal leader")


class Periodical(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    masthead = models.CharField(
        _("masthead"),
        max_length=50,
        blank=True,
        help_text=_("Printed in red at the top of every issue; the name when left empty."),
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    issuing_office = models.CharField(_("issuing office"), max_length=100)
    signer_rule = models.CharField(
        _("who signs"), max_length=20, choices=SignerRule.choices, default=SignerRule.BY_URGENCY
    )
    section_check = models.BooleanField(_("section chief checks before signature"), default=True)
    countersign = models.BooleanField(
        _("countersignature after a direct-route signature"), default=False
    )
    duty_officer_may_issue = models.BooleanField(
        _("the duty officer may compile and send an issue on the direct route at night"),
        default=False,
    )
    copies = models.PositiveSmallIntegerField(_("copies printed"), default=30)
    distribution = models.TextField(
        _("distribution list"),
        blank=True,
        help_text=_("One line per group, e.g. “报：市委各常委” or “送：各县（市、区）委办公室”."),
    )
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("readers in the reading room"),
        blank=True,
        related_name="periodicals_read",
    )
    is_active = models.BooleanField(_("active"), default=True)
    #: Where numbering starts for an office that moves to Xinbao mid-year: the first issue made
    #: here in ``start_year`` is numbered at least ``start_number``, and any first issue here at
    #: least ``start_total_number`` overall (see ``services.create_issue``).
    start_year = models.PositiveSmallIntegerField(
        _("year the starting numbers apply to"), null=True, blank=True
    )
    start_number = models.PositiveIntegerField(_("first number in that year"), default=1)
    start_total_number = models.PositiveIntegerField(_("first overall number"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodical")
        verbose_name_plural = _("periodicals")

    def __str__(self) -> str:
        return self.name

    @property
    def masthead_text(self) -> str:
        """What the masthead prints: the masthead text, or the name when there is none."""
        return self.masthead or self.name


class DistributionGroup(models.TextChoices):
    """The groups of a distribution footer (版记), in the order they are printed."""

    REPORT = "report", _("Report to (报)")
    SEND = "send", _("Send to (送)")
    ISSUE = "issue", _("Issue to (发)")
    COPY = "copy", _("Copy to (抄送)")


#: The label each group prints with in the footer, whatever the reader's language.
DISTRIBUTION_LABELS: dict[str, str] = {
    DistributionGroup.REPORT: "报",
    DistributionGroup.SEND: "送",
    DistributionGroup.ISSUE: "发",
    DistributionGroup.COPY: "抄送",
}


class DistributionEntry(models.Model):
    """One recipient of a periodical: printed in the footer, and a reader when it has a login."""

    periodical = models.ForeignKey(
        Periodical, on_delete=models.CASCADE, related_name="distribution_entries"
    )
    group = models.CharField(_("group"), max_length=8, choices=DistributionGroup.choices)
    label = models.CharField(_("recipient"), max_length=100)
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["periodical", "position", "pk"]
        verbose_name = _("distribution entry")
        verbose_name_plural = _("distribution entries")

    def __str__(self) -> str:
        return f"{DISTRIBUTION_LABELS.get(self.group, self.group)}：{self.label}"


class SignRoute(models.Model):
    """Sign-off routing as data: who signs an issue whose most urgent item has this urgency."""

    urgency = models.CharField(_("urgency"), max_length=20, unique=True)
    signer_role = models.CharField(_("signer"), max_length=32)

    class Meta:
        verbose_name = _("sign-off route")
        verbose_name_plural = _("sign-off routes")

    def __str__(self) -> str:
        return f"{self.urgency} → {self.signer_role}"


class IssueState(models.TextChoices):
    COMPILING = "compiling", _("Compiling")
    SECTION_CHECK = "section_check", _("Section check")
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    SIGNED = "signed", _("Signed")
    DISTRIBUTED = "distributed", _("Distributed")
    ARCHIVED = "archived", _("Archived")


class Issue(models.Model):
    periodical = models.ForeignKey(Periodical, on_delete=models.PROTECT, related_name="issues")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number in the year"))
    total_number = models.PositiveIntegerField(_("overall number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=24, choices=IssueState.choices, default=IssueState.COMPILING
    )
    signer_role = models.CharField(_("signer"), max_length=32, blank=True)
    direct_route = models.BooleanField(_("direct route"), default=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    frozen = models.JSONField(_("signed content"), default=dict, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    #: Compiled by the duty officer (a periodical with ``duty_officer_may_issue``), without
    #: an editor; the section is told and sees the issue marked the next morning.
    night_duty = models.BooleanField(_("issued at night by the duty officer"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        indexes = [
            # The queues (section check, signature: a state's issues, oldest first), the
            # reading room (newest distributed first, a page walked in this order), the night's
            # issues (created lately) and the countersignature queue: none reads every issue.
            models.Index(fields=["state", "created_at", "id"], name="issue_state_order"),
            models.Index(fields=["-distributed_at", "-id"], name="issue_reading_order"),
            models.Index(fields=["-created_at"], name="issue_created"),
            models.Index(
                fields=["signed_at"],
                condition=Q(direct_route=True, countersigned_at__isnull=True),
                name="issue_countersign",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["periodical", "year", "number"], name="issue_number_per_year"
            ),
            models.UniqueConstraint(
                fields=["periodical", "total_number"], name="issue_total_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.periodical} {self.year}年第{self.number}期"


class IssueItem(models.Model):
    """An adopted item placed in an issue, in order, with the editor's note (按语)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("items.Item", on_delete=models.PROTECT, related_name="issue_entries")
    position = models.PositiveSmallIntegerField(_("order"))
    editor_note = models.TextField(_("editor's note"), blank=True)

    class Meta:
        ordering = ["issue", "position"]
        verbose_name = _("issue item")
        verbose_name_plural = _("issue items")
        constraints = [
            models.UniqueConstraint(fields=["issue", "item"], name="item_once_per_issue")
        ]

    def __str__(self) -> str:
        return f"{self.issue} #{self.position}"


class IssuePicture(models.Model):
    """A picture of an entry's item chosen to print in the issue, with its caption (图注).

    Chosen while compiling; the signature freezes the choice with the picture's SHA-256.
    """

    entry = models.ForeignKey(IssueItem, on_delete=models.CASCADE, related_name="pictures")
    # A picture printed in an issue stays: the signed content names it.
    attachment = models.ForeignKey(
        "items.Attachment", verbose_name=_("picture"), on_delete=models.PROTECT, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["entry", "position", "pk"]
        verbose_name = _("picture in an issue")
        verbose_name_plural = _("pictures in issues")
        constraints = [
            models.UniqueConstraint(fields=["entry", "attachment"], name="picture_once_per_entry")
        ]

    def __str__(self) -> str:
        return self.caption


class SignOffAction(models.TextChoices):
    SUBMIT = "submit", _("Sent for signature")
    CHECK = "check", _("Section check passed")
    SIGN = "sign", _("Signed")
    RETURN = "return", _("Returned")
    COUNTERSIGN = "countersign", _("Countersigned")
    DISTRIBUTE = "distribute", _("Distributed")
    ARCHIVE = "archive", _("Archived")


class SignOff(models.Model):
    """One step of an issue's approval, by whom, with what comment."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="signoffs")
    action = models.CharField(_("action"), max_length=16, choices=SignOffAction.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issue", "at", "id"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")

    def __str__(self) -> str:
        return f"{self.issue} {self.action}"


class InstructionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting feedback")
    CLOSED = "closed", _("Closed")


class Instruction(models.Model):
    """A leader's instruction (批示) on an item, an issue or an incident; tracked to feedback.

    Written by the leader, or given by phone and recorded by the duty officer or an editor
    (``by_phone``: who recorded it, when the leader spoke, and that it was read back).
    """

    item = models.ForeignKey(
        "items.Item", on_delete=models.CASCADE, null=True, blank=True, related_name="instructions"
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, null=True, blank=True, related_name="instructions"
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instructions",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="instructions_given",
    )
    text = models.TextField(_("instruction"))
    by_phone = models.BooleanField(_("given by phone"), default=False)
    spoken_at = models.DateTimeField(_("said on the phone at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    read_back = models.BooleanField(_("read back to the leader"), default=False)
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("units concerned"), blank=True, related_name="instructions"
    )
    feedback_due = models.DateField(_("feedback due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InstructionStatus.choices,
        default=InstructionStatus.OPEN,
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: Set once by the scanner when the deadline passes without every unit's feedback; the
    #: conditional UPDATE on it is the claim, so the overdue notice goes out exactly once.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        indexes = [
            models.Index(fields=["status", "feedback_due"], name="instruction_due"),
            # The ledger's keyset pages, newest first: all of them, or open / closed ones.
            models.Index(fields=["-created_at", "-id"], name="instruction_list_order"),
            models.Index(fields=["status", "-created_at", "-id"], name="instruction_state_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False)
                | models.Q(issue__isnull=False)
                | models.Q(incident__isnull=False),
                name="instruction_on_something",
            ),
            # A phone instruction is on record only once it was read back to the leader.
            models.CheckConstraint(
                condition=models.Q(by_phone=False) | models.Q(read_back=True),
                name="phone_instruction_read_back",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class InstructionFeedback(models.Model):
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="feedback")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("feedback"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["instruction", "at"]
        verbose_name = _("instruction feedback")
        verbose_name_plural = _("instruction feedback")

    def __str__(self) -> str:
        return f"{self.instruction_id} {self.unit_id}"


class ReadReceipt(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["issue", "user"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.user_id}"
