from django.core.files.uploadedfile import SimpleUploadedFile

from takedowns.models import Claim, CounterNotice
from tests.factories import PNG
from tests.lifecycle import claim_in_state


def _post(client, claim, name, **data):
    return client.post(f"/claims/{claim.pk}/do/{name}/", data, follow=True)


def test_it_approves_a_claim_in_review(world, client_for):
    claim = claim_in_state(world, "in_review")
    _post(client_for(world.reviewer), claim, "approve")
    claim.refresh_from_db()
    # Enforcement runs when the transaction commits, which a test transaction never does.
    assert claim.state == "approved" and claim.decided_by == world.reviewer
    assert list(claim.events.values_list("transition", flat=True))[-1] == "approve"


def test_it_approves_a_submitted_claim_only_after_the_review_starts(world, client_for):
    claim = claim_in_state(world, "submitted")
    response = _post(client_for(world.reviewer), claim, "approve")
    assert "“Approve” is not possible while the claim is “Submitted”." in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "submitted" and claim.assignee is None


def test_it_needs_a_reason_to_reject(world, client_for):
    claim = claim_in_state(world, "in_review")
    response = _post(client_for(world.reviewer), claim, "reject", reason="")
    assert b"Give a reason code" in response.content
    claim.refresh_from_db()
    assert claim.state == "in_review"
    _post(client_for(world.reviewer), claim, "reject", reason="insufficient_evidence", note="Blurry")
    claim.refresh_from_db()
    assert claim.state == "rejected"


def test_it_requests_information_and_takes_the_answer(world, client_for):
    claim = claim_in_state(world, "in_review")
    _post(client_for(world.reviewer), claim, "request_info", note="Send a test purchase")
    claim.refresh_from_db()
    assert claim.state == "info_requested"
    _post(
        client_for(world.owner),
        claim,
        "provide_info",
        note="Receipt attached",
        evidence=SimpleUploadedFile("receipt.png", PNG, content_type="image/png"),
        kind="test_purchase",
    )
    claim.refresh_from_db()
    assert claim.state == "submitted" and claim.evidence.count() == 2


def test_it_withdraws_and_retracts(world, client_for):
    claim = claim_in_state(world, "submitted")
    _post(client_for(world.owner), claim, "withdraw")
    claim.refresh_from_db()
    assert claim.state == "withdrawn"
    down = claim_in_state(world, "taken_down")
    _post(client_for(world.owner), down, "retract", note="Our mistake")
    down.refresh_from_db()
    assert down.state == "reinstated" and down.retracted


def test_it_records_the_brands_legal_action(world, client_for):
    claim = claim_in_state(world, "counter_noticed")
    _post(client_for(world.owner), claim, "legal_action", note="Case 1:26-cv-1, SDNY, filed 2026-05-01")
    assert CounterNotice.objects.get(claim=claim).legal_action_at is not None


def test_it_shows_the_service_message_when_a_role_may_not(world, client_for):
    claim = claim_in_state(world, "in_review")
    response = _post(client_for(world.owner), claim, "approve")
    assert "Your role may not take the step “Approve” on this claim." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == "in_review"


def test_it_refuses_another_tenant_with_404(world, client_for, nothing_written):
    claim = claim_in_state(world, "submitted")
    other_owner = client_for(world.other_owner)
    with nothing_written():
        assert other_owner.post(f"/claims/{claim.pk}/do/withdraw/").status_code == 404
        assert other_owner.post(f"/claims/{claim.pk}/evidence/").status_code == 404


def test_it_lets_a_signed_in_merchant_file_a_counter_notice(world, client_for):
    claim = claim_in_state(world, "taken_down")
    _post(
        client_for(world.merchant_user),
        claim,
        "counter_notice",
        reason="owner",
        statement="Genuine stock",
        good_faith="on",
        signature="Sam Seller",
    )
    claim.refresh_from_db()
    assert claim.state == "counter_noticed"


def test_it_decides_a_counter_notice(world, client_for):
    claim = claim_in_state(world, "counter_noticed")
    _post(client_for(world.reviewer), claim, "uphold", note="Invoice does not match")
    claim.refresh_from_db()
    assert claim.state == "taken_down"


def test_it_adds_evidence_to_a_draft(world, client_for):
    claim = claim_in_state(world, "draft")
    client_for(world.owner).post(
        f"/claims/{claim.pk}/evidence/",
        {
            "evidence": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", PNG)],
            "kind": "image",
            "note": "",
        },
    )
    assert claim.evidence.count() == 3
