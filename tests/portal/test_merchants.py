from merchants.models import Merchant
from tests.lifecycle import claim_in_state


def test_it_shows_a_merchants_strikes_and_claims(world, client_for):
    claim = claim_in_state(world, "taken_down")
    page = client_for(world.reviewer).get(f"/merchants/{world.merchant.pk}/").content.decode()
    assert claim.reference in page and "Ban merchant" in page
    assert world.merchant.name in client_for(world.reviewer).get("/merchants/?q=Lucky").content.decode()


def test_it_bans_and_lifts_a_ban(world, client_for):
    client = client_for(world.reviewer)
    response = client.post(f"/merchants/{world.merchant.pk}/ban/", {"note": ""}, follow=True)
    assert b"Give the reason for the ban" in response.content
    client.post(f"/merchants/{world.merchant.pk}/ban/", {"note": "Counterfeits after warnings"})
    assert Merchant.objects.get(pk=world.merchant.pk).status == "banned"
    client.post(f"/merchants/{world.merchant.pk}/lift-ban/", {"note": "Appeal upheld"})
    assert Merchant.objects.get(pk=world.merchant.pk).status == "active"


def test_only_reviewers_ban(world, client_for, nothing_written):
    compliance, owner = client_for(world.compliance), client_for(world.owner)
    with nothing_written():
        assert compliance.post(f"/merchants/{world.merchant.pk}/ban/", {"note": "x"}).status_code == 403
        assert owner.post(f"/merchants/{world.merchant.pk}/ban/", {"note": "x"}).status_code == 403
    assert client_for(world.owner).get(f"/merchants/{world.merchant.pk}/").status_code == 403
    assert Merchant.objects.get(pk=world.merchant.pk).status == "active"
