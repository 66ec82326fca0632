"""Test purchase pages: the list, recording one, its page with the photos, the photo files, and attaching one
to a claim from the claim's page (docs/intelligence.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from core.files import file_response
from core.portal import error_messages, flash_errors, page_of, require
from core.roles import actor_for
from takedowns.forms import TestPurchaseForm
from takedowns.selectors import (
    claims_visible_to,
    test_purchase_list,
    test_purchase_photos_visible_to,
)
from takedowns.services.filing import listing_find
from takedowns.services.test_purchases import test_purchase_attach, test_purchase_create
from takedowns.views.claims import filing_brands


@login_required
def test_purchases(request):
    """The brand members' own purchases; reviewers and compliance see every brand's."""
    actor = actor_for(request.user)
    require(actor.sees_everything or bool(actor.brand_ids))
    return render(
        request,
        "takedowns/test_purchases.html",
        {"page": page_of(request, test_purchase_list(actor)), "can_record": bool(actor.filing_brand_ids)},
    )


@login_required
def test_purchase_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    brands = filing_brands(actor)
    posted = request.method == "POST"  # an empty POST is still a bound (invalid) form, never a 500
    form = TestPurchaseForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        brands=brands,
        initial={
            "listing_url": request.GET.get("listing_url", ""),
            "brand": brands.first() if len(actor.filing_brand_ids) == 1 else None,
        },
    )
    problems: list[str] = []
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = test_purchase_create(
                actor=actor,
                brand=data["brand"],
                listing=listing_find(listing_url=data["listing_url"]),
                order_ref=data["order_ref"],
                ordered_on=data["ordered_on"],
                amount=data["amount"],
                currency=data["currency"],
                verdict=data["verdict"],
                notes=data["notes"],
                photos=data["photos"],
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(request, _("Test purchase %(ref)s was recorded.") % {"ref": purchase.order_ref})
            return redirect("test-purchase", pk=purchase.pk)
    return render(request, "takedowns/test_purchase_new.html", {"form": form, "problems": problems})


@login_required
def test_purchase_detail(request, pk):
    actor = actor_for(request.user)
    purchase = get_object_or_404(test_purchase_list(actor), pk=pk)
    return render(request, "takedowns/test_purchase.html", {"purchase": purchase})


@login_required
def test_purchase_photo(request, pk):
    """A photo of what arrived, served as evidence files are (`core.files.file_response`): the brand's members
    and the platform's staff only, never a merchant, never from a public media URL."""
    photo = get_object_or_404(test_purchase_photos_visible_to(actor_for(request.user)), pk=pk)
    return file_response(photo.file)


@login_required
@require_POST
def claim_test_purchase(request, pk):
    """Attach one of the brand's purchases to the claim; each refusal of the service is shown on the claim."""
    actor = actor_for(request.user)
    claim = get_object_or_404(claims_visible_to(actor).select_related("listing"), pk=pk)
    raw = request.POST.get("test_purchase", "").strip()
    try:
        test_purchase_attach(
            actor=actor, claim=claim, purchase_id=int(raw) if raw.isdecimal() and len(raw) < 19 else None
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404 from exc
        flash_errors(request, exc)
    else:
        messages.success(request, _("The test purchase is attached to the claim."))
    return redirect("claim", pk=claim.pk)
