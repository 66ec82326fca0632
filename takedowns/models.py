"""Claims and everything that happens to them.

The claim state graph lives here (django-fsm); the transitions only change fields on the claim. Locking,
the audit trail, notices and tasks belong to `takedowns.services`.
"""

from __future__ import annotations

from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.chain import GENESIS, link_hash
from core.fingerprints import Fingerprinted
from core.roles import Actor


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
    APPEALED = "appealed", _("Appealed")


S = ClaimState
# Waiting for a reviewer or for the brand: the review queue.
OPEN = (S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED)
# Waiting for a reviewer: the queue's claims, with the brands' appeals of rejections.
REVIEWABLE = (*OPEN, S.APPEALED)
# A brand may not file a second claim on a listing while one of these stands.
ACTIVE = (
    S.SUBMITTED,
    S.IN_REVIEW,
    S.INFO_REQUESTED,
    S.APPROVED,
    S.TAKEN_DOWN,
    S.COUNTER_NOTICED,
    S.APPEALED,
)
# A reviewer (or fast track) has decided; the take-down rate is computed over these. An appealed claim
# stays rejected until a second reviewer grants the appeal.
DECIDED = (S.APPROVED, S.REJECTED, S.TAKEN_DOWN, S.COUNTER_NOTICED, S.REINSTATED, S.APPEALED)
# Rejected, as the reports count it: the rejection stands while the brand's appeal waits.
REJECTED = (S.REJECTED, S.APPEALED)
# Not yet decided: the brand may still withdraw the claim and add evidence to it.
BEFORE_DECISION = (S.DRAFT, *OPEN)
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
# Each `@transition` on `Claim` names one of these as its `permission`; the services, `available_transitions`,
# the portal's buttons and the OpenAPI description all read them from there (`TRANSITIONS` below).
# django-fsm types `permission` as a check of a user (for its `has_transition_perm`, never called here); these
# check an `Actor` and are called only by `transition_allowed`, hence the `type: ignore[arg-type]` on each.
def brand_filer(claim: Claim, actor: Actor) -> bool:
    """An owner or verified agent of the claim's brand."""
    return claim.brand_id in actor.filing_brand_ids


def reviewer(claim: Claim, actor: Actor) -> bool:
    """Platform staff who decide claims."""
    return actor.reviewer


def system(claim: Claim, actor: Actor) -> bool:
    """The workers and deadlines, never a person."""
    return actor.is_system


def reviewer_or_system(claim: Claim, actor: Actor) -> bool:
    """A reviewer, or the system once a deadline has passed."""
    return actor.reviewer or actor.is_system


def second_reviewer(claim: Claim, actor: Actor) -> bool:
    """A reviewer other than the one who rejected the claim: a second look, by qualified staff (DSA Art. 20(6))."""
    own_rejection = claim.state == S.APPEALED and claim.decided_by_id == actor.user_id
    return actor.reviewer and not own_rejection


def appeal_still_open(claim: Claim) -> bool:
    """Never appealed, and the window after the rejection still open (`available_transitions` offers it)."""
    deadline = claim.appeal_deadline
    return never_appealed(claim) and (deadline is None or timezone.now() <= deadline)


def counter_notice_still_open(claim: Claim) -> bool:
    """No counter-notice against this takedown yet, and the merchant's window has not closed
    (`available_transitions` offers it)."""
    deadline = claim.counter_notice_deadline
    in_time = deadline is None or timezone.now() <= deadline
    return in_time and not any(True for _ in claim.counter_notices.all())


def never_appealed(claim: Claim) -> bool:
    """One appeal per claim: after a decision on the appeal the rejection is final."""
    return claim.appeal_record is None


def listing_merchant(claim: Claim, actor: Actor) -> bool:
    """The merchant whose listing the claim is about (logged in, or through the signed link)."""
    return claim.listing.merchant_id in actor.merchant_ids


def next_reference_year() -> int:
    return timezone.now().year


class ReferenceField(models.CharField):
    """The claim's reference, written by the database as the row is inserted (on PostgreSQL the trigger
    `claim_reference_on_insert`, which writes `claim_reference` in SQL) and handed back with the id by the
    INSERT's RETURNING, so filing a claim needs no UPDATE of the row it just wrote. Where no trigger runs
    (SQLite), `claim_create` writes it after the INSERT."""

    db_returning = True


