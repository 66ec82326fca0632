"""Claims and everything that happens to them.

The claim state graph lives here (django-fsm); the transitions only change fields on the claim. Locking,
the audit trail, notices and tasks belong to `takedowns.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .roles import Actor


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TAKEN_DOWN = "taken_down", _("Taken down")
    COUNTER_NOTICED = "counter_noticed", _("Counter-noticed")
    REINSTATED = "reinstated", _("Reinstated")


S = ClaimState
# Waiting for a reviewer or for the brand: the review queue.
OPEN = (S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED)
# A brand may not file a second claim on a listing while one of these stands.
ACTIVE = (S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.APPROVED, S.TAKEN_DOWN, S.COUNTER_NOTICED)
# A reviewer (or fast track) has decided; the take-down rate is computed over these.
DECIDED = (S.APPROVED, S.REJECTED, S.TAKEN_DOWN, S.COUNTER_NOTICED, S.REINSTATED)
WITHDRAWABLE = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED)
CLOSED = (S.REJECTED, S.WITHDRAWN, S.REINSTATED)
# What a merchant may see: claims enforced against it. A pending claim is never shown, so a counterfeiter
# is not warned before the decision.
SHOWN_TO_MERCHANT = (S.TAKEN_DOWN, S.COUNTER_NOTICED, S.REINSTATED)


class InfringementType(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")
    DESIGN = "design", _("Design")
    PATENT = "patent", _("Patent")


class RejectReason(models.TextChoices):
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Insufficient evidence")
    NO_RIGHTS = "no_rights", _("No rights")
    NOT_INFRINGING = "not_infringing", _("Not infringing")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")
    NO_RESPONSE = "no_response", _("No response to information request")


# Rejections that count as "unfounded" for misuse flagging (DSA Art. 23(2)).
UNFOUNDED_REASONS = (RejectReason.NO_RIGHTS, RejectReason.NOT_INFRINGING)


class CounterReason(models.TextChoices):
    OWNER = "owner", _("I own the rights")
    AUTHORIZED = "authorized", _("I am authorised by the rights owner")
    NO_RIGHT = "no_right", _("The claimant has no such right")
    NOT_INFRINGING = "not_infringing", _("The listing does not infringe")
    OTHER = "other", _("Other")


class Priority(models.IntegerChoices):
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")


# --- who may take each transition (checked before the state: 403 before 409) -------------------------------
def _brand_filer(claim: Claim, actor: Actor) -> bool:
    return claim.brand_id in actor.filing_brand_ids


def _reviewer(claim: Claim, actor: Actor) -> bool:
    return actor.reviewer


def _system(claim: Claim, actor: Actor) -> bool:
    return actor.is_system


def _reviewer_or_system(claim: Claim, actor: Actor) -> bool:
    return actor.reviewer or actor.is_system


def _listing_merchant(claim: Claim, actor: Actor) -> bool:
    return claim.listing.merchant_id in actor.merchant_ids


TRANSITION_PERMISSIONS = {
    "submit": _brand_filer,
    "start_review": _reviewer,
    "request_info": _reviewer,
    "provide_info": _brand_filer,
    "expire": _system,
    "approve": _reviewer,
    "fast_track": _system,
    "reject": _reviewer,
    "withdraw": _brand_filer,
    "enforce": _system,
    "counter_notice": _listing_merchant,
    "uphold": _reviewer,
    "reinstate": _reviewer_or_system,
    "retract": _brand_filer,
}
TRANSITION_NAMES = tuple(TRANSITION_PERMISSIONS)


def next_reference_year() -> int:
    return timezone.now().year


class Claim(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="claims")
    ip_right = models.ForeignKey("brands.IPRight", on_delete=models.PROTECT, related_name="claims")
    listing = models.ForeignKey("merchants.Listing", on_delete=models.PROTECT, related_name="claims")
    batch = models.ForeignKey(
        "ClaimBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    infringement_type = models.CharField(max_length=20, choices=InfringementType.choices)
    description = models.TextField(blank=True)
    good_faith = models.BooleanField(default=False)
    accurate = models.BooleanField(default=False)
    signature = models.CharField(max_length=200, blank=True)

    state = FSMField(default=ClaimState.DRAFT, choices=ClaimState.choices, protected=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="decided_claims"
    )
    fast_tracked = models.BooleanField(default=False)
    decision_reason = models.CharField(max_length=30, choices=RejectReason.choices, blank=True)
    decision_note = models.TextField(blank=True)
    info_request = models.TextField(blank=True)
    info_due_at = models.DateTimeField(null=True, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    reinstated_at = models.DateTimeField(null=True, blank=True)
    retracted = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="filed_claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # SPEC §4: no other open claim of this brand on this listing. The database is the final word
            # when two filings race.
            models.UniqueConstraint(
                fields=["brand", "listing"], condition=Q(state__in=ACTIVE), name="one_active_claim_per_listing"
            ),
        ]
        indexes = [
            # The reviewer queue: open claims by priority, then due time.
            models.Index(fields=["state", "-priority", "due_at"], name="claim_queue_idx"),
            # Reports by decision date.
            models.Index(fields=["decided_at"], name="claim_decided_idx"),
            models.Index(fields=["brand", "state"], name="claim_brand_state_idx"),
            models.Index(fields=["submitted_at"], name="claim_submitted_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"claim #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN and bool(self.due_at and self.due_at < timezone.now())

    # --- the state graph ---------------------------------------------------------------------------------
    @transition(state, source=S.DRAFT, target=S.SUBMITTED, permission=_brand_filer)
    def submit(self, *, at, priority: int, due_at) -> None:
        self.submitted_at = at
        self.priority = priority
        self.due_at = due_at

    @transition(state, source=S.SUBMITTED, target=S.IN_REVIEW, permission=_reviewer)
    def start_review(self, *, reviewer) -> None:
        self.assignee = reviewer

    @transition(state, source=S.IN_REVIEW, target=S.INFO_REQUESTED, permission=_reviewer)
    def request_info(self, *, message: str, due_at) -> None:
        self.info_request = message
        self.info_due_at = due_at

    @transition(state, source=S.INFO_REQUESTED, target=S.SUBMITTED, permission=_brand_filer)
    def provide_info(self) -> None:
        self.info_due_at = None

    @transition(state, source=S.INFO_REQUESTED, target=S.REJECTED, permission=_system)
    def expire(self, *, at) -> None:
        self.decided_at = at
        self.decision_reason = RejectReason.NO_RESPONSE

    @transition(state, source=S.IN_REVIEW, target=S.APPROVED, permission=_reviewer)
    def approve(self, *, at, reviewer, note: str = "") -> None:
        self.decided_at = at
        self.decided_by = reviewer
        self.decision_note = note

    @transition(state, source=S.SUBMITTED, target=S.APPROVED, permission=_system)
    def fast_track(self, *, at) -> None:
        self.decided_at = at
        self.fast_tracked = True

    @transition(state, source=S.IN_REVIEW, target=S.REJECTED, permission=_reviewer)
    def reject(self, *, at, reviewer, reason: str, note: str = "") -> None:
        self.decided_at = at
        self.decided_by = reviewer
        self.decision_reason = reason
        self.decision_note = note

    @transition(state, source=list(WITHDRAWABLE), target=S.WITHDRAWN, permission=_brand_filer)
    def withdraw(self) -> None:
        pass

    @transition(state, source=S.APPROVED, target=S.TAKEN_DOWN, permission=_system)
    def enforce(self, *, at) -> None:
        self.taken_down_at = at

    @transition(state, source=S.TAKEN_DOWN, target=S.COUNTER_NOTICED, permission=_listing_merchant)
    def counter_notice(self) -> None:
        pass

    @transition(state, source=S.COUNTER_NOTICED, target=S.TAKEN_DOWN, permission=_reviewer)
    def uphold(self) -> None:
        pass

    @transition(state, source=S.COUNTER_NOTICED, target=S.REINSTATED, permission=_reviewer_or_system)
    def reinstate(self, *, at) -> None:
        self.reinstated_at = at

    @transition(state, source=S.TAKEN_DOWN, target=S.REINSTATED, permission=_brand_filer)
    def retract(self, *, at) -> None:
        self.reinstated_at = at
        self.retracted = True


def claim_reference(claim_id: int, year: int) -> str:
    """`TD-2026-000123`: the year of filing and the row id, so references are unique and may have gaps."""
    return f"TD-{year}-{claim_id:06d}"


class ClaimBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="claim_batches")
    ip_right = models.ForeignKey("brands.IPRight", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    fields = models.JSONField(default=dict, help_text=_("The claim fields shared by every row."))
    rows = models.JSONField(default=list, help_text=_("The rows still to create: url, type, description."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched by every chunk: a running batch that stops moving lost its worker, and the sweep resumes it.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"batch #{self.pk} ({self.done}/{self.total})"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        TEST_PURCHASE = "test_purchase", _("Test purchase")
        DOCUMENT = "document", _("Document")
        CAPTURE = "capture", _("Capture")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.IMAGE)
    note = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} ({self.sha256[:12]})"


class ClaimEvent(models.Model):
    """Append-only: one row per transition, written in the transition's own transaction."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=ClaimState.choices)
    to_state = models.CharField(max_length=20, choices=ClaimState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150)
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["claim", "created_at"], name="claim_event_timeline_idx"),
            models.Index(fields=["transition", "created_at"], name="claim_event_report_idx"),  # reports
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Claim events are append-only")
        super().save(*args, **kwargs)


