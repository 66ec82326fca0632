from datetime import timedelta

from django.utils import timezone

from takedowns.models import Claim
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state
from tests.portal.tenants import other_brand_claim


def test_it_lists_open_claims_in_spec_order_with_counts(world, client_for):
    normal = claim_in_state(world, "submitted")
    world.other_brand.trusted_flagger = True
    world.other_brand.save()
    urgent = other_brand_claim(world, "submitted")
    page = client_for(world.reviewer).get("/queue/").content.decode()
    assert page.index(urgent.reference) < page.index(normal.reference)  # high priority first
    assert 'data-shortcuts="queue"' in page and "Apply to selected claims" in page
    assert 'To decide<span class="count">2</span>' in page


def test_it_keeps_claims_waiting_for_the_brand_out_of_the_default_view(world, client_for):
    waiting = claim_in_state(world, "info_requested")
    Claim.objects.filter(pk=waiting.pk).update(due_at=timezone.now() - timedelta(hours=1))
    actionable = claim_in_state(world, "submitted", listing=ListingFactory())
    client = client_for(world.reviewer)
    page = client.get("/queue/").content.decode()
    assert actionable.reference in page and waiting.reference not in page
    assert 'To decide<span class="count">1</span>' in page
    assert waiting.reference in client.get("/queue/?state=info_requested").content.decode()


def test_it_filters_by_state_brand_type_overdue_and_good_faith(world, client_for):
    submitted = claim_in_state(world, "submitted")
    in_review = claim_in_state(world, "in_review", listing=ListingFactory())
    Claim.objects.filter(pk=in_review.pk).update(due_at=timezone.now() - timedelta(hours=3))
    client = client_for(world.reviewer)
    page = client.get("/queue/?state=in_review").content.decode()
    assert in_review.reference in page and submitted.reference not in page
    page = client.get("/queue/?overdue=1").content.decode()
    assert in_review.reference in page and submitted.reference not in page and "overdue 3 h" in page
    page = client.get(f"/queue/?brand={world.other_brand.pk}").content.decode()
    assert "No claim matches these filters." in page
    assert submitted.reference not in client.get("/queue/?infringement_type=patent").content.decode()
    assert submitted.reference not in client.get("/queue/?good_faith=1").content.decode()
    assert (
        submitted.reference in client.get(f"/queue/?merchant={world.merchant.platform_ref}").content.decode()
    )


def test_it_is_for_reviewers_only(world, client_for):
    assert client_for(world.owner).get("/queue/").status_code == 403
    assert client_for(world.compliance).get("/queue/").status_code == 403


def test_it_explains_an_empty_queue(world, client_for):
    assert "The queue is empty" in client_for(world.reviewer).get("/queue/").content.decode()


def test_a_malformed_brand_filter_does_not_fail(world, client_for):
    claim = claim_in_state(world, "submitted")
    response = client_for(world.reviewer).get("/queue/?brand=abc")
    assert response.status_code == 200 and claim.reference in response.content.decode()
