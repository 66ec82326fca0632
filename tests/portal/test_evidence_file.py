from brands.models import BrandMembership
from tests.lifecycle import claim_in_state


def test_it_serves_evidence_to_the_brand_and_reviewers(world, client_for):
    item = claim_in_state(world, "submitted").evidence.get()
    for user in (world.owner, world.reviewer, world.compliance):
        response = client_for(user).get(f"/evidence/{item.pk}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_it_hides_evidence_from_other_tenants_and_merchants(world, client_for):
    item = claim_in_state(world, "taken_down").evidence.get()
    assert client_for(world.other_owner).get(f"/evidence/{item.pk}/").status_code == 404
    assert client_for(world.merchant_user).get(f"/evidence/{item.pk}/").status_code == 404


def test_it_hides_another_brands_evidence_from_a_merchant_who_is_also_a_brand_member(world, client_for, api):
    """A user with both roles sees another brand's claim on its listings as a merchant: without evidence,
    through the portal and through the API alike."""
    claim = claim_in_state(world, "taken_down")
    item = claim.evidence.get()
    dual = world.merchant_user
    BrandMembership.objects.create(user=dual, brand=world.other_brand, role=BrandMembership.Role.OWNER)
    assert client_for(dual).get(f"/evidence/{item.pk}/").status_code == 404
    detail = api(dual).get(f"/api/v1/claims/{claim.pk}/").json()
    assert "evidence" not in detail and "signature" not in detail
    assert client_for(dual).get(f"/claims/{claim.pk}/").status_code == 200
