from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import BrandMembership, IPRight
from tests.factories import IPRightFactory, MembershipFactory, UserFactory


def test_it_verifies_and_rejects_pending_rights(world, client_for):
    pending = IPRightFactory(
        brand=world.brand, status="pending", certificate=SimpleUploadedFile("c.pdf", b"%PDF-1.4")
    )
    other = IPRightFactory(brand=world.brand, status="pending")
    client = client_for(world.reviewer)
    page = client.get("/verification/").content.decode()
    assert pending.registration_number in page and "Open certificate" in page
    client.post(f"/verification/ip-rights/{pending.pk}/", {"decision": "verified"})
    response = client.post(
        f"/verification/ip-rights/{other.pk}/", {"decision": "rejected", "note": ""}, follow=True
    )
    assert b"Say why the right is rejected." in response.content
    assert IPRight.objects.get(pk=pending.pk).status == "verified"
    assert IPRight.objects.get(pk=other.pk).status == "pending"


def test_it_verifies_an_agents_letter(world, client_for):
    membership = MembershipFactory(
        user=UserFactory(),
        brand=world.brand,
        role="agent",
        authorisation_letter=SimpleUploadedFile("l.pdf", b"%PDF-1.4"),
    )
    client_for(world.reviewer).post(f"/verification/agents/{membership.pk}/")
    assert BrandMembership.objects.get(pk=membership.pk).authorisation_verified


def test_it_is_for_reviewers_only(world, client_for, nothing_written):
    right = IPRightFactory(brand=world.brand, status="pending")
    assert client_for(world.owner).get("/verification/").status_code == 403
    owner = client_for(world.owner)
    with nothing_written():
        assert owner.post(f"/verification/ip-rights/{right.pk}/", {"decision": "verified"}).status_code == 403