class CounterNotice(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Takedown upheld")
        REINSTATED = "reinstated", _("Listing reinstated")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="counter_notices")
    reason = models.CharField(max_length=20, choices=CounterReason.choices)
    statement = models.TextField()
    good_faith = models.BooleanField(default=False)
    signature = models.CharField(max_length=200)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via_link = models.BooleanField(default=False)
    filed_at = models.DateTimeField(default=timezone.now)
    restore_due_at = models.DateTimeField(null=True, blank=True)
    legal_action_at = models.DateTimeField(null=True, blank=True)
    legal_action_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-filed_at"]
        indexes = [models.Index(fields=["outcome", "restore_due_at"], name="counter_notice_due_idx")]  # deadlines

    def __str__(self) -> str:
        return f"counter-notice on {self.claim}"


class Notice(models.Model):
    """The outbox: written in the transaction that causes it, delivered by a worker, never lost."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Platform webhook")
        TDB = "tdb", _("DSA Transparency Database")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=50)
    recipient = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="en")
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    merchant = models.ForeignKey("merchants.Merchant", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # The sweep: pending notices whose next attempt is due.
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notice_sweep_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.recipient}"


class NoticeAttempt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="delivery_attempts")
    started_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"attempt on notice {self.notice_id}: {'ok' if self.ok else self.error[:60]}"


class AuditEvent(models.Model):
    """Everything that is not a claim transition: right verification, bans, programme changes, exports."""

    action = models.CharField(max_length=50)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    brand = models.ForeignKey("brands.Brand", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="audit_created_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class Export(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} export #{self.pk} ({self.status})"
