from rest_framework.authtoken.models import Token

from core.models import AuditEvent


def test_it_creates_and_regenerates_the_api_token(world, client_for):
    client = client_for(world.owner)
    assert b"You have no API token yet" in client.get("/account/").content
    client.post("/account/")
    first = Token.objects.get(user=world.owner).key
    assert first.encode() in client.get("/account/").content
    client.post("/account/")
    second = Token.objects.get(user=world.owner).key
    assert second != first
    assert AuditEvent.objects.filter(action="api_token_regenerated", actor=world.owner).count() == 2


def test_it_needs_a_signed_in_user(db, client_for):
    assert client_for().get("/account/").status_code == 302
