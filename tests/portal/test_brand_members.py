from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import BrandMembership
from tests.factories import UserFactory


def letter():
    return SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", content_type="application/pdf")


def test_it_lists_members_with_their_verification_status(world, client_for):
    page = client_for(world.viewer).get(f"/brands/{world.brand.pk}/members/").content.decode()
    for name in ("owner", "agent", "agent2", "viewer"):
        assert f"{name}<" in page or f"{name}\n" in page
    assert "yes: letter verified" in page and "no: letter missing" in page
    assert "Only the brand's owners add members." in page  # a viewer sees no form


def test_an_owner_adds_an_agent_with_a_letter(world, client_for):
    lawfirm = UserFactory(username="lawfirm")
    response = client_for(world.owner).post(f"/brands/{world.brand.pk}/members/",
                                            {"username": "lawfirm", "role": "agent", "authorisation_letter": letter()},
                                            follow=True)
    membership = BrandMembership.objects.get(user=lawfirm, brand=world.brand)
    assert membership.role == "agent" and membership.authorisation_letter and not membership.authorisation_verified
    page = response.content.decode()
    assert "lawfirm was added as an agent" in page and "not yet: letter awaiting a reviewer" in page


def test_it_shows_the_services_rules(world, client_for):
    UserFactory(username="lawfirm")
    client = client_for(world.owner)
    page = client.post(f"/brands/{world.brand.pk}/members/", {"username": "lawfirm", "role": "agent"}).content.decode()
    assert "An agent needs an authorisation letter from the brand." in page
    page = client.post(f"/brands/{world.brand.pk}/members/", {"username": "nobody", "role": "viewer"}).content.decode()
    assert "No user with that username." in page
    assert not BrandMembership.objects.filter(user__username="lawfirm").exists()


def test_only_owners_add_members(world, client_for):
    UserFactory(username="lawfirm")
    page = client_for(world.agent).post(f"/brands/{world.brand.pk}/members/",
                                        {"username": "lawfirm", "role": "viewer"}).content.decode()
    assert "Only the brand&#x27;s owners may add members." in page
    assert not BrandMembership.objects.filter(user__username="lawfirm").exists()


def test_another_brands_user_gets_404_and_other_roles_403(world, client_for):
    assert client_for(world.other_owner).get(f"/brands/{world.brand.pk}/members/").status_code == 404
    assert client_for(world.other_owner).post(f"/brands/{world.brand.pk}/members/",
                                              {"username": "other_owner", "role": "owner"}).status_code == 404
    assert client_for(world.merchant_user).get(f"/brands/{world.brand.pk}/members/").status_code == 403
    assert client_for(world.outsider).get(f"/brands/{world.brand.pk}/members/").status_code == 403
    # reviewers see members on their own brand page
    assert client_for(world.reviewer).get(f"/brands/{world.brand.pk}/members/")["Location"] == f"/brands/{world.brand.pk}/"


def test_a_brand_user_lists_only_their_brands(world, client_for):
    page = client_for(world.owner).get("/brands/").content.decode()
    assert "Aurelia" in page and "Northpeak" not in page and f"/brands/{world.brand.pk}/members/" in page
    assert client_for(world.owner).get(f"/brands/{world.brand.pk}/")["Location"] == f"/brands/{world.brand.pk}/members/"
    assert client_for(world.owner).get(f"/brands/{world.other_brand.pk}/").status_code == 404
