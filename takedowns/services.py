"""Every write to a claim goes through here: the portal, the API, the admin and the workers all call these.

A transition: lock the claim row, check who may take it (403), whether the state allows it (409) and its
conditions (400), change the state, save, write the ClaimEvent and the outbox rows, all in one transaction;
tasks are sent when it commits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

import filetype
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from brands.models import Brand, IPRight
from merchants.models import Listing

from .calendar import add_business_days
from .errors import Conflict, Forbidden, Invalid, NotFound
from .models import (
    ACTIVE,
    TRANSITION_PERMISSIONS,
    Claim,
    ClaimEvent,
    ClaimState,
    CounterNotice,
    CounterReason,
    Evidence,
    InfringementType,
    Priority,
    RejectReason,
    claim_reference,
)
from .outbox import notice_email, notice_webhook
from .roles import SYSTEM, Actor

S = ClaimState


# --- filing -----------------------------------------------------------------------------------------------
def listing_find(*, listing_id: int | None = None, listing_url: str | None = None) -> Listing:
    if listing_id:
        listing = Listing.objects.select_related("merchant").filter(pk=listing_id).first()
    elif listing_url:
        listing = Listing.objects.select_related("merchant").filter(url=listing_url.strip()).first()
    else:
        raise Invalid(_("Give the listing as `listing` (id) or `listing_url`."), code="listing_required")
    if listing is None:
        message = _("No listing with that id or URL is known to the marketplace.")
        raise Invalid(message, code="listing_not_found", extra={"fields": {"listing" if listing_id else "listing_url": [message]}})
    return listing


def _filing_brand(actor: Actor, brand: Brand) -> None:
    if brand.pk not in actor.brand_ids and not actor.is_system:
        raise NotFound(_("No such brand."))
    if brand.pk not in actor.filing_brand_ids and not actor.is_system:
        raise Forbidden(_("Only the brand's owners and authorised agents may file claims."))


def claim_create(
    *,
    actor: Actor,
    brand: Brand,
    ip_right: IPRight,
    listing: Listing,
    infringement_type: str,
    description: str = "",
    good_faith: bool = False,
    accurate: bool = False,
    signature: str = "",
    batch=None,
) -> Claim:
    _filing_brand(actor, brand)
    if ip_right.brand_id != brand.pk:
        raise Invalid(_("The IP right does not belong to this brand."), code="ip_right_brand")
    if infringement_type not in InfringementType.values:
        raise Invalid(_("Unknown infringement type; use one of %(types)s.") % {"types": ", ".join(InfringementType.values)})
    with transaction.atomic():
        claim = Claim.objects.create(
            brand=brand,
            ip_right=ip_right,
            listing=listing,
            batch=batch,
            infringement_type=infringement_type,
            description=description,
            good_faith=bool(good_faith),
            accurate=bool(accurate),
            signature=signature.strip(),
            created_by=actor.user,
        )
        claim.reference = claim_reference(claim.pk, timezone.now().year)
        Claim.objects.filter(pk=claim.pk).update(reference=claim.reference)
        ClaimEvent.objects.create(
            claim=claim, transition="create", from_state=S.DRAFT, to_state=S.DRAFT,
            actor=actor.user, actor_label=actor.label,
        )
    return claim


ALLOWED_EVIDENCE_TYPES = {
    "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain",
}
# What a file name promises: a name ending in one of these must hold that kind of content.
EXTENSION_TYPES = {
    "png": "image/", "jpg": "image/", "jpeg": "image/", "gif": "image/", "webp": "image/",
    "pdf": "application/pdf", "txt": "text/plain",
}
# Markup is text to a sniffer but runs as a page (or an SVG script) when a browser opens it.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.IGNORECASE)


def sniff_content_type(head: bytes) -> str | None:
    """What the bytes are, whatever the file name says: images, PDF, or plain UTF-8 text (never markup)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is still text
        if exc.start < len(head) - 4:
            return None
    if MARKUP.search(head):
        return None
    return "text/plain"


