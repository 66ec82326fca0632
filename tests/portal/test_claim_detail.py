from tests.lifecycle import claim_in_state


def test_it_shows_the_timeline_and_evidence(world, client_for):
    claim = claim_in_state(world, "taken_down")
    page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert "Timeline" in page and "Review started" in page and "Taken down" in page
    assert f"/evidence/{claim.evidence.get().pk}/" in page
    assert "Retract claim" in page


def test_it_hides_another_brands_claim(world, client_for):
    claim = claim_in_state(world, "submitted")
    assert client_for(world.other_owner).get(f"/claims/{claim.pk}/").status_code == 404
    assert client_for(world.outsider).get(f"/claims/{claim.pk}/").status_code == 404


def test_it_lists_what_a_draft_still_needs(world, client_for):
    claim = claim_in_state(world, "draft", signature="")
    page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert "Sign the claim with your full name." in page


def test_it_shows_reviewers_the_review_page(world, client_for):
    claim = claim_in_state(world, "in_review")
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    for text in (
        "Approve",
        "Reject",
        "Request information",
        'data-shortcuts="review"',
        "accuracy",
        "first offence",
    ):
        assert text in page


def test_it_offers_a_submitted_claim_for_review_before_any_decision(world, client_for):
    claim = claim_in_state(world, "submitted")
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert 'id="start-review"' in page and 'class="decisions"' not in page


def test_it_shows_the_brand_the_information_request(world, client_for):
    claim = claim_in_state(world, "info_requested")
    page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
    assert "Send a test purchase." in page and "Send answer" in page


def test_it_shows_merchants_the_counter_notice_form(world, client_for):
    claim = claim_in_state(world, "taken_down")
    page = client_for(world.merchant_user).get(f"/claims/{claim.pk}/").content.decode()
    assert "File counter-notice" in page
    assert "/evidence/" not in page  # the brand's files stay with the brand


def test_it_highlights_the_claimed_mark_in_the_listing_title(world, client_for):
    from tests.factories import ListingFactory
    from tests.lifecycle import claim_in_state

    listing = ListingFactory(merchant=world.merchant, title="New aurelia bag <b>AURELIA</b> style")
    claim = claim_in_state(world, "submitted", listing=listing)
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "New <mark>aurelia</mark> bag &lt;b&gt;<mark>AURELIA</mark>&lt;/b&gt; style" in page
