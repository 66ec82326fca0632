from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import IPRight
from takedowns.models import Claim
from tests.factories import PNG


def _form(world, **overrides):
    data = {
        "listing_url": world.listing.url,
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Fake logo",
        "good_faith": "on",
        "accurate": "on",
        "signature": "Jane Counsel",
        "evidence_kind": "image",
        "evidence": [SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_files_and_submits_a_claim_with_evidence(world, client_for):
    response = client_for(world.owner).post("/claims/new/", _form(world))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    assert claim.state == "submitted" and claim.evidence.count() == 1


def test_it_offers_no_pending_right_and_files_nothing_under_one(world, client_for):
    IPRight.objects.filter(pk=world.right.pk).update(status=IPRight.Status.PENDING)
    client = client_for(world.owner)
    assert f'<option value="{world.right.pk}"' not in client.get("/claims/new/").content.decode()
    response = client.post("/claims/new/", _form(world))
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Claim.objects.exists()


def test_it_chooses_the_right_when_only_one_can_be_used(world, client_for):
    page = client_for(world.owner).get("/claims/new/").content.decode()
    assert f'<option value="{world.right.pk}" selected>' in page


def test_it_names_each_missing_field(world, client_for):
    response = client_for(world.owner).post(
        "/claims/new/", _form(world, good_faith=None, signature="", evidence=None)
    )
    page = response.content.decode()
    assert page.count('class="field-error"') >= 3
    assert not Claim.objects.exists()


def test_it_says_when_the_listing_is_unknown(world, client_for):
    response = client_for(world.owner).post(
        "/claims/new/", _form(world, listing_url="https://market.example/nope")
    )
    assert b"No listing with that id or URL" in response.content


def test_it_offers_only_the_filers_own_rights(world, client_for):
    page = client_for(world.owner).get("/claims/new/").content.decode()
    assert "AURELIA" in page and "NORTHPEAK" not in page
    assert 'class="dropzone"' in page and "Submit claim" in page


def test_it_refuses_viewers_and_unverified_agents(world, client_for):
    assert client_for(world.viewer).get("/claims/new/").status_code == 403
    assert client_for(world.unverified_agent).get("/claims/new/").status_code == 403


def test_a_refused_file_is_named_once(world, client_for):
    bad = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    page = client_for(world.owner).post("/claims/new/", _form(world, evidence=[bad])).content.decode()
    assert page.count("Only images (JPEG, PNG, GIF, WebP), PDF and plain text are accepted.") == 1
    assert not Claim.objects.exists()


def test_it_shows_field_errors_and_the_brands_own_conditions_together(world, client_for):
    import datetime as dt

    from django.utils import timezone

    from tests.lifecycle import claim_in_state

    earlier = claim_in_state(world, "submitted")
    world.brand.suspended_until = timezone.now() + dt.timedelta(days=5)
    world.brand.save()
    response = client_for(world.owner).post(
        "/claims/new/", _form(world, good_faith=None, signature="", evidence=None)
    )
    page = response.content.decode()
    assert page.count('class="field-error"') >= 3  # the form's own fields
    assert "suspended until" in page  # and what the service would refuse, at the same time
    assert f"already has an open claim on this listing ({earlier.reference})" in page
    assert Claim.objects.count() == 1