def upload_check(
    file, *, allowed=ALLOWED_EVIDENCE_TYPES, accepted: str = "images (JPEG, PNG, GIF, WebP), PDF and plain text",
    field: str = "file",
) -> str:
    """The sniffed content type of an upload, or Invalid (keyed by `field`) when it is empty, too large, of a
    type we do not keep, or not what its name says it is."""

    def refuse(message: str, code: str):
        return Invalid(message, code=code, extra={"fields": {field: [message]}})

    if file is None:
        raise refuse(_("Attach a file."), "file_required")
    if file.size > settings.EVIDENCE_MAX_BYTES:
        raise refuse(_("The file is larger than %(mb)s MB.") % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
                     "file_too_large")
    if file.size == 0:
        raise refuse(_("The file is empty."), "file_empty")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    content_type = sniff_content_type(head)
    if content_type not in allowed:
        raise refuse(_("Only %(accepted)s are accepted.") % {"accepted": accepted}, "file_type")
    name = getattr(file, "name", "") or ""
    promised = EXTENSION_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if promised and not content_type.startswith(promised):
        raise refuse(_("The file is named %(name)s but holds %(type)s.") % {"name": name[:100], "type": content_type},
                     "file_type")
    return content_type


EVIDENCE_EDITABLE = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED)


def evidence_add(*, actor: Actor, claim: Claim, file, kind: str = Evidence.Kind.IMAGE, note: str = "") -> Evidence:
    if claim.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may add evidence."))
    if claim.state not in EVIDENCE_EDITABLE:
        raise Conflict(_("Evidence cannot be added to a claim that is %(state)s.") % {"state": claim.state}, code="invalid_state")
    if kind not in Evidence.Kind.values:
        raise Invalid(_("Unknown evidence kind; use one of %(kinds)s.") % {"kinds": ", ".join(Evidence.Kind.values)})
    content_type = upload_check(file)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return Evidence.objects.create(
        claim=claim,
        file=file,
        original_name=(getattr(file, "name", "") or "")[:255],
        sha256=digest.hexdigest(),
        content_type=content_type,
        size=file.size,
        kind=kind,
        note=note,
        uploaded_by=actor.user,
    )


# --- transitions ------------------------------------------------------------------------------------------
@dataclass
class Step:
    """One transition in progress, handed to its handler."""

    claim: Claim
    actor: Actor
    note: str
    reason: str
    data: dict
    now: object = field(default_factory=timezone.now)


def available_transitions(claim: Claim, actor: Actor) -> list[str]:
    """The transitions this actor may take from the claim's current state (conditions not checked)."""
    return [
        name
        for name, allowed in TRANSITION_PERMISSIONS.items()
        if allowed(claim, actor) and can_proceed(getattr(claim, name), check_conditions=False)
    ]


def _right_problems(right: IPRight, brand_id: int, now) -> list[str]:
    problems = []
    if right.brand_id != brand_id:
        problems.append(_("The IP right does not belong to this brand."))
    if right.status != IPRight.Status.VERIFIED:
        problems.append(_("The IP right %(number)s is not verified (it is %(status)s).")
                        % {"number": right.registration_number, "status": str(right.get_status_display()).lower()})
    if right.is_expired(timezone.localdate(now)):
        problems.append(_("The IP right %(number)s expired on %(date)s.")
                        % {"number": right.registration_number, "date": right.valid_until})
    return problems


def _brand_listing_problems(brand: Brand, listing_id: int, now, exclude_claim_id: int | None = None) -> list[str]:
    problems = []
    if brand.is_suspended(now):
        problems.append(_("The brand's filing is suspended until %(date)s for misuse.")
                        % {"date": f"{brand.suspended_until:%Y-%m-%d}"})
    other = Claim.objects.filter(brand_id=brand.pk, listing_id=listing_id, state__in=ACTIVE).exclude(pk=exclude_claim_id)
    if other.exists():
        problems.append(_("The brand already has an open claim on this listing (%(reference)s).")
                        % {"reference": other.first().reference})
    return problems


