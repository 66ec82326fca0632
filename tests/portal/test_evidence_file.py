from tests.lifecycle import claim_in_state


def test_it_serves_evidence_to_the_brand_and_reviewers(world, client_for):
    item = claim_in_state(world, "submitted").evidence.get()
    for user in (world.owner, world.reviewer, world.compliance):
        response = client_for(user).get(f"/evidence/{item.pk}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_it_hides_evidence_from_other_tenants_and_merchants(world, client_for):
    item = claim_in_state(world, "taken_down").evidence.get()
    assert client_for(world.other_owner).get(f"/evidence/{item.pk}/").status_code == 404
    assert client_for(world.merchant_user).get(f"/evidence/{item.pk}/").status_code == 403
