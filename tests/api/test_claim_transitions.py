import pytest

from takedowns.models import TRANSITIONS, Claim, ClaimEvent, ClaimState, CounterNotice
from tests.api.conftest import assert_json_error, png
from tests.factories import ClaimFactory, with_evidence
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.django_db


def url(claim, name):
    return f"/api/v1/claims/{claim.pk}/transitions/{name}/"


COUNTER = {
    "reason": "owner",
    "note": "Bought from the authorised distributor.",
    "good_faith": True,
    "signature": "Sam Seller",
}

# (transition, from state, who, body, to state): every transition a person may take, from every state it
# may be taken from.
ALLOWED = [
    ("submit", "draft", "owner", {}, "submitted"),
    ("submit", "draft", "agent", {}, "submitted"),
    ("start_review", "submitted", "reviewer", {}, "in_review"),
    ("request_info", "in_review", "reviewer", {"note": "Send the test purchase receipt."}, "info_requested"),
    ("provide_info", "info_requested", "owner", {"note": "Receipt attached."}, "submitted"),
    ("provide_info", "info_requested", "agent", {"note": "See the invoice."}, "submitted"),
    ("approve", "in_review", "reviewer", {"note": "Logo placement matches known fakes."}, "approved"),
    (
        "reject",
        "in_review",
        "reviewer",
        {"reason": "insufficient_evidence", "note": "Photos unclear."},
        "rejected",
    ),
    ("reject", "in_review", "reviewer", {"reason": "other", "note": "Listing already gone."}, "rejected"),
    ("withdraw", "draft", "owner", {}, "withdrawn"),
    ("withdraw", "submitted", "owner", {"note": "Settled."}, "withdrawn"),
    ("withdraw", "in_review", "agent", {}, "withdrawn"),
    ("withdraw", "info_requested", "owner", {}, "withdrawn"),
    ("counter_notice", "taken_down", "merchant_user", COUNTER, "counter_noticed"),
    ("uphold", "counter_noticed", "reviewer", {"note": "Invoice does not match."}, "taken_down"),
    # docs/contract.md §4: "counter-notice rejected, reason required"; a client may give it as `reason`.
    ("uphold", "counter_noticed", "reviewer", {"reason": "Invoice does not match."}, "taken_down"),
    ("reinstate", "counter_noticed", "reviewer", {"note": "Invoice checks out."}, "reinstated"),
    ("retract", "taken_down", "owner", {"note": "Our mistake."}, "reinstated"),
    ("retract", "taken_down", "agent", {}, "reinstated"),
]


