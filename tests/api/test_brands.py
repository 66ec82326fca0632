import pytest

from brands.models import Brand, BrandMembership
from tests.api.conftest import assert_json_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/brands/"


def detail(brand):
    return f"/api/v1/brands/{brand.pk}/"


@pytest.mark.parametrize(
    "role, names",
    [
        ("owner", ["Aurelia"]),
        ("agent", ["Aurelia"]),
        ("viewer", ["Aurelia"]),
        ("other_owner", ["Northpeak"]),
        ("reviewer", ["Aurelia", "Northpeak"]),
        ("compliance", ["Aurelia", "Northpeak"]),
        ("platform", []),
        ("merchant", []),
        ("outsider", []),
    ],
)
def test_it_lists_only_the_brands_a_role_may_see(as_role, role, names):
    response = as_role(role).get(LIST)
    assert response.status_code == 200
    assert [b["name"] for b in response.json()["results"]] == names


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
def test_it_shows_a_brand_only_to_those_who_may_see_it(world, as_role, role, status):
    response = as_role(role).get(detail(world.brand))
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "Aurelia"
    else:
        assert_json_error(response, status)


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 201),
        ("agent", 201),
        ("viewer", 201),
        ("other_owner", 201),
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 403),
        ("merchant", 403),
        ("outsider", 201),
    ],
)
def test_it_lets_only_rights_holders_register_a_brand(world, as_role, role, status):
    response = as_role(role).post(
        LIST, {"name": "Velora", "website": "https://velora.example"}, format="json"
    )
    if status != 201:
        assert_json_error(response, status)
        assert not Brand.objects.filter(name="Velora").exists()
        return
    assert response.status_code == 201
    brand = Brand.objects.get(name="Velora")
    assert response.json()["id"] == brand.pk and response.json()["website"] == "https://velora.example"
    # The creator becomes its owner.
    membership = BrandMembership.objects.get(brand=brand)
    assert membership.user.username == {"other_owner": "other_owner"}.get(role, membership.user.username)
    assert membership.role == "owner"


def test_it_registers_a_brand_with_every_field_its_response_shows(world, api):
    body = {
        "name": "Velora",
        "website": "https://velora.example",
        "contact_email": "ip@velora.example",
        "language": "zh-hans",
    }
    response = api(world.outsider).post(LIST, body, format="json")
    assert response.status_code == 201, response.content
    brand = Brand.objects.get(name="Velora")
    assert (brand.contact_email, brand.language) == ("ip@velora.example", "zh-hans")
    assert response.json()["language"] == "zh-hans"


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 404),
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 404),
        ("merchant", 404),
        ("outsider", 404),
    ],
)
def test_it_lets_only_the_brands_owners_change_it(world, as_role, role, status):
    response = as_role(role).patch(detail(world.brand), {"website": "https://aurelia.example"}, format="json")
    world.brand.refresh_from_db()
    if status == 200:
        assert response.status_code == 200 and world.brand.website == "https://aurelia.example"
    else:
        assert_json_error(response, status)
        assert world.brand.website == ""


def test_it_never_lets_a_client_set_the_programme_flags(world, api):
    response = api(world.owner).patch(
        detail(world.brand), {"good_faith": True, "trusted_flagger": True}, format="json"
    )
    assert response.status_code == 200
    world.brand.refresh_from_db()
    assert not world.brand.good_faith and not world.brand.trusted_flagger


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Velora", "website": "not a url"}, "website"),
        ({"name": ["Velora"]}, "name"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_it_refuses_bad_brand_input(world, api, body, field):
    body = assert_json_error(api(world.owner).post(LIST, body, format="json"), 400)
    assert field in body


def test_it_refuses_a_duplicate_brand_name(world, api):
    body = assert_json_error(api(world.outsider).post(LIST, {"name": "Aurelia"}, format="json"), 409)
    assert "already" in body["detail"]


def test_it_refuses_renaming_a_brand_to_a_taken_name(world, api):
    response = api(world.owner).patch(detail(world.brand), {"name": "Northpeak"}, format="json")
    assert_json_error(response, 409)
    world.brand.refresh_from_db()
    assert world.brand.name == "Aurelia"


def test_it_refuses_an_invalid_json_body(world, api):
    assert_json_error(api(world.owner).post(LIST, "{not json", content_type="application/json"), 400)


def test_it_refuses_delete(world, api):
    assert_json_error(api(world.owner).delete(detail(world.brand)), 405)
    assert Brand.objects.filter(pk=world.brand.pk).exists()
