import pytest

from tests.api.conftest import assert_json_error
from tests.factories import IPRightFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/audit-events/"


@pytest.fixture
def events(world, api):
    """A verification and a ban, each audited."""
    right = IPRightFactory(brand=world.brand, status="pending")
    api(world.reviewer).post(f"/api/v1/ip-rights/{right.pk}/verify/", {"decision": "verified"}, format="json")
    api(world.reviewer).post(f"/api/v1/merchants/{world.merchant.pk}/ban/", {"note": "Ring"}, format="json")
    from core.models import AuditEvent

    return list(AuditEvent.objects.all())


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("agent", 403),
        ("viewer", 403),
        ("other_owner", 403),
        ("reviewer", 200),
        ("compliance", 200),
        ("platform", 403),
        ("merchant", 403),
        ("outsider", 403),
    ],
)
def test_it_shows_the_audit_trail_only_to_compliance_and_reviewers(as_role, events, role, status):
    listing = as_role(role).get(LIST)
    one = as_role(role).get(f"{LIST}{events[0].pk}/")
    if status == 200:
        assert listing.status_code == 200 and one.status_code == 200
        assert {e["action"] for e in listing.json()["results"]} == {"ip_right_verified", "merchant_ban"}
        assert set(one.json()) >= {"id", "action", "actor", "at", "object_type", "object_id", "note", "data"}
    else:
        assert_json_error(listing, status)
        assert_json_error(one, status)


def test_it_filters_the_audit_trail(world, api, events):
    body = api(world.compliance).get(LIST, {"action": "merchant_ban"}).json()
    assert [(e["action"], e["actor"], e["note"]) for e in body["results"]] == [
        ("merchant_ban", "reviewer", "Ring")
    ]
    assert api(world.compliance).get(LIST, {"merchant": world.merchant.pk}).json()["count"] == 1


@pytest.mark.parametrize("role", ["reviewer", "compliance", "owner"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_never_writes_the_audit_trail(as_role, events, role, method):
    client = as_role(role)
    target = LIST if method == "post" else f"{LIST}{events[0].pk}/"
    response = getattr(client, method)(target, {"action": "forged"}, format="json")
    assert_json_error(response, 405)


def test_it_refuses_a_bad_filter(world, api, events):
    assert_json_error(api(world.compliance).get(LIST, {"brand": "abc"}), 400)