class Claim(ConcurrentTransitionMixin, models.Model):
    reference = ReferenceField(max_length=20, null=True, blank=True, editable=False)
    # No index of its own: `claim_brand_state_idx` (brand, state) serves every lookup by brand.
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="claims", db_index=False)
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_claims",
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filed_claims",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # docs/contract.md §4: no other open claim of this brand on this listing. The database is the final word
            # when two filings race.
            models.UniqueConstraint(
                fields=["brand", "listing"],
                condition=Q(state__in=ACTIVE),
                name="one_active_claim_per_listing",
            ),
            # A constraint, not `unique=True`: that adds a second, `varchar_pattern_ops` index on PostgreSQL
            # for prefix searches, which nothing runs (a reference is looked up whole), and every INSERT kept.
            models.UniqueConstraint(fields=["reference"], name="claim_reference_unique"),
        ]
        triggers = [
            # `ReferenceField`: `claim_reference` in SQL, for a row inserted without one (a filed claim).
            pgtrigger.Trigger(
                name="claim_reference_on_insert",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                condition=pgtrigger.Q(new__reference__isnull=True),
                func=(
                    "NEW.reference := 'TD-' || to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY') || '-' "
                    "|| lpad(NEW.id::text, greatest(6, length(NEW.id::text)), '0'); RETURN NEW;"
                ),
            )
        ]
        indexes = [
            # The reviewer queue: open claims by priority, then due time.
            models.Index(fields=["state", "-priority", "due_at"], name="claim_queue_idx"),
            # Reports by decision date (`period_q("decided_at")`: decisions, take-down rates, medians).
            models.Index(fields=["decided_at"], name="claim_decided_idx"),
            # A brand's claims (`claims_visible_to` for a brand user: brand_id IN …; the brand dashboard's
            # counts by state; the one-open-claim check) and every lookup by brand (no index of its own).
            models.Index(fields=["brand", "state"], name="claim_brand_state_idx"),
            # Reports by filing date (`period_q("submitted_at")`: claims filed, the DSA notices received).
            models.Index(fields=["submitted_at"], name="claim_submitted_idx"),
            # Every claim list, newest first (`claim_list`: ORDER BY created_at DESC, id DESC LIMIT 50).
            models.Index(fields=["created_at", "id"], name="claim_created_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"claim #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.state in REVIEWABLE and bool(self.due_at and self.due_at < timezone.now())

    @property
    def counter_notice_deadline(self):
        """The end of the merchant's complaint window (DSA Art. 20: at least six months after the takedown)."""
        if self.taken_down_at is None:
            return None
        return self.taken_down_at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS)

    @property
    def pending_counter_notice(self) -> CounterNotice | None:
        """The counter-notice still waiting for a decision, if any. Reads `counter_notices` through the
        prefetch cache when the caller prefetched it (the claim pages do), so pages add no query."""
        pending = [c for c in self.counter_notices.all() if c.outcome == CounterNotice.Outcome.PENDING]
        return max(pending, key=lambda c: c.filed_at, default=None)

    @property
    def appeal_deadline(self):
        """The end of the brand's window to appeal a rejection (DSA Art. 20(1): at least six months)."""
        if self.decided_at is None:
            return None
        return self.decided_at + timedelta(days=settings.APPEAL_WINDOW_DAYS)

    @property
    def appeal_record(self) -> Appeal | None:
        """The brand's appeal of this claim, if any. Reads `brand_appeal` through the cache when the caller
        selected it (the claim pages do)."""
        try:
            return self.brand_appeal
        except Appeal.DoesNotExist:
            return None

    # --- the state graph ---------------------------------------------------------------------------------
    @transition(
        state,
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=brand_filer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Submit"), "done": _("Filed for review")},
    )
    def submit(self, *, at, priority: int, due_at) -> None:
        self.submitted_at = at
        self.priority = priority
        self.due_at = due_at

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.IN_REVIEW,
        permission=reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Start review"), "done": _("Review started")},
    )
    def start_review(self, *, reviewer) -> None:
        self.assignee = reviewer

    @transition(
        state,
        source=S.IN_REVIEW,
        target=S.INFO_REQUESTED,
        permission=reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Request information"), "done": _("Information requested")},
    )
    def request_info(self, *, message: str, due_at) -> None:
        self.info_request = message
        self.info_due_at = due_at

    @transition(
        state,
        source=S.INFO_REQUESTED,
        target=S.SUBMITTED,
        permission=brand_filer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Provide information"), "done": _("Information provided")},
    )
    def provide_info(self) -> None:
        self.info_due_at = None

    @transition(
        state,
        source=S.INFO_REQUESTED,
        target=S.REJECTED,
        permission=system,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Expire"), "done": _("Expired without an answer")},
    )
    def expire(self, *, at) -> None:
        self.decided_at = at
        self.decision_reason = RejectReason.NO_RESPONSE

    @transition(
        state,
        source=S.IN_REVIEW,
        target=S.APPROVED,
        permission=reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Approve"), "done": _("Approved")},
    )
    def approve(self, *, at, reviewer, note: str = "") -> None:
        self.decided_at = at
        self.decided_by = reviewer
        self.decision_note = note

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.APPROVED,
        permission=system,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Fast-track"), "done": _("Fast-tracked")},
    )
    def fast_track(self, *, at) -> None:
        self.decided_at = at
        self.fast_tracked = True

    @transition(
        state,
        source=S.IN_REVIEW,
        target=S.REJECTED,
        permission=reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Reject"), "done": _("Rejected")},
    )
    def reject(self, *, at, reviewer, reason: str, note: str = "") -> None:
        self.decided_at = at
        self.decided_by = reviewer
        self.decision_reason = reason
        self.decision_note = note

    @transition(
        state,
        source=list(BEFORE_DECISION),
        target=S.WITHDRAWN,
        permission=brand_filer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Withdraw"), "done": _("Withdrawn")},
    )
    def withdraw(self) -> None:
        pass

    @transition(
        state,
        source=S.APPROVED,
        target=S.TAKEN_DOWN,
        permission=system,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Enforce"), "done": _("Taken down")},
    )
    def enforce(self, *, at) -> None:
        self.taken_down_at = at

    @transition(
        state,
        source=S.TAKEN_DOWN,
        target=S.COUNTER_NOTICED,
        permission=listing_merchant,  # type: ignore[arg-type]  # an Actor check
        conditions=[counter_notice_still_open],  # type: ignore[list-item]  # a check of a Claim
        custom={"label": _("File a counter-notice"), "done": _("Counter-notice filed")},
    )
    def counter_notice(self) -> None:
        pass

    @transition(
        state,
        source=S.COUNTER_NOTICED,
        target=S.TAKEN_DOWN,
        permission=reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Uphold the takedown"), "done": _("Takedown upheld")},
    )
    def uphold(self) -> None:
        pass

    @transition(
        state,
        source=S.COUNTER_NOTICED,
        target=S.REINSTATED,
        permission=reviewer_or_system,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Reinstate"), "done": _("Reinstated")},
    )
    def reinstate(self, *, at) -> None:
        self.reinstated_at = at

    @transition(
        state,
        source=S.TAKEN_DOWN,
        target=S.REINSTATED,
        permission=brand_filer,  # type: ignore[arg-type]  # an Actor check
        custom={"label": _("Retract"), "done": _("Retracted")},
    )
    def retract(self, *, at) -> None:
        self.reinstated_at = at
        self.retracted = True

    @transition(
        state,
        source=S.REJECTED,
        target=S.APPEALED,
        permission=brand_filer,  # type: ignore[arg-type]  # an Actor check
        conditions=[appeal_still_open],  # type: ignore[list-item]  # a check of a Claim
        custom={"label": _("Appeal the rejection"), "done": _("Appealed")},
    )
    def appeal(self, *, due_at) -> None:
        self.due_at = due_at
        self.assignee = None  # back in the queue: the reviewer who rejected does not decide it

    @transition(
        state,
        source=S.APPEALED,
        target=S.APPROVED,
        permission=second_reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={
            "label": _("Grant the appeal"),
            "done": _("Appeal granted"),
            "refused": _("A reviewer other than the one who rejected the claim decides its appeal."),
        },
    )
    def appeal_grant(self, *, at, reviewer, note: str = "") -> None:
        self.decided_at = at
        self.decided_by = reviewer
        self.decision_reason = ""
        self.decision_note = note

    @transition(
        state,
        source=S.APPEALED,
        target=S.REJECTED,
        permission=second_reviewer,  # type: ignore[arg-type]  # an Actor check
        custom={
            "label": _("Deny the appeal"),
            "done": _("Appeal denied"),
            "refused": _("A reviewer other than the one who rejected the claim decides its appeal."),
        },
    )
    def appeal_deny(self, *, reason: str, note: str) -> None:
        self.decision_reason = reason
        self.decision_note = note


