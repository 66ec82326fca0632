import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from takedowns.models import Claim, ClaimEvent
from tests.api.conftest import FILING_MATRIX, assert_json_error
from tests.factories import ClaimFactory, ListingFactory, with_evidence
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db

LIST = "/api/v1/claims/"
REFERENCE = re.compile(r"^TD-\d{4}-\d{6}$")


def detail(claim):
    return f"{LIST}{claim.pk}/"


def other_brand_claim(world, listing, state="submitted"):
    claim = with_evidence(ClaimFactory(brand=world.other_brand, ip_right=world.other_right, listing=listing))
    if state == "submitted":
        step(world, claim, "submit", actor=world.actor(world.other_owner))
    return claim


@pytest.fixture
def claims(world):
    """Brand A: taken down on the merchant's listing, a draft on another merchant's listing.
    Brand B: submitted on the merchant's listing."""
    return {
        "taken_down": claim_in_state(world, "taken_down"),
        "draft": claim_in_state(world, "draft", listing=world.other_listing),
        "other": other_brand_claim(world, world.listing),
    }


# --- visibility -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, visible",
    [
        ("owner", ["taken_down", "draft"]),
        ("agent", ["taken_down", "draft"]),
        ("viewer", ["taken_down", "draft"]),
        ("other_owner", ["other"]),
        ("reviewer", ["taken_down", "draft", "other"]),
        ("compliance", ["taken_down", "draft", "other"]),
        ("platform", []),
        ("merchant", ["taken_down"]),  # its own listing, once enforced: never a pending claim
        ("outsider", []),
    ],
)
def test_it_lists_only_the_claims_a_role_may_see(as_role, claims, role, visible):
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert ids == {claims[name].pk for name in visible}


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 200),
        ("other_owner", 404),
        ("reviewer", 200),
        ("compliance", 200),
        ("platform", 404),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_shows_a_claim_only_to_those_who_may_see_it(as_role, claims, role, status):
    response = as_role(role).get(detail(claims["draft"]))
    if status == 200:
        body = response.json()
        assert response.status_code == 200
        assert body["state"] == "draft" and REFERENCE.match(body["reference"])
        assert body["signature"] == "Jane Counsel"
    else:
        assert_json_error(response, status)


def test_it_refuses_anonymous_lists(world, api):
    assert_json_error(api().get(LIST), 401)


def test_it_never_shows_a_merchant_the_signature_or_who_did_what(world, api, claims):
    client = api(world.merchant_user)
    body = client.get(detail(claims["taken_down"])).json()
    for hidden in ("signature", "good_faith", "accurate", "assignee", "decision_note", "info_request"):
        assert hidden not in body
    assert body["state"] == "taken_down" and body["available_transitions"] == ["counter_notice"]
    assert body["events"] and all(
        set(e) == {"id", "transition", "from_state", "to_state", "at", "reason"} for e in body["events"]
    )
    for item in client.get(LIST).json()["results"]:
        assert "signature" not in item and "good_faith" not in item
    assert "Jane Counsel" not in client.get(LIST).content.decode()
    assert "Jane Counsel" not in client.get(detail(claims["taken_down"])).content.decode()


def test_it_never_shows_a_merchant_the_brands_evidence_files_or_notes(world, api, claims):
    from takedowns.models import Evidence

    Evidence.objects.filter(claim=claims["taken_down"]).update(
        original_name="test-buy_jane-counsel_home-address.png", note="Bought by our investigator at 12 Elm St"
    )
    client = api(world.merchant_user)
    for response in (client.get(detail(claims["taken_down"])), client.get(LIST)):
        text = response.content.decode()
        assert "jane-counsel" not in text and "Elm St" not in text
    assert "evidence" not in client.get(detail(claims["taken_down"])).json()
    # The brand still sees its own files.
    assert (
        api(world.owner).get(detail(claims["taken_down"])).json()["evidence"][0]["note"].startswith("Bought")
    )


def test_it_hides_the_claimant_from_a_merchant_who_is_also_a_member_of_another_brand(world, api, claims):
    from tests.factories import MembershipFactory

    # The seller's account also views a (third) brand: that must not open other brands' claims on its listings.
    MembershipFactory(user=world.merchant_user, brand=world.other_brand, role="viewer")
    client = api(world.merchant_user)
    body = client.get(detail(claims["taken_down"])).json()
    assert "signature" not in body and "evidence" not in body
    assert all("actor" not in event for event in body["events"])
    listed = {item["id"]: item for item in client.get(LIST).json()["results"]}
    assert "assignee" not in listed[claims["taken_down"].pk]
    # Its own brand's claim is shown in full (the list's fields: the long texts are in the detail).
    assert "assignee" in listed[claims["other"].pk]