@pytest.mark.parametrize("name, source, who, body, target", ALLOWED)
def test_it_takes_each_transition_from_each_allowed_state(world, api, name, source, who, body, target):
    claim = claim_in_state(world, source)
    events_before = ClaimEvent.objects.filter(claim=claim).count()
    response = api(getattr(world, who)).post(url(claim, name), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == target and data["id"] == claim.pk
    assert len(data["events"]) == events_before + 1
    last = data["events"][-1]
    assert (last["transition"], last["from_state"], last["to_state"]) == (name, source, target)
    claim.refresh_from_db()
    assert claim.state == target
    assert ClaimEvent.objects.filter(claim=claim).count() == events_before + 1


def test_it_accepts_a_form_body(world, api):
    claim = claim_in_state(world, "in_review")
    response = api(world.reviewer).post(url(claim, "reject"), {"reason": "duplicate", "note": "See TD-1"})
    assert response.status_code == 200 and response.json()["decision_reason"] == "duplicate"


def test_it_accepts_an_empty_body(world, api):
    claim = claim_in_state(world, "submitted")
    response = api(world.reviewer).post(url(claim, "start_review"))
    assert response.status_code == 200 and response.json()["assignee"] == world.reviewer.pk


def test_it_enforces_an_approval_when_the_transaction_commits(world, api, django_capture_on_commit_callbacks):
    claim = claim_in_state(world, "in_review")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.reviewer).post(url(claim, "approve"), {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "approved"
    body = api(world.owner).get(f"/api/v1/claims/{claim.pk}/").json()
    assert body["state"] == "taken_down" and body["taken_down_at"]
    assert [e["transition"] for e in body["events"]][-2:] == ["approve", "enforce"]
    world.listing.refresh_from_db()
    assert world.listing.status == "removed"
    merchant = api(world.reviewer).get(f"/api/v1/merchants/{world.merchant.pk}/").json()
    assert merchant["active_strikes"] == 1


def test_it_records_a_counter_notice_and_hides_the_signature_from_the_merchant(world, api):
    claim = claim_in_state(world, "taken_down")
    response = api(world.merchant_user).post(url(claim, "counter_notice"), COUNTER, format="json")
    body = response.json()
    assert response.status_code == 200
    assert "signature" not in body and "Jane Counsel" not in response.content.decode()
    assert body["counter_notices"][0]["statement"] == COUNTER["note"]
    assert body["available_transitions"] == []
    counter = CounterNotice.objects.get(claim=claim)
    assert (counter.reason, counter.signature, counter.filed_by) == (
        "owner",
        "Sam Seller",
        world.merchant_user,
    )


def test_it_sends_a_rejected_claim_back_with_its_reason(world, api):
    claim = claim_in_state(world, "in_review")
    body = (
        api(world.reviewer)
        .post(url(claim, "reject"), {"reason": "no_rights", "note": "Mark lapsed"}, format="json")
        .json()
    )
    assert (body["decision_reason"], body["events"][-1]["reason"]) == ("no_rights", "no_rights")


# --- 409: the role may, the state does not -----------------------------------------------------------------
# (transition, state it cannot be taken from, who, what that caller may do there instead)
WRONG_STATE = [
    ("submit", "submitted", "owner", ["withdraw"]),
    ("submit", "withdrawn", "owner", []),
    ("start_review", "in_review", "reviewer", ["request_info", "approve", "reject"]),
    ("start_review", "draft", "reviewer", []),
    ("request_info", "submitted", "reviewer", ["start_review"]),
    ("provide_info", "in_review", "owner", ["withdraw"]),
    ("approve", "submitted", "reviewer", ["start_review"]),
    ("approve", "approved", "reviewer", []),
    ("reject", "info_requested", "reviewer", []),
    ("withdraw", "approved", "owner", []),
    ("withdraw", "taken_down", "owner", ["retract"]),
    ("counter_notice", "counter_noticed", "merchant_user", []),
    ("counter_notice", "reinstated", "merchant_user", []),
    ("uphold", "taken_down", "reviewer", []),
    ("reinstate", "taken_down", "reviewer", []),
    ("retract", "counter_noticed", "owner", []),
    ("retract", "draft", "agent", ["submit", "withdraw"]),
]


@pytest.mark.parametrize("name, source, who, available", WRONG_STATE)
def test_it_answers_conflict_from_a_forbidden_state(world, api, name, source, who, available):
    claim = claim_in_state(world, source)
    body = assert_json_error(api(getattr(world, who)).post(url(claim, name), {}, format="json"), 409)
    assert body["available_transitions"] == available
    # The message names the state as the pages do ("In review"); the code of the state is in `state`.
    assert body["code"] == "invalid_transition" and body["state"] == source
    assert f"“{ClaimState(source).label}”" in body["detail"]
    claim.refresh_from_db()
    assert claim.state == source


# --- 403: the role may never -------------------------------------------------------------------------------
WRONG_ROLE = [
    ("submit", "draft", "reviewer"),
    ("submit", "draft", "viewer"),
    ("submit", "draft", "unverified_agent"),
    ("submit", "draft", "compliance"),
    ("start_review", "submitted", "owner"),
    ("start_review", "submitted", "compliance"),
    ("request_info", "in_review", "agent"),
    ("provide_info", "info_requested", "reviewer"),
    ("provide_info", "info_requested", "viewer"),
    ("approve", "in_review", "owner"),
    ("approve", "in_review", "compliance"),
    ("reject", "in_review", "agent"),
    ("withdraw", "submitted", "reviewer"),
    ("withdraw", "submitted", "viewer"),
    ("counter_notice", "taken_down", "owner"),
    ("counter_notice", "taken_down", "reviewer"),
    ("uphold", "counter_noticed", "owner"),
    ("uphold", "counter_noticed", "merchant_user"),
    ("reinstate", "counter_noticed", "owner"),
    ("reinstate", "counter_noticed", "merchant_user"),
    ("reinstate", "counter_noticed", "compliance"),
    ("retract", "taken_down", "reviewer"),
    ("retract", "taken_down", "merchant_user"),
    # Transitions only the system takes.
    ("expire", "info_requested", "reviewer"),
    ("fast_track", "submitted", "reviewer"),
    ("fast_track", "submitted", "owner"),
    ("enforce", "approved", "reviewer"),
    ("enforce", "approved", "owner"),
]


@pytest.mark.parametrize("name, source, who", WRONG_ROLE)
def test_it_answers_forbidden_to_a_role_that_may_never(world, api, name, source, who):
    claim = claim_in_state(world, source)
    body = assert_json_error(
        api(getattr(world, who)).post(url(claim, name), {"note": "x", "reason": "other"}, format="json"), 403
    )
    assert f"“{TRANSITIONS[name].custom['label']}”" in body["detail"]  # the step as the pages name it
    claim.refresh_from_db()
    assert claim.state == source


def test_it_answers_forbidden_before_conflict(world, api):
    # A reviewer may never submit, whatever the state.
    claim = claim_in_state(world, "taken_down")
    assert_json_error(api(world.reviewer).post(url(claim, "submit"), {}, format="json"), 403)


# --- 400: the conditions ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, source, who, body, fragment",
    [
        ("request_info", "in_review", "reviewer", {}, "information"),
        ("request_info", "in_review", "reviewer", {"note": "   "}, "information"),
        ("provide_info", "info_requested", "owner", {}, "note"),
        ("reject", "in_review", "reviewer", {}, "reason code"),
        ("reject", "in_review", "reviewer", {"reason": "ugly"}, "reason code"),
        ("reject", "in_review", "reviewer", {"reason": "no_response"}, "reason code"),
        ("reject", "in_review", "reviewer", {"reason": "other"}, "other"),
        ("uphold", "counter_noticed", "reviewer", {}, "why"),
        ("counter_notice", "taken_down", "merchant_user", {**COUNTER, "good_faith": False}, "good faith"),
        ("counter_notice", "taken_down", "merchant_user", {**COUNTER, "signature": ""}, "Sign"),
        ("counter_notice", "taken_down", "merchant_user", {**COUNTER, "reason": "because"}, "reason"),
        ("counter_notice", "taken_down", "merchant_user", {**COUNTER, "note": ""}, "statement"),
    ],
)
def test_it_answers_bad_request_when_a_condition_is_unmet(world, api, name, source, who, body, fragment):
    claim = claim_in_state(world, source)
    error = assert_json_error(api(getattr(world, who)).post(url(claim, name), body, format="json"), 400)
    assert fragment in error["detail"]
    claim.refresh_from_db()
    assert claim.state == source


def test_it_lists_every_unmet_condition_of_submit(world, api):
    claim = ClaimFactory(
        brand=world.brand, ip_right=world.right, listing=world.listing, good_faith=False, signature=""
    )
    error = assert_json_error(api(world.owner).post(url(claim, "submit"), {}, format="json"), 400)
    assert error["code"] == "conditions_unmet"
    assert len(error["errors"]) == 3
    assert error["detail"] == error["errors"][0]


def test_it_lists_every_unmet_condition_of_a_counter_notice(world, api):
    claim = claim_in_state(world, "taken_down")
    error = assert_json_error(
        api(world.merchant_user).post(url(claim, "counter_notice"), {}, format="json"), 400
    )
    assert len(error["errors"]) == 4


def test_it_lets_new_evidence_answer_an_information_request(world, api):
    claim = claim_in_state(world, "info_requested")
    client = api(world.owner)
    assert (
        client.post(f"/api/v1/claims/{claim.pk}/evidence/", {"file": png()}, format="multipart").status_code
        == 201
    )
    assert client.post(url(claim, "provide_info"), {}, format="json").json()["state"] == "submitted"


def test_it_refuses_a_second_open_claim_on_submit(world, api):
    claim_in_state(world, "submitted")
    second = with_evidence(ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing))
    error = assert_json_error(api(world.owner).post(url(second, "submit"), {}, format="json"), 400)
    assert "open claim" in error["detail"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"note": ["a"]}, "note"),
        ({"reason": {"code": "other"}}, "reason"),
        ({"reason": "x" * 51}, "reason"),
        ({"good_faith": "perhaps"}, "good_faith"),
        ({"signature": "x" * 201}, "signature"),
    ],
)
def test_it_refuses_bad_transition_input(world, api, body, field):
    claim = claim_in_state(world, "in_review")
    error = assert_json_error(api(world.reviewer).post(url(claim, "reject"), body, format="json"), 400)
    assert field in error


