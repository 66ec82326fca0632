"""Sorting the queue by its columns: whitelisted keys, aria-sort, ties broken by id, kept across pages."""

import re
from datetime import timedelta

from django.utils import timezone

from takedowns.models import Claim
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state
from tests.portal.tenants import other_brand_claim


def references(page: str) -> list[str]:
    return re.findall(r'class="open" href="/claims/\d+/">([^<]+)</a>', page)


def test_it_sorts_by_a_column_both_ways_and_says_so(world, client_for):
    zeta = claim_in_state(world, "submitted", listing=ListingFactory(title="Zeta watch"))
    alpha = claim_in_state(world, "submitted", listing=ListingFactory(title="Alpha bag"))
    client = client_for(world.reviewer)
    page = client.get("/queue/?sort=listing").content.decode()
    assert references(page) == [alpha.reference, zeta.reference]
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=-listing">Listing</a></th>' in page
    page = client.get("/queue/?sort=-listing").content.decode()
    assert references(page) == [zeta.reference, alpha.reference]
    assert 'aria-sort="descending"><a href="?sort=listing">Listing</a>' in page
    assert 'aria-sort="none"><a href="?sort=reference">Reference</a>' in page


def test_every_column_sorts_and_an_unknown_key_keeps_the_queue_order(world, client_for):
    claims = [claim_in_state(world, "submitted", listing=ListingFactory()) for _ in range(3)]
    for hours, claim in zip((30, 10, 20), claims, strict=True):
        Claim.objects.filter(pk=claim.pk).update(due_at=timezone.now() + timedelta(hours=hours))
    client = client_for(world.reviewer)
    default = references(client.get("/queue/").content.decode())
    for key in ("sla", "reference", "state", "brand", "listing", "merchant", "type", "evidence", "reviewer"):
        for sort in (key, f"-{key}"):
            response = client.get(f"/queue/?sort={sort}")
            assert response.status_code == 200
            assert sorted(references(response.content.decode())) == sorted(default), sort
    by_due = [claims[1].reference, claims[2].reference, claims[0].reference]
    assert references(client.get("/queue/?sort=sla").content.decode()) == by_due
    assert references(client.get("/queue/?sort=-sla").content.decode()) == by_due[::-1]
    by_reference = sorted(c.reference for c in claims)
    assert references(client.get("/queue/?sort=-reference").content.decode()) == by_reference[::-1]
    for junk in ("created_at", "-listing__merchant__email", "brand__name", "?", "-", "--sla"):
        assert references(client.get(f"/queue/?sort={junk}").content.decode()) == default


def test_ties_are_broken_by_id_so_every_claim_is_on_exactly_one_page(world, client_for):
    """60 claims of one brand sorted by brand: the sort key ties everywhere, the pages must not overlap."""
    claims = [claim_in_state(world, "submitted", listing=ListingFactory()) for _ in range(60)]
    client = client_for(world.reviewer)
    first = client.get("/queue/?sort=brand").content.decode()
    assert 'href="?sort=brand&amp;page=2" rel="next"' in first
    second = client.get("/queue/?sort=brand&page=2").content.decode()
    seen = references(first) + references(second)
    assert len(seen) == 60 and set(seen) == {c.reference for c in claims}
    assert seen == [c.reference for c in sorted(claims, key=lambda c: c.pk)]


def test_the_sort_is_kept_by_filters_tabs_and_whose_claims(world, client_for):
    claim_in_state(world, "submitted")
    page = client_for(world.reviewer).get("/queue/?sort=-brand&who=unassigned").content.decode()
    assert '<input type="hidden" name="sort" value="-brand">' in page
    assert '<input type="hidden" name="who" value="unassigned">' in page
    assert 'href="?sort=-brand&amp;who=unassigned&amp;state=submitted"' in page  # the New tab


def test_it_sorts_by_brand_name_across_brands(world, client_for):
    late = other_brand_claim(world, "submitted")  # Northpeak
    early = claim_in_state(world, "submitted")  # Aurelia
    client = client_for(world.reviewer)
    assert references(client.get("/queue/?sort=brand").content.decode()) == [early.reference, late.reference]
    assert references(client.get("/queue/?sort=-brand").content.decode()) == [late.reference, early.reference]