def test_it_shows_the_brand_its_own_signature(world, api, claims):
    body = api(world.owner).get(detail(claims["taken_down"])).json()
    assert body["signature"] == "Jane Counsel"


# --- detail -----------------------------------------------------------------------------------------------
def test_it_gives_state_reference_transitions_and_events(world, api, claims):
    body = api(world.owner).get(detail(claims["taken_down"])).json()
    assert body["state"] == "taken_down"
    assert REFERENCE.match(body["reference"])
    assert body["available_transitions"] == ["retract"]
    assert [e["transition"] for e in body["events"]] == ["submit", "start_review", "approve", "enforce"]
    first = body["events"][0]
    assert (first["from_state"], first["to_state"], first["actor"]) == ("draft", "submitted", "owner")
    assert body["evidence"] and body["evidence"][0]["content_type"] == "image/png"


@pytest.mark.parametrize(
    "state, role, available",
    [
        ("draft", "owner", ["submit", "withdraw"]),
        ("draft", "viewer", []),
        ("draft", "unverified_agent", []),
        ("submitted", "owner", ["withdraw"]),
        ("submitted", "reviewer", ["start_review"]),
        ("in_review", "reviewer", ["request_info", "approve", "reject"]),
        ("in_review", "compliance", []),
        ("info_requested", "agent", ["provide_info", "withdraw"]),
        ("taken_down", "owner", ["retract"]),
        ("taken_down", "merchant_user", ["counter_notice"]),
        ("counter_noticed", "reviewer", ["uphold", "reinstate"]),
        ("counter_noticed", "owner", []),
    ],
)
def test_it_lists_the_transitions_open_to_the_caller(world, api, state, role, available):
    claim = claim_in_state(world, state)
    body = api(getattr(world, role)).get(detail(claim)).json()
    assert body["available_transitions"] == available


def test_it_answers_404_for_an_unknown_claim(world, api):
    assert_json_error(api(world.reviewer).get(f"{LIST}999999/"), 404)
    assert_json_error(api(world.reviewer).get(f"{LIST}abc/"), 404)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_never_lets_a_client_write_the_state(world, api, method):
    claim = claim_in_state(world, "draft")
    response = getattr(api(world.owner), method)(detail(claim), {"state": "approved"}, format="json")
    assert_json_error(response, 405)
    claim.refresh_from_db()
    assert claim.state == "draft"


# --- create -----------------------------------------------------------------------------------------------
def claim_body(world, **overrides):
    body = {
        "brand": world.brand.pk,
        "ip_right": world.right.pk,
        "listing": world.listing.pk,
        "infringement_type": "counterfeit",
        "description": "Fake tote with our logo.",
        "good_faith": True,
        "accurate": True,
        "signature": "Jane Counsel",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("role, status", FILING_MATRIX)
def test_it_lets_only_the_brands_filers_create_claims(world, as_role, role, status):
    response = as_role(role).post(LIST, claim_body(world), format="json")
    if status == 201:
        assert response.status_code == 201
        body = response.json()
        assert body["state"] == "draft" and REFERENCE.match(body["reference"])
        assert body["reference"].startswith(f"TD-{timezone.now().year}-")
        assert body["id"] == Claim.objects.get().pk
        # The claim as the list shows it, and the warnings: the full detail is GET claims/{id}/.
        listed = as_role(role).get(LIST).json()["results"][0]
        assert {k: v for k, v in body.items() if k != "warnings"} == listed and body["warnings"] == []
        assert list(ClaimEvent.objects.filter(claim_id=body["id"]).values_list("transition", flat=True)) == [
            "create"
        ]
    else:
        assert_json_error(response, status)
        assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "brand, says",
    [
        ("other", "No such brand."),  # another tenant's brand, as one that does not exist: nothing to probe
        (999_999, "No such brand."),
        (True, "Give the brand's id (a number)."),
        ("3x", "Give the brand's id (a number)."),
        ([1], "Give the brand's id (a number)."),
    ],
)
def test_it_names_a_brand_that_is_not_the_callers(world, api, brand, says):
    sent = world.other_brand.pk if brand == "other" else brand
    response = api(world.owner).post(LIST, claim_body(world, brand=sent), format="json")
    assert assert_json_error(response, 400)["brand"] == [says]
    assert not Claim.objects.exists()


