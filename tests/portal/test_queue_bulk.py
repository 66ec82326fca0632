from takedowns.models import Claim
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state


def test_it_decides_the_selected_claims(world, client_for):
    claims = [claim_in_state(world, "in_review", listing=ListingFactory()) for _ in range(3)]
    response = client_for(world.reviewer).post(
        "/queue/decide/",
        {
            "claim": [c.pk for c in claims[:2]],
            "decision": "reject",
            "reason": "duplicate",
            "back": "/queue/",
        },
    )
    assert response["Location"] == "/queue/"
    states = dict(Claim.objects.values_list("pk", "state"))
    assert [states[c.pk] for c in claims] == ["rejected", "rejected", "in_review"]


def test_it_answers_a_claim_not_yet_in_review_as_the_api_does(world, client_for, api):
    """The bulk bar takes the same transition as the API: no review is started behind the reviewer's back."""
    claim = claim_in_state(world, "submitted")
    response = client_for(world.reviewer).post(
        "/queue/decide/", {"claim": [claim.pk], "decision": "approve"}, follow=True
    )
    answer = api(world.reviewer).post(f"/api/v1/claims/{claim.pk}/transitions/approve/", {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["detail"].encode() in response.content
    assert Claim.objects.get(pk=claim.pk).state == "submitted"


def test_it_reports_the_claims_it_could_not_decide(world, client_for):
    claim = claim_in_state(world, "in_review")
    response = client_for(world.reviewer).post(
        "/queue/decide/", {"claim": [claim.pk], "decision": "request_info"}, follow=True
    )
    assert b"Say what information the brand must provide." in response.content
    assert Claim.objects.get(pk=claim.pk).state == "in_review"  # nothing half done


def test_it_is_for_reviewers_only(world, client_for, nothing_written):
    claim = claim_in_state(world, "in_review")
    owner = client_for(world.owner)
    with nothing_written():
        assert owner.post("/queue/decide/", {"claim": [claim.pk], "decision": "approve"}).status_code == 403


def test_it_asks_once_for_a_rejection_reason_and_keeps_the_selection(world, client_for, nothing_written):
    claims = [claim_in_state(world, "in_review", listing=ListingFactory()) for _ in range(3)]
    client = client_for(world.reviewer)
    with nothing_written():
        response = client.post(
            "/queue/decide/",
            {"claim": [c.pk for c in claims], "decision": "reject", "back": "/queue/?state=in_review"},
        )
    assert response["Location"] == "/queue/?state=in_review&selected=" + "%2C".join(str(c.pk) for c in claims)
    page = client.get(response["Location"]).content.decode()
    assert page.count("Choose the reason for rejecting the selected claims.") == 1
    assert "insufficient_evidence" not in page.split("<main")[1].split('id="bulk-reason"')[0]
    for claim in claims:
        assert f'value="{claim.pk}" checked' in page


def test_it_sums_up_the_refusals_in_one_sentence_per_reason(world, client_for):
    waiting = [claim_in_state(world, "submitted", listing=ListingFactory()) for _ in range(2)]
    ready = claim_in_state(world, "in_review", listing=ListingFactory())
    client = client_for(world.reviewer)
    response = client.post(
        "/queue/decide/",
        {"claim": [c.pk for c in (*waiting, ready)], "decision": "approve", "back": "/queue/"},
    )
    assert response["Location"] == "/queue/?selected=" + "%2C".join(str(c.pk) for c in waiting)
    page = client.get(response["Location"]).content.decode()
    refs = ", ".join(c.reference for c in waiting)
    assert (
        f"2 claims were not decided: “Approve” is not possible while the claim is “Submitted”. ({refs})"
        in page
    )
    assert "1 claim decided." in page
    assert Claim.objects.get(pk=ready.pk).state in ("approved", "taken_down")
