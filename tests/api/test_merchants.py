import pytest

from core.models import AuditEvent
from merchants.models import Merchant
from tests.api.conftest import assert_json_error
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/merchants/"
MERCHANT = {"platform_ref": "M-77", "name": "Bright Deals", "email": "ops@bright.example", "country": "fr"}


@pytest.mark.parametrize(
    "role, refs, sees_email",
    [
        ("owner", "all", False),
        ("agent", "all", False),
        ("viewer", "all", False),
        ("other_owner", "all", False),
        ("reviewer", "all", True),
        ("compliance", "all", True),
        ("platform", "all", True),
        ("merchant", ["M-1"], True),
        ("outsider", [], None),
    ],
)
def test_it_lists_the_merchants_a_role_may_see(world, as_role, role, refs, sees_email):
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    results = response.json()["results"]
    expected = sorted(Merchant.objects.values_list("platform_ref", flat=True)) if refs == "all" else refs
    assert sorted(m["platform_ref"] for m in results) == expected
    for item in results:
        assert "status" in item and "active_strikes" in item
        # Brands see who sells, not how to reach the seller.
        assert ("email" in item) is sees_email


def test_it_shows_a_merchant_who_also_belongs_to_a_brand_no_other_sellers_email(world, api):
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.merchant_user, brand=world.other_brand, role="viewer")
    client = api(world.merchant_user)
    results = {m["platform_ref"]: m for m in client.get(LIST).json()["results"]}
    assert results["M-1"]["email"] == "seller@merchant.example"  # its own
    others = [m for ref, m in results.items() if ref != "M-1"]
    assert others and all("email" not in m for m in others)
    other = world.other_listing.merchant
    assert "email" not in client.get(f"{LIST}{other.pk}/").json()
    assert other.email not in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 200),
        ("viewer", 200),
        ("other_owner", 200),
        ("reviewer", 200),
        ("compliance", 200),
        ("platform", 200),
        ("merchant", 200),
        ("outsider", 404),
    ],
)
def test_it_shows_a_merchant_to_those_who_may_see_it(world, as_role, role, status):
    response = as_role(role).get(f"{LIST}{world.merchant.pk}/")
    if status == 200:
        assert response.status_code == 200
        assert response.json()["status"] == "active" and response.json()["active_strikes"] == 0
    else:
        assert_json_error(response, status)


def test_it_hides_other_merchants_from_a_merchant(world, api):
    other = MerchantFactory()
    assert_json_error(api(world.merchant_user).get(f"{LIST}{other.pk}/"), 404)


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 403),
        ("reviewer", 201),
        ("compliance", 403),
        ("platform", 201),
        ("merchant", 403),
        ("outsider", 403),
    ],
)
def test_it_lets_only_the_marketplace_and_reviewers_write_merchants(world, as_role, role, status):
    response = as_role(role).post(LIST, MERCHANT, format="json")
    if status == 201:
        assert response.status_code == 201
        body = response.json()
        assert (body["platform_ref"], body["country"], body["status"], body["active_strikes"]) == (
            "M-77",
            "FR",
            "active",
            0,
        )
    else:
        assert_json_error(response, status)
        assert not Merchant.objects.filter(platform_ref="M-77").exists()


def test_it_creates_then_updates_by_platform_ref(world, api):
    client = api(world.platform)
    assert client.post(LIST, MERCHANT, format="json").status_code == 201
    response = client.post(LIST, {**MERCHANT, "name": "Bright Deals Ltd", "email": ""}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Bright Deals Ltd"
    assert Merchant.objects.filter(platform_ref="M-77").count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "No ref"}, "platform_ref"),
        ({"platform_ref": "M-9"}, "name"),
        ({"platform_ref": "  ", "name": "Blank"}, "platform_ref"),
        ({**MERCHANT, "email": "not-an-email"}, "email"),
        ({**MERCHANT, "country": "FRA"}, "country"),
        ({**MERCHANT, "country": "1A"}, "country"),
        ({**MERCHANT, "name": ["a", "b"]}, "name"),
        ({**MERCHANT, "platform_ref": {"id": 1}}, "platform_ref"),
        ({**MERCHANT, "platform_ref": "x" * 101}, "platform_ref"),
    ],
)
def test_it_refuses_bad_merchant_input(world, api, body, field):
    error = assert_json_error(api(world.platform).post(LIST, body, format="json"), 400)
    assert field in error