def test_a_right_of_another_of_the_callers_brands_is_refused(world, api, django_user_model):
    from brands.models import BrandMembership

    BrandMembership.objects.create(user=world.owner, brand=world.other_brand, role="owner")
    response = api(world.owner).post(LIST, claim_body(world, ip_right=world.other_right.pk), format="json")
    assert assert_json_error(response, 400)["ip_right"] == ["The IP right does not belong to this brand."]


def test_it_refuses_an_unverified_agent(world, api):
    assert_json_error(api(world.unverified_agent).post(LIST, claim_body(world), format="json"), 403)


def test_it_finds_the_listing_by_url(world, api):
    body = claim_body(world, listing=None, listing_url=f"  {world.listing.url} ")
    response = api(world.owner).post(LIST, body, format="json")
    assert response.status_code == 201 and response.json()["listing"] == world.listing.pk


def test_it_accepts_a_form_body(world, api):
    response = api(world.owner).post(LIST, claim_body(world, good_faith="true", accurate="on"))
    assert response.status_code == 201
    assert Claim.objects.values_list("good_faith", "accurate").get(pk=response.json()["id"]) == (True, True)


def test_it_gives_references_that_are_unique(world, api):
    client = api(world.owner)
    first = client.post(LIST, claim_body(world), format="json").json()["reference"]
    second = client.post(LIST, claim_body(world, listing=world.other_listing.pk), format="json").json()[
        "reference"
    ]
    assert first != second and REFERENCE.match(second)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"brand": None}, "brand"),
        ({"brand": 999999}, "brand"),
        ({"brand": "Aurelia"}, "brand"),
        ({"ip_right": None}, "ip_right"),
        ({"ip_right": 999999}, "ip_right"),
        ({"ip_right": "other"}, "ip_right"),
        ({"listing": None}, "listing"),
        ({"listing": 999999}, "listing"),
        ({"listing": "abc"}, "listing"),
        ({"listing": None, "listing_url": "https://market.example/unknown"}, "listing_url"),
        ({"listing": None, "listing_url": ""}, "listing"),
        ({"infringement_type": None}, "infringement_type"),
        ({"infringement_type": "theft"}, "infringement_type"),
        ({"good_faith": "maybe"}, "good_faith"),
        ({"accurate": [True]}, "accurate"),
        ({"signature": "x" * 201}, "signature"),
        ({"description": {"text": "x"}}, "description"),
    ],
)
def test_it_refuses_bad_claim_input(world, api, overrides, field):
    body = assert_json_error(api(world.owner).post(LIST, claim_body(world, **overrides), format="json"), 400)
    assert field in body, body
    assert not Claim.objects.exists()


def test_it_refuses_a_right_of_another_brand(world, api):
    body = assert_json_error(
        api(world.owner).post(LIST, claim_body(world, ip_right=world.other_right.pk), format="json"), 400
    )
    assert "ip_right" in body


def test_it_refuses_an_invalid_json_body_and_other_content_types(world, api):
    client = api(world.owner)
    assert_json_error(client.post(LIST, '{"brand": 1,', content_type="application/json"), 400)
    assert_json_error(client.post(LIST, "<claim/>", content_type="application/xml"), 415)
    assert_json_error(client.post(LIST, [claim_body(world)], format="json"), 400)
    assert not Claim.objects.exists()


# --- filters ----------------------------------------------------------------------------------------------
def test_it_filters_claims(world, api, claims):
    client = api(world.reviewer)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["results"]}

    assert ids(state="taken_down") == {claims["taken_down"].pk}
    assert ids(state=["draft", "submitted"]) == {claims["draft"].pk, claims["other"].pk}
    assert ids(brand=world.other_brand.pk) == {claims["other"].pk}
    assert ids(merchant=world.merchant.pk) == {claims["taken_down"].pk, claims["other"].pk}
    assert ids(infringement_type="counterfeit") == {c.pk for c in claims.values()}
    assert ids(infringement_type="patent") == set()
    now = timezone.now()
    assert ids(submitted_after=(now - timedelta(hours=1)).isoformat()) == {
        claims["taken_down"].pk,
        claims["other"].pk,
    }
    assert ids(submitted_before=(now - timedelta(hours=1)).isoformat()) == set()
    assert ids(submitted_from=now.date().isoformat(), submitted_to=now.date().isoformat()) == {
        claims["taken_down"].pk,
        claims["other"].pk,
    }
    assert ids(reference=claims["draft"].reference) == {claims["draft"].pk}