def filing_problems(*, brand: Brand, ip_right: IPRight, listing: Listing, now=None) -> list[str]:
    """The conditions of `submit` that do not depend on the claim itself (right, brand, listing), so a
    form can show them beside its own field errors before anything is filed."""
    now = now or timezone.now()
    return _right_problems(ip_right, brand.pk, now) + _brand_listing_problems(brand, listing.pk, now)


def submit_problems(claim: Claim, now=None) -> list[str]:
    """Every unmet condition of `submit` (SPEC §4), each with its own message."""
    now = now or timezone.now()
    problems = _right_problems(claim.ip_right, claim.brand_id, now)
    if not claim.evidence.exists():
        problems.append(_("Attach at least one piece of evidence."))
    if not claim.good_faith:
        problems.append(_("Declare that you believe in good faith that the use is not authorised."))
    if not claim.accurate:
        problems.append(_("Declare that the notice is accurate and that you are authorised to act."))
    if not claim.signature.strip():
        problems.append(_("Sign the claim with your full name."))
    return problems + _brand_listing_problems(claim.brand, claim.listing_id, now, exclude_claim_id=claim.pk)


def _sla_due(claim: Claim, now):
    hours = settings.SLA_HOURS_HIGH if claim.priority == Priority.HIGH else settings.SLA_HOURS_NORMAL
    return now + timedelta(hours=hours)


def _brand_recipients(claim: Claim) -> list[str]:
    emails = {claim.brand.contact_email} if claim.brand.contact_email else set()
    if claim.created_by_id and claim.created_by.email:
        emails.add(claim.created_by.email)
    return sorted(emails)


def claim_context(claim: Claim) -> dict:
    """What every e-mail may say about a claim: nothing of the claimant beyond the brand's name and e-mail."""
    return {
        "reference": claim.reference,
        "state": claim.state,
        "brand": claim.brand.name,
        "brand_email": claim.brand.contact_email,
        "listing_title": claim.listing.title,
        "listing_url": claim.listing.url,
        "listing_ref": claim.listing.platform_ref,
        "ip_right": str(claim.ip_right),
        "ip_right_kind": claim.ip_right.kind,
        "infringement_type": claim.infringement_type,
        "reason": claim.decision_reason,
        "note": claim.decision_note,
        "info_request": claim.info_request,
        "info_due_at": claim.info_due_at.isoformat() if claim.info_due_at else "",
    }


def notify_brand(claim: Claim, kind: str, key: str, extra: dict | None = None) -> None:
    context = {**claim_context(claim), **(extra or {})}
    for address in _brand_recipients(claim):
        notice_email(kind=kind, to=address, context=context, key=f"{claim.reference}:{key}", claim=claim,
                     language=claim.brand.language)


def merchant_link_token(claim: Claim) -> str:
    return signing.dumps({"claim": claim.pk, "merchant": claim.listing.merchant_id}, salt="merchant-claim")


def merchant_link_read(token: str) -> tuple[int, int]:
    """(claim id, merchant id) from a signed link; NotFound when forged or older than the window."""
    try:
        value = signing.loads(token, salt="merchant-claim", max_age=timedelta(days=settings.MERCHANT_LINK_MAX_AGE_DAYS))
    except signing.SignatureExpired as exc:
        raise NotFound(_("This link has expired."), code="link_expired") from exc
    except signing.BadSignature as exc:
        raise NotFound(_("This link is not valid."), code="link_invalid") from exc
    return value["claim"], value["merchant"]


def notify_merchant(claim: Claim, kind: str, key: str, extra: dict | None = None) -> None:
    merchant = claim.listing.merchant
    link = f"{settings.SITE_URL}/m/{merchant_link_token(claim)}/"
    window_ends = claim.taken_down_at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS) if claim.taken_down_at else None
    context = {
        **claim_context(claim),
        "merchant_name": merchant.name,
        "link": link,
        "counter_notice_until": window_ends.date().isoformat() if window_ends else "",
        **(extra or {}),
    }
    notice_email(kind=kind, to=merchant.email, context=context, key=f"{claim.reference}:{key}", claim=claim, merchant=merchant,
                 language=merchant.language)


