from tests.lifecycle import claim_in_state
from tests.portal.tenants import other_brand_claim


def test_it_shows_the_brand_figures_and_a_chart(world, client_for):
    claim_in_state(world, "taken_down")
    response = client_for(world.owner).get("/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "100.0%" in page  # one decided, one taken down
    assert "<svg" in page and "<desc>" in page  # the chart, with its text alternative
    assert "Claims by state" in page


def test_it_counts_only_the_brands_own_claims(world, client_for):
    other_brand_claim(world, "taken_down")
    page = client_for(world.owner).get("/dashboard/").content.decode()
    assert "—" in page  # no decided claim of its own: no rate


def test_it_is_not_for_reviewers(world, client_for):
    assert client_for(world.reviewer).get("/dashboard/").status_code == 403
