from brands.models import Brand
from core.models import AuditEvent


def test_an_owner_edits_the_brands_details(world, client_for):
    client = client_for(world.owner)
    page = client.get(f"/brands/{world.brand.pk}/members/").content.decode()
    assert f"/brands/{world.brand.pk}/edit/" in page and "Edit brand details" in page
    response = client.post(
        f"/brands/{world.brand.pk}/edit/",
        {"website": "aurelia.example", "contact_email": "ip@aurelia.example", "language": "zh-hans"},
        follow=True,
    )
    brand = Brand.objects.get(pk=world.brand.pk)
    assert (brand.website, brand.contact_email, brand.language) == (
        "https://aurelia.example",
        "ip@aurelia.example",
        "zh-hans",
    )
    assert brand.name == "Aurelia"  # not editable here
    assert "The details of Aurelia were saved." in response.content.decode()
    assert AuditEvent.objects.filter(action="brand_update", brand_id=brand.pk).exists()


def test_it_names_what_is_wrong(world, client_for):
    page = (
        client_for(world.owner)
        .post(
            f"/brands/{world.brand.pk}/edit/",
            {"website": "not a url at all", "contact_email": "nope", "language": "xx"},
        )
        .content.decode()
    )
    assert page.count('class="field-error"') == 3
    assert Brand.objects.get(pk=world.brand.pk).contact_email == "legal@aurelia.example"


def test_another_brands_owner_gets_404_and_viewers_403(world, client_for, nothing_written):
    assert client_for(world.other_owner).get(f"/brands/{world.brand.pk}/edit/").status_code == 404
    other_owner, viewer = client_for(world.other_owner), client_for(world.viewer)
    with nothing_written():
        assert other_owner.post(f"/brands/{world.brand.pk}/edit/", {"language": "zh-hans"}).status_code == 404
        assert viewer.post(f"/brands/{world.brand.pk}/edit/", {"language": "zh-hans"}).status_code == 403
    assert client_for(world.viewer).get(f"/brands/{world.brand.pk}/edit/").status_code == 403
    assert (
        "Edit brand details"
        not in client_for(world.viewer).get(f"/brands/{world.brand.pk}/members/").content.decode()
    )
    assert client_for(world.reviewer).get(f"/brands/{world.brand.pk}/edit/").status_code == 403
    assert client_for(world.owner).get("/brands/999999/edit/").status_code == 404