def _remove_or_enforce(claim: Claim) -> None:
    """Ask the marketplace to remove the listing; with no webhook configured, enforce when this commits."""
    notice = notice_webhook(
        event="listing.remove", listing=claim.listing, claim_reference=claim.reference,
        reason=claim.infringement_type, key=claim.reference, claim=claim,
    )
    if notice is None:
        from .tasks import enforce_claim

        claim_id = claim.pk
        transaction.on_commit(lambda: send_quietly(enforce_claim, claim_id, queue=settings.CELERY_URGENT_QUEUE))


def send_quietly(task, *args, queue: str | None = None) -> None:
    try:
        task.apply_async(args, queue=queue)
    except Exception:  # the broker is down: the sweep finds approved claims that were not enforced
        import logging

        logging.getLogger(__name__).warning("could not queue %s%s", task.name, args, exc_info=True)


def _submit(step: Step) -> None:
    claim = step.claim
    problems = submit_problems(claim, step.now)
    if problems:
        raise Invalid(problems[0], code="conditions_unmet", extra={"errors": problems})
    priority = Priority.HIGH if (claim.brand.good_faith or claim.brand.trusted_flagger) else Priority.NORMAL
    claim.priority = priority
    claim.submit(at=step.now, priority=priority, due_at=_sla_due(claim, step.now))
    notify_brand(step.claim, "claim_received", "received")


def _start_review(step: Step) -> None:
    step.claim.start_review(reviewer=step.actor.user)


def _request_info(step: Step) -> None:
    if not step.note.strip():
        raise Invalid(_("Say what information the brand must provide."), code="note_required")
    step.claim.request_info(message=step.note.strip(), due_at=step.now + timedelta(days=settings.INFO_REQUEST_DAYS))
    count = step.claim.events.filter(transition="request_info").count()
    notify_brand(step.claim, "info_requested", f"info{count}")


def _provide_info(step: Step) -> None:
    claim = step.claim
    asked_at = claim.events.filter(transition="request_info").order_by("-created_at").values_list("created_at", flat=True).first()
    new_evidence = claim.evidence.filter(created_at__gte=asked_at).exists() if asked_at else False
    if not step.note.strip() and not new_evidence:
        raise Invalid(_("Answer the request with a note, new evidence, or both."), code="note_required")
    claim.provide_info()
    claim.due_at = _sla_due(claim, step.now)


def _expire(step: Step) -> None:
    if step.claim.info_due_at and step.claim.info_due_at > step.now:
        raise Invalid(_("The information request is not yet overdue."), code="not_due")
    step.claim.expire(at=step.now)
    step.reason = RejectReason.NO_RESPONSE
    notify_brand(step.claim, "decision", "decision")


def _approve(step: Step) -> None:
    step.claim.approve(at=step.now, reviewer=step.actor.user, note=step.note)
    notify_brand(step.claim, "decision", "decision")
    _remove_or_enforce(step.claim)


def _fast_track(step: Step) -> None:
    if not (step.claim.brand.good_faith and settings.FAST_TRACK_ENABLED):
        raise Invalid(_("Fast track is only for good-faith brands, and only when enabled."), code="not_eligible")
    step.claim.fast_track(at=step.now)
    notify_brand(step.claim, "decision", "decision")
    _remove_or_enforce(step.claim)


def _reject(step: Step) -> None:
    reasons = [r for r in RejectReason.values if r != RejectReason.NO_RESPONSE]
    if step.reason not in reasons:
        raise Invalid(_("Give a reason code: one of %(reasons)s.") % {"reasons": ", ".join(reasons)}, code="reason_required")
    if step.reason == RejectReason.OTHER and not step.note.strip():
        raise Invalid(_("Explain the reason 'other' in the note."), code="note_required")
    step.claim.reject(at=step.now, reviewer=step.actor.user, reason=step.reason, note=step.note)
    notify_brand(step.claim, "decision", "decision")


