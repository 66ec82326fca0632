from tests.lifecycle import claim_in_state
from tests.portal.tenants import other_brand_claim


def test_it_lists_the_brands_claims_only(world, client_for):
    mine = claim_in_state(world, "submitted")
    theirs = other_brand_claim(world, "submitted")
    page = client_for(world.owner).get("/claims/").content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_it_filters_and_sorts(world, client_for):
    submitted = claim_in_state(world, "submitted")
    page = client_for(world.owner).get("/claims/?state=draft&sort=-reference").content.decode()
    assert submitted.reference not in page
    assert "No claim matches these filters" in page


def test_it_shows_merchants_the_claims_about_their_listings(world, client_for):
    draft = claim_in_state(world, "draft")
    down = other_brand_claim(world, "taken_down", listing=world.listing)
    page = client_for(world.merchant_user).get("/claims/").content.decode()
    assert down.reference in page and draft.reference not in page


def test_it_explains_an_empty_list(world, client_for):
    assert "You have not filed any claims yet" in client_for(world.owner).get("/claims/").content.decode()


def test_a_malformed_filter_id_filters_nothing_instead_of_failing(world, client_for):
    mine = claim_in_state(world, "submitted")
    for query in ("?brand=abc", "?brand=1%27", "?batch=x", "?brand=99999999999999999999999"):
        response = client_for(world.owner).get("/claims/" + query)
        assert response.status_code == 200, query
    assert mine.reference in client_for(world.owner).get("/claims/?brand=abc").content.decode()
