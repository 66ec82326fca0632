"""Brand members (owners add agents with letters; reviewers verify them) and the reviewers' programme actions."""

import pytest

from brands.models import Brand, BrandMembership
from core.models import AuditEvent
from tests.api.conftest import assert_json_error, upload
from tests.factories import PNG, UserFactory

pytestmark = pytest.mark.django_db


def members(world):
    return f"/api/v1/brands/{world.brand.pk}/members/"


def letter():
    return upload("letter.png", PNG, "image/png")


def test_it_lets_an_owner_add_an_agent_who_may_file_only_once_verified(world, as_role, api):
    agent = UserFactory(username="newagent")
    response = as_role("owner").post(
        members(world),
        {"username": "newagent", "role": "agent", "authorisation_letter": letter()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    membership = BrandMembership.objects.get(user=agent, brand=world.brand)
    assert response.json()["authorisation_verified"] is False
    assert world.actor(agent).filing_brand_ids == frozenset()

    verify = f"{members(world)}{membership.pk}/verify/"
    assert_json_error(as_role("owner").post(verify, {"note": "self-approval"}, format="json"), 403)
    response = as_role("reviewer").post(verify, {"note": "Letter signed by the brand's GC"}, format="json")
    assert response.status_code == 200 and response.json()["authorisation_verified"] is True
    assert world.actor(agent).filing_brand_ids == frozenset({world.brand.pk})
    assert AuditEvent.objects.filter(action="agent_verified").count() == 1


@pytest.mark.parametrize(
    "role, status",
    [
        ("agent", 403),
        ("viewer", 403),
        ("reviewer", 403),
        ("compliance", 403),
        ("other_owner", 404),
        ("anonymous", 401),
    ],
)
def test_it_lets_only_owners_add_members(world, as_role, role, status):
    UserFactory(username="someone")
    response = as_role(role).post(members(world), {"username": "someone", "role": "viewer"}, format="json")
    assert_json_error(response, status)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": "ghost", "role": "viewer"}, "username"),
        ({"username": "owner", "role": "emperor"}, "role"),
        ({"username": "owner", "role": "agent"}, "authorisation_letter"),
    ],
)
def test_it_explains_bad_member_requests(world, as_role, payload, field):
    body = assert_json_error(as_role("owner").post(members(world), payload, format="json"), 400)
    assert field in body


def test_it_refuses_a_letter_that_is_not_a_document(world, as_role):
    UserFactory(username="newagent")
    bad = upload("letter.pdf", b"MZ\x90\x00binary", "application/pdf")
    body = assert_json_error(
        as_role("owner").post(
            members(world),
            {"username": "newagent", "role": "agent", "authorisation_letter": bad},
            format="multipart",
        ),
        400,
    )
    assert "authorisation_letter" in body


def test_it_lists_members_to_the_brand_and_hides_them_from_others(world, as_role):
    response = as_role("viewer").get(members(world))
    assert response.status_code == 200
    assert {m["username"] for m in response.json()} == {"owner", "agent", "agent2", "viewer"}
    assert_json_error(as_role("other_owner").get(members(world)), 404)


def test_it_lets_a_reviewer_warn_then_suspend_a_brand(world, as_role):
    base = f"/api/v1/brands/{world.brand.pk}"
    assert_json_error(
        as_role("reviewer").post(f"{base}/suspend/", {"days": 30, "note": "abuse"}, format="json"), 400
    )
    assert (
        as_role("reviewer")
        .post(f"{base}/warn/", {"note": "Most of your notices were unfounded."}, format="json")
        .status_code
        == 200
    )
    response = as_role("reviewer").post(
        f"{base}/suspend/", {"days": 30, "note": "Continued after the warning"}, format="json"
    )
    assert response.status_code == 200 and response.json()["suspended_until"]
    assert_json_error(
        as_role("reviewer").post(f"{base}/suspend/", {"days": 0, "note": "x"}, format="json"), 400
    )


@pytest.mark.parametrize(
    "role, status", [("owner", 403), ("compliance", 403), ("platform", 404), ("merchant", 404)]
)
def test_it_keeps_programme_actions_for_reviewers(world, as_role, role, status):
    base = f"/api/v1/brands/{world.brand.pk}"
    assert_json_error(as_role(role).post(f"{base}/warn/", {"note": "x"}, format="json"), status)
    assert_json_error(
        as_role(role).post(f"{base}/trusted-flagger/", {"trusted": True}, format="json"), status
    )
    assert_json_error(as_role(role).post(f"{base}/recompute-programmes/", format="json"), status)


def test_it_marks_a_trusted_flagger_and_recomputes_on_demand(world, as_role):
    base = f"/api/v1/brands/{world.brand.pk}"
    response = as_role("reviewer").post(
        f"{base}/trusted-flagger/", {"trusted": True, "designation": "ACM (NL)"}, format="json"
    )
    assert response.status_code == 200 and response.json()["trusted_flagger"] is True
    assert as_role("reviewer").post(f"{base}/recompute-programmes/", format="json").status_code == 200
    assert Brand.objects.get(pk=world.brand.pk).trusted_flagger


@pytest.mark.parametrize("role", ["reviewer", "compliance", "platform", "merchant_user"])
def test_it_refuses_platform_staff_and_merchants_as_brand_members(world, as_role, role):
    username = getattr(world, role).username
    body = assert_json_error(
        as_role("owner").post(members(world), {"username": username, "role": "viewer"}, format="json"), 400
    )
    assert body["code"] == "conflict_of_interest"


def test_it_answers_another_brands_ids_like_unknown_ones(world, as_role):
    listing = world.listing.url
    base = {"infringement_type": "counterfeit", "listing_url": listing}
    other = as_role("owner").post(
        "/api/v1/claims/", {**base, "brand": world.other_brand.pk, "ip_right": world.right.pk}, format="json"
    )
    ghost = as_role("owner").post(
        "/api/v1/claims/", {**base, "brand": 999999, "ip_right": world.right.pk}, format="json"
    )
    assert (
        assert_json_error(other, 400)["brand"] == assert_json_error(ghost, 400)["brand"] == ["No such brand."]
    )
    right = as_role("owner").post(
        "/api/v1/claims/", {**base, "brand": world.brand.pk, "ip_right": world.other_right.pk}, format="json"
    )
    assert assert_json_error(right, 400)["ip_right"] == ["No such IP right."]


def test_it_lets_an_owner_remove_a_member_but_never_the_last_owner(world, as_role):
    viewer = BrandMembership.objects.get(user=world.viewer, brand=world.brand)
    assert_json_error(as_role("agent").delete(f"{members(world)}{viewer.pk}/"), 403)
    assert_json_error(as_role("other_owner").delete(f"{members(world)}{viewer.pk}/"), 404)
    assert as_role("owner").delete(f"{members(world)}{viewer.pk}/").status_code == 204
    assert not BrandMembership.objects.filter(pk=viewer.pk).exists()
    assert AuditEvent.objects.filter(action="membership_remove", brand_id=world.brand.pk).count() == 1
    owner = BrandMembership.objects.get(user=world.owner, brand=world.brand)
    assert (
        assert_json_error(as_role("owner").delete(f"{members(world)}{owner.pk}/"), 409)["code"]
        == "last_owner"
    )
    assert_json_error(as_role("owner").delete(f"{members(world)}999999/"), 404)