def _withdraw(step: Step) -> None:
    step.claim.withdraw()


def _enforce(step: Step) -> None:
    from .enforcement import enforce_effects

    step.claim.enforce(at=step.now)
    enforce_effects(step.claim, step.now)


def _counter_notice(step: Step) -> None:
    claim, data = step.claim, step.data
    problems = []
    window_ends = claim.taken_down_at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS)
    if step.now > window_ends:
        problems.append(_("The window for a counter-notice closed on %(date)s.") % {"date": f"{window_ends:%Y-%m-%d}"})
    if step.reason not in CounterReason.values:
        problems.append(_("Give a reason: one of %(reasons)s.") % {"reasons": ", ".join(CounterReason.values)})
    if not step.note.strip():
        problems.append(_("Explain in the statement why the removal was a mistake."))
    if not data.get("good_faith"):
        problems.append(_("Declare in good faith, under penalty of perjury, that the removal was a mistake."))
    if not str(data.get("signature") or "").strip():
        problems.append(_("Sign the counter-notice with your full name."))
    if problems:
        raise Invalid(problems[0], code="conditions_unmet", extra={"errors": problems})
    claim.counter_notice()
    counter = CounterNotice.objects.create(
        claim=claim,
        reason=step.reason,
        statement=step.note.strip(),
        good_faith=True,
        signature=str(data["signature"]).strip(),
        filed_by=step.actor.user,
        via_link=step.actor.user is None,
        filed_at=step.now,
        restore_due_at=add_business_days(step.now, settings.RESTORE_BUSINESS_DAYS),
    )
    count = claim.counter_notices.count()
    notify_brand(step.claim, "counter_notice_copy", f"counter{count}", {
        "counter_reason": counter.reason, "counter_statement": counter.statement,
        "restore_due_at": counter.restore_due_at.date().isoformat(),
    })


def _pending_counter_notice(claim: Claim) -> CounterNotice | None:
    return claim.counter_notices.filter(outcome=CounterNotice.Outcome.PENDING).order_by("-filed_at").first()


def _uphold(step: Step) -> None:
    if not step.note.strip() and step.reason.strip():
        step.note = step.reason.strip()  # SPEC §4 asks for a reason; a client may send it as `reason`
    if not step.note.strip():
        raise Invalid(_("Say why the counter-notice is rejected."), code="note_required")
    step.claim.uphold()
    counter = _pending_counter_notice(step.claim)
    if counter:
        counter.outcome, counter.decided_at, counter.decided_by = CounterNotice.Outcome.UPHELD, step.now, step.actor.user
        counter.save(update_fields=["outcome", "decided_at", "decided_by"])
    notify_merchant(step.claim, "counter_notice_decision", f"uphold{counter.pk if counter else 0}", {"outcome": "upheld", "note": step.note})


def _reinstate(step: Step) -> None:
    from .enforcement import restore_effects

    counter = _pending_counter_notice(step.claim)
    if step.actor.is_system:
        if counter is None or counter.restore_due_at > step.now:
            raise Invalid(_("The restoration deadline has not passed."), code="not_due")
        if counter.legal_action_at:
            raise Invalid(_("The brand has shown that it filed a legal action."), code="legal_action")
    step.claim.reinstate(at=step.now)
    if counter:
        counter.outcome, counter.decided_at, counter.decided_by = (
            CounterNotice.Outcome.REINSTATED, step.now, step.actor.user,
        )
        counter.save(update_fields=["outcome", "decided_at", "decided_by"])
    restore_effects(step.claim, reason="reinstated after counter-notice")


def _retract(step: Step) -> None:
    from .enforcement import restore_effects

    step.claim.retract(at=step.now)
    restore_effects(step.claim, reason="retracted by the brand")


