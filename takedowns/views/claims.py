"""Claim pages: the list, filing one claim, the claim page for each audience, its actions and evidence."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.models import Brand
from brands.selectors import brands_visible_to, ip_rights_visible_to
from core.errors import DomainError, NotFound
from core.files import file_response
from core.portal import flash_errors, page_of, require
from core.roles import actor_for
from merchants.models import ListingImage
from merchants.selectors import listings_visible_to
from takedowns import decisions
from takedowns.forms import CounterNoticeForm, EvidenceForm, NetworkFilingForm, RejectForm
from takedowns.models import TRANSITIONS, ClaimState, Evidence, InfringementType
from takedowns.selectors import (
    Audience,
    brand_accuracy,
    claim_audience,
    claim_list,
    claim_states_visible_to,
    claims_filtered,
    counter_evidence_visible_to,
    events_shown_to_merchant,
    evidence_for_merchant,
    evidence_visible_to,
    explanation_for_merchant,
    image_matches_shown,
    listing_capture_shown,
    may_read_counter_documents,
    merchant_history,
    network_listings_for_brand,
    priority_reasons,
    queue_neighbours,
    test_purchases_attachable,
)
from takedowns.selectors import claim_detail as claim_detail_qs
from takedowns.services.batches import batch_create
from takedowns.services.conditions import submit_problems
from takedowns.services.filing import (
    counter_notice_evidence_add,
    evidence_add,
    evidence_open,
)
from takedowns.services.transitions import (
    available_transitions,
    claim_transition,
    counter_notice_legal_action,
)

S = ClaimState


def filing_brands(actor):
    return Brand.objects.filter(pk__in=actor.filing_brand_ids).order_by("name")


def usable_rights(actor):
    """Rights a filer may pick: their brands' rights that a claim can be filed under (verified, unexpired);
    a pending or expired right is not offered."""
    return (
        ip_rights_visible_to(actor)
        .filter(brand_id__in=actor.filing_brand_ids)
        .usable()
        .order_by("brand__name", "mark")
    )


# --- claims -----------------------------------------------------------------------------------------------
@login_required
def claims(request):
    actor = actor_for(request.user)
    require(actor.role != "none")
    filters = request.GET.dict()
    items = claims_filtered(claim_list(actor), filters)
    return render(
        request,
        "takedowns/claims.html",
        {
            "page": page_of(request, items),
            "filters": filters,
            "states": claim_states_visible_to(actor),
            "types": InfringementType.choices,
            "brands": brands_visible_to(actor).order_by("name") if actor.role != "merchant" else [],
            "sort": filters.get("sort", "-created"),
        },
    )


def _claim_for(actor, pk):
    claim = claim_detail_qs(actor).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


@login_required
def claim_detail(request, pk):
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    audience = claim_audience(actor, claim)
    transitions = available_transitions(claim, actor)
    context = {
        "claim": claim,
        "transitions": transitions,
        "events": events_shown_to_merchant(claim.events.all())
        if audience == Audience.MERCHANT
        else claim.events.all(),
        "evidence": claim.evidence.all() if audience != Audience.MERCHANT else [],
        "test_purchases": claim.test_purchases.all() if audience != Audience.MERCHANT else [],
        "attachable_purchases": test_purchases_attachable(claim)
        if claim.brand_id in actor.filing_brand_ids and evidence_open(claim)
        else [],
        "priority_reasons": priority_reasons(claim) if audience == Audience.STAFF else [],
        "counter_notices": claim.counter_notices.all(),
        "pending_counter": claim.pending_counter_notice,
        "can_add_evidence": claim.brand_id in actor.filing_brand_ids and evidence_open(claim),
        "decision": decisions.for_merchant(claim)
        if audience == Audience.MERCHANT
        else decisions.for_brand(claim),
        "appeal": claim.appeal_record if audience != Audience.MERCHANT else None,
        "may_read_documents": may_read_counter_documents(actor, claim),
        "problems": submit_problems(claim) if "submit" in transitions else [],
        "evidence_form": EvidenceForm(),
        "reject_form": RejectForm(),
        "window_ends": claim.counter_notice_deadline,
    }
    if audience != Audience.MERCHANT:
        context.update(capture_context(claim))
    if actor.reviewer:
        previous_id, next_id = queue_neighbours(actor, claim)
        context.update(
            {
                "previous_id": previous_id,
                "next_id": next_id,
                "accuracy": brand_accuracy(claim.brand_id),
                "history": merchant_history(claim.listing.merchant),
                "decisions": [t for t in ("approve", "reject", "request_info") if t in transitions],
                "image_matches": image_matches_shown(claim),
                "seller_network": network_listings_for_brand(claim),
            }
        )
        return render(request, "takedowns/review.html", context)
    if audience == Audience.MERCHANT:
        context["counter_form"] = CounterNoticeForm()
        context.update(merchant_page_context(claim))
        return render(request, "takedowns/merchant_claim.html", {**context, "logged_in": True})
    context["seller_network"] = network_listings_for_brand(claim) if audience == Audience.BRAND else None
    context["can_file"] = claim.brand_id in actor.filing_brand_ids
    return render(request, "takedowns/claim_detail.html", context)


def capture_context(claim) -> dict:
    """The listing as filed, for the review page and the brand's claim page (the viewer pages through its
    photos and the evidence)."""
    capture = listing_capture_shown(claim)
    return {
        "capture": capture,
        # As pairs: an attribute the marketplace named "items" must not hide the dict's own items().
        "capture_attributes": list(capture.attributes.items()) if capture is not None else [],
    }


def merchant_page_context(claim) -> dict:
    """What the merchant's page adds, logged in or through the signed link: the brand's explanation and a
    list of its evidence without personal data (`evidence_for_merchant`), and the size its documents may be."""
    return {
        "brand_explanation": explanation_for_merchant(claim),
        "brand_evidence": evidence_for_merchant(claim),
        "document_max_bytes": settings.EVIDENCE_MAX_BYTES,
        "document_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }


@login_required
@require_POST
def claim_action(request, pk, name):
    """One transition from a claim page; the service decides who may take it (403), from where (409), and
    what must hold (400). Every message it gives is shown."""
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    note, reason = request.POST.get("note", ""), request.POST.get("reason", "")
    try:
        if name in ("provide_info", "appeal"):
            # The answer (or the appeal) and its new evidence as one unit: a refusal keeps no file.
            with transaction.atomic():
                for upload in request.FILES.getlist("evidence"):
                    evidence_add(
                        actor=actor,
                        claim=claim,
                        file=upload,
                        kind=request.POST.get("kind", Evidence.Kind.IMAGE),
                    )
                claim_transition(claim_id=claim.pk, name=name, actor=actor, note=note)
        elif name == "counter_notice":
            counter_notice_file(actor=actor, claim=claim, post=request.POST, files=request.FILES)
        elif name == "legal_action":
            counter_notice_legal_action(actor=actor, claim=claim, note=note)
        elif name in TRANSITIONS:
            # The same engine and answers as the API: what the role may never do (403), what the state
            # does not allow now (409), what is missing (400).
            claim_transition(claim_id=claim.pk, name=name, actor=actor, note=note, reason=reason)
        else:
            raise Http404
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404 from exc
        flash_errors(request, exc)
        return redirect("claim", pk=claim.pk)
    claim.refresh_from_db()
    messages.success(
        request, _("%(ref)s is now %(state)s.") % {"ref": claim.reference, "state": claim.get_state_display()}
    )
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    if actor.reviewer and request.POST.get("next") == "queue":
        following = request.POST.get("next_id")
        return redirect("claim", pk=following) if following else redirect("queue")
    return redirect("claim", pk=claim.pk)


@login_required
@require_POST
def claim_evidence(request, pk):
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("claim", pk=claim.pk)
    try:
        for upload in form.cleaned_data["evidence"]:
            evidence_add(
                actor=actor,
                claim=claim,
                file=upload,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Evidence added."))
    return redirect("claim", pk=claim.pk)


@login_required
def evidence_file(request, pk):
    """Evidence is served only to staff and the claim's own brand (`evidence_visible_to`, as the API's
    claim detail), never from a public media URL and never to a merchant."""
    actor = actor_for(request.user)
    item = get_object_or_404(evidence_visible_to(actor), pk=pk)
    return file_response(item.file)


@login_required
def listing_image_file(request, pk):
    """A photo of a listing, as the marketplace sent it: to whoever may read the listing."""
    actor = actor_for(request.user)
    image = get_object_or_404(ListingImage, pk=pk, listing__in=listings_visible_to(actor))
    return file_response(image.file)


def counter_notice_file(*, actor, claim, post, files) -> None:
    """The merchant's counter-notice and its documents, as one unit (the portal and the signed link)."""
    form = CounterNoticeForm(post)
    form.is_valid()
    data = form.cleaned_data
    with transaction.atomic():
        claim_transition(
            claim_id=claim.pk,
            name="counter_notice",
            actor=actor,
            note=data.get("statement", ""),
            reason=data.get("reason", ""),
            data={"good_faith": data.get("good_faith", False), "signature": data.get("signature", "")},
        )
        for upload in files.getlist("documents"):
            counter_notice_evidence_add(actor=actor, claim=claim, file=upload)


