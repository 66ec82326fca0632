from knox.models import AuthToken

from core.models import AuditEvent


def test_it_creates_and_regenerates_the_api_token_and_shows_it_once(world, client_for, api):
    client = client_for(world.owner)
    assert b"You have no API token yet" in client.get("/account/").content
    first = client.post("/account/").context["issued"]["token"]
    assert first.encode() not in client.get("/account/").content  # stored as a hash: never shown again
    second = client.post("/account/").context["issued"]["token"]
    assert second != first and AuthToken.objects.filter(user=world.owner).count() == 1
    old, new = api(), api()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    new.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert old.get("/api/v1/brands/").status_code == 401 and new.get("/api/v1/brands/").status_code == 200
    assert AuditEvent.objects.filter(action="api_token_regenerated", actor=world.owner).count() == 2


def test_it_needs_a_signed_in_user(db, client_for):
    assert client_for().get("/account/").status_code == 302
