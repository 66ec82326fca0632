"""Who sees which merchants and listings."""

from __future__ import annotations

from django.db.models import QuerySet

from core.roles import Actor
from merchants.models import Listing, Merchant


def merchants_visible_to(actor: Actor) -> QuerySet[Merchant]:
    merchants = Merchant.objects.all()
    if actor.sees_everything or actor.platform or actor.brand_ids:
        return merchants
    return merchants.filter(pk__in=actor.merchant_ids)


def listings_visible_to(actor: Actor) -> QuerySet[Listing]:
    listings = Listing.objects.select_related("merchant")
    if actor.sees_everything or actor.platform or actor.brand_ids:
        return listings
    return listings.filter(merchant_id__in=actor.merchant_ids)