def test_it_refuses_an_invalid_json_body_and_other_content_types(world, api):
    client = api(world.platform)
    assert_json_error(client.post(LIST, '{"platform_ref": "M-9",', content_type="application/json"), 400)
    assert_json_error(client.post(LIST, "<merchant/>", content_type="application/xml"), 415)
    assert_json_error(client.post(LIST, ["not", "an", "object"], format="json"), 400)


def test_it_refuses_update_and_delete(world, api):
    client = api(world.platform)
    assert_json_error(client.put(f"{LIST}{world.merchant.pk}/", MERCHANT, format="json"), 405)
    assert_json_error(client.delete(f"{LIST}{world.merchant.pk}/"), 405)


# --- bans --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 403),
        ("reviewer", 200),
        ("compliance", 403),
        ("platform", 403),
        ("merchant", 403),
        ("outsider", 404),
    ],
)
def test_it_lets_only_reviewers_ban(world, as_role, role, status):
    response = as_role(role).post(
        f"{LIST}{world.merchant.pk}/ban/", {"note": "Counterfeit ring"}, format="json"
    )
    world.merchant.refresh_from_db()
    if status == 200:
        assert response.status_code == 200 and response.json()["status"] == "banned"
        world.listing.refresh_from_db()
        assert world.listing.status == "removed"
        assert AuditEvent.objects.filter(action="merchant_ban", merchant_id=world.merchant.pk).exists()
    else:
        assert_json_error(response, status)
        assert world.merchant.status == "active"


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 403),
        ("reviewer", 200),
        ("compliance", 403),
        ("platform", 403),
        ("merchant", 403),
        ("outsider", 404),
    ],
)
def test_it_lets_only_reviewers_lift_a_ban(world, as_role, api, role, status):
    api(world.reviewer).post(f"{LIST}{world.merchant.pk}/ban/", {"reason": "Counterfeit ring"}, format="json")
    response = as_role(role).post(
        f"{LIST}{world.merchant.pk}/lift-ban/", {"note": "Appeal granted"}, format="json"
    )
    world.merchant.refresh_from_db()
    if status == 200:
        assert response.status_code == 200 and response.json()["status"] == "active"
    else:
        assert_json_error(response, status)
        assert world.merchant.status == "banned"


def test_it_answers_conflict_for_a_second_ban_and_a_lift_without_ban(world, api):
    client = api(world.reviewer)
    assert_json_error(client.post(f"{LIST}{world.merchant.pk}/lift-ban/", {}, format="json"), 409)
    assert (
        client.post(f"{LIST}{world.merchant.pk}/ban/", {"reason": "Ring"}, format="json").status_code == 200
    )
    assert_json_error(client.post(f"{LIST}{world.merchant.pk}/ban/", {"reason": "Ring"}, format="json"), 409)


def test_it_refuses_bad_ban_input(world, api):
    client = api(world.reviewer)
    assert_json_error(
        client.post(f"{LIST}{world.merchant.pk}/ban/", "{", content_type="application/json"), 400
    )
    assert_json_error(client.post(f"{LIST}{world.merchant.pk}/ban/", {"note": ["a"]}, format="json"), 400)
    assert_json_error(client.post(f"{LIST}999999/ban/", {"reason": "Ring"}, format="json"), 404)


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"note": ""}])
def test_it_needs_a_reason_to_ban_as_the_portal_does(world, api, client_for, body):
    """One rule in the ban service: the API and the portal both refuse a ban without a reason."""
    response = api(world.reviewer).post(f"{LIST}{world.merchant.pk}/ban/", body, format="json")
    assert assert_json_error(response, 400)["reason"] == [
        "Give the reason for the ban; the merchant is told."
    ]
    page = client_for(world.reviewer).post(f"/merchants/{world.merchant.pk}/ban/", {"note": ""}, follow=True)
    assert b"Give the reason for the ban; the merchant is told." in page.content
    world.merchant.refresh_from_db()
    assert world.merchant.status == "active" and not AuditEvent.objects.filter(action="merchant_ban").exists()


def test_it_takes_the_reason_under_its_contract_name(world, api):
    response = api(world.reviewer).post(
        f"{LIST}{world.merchant.pk}/ban/", {"reason": "Counterfeit ring"}, format="json"
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="merchant_ban").note == "Counterfeit ring"