def test_it_refuses_an_invalid_json_body_and_other_content_types(world, api):
    claim = claim_in_state(world, "submitted")
    client = api(world.reviewer)
    assert_json_error(
        client.post(url(claim, "start_review"), '{"note": ', content_type="application/json"), 400
    )
    assert_json_error(client.post(url(claim, "start_review"), "note", content_type="text/plain"), 415)
    claim.refresh_from_db()
    assert claim.state == "submitted"


# --- 404 -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["launch", "Submit", "submit2", "create"])
def test_it_answers_not_found_for_an_unknown_transition(world, api, name):
    claim = claim_in_state(world, "draft")
    assert_json_error(api(world.owner).post(url(claim, name), {}, format="json"), 404)
    claim.refresh_from_db()
    assert claim.state == "draft"


@pytest.mark.parametrize("who", ["other_owner", "platform", "outsider"])
def test_it_answers_not_found_for_a_claim_the_caller_cannot_see(world, api, who):
    claim = claim_in_state(world, "submitted")
    for name in ("withdraw", "start_review", "launch"):
        assert_json_error(api(getattr(world, who)).post(url(claim, name), {}, format="json"), 404)


def test_it_answers_not_found_to_a_merchant_for_a_draft_on_its_listing(world, api):
    claim = claim_in_state(world, "draft")
    assert_json_error(api(world.merchant_user).post(url(claim, "withdraw"), {}, format="json"), 404)


