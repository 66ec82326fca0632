"""Filing one claim in the portal: the form, its evidence held across errors, and the listing's preview."""

from __future__ import annotations

from itertools import zip_longest

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError, Invalid
from core.portal import error_messages, require
from core.roles import actor_for
from core.staged import Staged, stage, unstage
from takedowns.forms import ClaimFileForm
from takedowns.models import Evidence
from takedowns.selectors import filing_warnings
from takedowns.services.conditions import filing_problems_by_field
from takedowns.services.filing import claim_file, evidence_kind_for, listing_find
from takedowns.views.claims import usable_rights


@login_required
def claim_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    rights = usable_rights(actor)
    posted = request.method == "POST"  # an empty POST is still a bound (invalid) form, never a 500
    form = ClaimFileForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        rights=rights,
        initial={
            "listing_url": request.GET.get("listing_url", ""),
            # One right to file under: it is chosen.
            "ip_right": only.pk if (only := rights.first()) is not None and rights.count() == 1 else None,
        },
    )
    problems: list[str] = []
    warnings: list[dict] = []
    held: list[tuple[Staged, str]] = []
    if posted:
        held, refused = _evidence_held(request)
        form.is_valid()
        for message in refused:
            form.add_error("evidence", message)
        if not held and not refused:
            form.add_error("evidence", _("Attach at least one piece of evidence."))
        problems = _filing_preflight(form)
    if posted and form.is_valid() and not problems:
        warnings = _filing_warnings(form)
    if posted and form.is_valid() and not problems and (not warnings or form.cleaned_data["file_anyway"]):
        right = form.cleaned_data["ip_right"]
        files = [item.open() for item, _kind in held]
        try:
            claim = claim_file(
                actor=actor,
                brand=right.brand,
                ip_right=right,
                listing_url=form.cleaned_data["listing_url"],
                fields=form.claim_fields(),
                files=files,
                evidence_kind=[kind for _item, kind in held],
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            for item, _kind in held:
                item.discard()
            messages.success(
                request,
                _("Claim %(ref)s was submitted. We will review it and tell you the decision.")
                % {"ref": claim.reference},
            )
            return redirect("claim", pk=claim.pk)
        finally:
            for file in files:
                file.close()
    url = form.cleaned_data.get("listing_url") if posted else request.GET.get("listing_url", "")
    return render(
        request,
        "takedowns/claim_new.html",
        {
            "form": form,
            "problems": problems,
            "warnings": warnings,
            "has_rights": rights.exists(),
            "held": held,
            "kinds": Evidence.Kind.choices,
            "listing": _listing_or_none(url),
        },
    )


@login_required
def claim_new_listing(request):
    """The listing a URL names, as the marketplace sent it, shown on the filing form as soon as the URL is
    typed (htmx): title, price, seller and photos, or why none is shown."""
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    url = request.GET.get("listing_url", "").strip()
    return render(
        request,
        "takedowns/_listing_preview.html",
        {"listing": _listing_or_none(url), "url": url},
    )


def _listing_or_none(url: str | None):
    if not url:
        return None
    try:
        return listing_find(listing_url=url)
    except DomainError:
        return None


def _evidence_held(request) -> tuple[list[tuple[Staged, str]], list[str]]:
    """The evidence of this submission, each file with its kind: the files held from an earlier one (less
    those the brand removed), then the files chosen now, each checked and held in turn. Also the refusals,
    each naming its file."""
    user_id = request.user.pk
    held, refused = [], []
    removed = set(request.POST.getlist("staged_remove"))
    for token, kind in zip_longest(request.POST.getlist("staged"), request.POST.getlist("staged_kind")):
        if not token:
            continue
        try:
            item = unstage(token, user_id=user_id)
        except Invalid as exc:
            refused.append(str(exc.detail))
            continue
        if token in removed:
            item.discard()
            continue
        held.append((item, kind if kind in Evidence.Kind.values else evidence_kind_for(item.content_type)))
    kinds = request.POST.getlist("evidence_kinds")
    for index, upload in enumerate(request.FILES.getlist("evidence")):
        try:
            item = stage(upload, user_id=user_id)
        except Invalid as exc:
            refused.append(str(exc.detail))
            continue
        kind = kinds[index] if index < len(kinds) else ""
        held.append((item, kind if kind in Evidence.Kind.values else evidence_kind_for(item.content_type)))
    return held, refused


def _filing_warnings(form) -> list[dict]:
    """What the brand should know before it files against the listing's seller (a genuine test purchase of
    its own): the claim is filed only once the brand confirms it files anyway."""
    listing = _listing_or_none(form.cleaned_data["listing_url"])
    if listing is None:
        return []
    return filing_warnings(brand_id=form.cleaned_data["ip_right"].brand_id, listing=listing)


def _filing_preflight(form) -> list[str]:
    """What the right, the brand and the listing would refuse, put on the fields they concern (an unknown
    URL on the URL, a right that cannot be used on the right), so the brand sees every unmet condition at
    once and where to change it; what concerns the brand itself is returned for the page's summary."""
    right, url = form.cleaned_data.get("ip_right"), form.cleaned_data.get("listing_url")
    if not url:
        return []
    try:
        listing = listing_find(listing_url=url)
    except DomainError as exc:
        form.add_error("listing_url", str(exc.detail))
        return []
    if right is None:
        return []
    found = filing_problems_by_field(brand=right.brand, ip_right=right, listing=listing)
    for field, problems in found.items():
        for message in problems if field else []:
            form.add_error(field, message)
    return found[None]
