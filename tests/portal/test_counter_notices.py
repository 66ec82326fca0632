from tests.lifecycle import claim_in_state


def test_it_lists_pending_counter_notices(world, client_for):
    claim = claim_in_state(world, "counter_noticed")
    page = client_for(world.reviewer).get("/counter-notices/").content.decode()
    assert claim.reference in page and "Genuine goods from the distributor." in page


def test_it_explains_an_empty_list(world, client_for):
    assert (
        "No counter-notice is waiting" in client_for(world.reviewer).get("/counter-notices/").content.decode()
    )


def test_it_is_for_reviewers_only(world, client_for):
    assert client_for(world.owner).get("/counter-notices/").status_code == 403