HANDLERS = {
    "submit": _submit,
    "start_review": _start_review,
    "request_info": _request_info,
    "provide_info": _provide_info,
    "expire": _expire,
    "approve": _approve,
    "fast_track": _fast_track,
    "reject": _reject,
    "withdraw": _withdraw,
    "enforce": _enforce,
    "counter_notice": _counter_notice,
    "uphold": _uphold,
    "reinstate": _reinstate,
    "retract": _retract,
}
assert set(HANDLERS) == set(TRANSITION_PERMISSIONS)


def claim_transition(
    *, claim_id: int, name: str, actor: Actor, note: str = "", reason: str = "", data: dict | None = None
) -> Claim:
    if name not in HANDLERS:
        raise NotFound(_("No transition called %(name)s.") % {"name": repr(name)}, code="unknown_transition")
    try:
        claim = _claim_transition_locked(claim_id=claim_id, name=name, actor=actor, note=note, reason=reason, data=data)
    except IntegrityError as exc:  # two submissions raced past the duplicate check; the constraint caught it
        raise Conflict(_("The brand already has an open claim on this listing."), code="duplicate_claim") from exc
    if name == "submit" and claim.brand.good_faith and settings.FAST_TRACK_ENABLED:
        claim = claim_transition(claim_id=claim.pk, name="fast_track", actor=SYSTEM, note="good-faith programme")
    return claim


def _claim_transition_locked(*, claim_id, name, actor, note, reason, data) -> Claim:
    with transaction.atomic():
        # Lock the claim row: a second decision on the same claim waits here, then finds the new state.
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("brand", "ip_right", "listing__merchant", "created_by")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None:
            raise NotFound(_("No such claim."))
        if not TRANSITION_PERMISSIONS[name](claim, actor):
            raise Forbidden(_("Your role may not %(action)s this claim.") % {"action": name.replace("_", " ")},
                            code="transition_forbidden")
        if not can_proceed(getattr(claim, name), check_conditions=False):
            available = available_transitions(claim, actor)
            raise Conflict(
                _("A claim that is %(state)s cannot %(action)s.") % {"state": claim.state, "action": name.replace("_", " ")},
                code="invalid_transition",
                extra={"state": claim.state, "available_transitions": available},
            )
        step = Step(claim=claim, actor=actor, note=note or "", reason=reason or "", data=data or {})
        from_state = claim.state
        HANDLERS[name](step)
        claim.save()
        ClaimEvent.objects.create(
            claim=claim, transition=name, from_state=from_state, to_state=claim.state,
            actor=actor.user, actor_label=actor.label, note=step.note, reason=step.reason, created_at=step.now,
        )
    return claim


def claim_transition_safely(*, claim_id: int, name: str, actor: Actor = SYSTEM, **kwargs) -> Claim | None:
    """For workers and deadlines: a claim that has moved on (409) or is not yet due (400) is left alone."""
    try:
        return claim_transition(claim_id=claim_id, name=name, actor=actor, **kwargs)
    except (Conflict, Invalid):
        return None


def counter_notice_legal_action(*, actor: Actor, claim: Claim, note: str) -> CounterNotice:
    """The brand shows it filed a court action: automatic reinstatement is held (DMCA §512(g)(2)(C))."""
    if claim.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may answer a counter-notice."))
    if not note.strip():
        raise Invalid(_("Describe the legal action (court, case number, date filed)."), code="note_required")
    with transaction.atomic():
        # The transitions' row lock: the deadline's automatic reinstatement either sees this legal action or
        # has already reinstated (then 409), never both.
        state = Claim.objects.select_for_update().filter(pk=claim.pk).values_list("state", flat=True).first()
        counter = _pending_counter_notice(claim)
        if state != S.COUNTER_NOTICED or counter is None:
            raise Conflict(_("There is no pending counter-notice on this claim."), code="invalid_state")
        counter.legal_action_at = timezone.now()
        counter.legal_action_note = note.strip()
        counter.save(update_fields=["legal_action_at", "legal_action_note"])
        from .audit import audit

        audit(actor=actor, action="legal_action", obj=counter, claim=claim, brand=claim.brand, note=note.strip())
    return counter
