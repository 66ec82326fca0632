from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import IPRight
from tests.factories import IPRightFactory


def test_it_lists_the_brands_rights_with_status(world, client_for):
    page = client_for(world.owner).get("/ip-rights/").content.decode()
    assert "AURELIA" in page and "NORTHPEAK" not in page and "Verified" in page


def test_it_registers_a_right_with_its_certificate(world, client_for):
    response = client_for(world.owner).post(
        "/ip-rights/new/",
        {
            "brand": world.brand.pk,
            "kind": "trademark",
            "mark": "AURELIA GOLD",
            "registration_number": "018000001",
            "office": "EUIPO",
            "classes": "18",
            "valid_from": "2020-01-01",
            "valid_until": "2030-01-01",
            "certificate": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 certificate"),
        },
    )
    assert response.status_code == 302
    right = IPRight.objects.get(mark="AURELIA GOLD")
    assert right.status == "pending" and right.certificate


def test_it_refuses_a_duplicate_registration(world, client_for):
    response = client_for(world.owner).post(
        "/ip-rights/new/",
        {
            "brand": world.brand.pk,
            "kind": "trademark",
            "mark": "AURELIA",
            "registration_number": world.right.registration_number,
            "office": world.right.office,
            "certificate": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 certificate"),
        },
    )
    assert b"already exists" in response.content or b"already registered" in response.content
    assert IPRight.objects.filter(brand=world.brand).count() == 1


def test_it_cannot_register_for_another_brand(world, client_for):
    response = client_for(world.owner).post(
        "/ip-rights/new/",
        {
            "brand": world.other_brand.pk,
            "kind": "trademark",
            "mark": "X",
            "registration_number": "1",
            "office": "EUIPO",
            "certificate": SimpleUploadedFile("cert.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 200 and not IPRight.objects.filter(mark="X").exists()


def test_it_hides_another_brands_certificate(world, client_for):
    right = IPRightFactory(brand=world.other_brand, certificate=SimpleUploadedFile("c.pdf", b"%PDF-1.4"))
    assert client_for(world.owner).get(f"/ip-rights/{right.pk}/certificate/").status_code == 404
    assert client_for(world.other_owner).get(f"/ip-rights/{right.pk}/certificate/").status_code == 200