def counter_documents_add(request, *, actor, claim) -> None:
    """Documents the merchant adds to its pending counter-notice; each refusal is flashed."""
    uploads = request.FILES.getlist("documents")
    if not uploads:
        messages.error(request, _("Choose at least one document."))
        return
    try:
        with transaction.atomic():
            for upload in uploads:
                counter_notice_evidence_add(actor=actor, claim=claim, file=upload)
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Attached. The reviewer and the rights holder can read it."))


@login_required
@require_POST
def claim_counter_documents(request, pk):
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    counter_documents_add(request, actor=actor, claim=claim)
    return redirect("claim", pk=claim.pk)


@login_required
def counter_document(request, pk):
    """A counter-notice document: the reviewers, the claim's brand and the merchant itself."""
    actor = actor_for(request.user)
    item = get_object_or_404(counter_evidence_visible_to(actor), pk=pk)
    return file_response(item.file)


@login_required
def claim_network(request, pk):
    """The other listings of the seller's network that carry the brand's marks: the brand picks those to file
    against, and they become one bulk filing of drafts, each claim then evidenced, submitted and reviewed
    as any other."""
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    require(claim.brand_id in actor.filing_brand_ids)
    seen = network_listings_for_brand(claim)
    if seen is None:
        raise Http404
    listings = list(seen["listings"][:500])
    form = NetworkFilingForm(request.POST or None, listings=listings)
    if request.method == "POST" and form.is_valid():
        # A listing the brand already has an open claim on is not filed again (the page disables it too).
        chosen = [
            item
            for item in listings
            if str(item.pk) in form.cleaned_data["listings"] and not item.already_claimed
        ]
        try:
            batch = batch_create(
                actor=actor,
                brand=claim.brand,
                ip_right=claim.ip_right,
                fields={
                    "infringement_type": claim.infringement_type,
                    "description": form.cleaned_data["description"],
                    "good_faith": True,
                    "accurate": True,
                    "signature": form.cleaned_data["signature"],
                },
                rows=[
                    {"listing_url": item.url, "infringement_type": "", "description": ""} for item in chosen
                ],
            )
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            return redirect("batch", pk=batch.pk)
    return render(
        request,
        "takedowns/claim_network.html",
        {"claim": claim, "listings": listings, "storefronts": seen["storefronts"], "form": form},
    )
