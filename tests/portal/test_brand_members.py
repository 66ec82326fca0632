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
    response = client_for(world.owner).post(
        f"/brands/{world.brand.pk}/members/",
        {"username": "lawfirm", "role": "agent", "authorisation_letter": letter()},
        follow=True,
    )
    membership = BrandMembership.objects.get(user=lawfirm, brand=world.brand)
    assert (
        membership.role == "agent"
        and membership.authorisation_letter
        and not membership.authorisation_verified
    )
    page = response.content.decode()
    assert "lawfirm was added as an agent" in page and "not yet: letter awaiting a reviewer" in page


def test_it_shows_the_services_rules(world, client_for):
    UserFactory(username="lawfirm")
    client = client_for(world.owner)
    page = client.post(
        f"/brands/{world.brand.pk}/members/", {"username": "lawfirm", "role": "agent"}
    ).content.decode()
    assert "An agent needs an authorisation letter from the brand." in page
    page = client.post(
        f"/brands/{world.brand.pk}/members/", {"username": "nobody", "role": "viewer"}
    ).content.decode()
    assert "No user with that username." in page
    assert not BrandMembership.objects.filter(user__username="lawfirm").exists()


def test_only_owners_add_members(world, client_for):
    UserFactory(username="lawfirm")
    page = (
        client_for(world.agent)
        .post(f"/brands/{world.brand.pk}/members/", {"username": "lawfirm", "role": "viewer"})
        .content.decode()
    )
    assert "Only the brand&#x27;s owners may add members." in page
    assert not BrandMembership.objects.filter(user__username="lawfirm").exists()


def test_another_brands_user_gets_404_and_other_roles_403(world, client_for, nothing_written):
    assert client_for(world.other_owner).get(f"/brands/{world.brand.pk}/members/").status_code == 404
    other_owner = client_for(world.other_owner)
    with nothing_written():
        assert (
            other_owner.post(
                f"/brands/{world.brand.pk}/members/", {"username": "other_owner", "role": "owner"}
            ).status_code
            == 404
        )
    assert client_for(world.merchant_user).get(f"/brands/{world.brand.pk}/members/").status_code == 403
    assert client_for(world.outsider).get(f"/brands/{world.brand.pk}/members/").status_code == 403
    # reviewers see members on their own brand page
    assert (
        client_for(world.reviewer).get(f"/brands/{world.brand.pk}/members/")["Location"]
        == f"/brands/{world.brand.pk}/"
    )


def test_a_brand_user_lists_only_their_brands(world, client_for):
    page = client_for(world.owner).get("/brands/").content.decode()
    assert "Aurelia" in page and "Northpeak" not in page and f"/brands/{world.brand.pk}/members/" in page
    assert (
        client_for(world.owner).get(f"/brands/{world.brand.pk}/")["Location"]
        == f"/brands/{world.brand.pk}/members/"
    )
    assert client_for(world.owner).get(f"/brands/{world.other_brand.pk}/").status_code == 404


def test_an_owner_removes_a_member(world, client_for):
    membership = BrandMembership.objects.get(user=world.viewer, brand=world.brand)
    client = client_for(world.owner)
    page = client.get(f"/brands/{world.brand.pk}/members/").content.decode()
    assert f"/brands/{world.brand.pk}/members/{membership.pk}/remove/" in page and "Remove viewer" in page
    response = client.post(f"/brands/{world.brand.pk}/members/{membership.pk}/remove/", follow=True)
    assert "viewer no longer belongs to Aurelia." in response.content.decode()
    assert not BrandMembership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_stays_and_is_told_why(world, client_for):
    membership = BrandMembership.objects.get(user=world.owner, brand=world.brand)
    response = client_for(world.owner).post(
        f"/brands/{world.brand.pk}/members/{membership.pk}/remove/", follow=True
    )
    assert "A brand keeps at least one owner." in response.content.decode()
    assert BrandMembership.objects.filter(pk=membership.pk).exists()


def test_only_owners_remove_and_only_their_brands_members(world, client_for, nothing_written):
    membership = BrandMembership.objects.get(user=world.viewer, brand=world.brand)
    assert (
        "Remove viewer"
        not in client_for(world.agent).get(f"/brands/{world.brand.pk}/members/").content.decode()
    )
    response = client_for(world.agent).post(
        f"/brands/{world.brand.pk}/members/{membership.pk}/remove/", follow=True
    )
    assert "Only the brand&#x27;s owners may remove members." in response.content.decode()
    # another brand's owner: 404, through either brand's URL, and nothing removed
    other_owner = client_for(world.other_owner)
    with nothing_written():
        for brand in (world.brand, world.other_brand):
            assert other_owner.post(f"/brands/{brand.pk}/members/{membership.pk}/remove/").status_code == 404
    assert (
        client_for(world.owner).get(f"/brands/{world.brand.pk}/members/{membership.pk}/remove/").status_code
        == 405
    )
    assert BrandMembership.objects.filter(pk=membership.pk).exists()


def test_owners_open_their_own_agents_letters(world, client_for):
    membership = BrandMembership.objects.get(user=world.unverified_agent, brand=world.brand)
    membership.authorisation_letter.save("letter.pdf", letter(), save=True)
    url = f"/verification/agents/{membership.pk}/letter/"
    page = client_for(world.owner).get(f"/brands/{world.brand.pk}/members/").content.decode()
    assert url in page
    response = client_for(world.owner).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(world.reviewer).get(url).status_code == 200
    assert client_for(world.other_owner).get(url).status_code == 404
    assert client_for(world.viewer).get(url).status_code == 404
    assert client_for(world.compliance).get(url).status_code == 403