# The graph as declared above, read once: name -> django-fsm Transition (sources, target, permission, labels).
# In the order of declaration, which is the order `available_transitions` lists them in.
TRANSITIONS = {
    name: next(iter(method._django_fsm.transitions.values()))
    for name, method in vars(Claim).items()
    if hasattr(method, "_django_fsm")
}


def transition_sources(name: str) -> list[str]:
    """Every state the transition `name` may be taken from."""
    return sorted(
        {t.source for t in Claim._meta.get_field("state").get_all_transitions(Claim) if t.name == name}
    )


def claim_reference(claim_id: int, year: int) -> str:
    """`TD-2026-000123`: the year of filing (UTC) and the row id, so references are unique and may have gaps.
    The trigger `claim_reference_on_insert` writes the same in SQL (a test holds the two equal)."""
    return f"TD-{year}-{claim_id:06d}"


class ClaimBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="claim_batches")
    ip_right = models.ForeignKey("brands.IPRight", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    fields = models.JSONField(default=dict, help_text=_("The claim fields shared by every row."))
    rows = models.JSONField(default=list, help_text=_("The rows still to create: url, type, description."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Each row that did not become a claim: `row` (from 1), the row's `values`, and `problems` as message
    # codes with their parameters, so the page and the API say them in the reader's language.
    errors = models.JSONField(default=list)
    # The ZIP of per-row evidence named by the file's `evidence` column; empty: evidence for the whole batch.
    evidence_archive = models.FileField(upload_to="batches/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched by every chunk: a running batch that stops moving lost its worker, and the sweep resumes it.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"batch #{self.pk} ({self.done}/{self.total})"


class Evidence(Fingerprinted):
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
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Fingerprinted.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} ({self.sha256[:12]})"


class ClaimEvent(models.Model):
    """Append-only: one row per transition, written in the transition's own transaction. PostgreSQL refuses
    an UPDATE or DELETE of a row (a trigger), and each claim's events form a hash chain (`core.chain`): the
    engine holds the claim's row lock while it appends, so the chain of a claim has one writer at a time."""

    # PROTECT, not CASCADE: a claim with a history is never deleted. No index of its own: the timeline's and
    # the chain's indexes both begin with the claim.
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events", db_index=False)
    transition = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=ClaimState.choices)
    to_state = models.CharField(max_length=20, choices=ClaimState.choices)
    # PROTECT: a user with a history is deactivated, never deleted (deleting would rewrite these rows).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64, editable=False, default="")
    hash = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["claim", "created_at"], name="claim_event_timeline_idx"),
            models.Index(fields=["transition", "created_at"], name="claim_event_report_idx"),  # reports
            # The hash chain's last link of a claim (`save`: WHERE claim_id = … ORDER BY id DESC LIMIT 1).
            models.Index(fields=["claim", "id"], name="claim_event_chain_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="claim_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Claim events are append-only")
        last = (
            ClaimEvent.objects.filter(claim_id=self.claim_id).order_by("-pk").values_list("hash", flat=True)
        )
        self.link(last.first() or GENESIS)
        super().save(*args, **kwargs)

    def link(self, prev_hash: str) -> None:
        """Chain this event to the one before it (`GENESIS`: the claim's first event)."""
        self.prev_hash = prev_hash
        self.hash = link_hash(prev_hash, self.chained_fields())

    # What the chain vouches for, in this order (a migration that backfills hashes keeps its own copy).
    CHAINED = (
        "claim_id",
        "transition",
        "from_state",
        "to_state",
        "actor_id",
        "actor_label",
        "note",
        "reason",
        "created_at",
    )

    def chained_fields(self) -> dict:
        return {name: getattr(self, name) for name in self.CHAINED}


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
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_link = models.BooleanField(default=False)
    filed_at = models.DateTimeField(default=timezone.now)
    restore_due_at = models.DateTimeField(null=True, blank=True)
    legal_action_at = models.DateTimeField(null=True, blank=True)
    legal_action_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-filed_at"]
        indexes = [
            models.Index(fields=["outcome", "restore_due_at"], name="counter_notice_due_idx")
        ]  # deadlines

    def __str__(self) -> str:
        return f"counter-notice on {self.claim}"


class CounterNoticeEvidence(models.Model):
    """What the merchant sends with its counter-notice: invoices, licences, authorisation letters. The reviewer
    and the brand read them beside the statement; they are the merchant's own documents, so never exported."""

    counter_notice = models.ForeignKey(CounterNotice, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="counter-evidence/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_link = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} ({self.sha256[:12]})"


class ListingCapture(models.Model):
    """The listing as it was when the claim was created (`takedowns.services.capture`): what the reviewer
    compares with the evidence, whatever the marketplace changes afterwards. Claims filed before captures
    existed have none."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="listing_capture"
    )
    captured_at = models.DateTimeField(default=timezone.now)
    platform_ref = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=300)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    seller_name = models.CharField(max_length=200)
    seller_ref = models.CharField(max_length=100)
    attributes = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"listing {self.platform_ref} as captured for claim #{self.claim_id}"


class ListingCaptureImage(models.Model):
    """A listing photo the capture holds on to: the row (and so its file) cannot be deleted while a capture
    names it, and photos the listing gains later are not in the capture."""

    # No index of its own: `capture_image_position_once` (capture, position) begins with it.
    capture = models.ForeignKey(
        ListingCapture, on_delete=models.CASCADE, related_name="images", db_index=False
    )
    image = models.ForeignKey("merchants.ListingImage", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["capture", "position"], name="capture_image_position_once")
        ]

    def __str__(self) -> str:
        return f"image {self.position} of {self.capture}"


class Appeal(models.Model):
    """The brand's complaint against a rejection (DSA Art. 20 for notifiers): one per claim, decided by a
    reviewer other than the one who rejected."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted: the claim is approved")
        DENIED = "denied", _("Denied: the rejection is final")

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="brand_appeal")
    statement = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    # The rejection appealed against, kept as it was: the claim's own fields change with the outcome.
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_reason = models.CharField(max_length=30, choices=RejectReason.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=30, choices=RejectReason.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-filed_at"]
        indexes = [models.Index(fields=["filed_at"], name="appeal_filed_idx")]  # transparency report

    def __str__(self) -> str:
        return f"appeal of {self.claim}"


# --- the consequences of takedowns for the merchant (repeat infringers) ---------------------------------
class StrikeQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Strike(models.Model):
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="strikes")
    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="strike"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    objects = StrikeQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        # Counting a merchant's active strikes on every takedown.
        indexes = [models.Index(fields=["merchant", "revoked_at", "expires_at"], name="strike_active_idx")]

    def __str__(self) -> str:
        return f"Strike on {self.merchant} ({self.issued_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class BanHold(models.Model):
    """A ban, or the lifting of one, held for a second reviewer: a heavy decision is never one person's
    (docs/contract.md §10). While a ban is held nothing is removed and the merchant reads `ban_pending`."""

    class Action(models.TextChoices):
        BAN = "ban", _("Ban")
        LIFT = "lift", _("Lift the ban")

    class Status(models.TextChoices):
        PENDING = "pending", _("Held for second approval")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.CASCADE, related_name="ban_holds")
    action = models.CharField(max_length=4, choices=Action.choices)
    reason = models.TextField()
    why_held = models.CharField(max_length=200)
    # The strike's claim when the threshold asked for the ban; None when a reviewer did.
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_label = models.CharField(max_length=150)
    requested_at = models.DateTimeField(default=timezone.now)
    previous_status = models.CharField(max_length=20)
    active_listings = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            # One decision in waiting per merchant: a second request while one is held is a conflict.
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(status="pending"), name="one_pending_ban_hold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} of {self.merchant_id} ({self.status})"