def test_it_answers_not_found_for_an_unknown_claim(world, api):
    assert_json_error(
        api(world.reviewer).post("/api/v1/claims/999999/transitions/approve/", {}, format="json"), 404
    )


def test_it_refuses_anonymous(world, api):
    claim = claim_in_state(world, "submitted")
    assert_json_error(api().post(url(claim, "withdraw"), {}, format="json"), 401)


def test_it_refuses_get_on_a_transition(world, api):
    claim = claim_in_state(world, "submitted")
    assert_json_error(api(world.owner).get(url(claim, "withdraw")), 405)
    assert Claim.objects.get(pk=claim.pk).state == "submitted"


# --- legal action on a counter-notice ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 403),
        ("other_owner", 404),
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 404),
        ("merchant", 403),
        ("outsider", 404),
    ],
)
def test_it_lets_only_the_brands_filers_show_legal_action(world, as_role, role, status):
    claim = claim_in_state(world, "counter_noticed")
    response = as_role(role).post(
        f"/api/v1/claims/{claim.pk}/legal-action/", {"note": "Case 1:26-cv-0042, SDNY"}, format="json"
    )
    counter = CounterNotice.objects.get(claim=claim)
    if status == 200:
        assert response.status_code == 200 and response.json()["counter_notices"][0]["legal_action_at"]
        assert counter.legal_action_note == "Case 1:26-cv-0042, SDNY"
    else:
        assert_json_error(response, status)
        assert counter.legal_action_at is None


def test_it_refuses_legal_action_without_a_note_or_a_counter_notice(world, api):
    claim = claim_in_state(world, "counter_noticed")
    client = api(world.owner)
    assert "note" in assert_json_error(
        client.post(f"/api/v1/claims/{claim.pk}/legal-action/", {}, format="json"), 400
    )
    assert_json_error(
        client.post(f"/api/v1/claims/{claim.pk}/legal-action/", {"note": " "}, format="json"), 400
    )
    taken_down = claim_in_state(world, "taken_down", listing=world.other_listing)
    assert_json_error(
        client.post(f"/api/v1/claims/{taken_down.pk}/legal-action/", {"note": "Case 1"}, format="json"), 409
    )