def test_it_does_not_widen_a_tenant_by_filter(world, api, claims):
    response = api(world.owner).get(LIST, {"brand": world.other_brand.pk})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"state": "nonsense"},
        {"brand": "abc"},
        {"merchant": "abc"},
        {"submitted_after": "last tuesday"},
        {"infringement_type": "theft"},
        {"merchant": "99999999999999999999999"},
        {"merchant": "1e400"},
    ],
)
def test_it_refuses_bad_filters_with_json(world, api, claims, params):
    assert_json_error(api(world.reviewer).get(LIST, params), 400)


# --- pagination -------------------------------------------------------------------------------------------
def make_claims(world, count):
    for _ in range(count):
        ClaimFactory(brand=world.brand, ip_right=world.right, listing=ListingFactory(merchant=world.merchant))


def test_it_paginates(world, api):
    make_claims(world, 7)
    client = api(world.owner)
    first = client.get(LIST, {"page_size": 5}).json()
    assert (first["count"], first["page_size"], len(first["results"])) == (7, 5, 5)
    assert first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert {c["id"] for c in first["results"]}.isdisjoint({c["id"] for c in second["results"]})
    default = client.get(LIST).json()
    assert default["page_size"] == 50 and len(default["results"]) == 7


def test_it_caps_the_page_size_at_a_thousand(world, api):
    make_claims(world, 3)
    body = api(world.owner).get(LIST, {"page_size": 5000}).json()
    assert body["page_size"] == 1000 and len(body["results"]) == 3
    assert api(world.owner).get(LIST, {"page_size": 1000}).json()["page_size"] == 1000


@pytest.mark.parametrize("params", [{"page": 99}, {"page": "abc"}])
def test_it_answers_404_json_for_a_page_out_of_range(world, api, params):
    make_claims(world, 2)
    assert_json_error(api(world.owner).get(LIST, params), 404)


# --- query counts -----------------------------------------------------------------------------------------
LIST_QUERIES = 3  # the actor (one statement: groups, memberships, merchants), the count, the page
# the actor (3), the claim with its joins (and appeal), events, evidence, counter-notices, their documents, test
# purchases (and their photos when there are any), the listing as filed (and its photos when it was captured:
# these factory-made claims were not)
DETAIL_QUERIES = 8


def as_new_request(api, user):
    # A real request loads its user afresh; force_authenticate reuses one object with the actor cached on it.
    user.__dict__.pop("_takedown_actor", None)
    return api(user)


def list_queries(api, user, **params) -> int:
    client = as_new_request(api, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["owner", "reviewer", "merchant_user"])
def test_it_lists_claims_in_a_fixed_number_of_queries(world, api, django_assert_max_num_queries, role):
    make_claims(world, 5)
    for claim in Claim.objects.all()[:2]:
        with_evidence(claim)
        step(world, claim, "submit")
    user = getattr(world, role)
    few = list_queries(api, user)
    make_claims(world, 55)
    many = list_queries(api, user)
    huge_page = list_queries(api, user, page_size=1000)
    assert few == many == huge_page
    client = as_new_request(api, user)
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(LIST, {"page_size": 1000})


def test_it_shows_a_claim_in_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    small = claim_in_state(world, "counter_noticed")
    large = claim_in_state(world, "counter_noticed", listing=ListingFactory(merchant=world.merchant))
    for _ in range(8):
        with_evidence(large)
    step(world, large, "uphold")
    counts = []
    for claim in (small, large):
        client = as_new_request(api, world.reviewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail(claim)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    client = as_new_request(api, world.reviewer)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client.get(detail(large))


@pytest.mark.parametrize("name", ["brand", "ip_right", "listing", "batch"])
def test_its_filters_answer_alike_for_another_tenants_ids_and_unknown_ones(world, api, name):
    """A filter never tells which ids exist: another brand's id and a made-up one both give an empty list."""
    theirs = ClaimFactory(brand=world.other_brand, ip_right=world.other_right, listing=world.other_listing)
    ids = {"brand": theirs.brand_id, "ip_right": theirs.ip_right_id, "listing": theirs.listing_id, "batch": 1}
    client = api(world.owner)
    existing = client.get("/api/v1/claims/", {name: ids[name]})
    unknown = client.get("/api/v1/claims/", {name: 987654321})
    assert existing.status_code == unknown.status_code == 200
    assert existing.json()["results"] == unknown.json()["results"] == []