# --- test purchases: the brand buys from the seller and inspects what arrives ----------------------------
class TestPurchase(models.Model):
    """An order a brand (or its agent) placed with a seller, and its inspection (docs/intelligence.md). Attached
    to claims as evidence; a counterfeit verdict puts the claim at high priority, a genuine one warns the brand
    before it files against that seller."""

    class Verdict(models.TextChoices):
        COUNTERFEIT = "counterfeit", _("Counterfeit")
        GENUINE = "genuine", _("Genuine")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    __test__ = False  # a model, not a pytest class

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="test_purchases")
    listing = models.ForeignKey("merchants.Listing", on_delete=models.PROTECT, related_name="test_purchases")
    # The seller as it was when the order was placed (a listing may change hands).
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="test_purchases"
    )
    order_ref = models.CharField(max_length=100)
    ordered_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    notes = models.TextField(blank=True)
    claims = models.ManyToManyField(Claim, blank=True, related_name="test_purchases")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "order_ref"], name="test_purchase_order_once")
        ]
        # The warning before filing: this brand's genuine verdicts on this seller.
        indexes = [models.Index(fields=["merchant", "brand", "verdict"], name="test_purchase_seller_idx")]

    def __str__(self) -> str:
        return f"test purchase {self.order_ref} ({self.verdict})"


class TestPurchasePhoto(Fingerprinted):
    """A photo of what arrived; the same upload rules as evidence, and hashed like it."""

    __test__ = False

    purchase = models.ForeignKey(TestPurchase, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="test-purchases/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Fingerprinted.Meta):
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"photo of {self.purchase_id} ({self.sha256[:12]})"


# --- the reviewer queue's saved views ---------------------------------------------------------------------
class QueueView(models.Model):
    """A reviewer's named queue: the filters and sort of the queue page as a query string. Only its owner sees
    it; opening it is opening /queue/?<query>, where the queue's own whitelist reads it again."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            # Saving under a name already used replaces that view (`queue_view_save`); the database keeps it so.
            models.UniqueConstraint(fields=["owner", "name"], name="queue_view_name_once_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"
