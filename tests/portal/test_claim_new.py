import re

from django.core.files.storage import default_storage
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


def test_a_refused_file_is_named_in_the_summary_and_on_its_field(world, client_for):
    bad = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    page = client_for(world.owner).post("/claims/new/", _form(world, evidence=[bad])).content.decode()
    message = "photo.png: Only images (JPEG, PNG, GIF, WebP), PDF and plain text are accepted."
    summary, fields = page.split('id="claim-form"')
    assert summary.count(message) == 1 and fields.count(message) == 1
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


# --- files kept across errors, a kind for each file, errors on their fields, the listing's preview -----------
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _tokens(page: str) -> list[str]:
    return re.findall(r'name="staged" value="([^"]+)"', page)


def test_files_survive_an_error_and_are_filed_with_a_kind_each(world, client_for):
    client = client_for(world.owner)
    files = [
        SimpleUploadedFile("front.png", PNG, content_type="image/png"),
        SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf"),
    ]
    page = client.post("/claims/new/", _form(world, signature="", evidence=files)).content.decode()
    tokens = _tokens(page)
    assert len(tokens) == 2 and "front.png" in page and "invoice.pdf" in page
    assert not Claim.objects.exists()
    assert len(default_storage.listdir("staged")[1]) == 2
    # Sent again with the signature and no new file: the kept files are filed, each with the kind chosen.
    response = client.post(
        "/claims/new/",
        _form(world, evidence=None) | {"staged": tokens, "staged_kind": ["capture", "document"]},
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.state == "submitted"
    kept = {item.original_name: (item.kind, item.content_type) for item in claim.evidence.all()}
    assert kept == {"front.png": ("capture", "image/png"), "invoice.pdf": ("document", "application/pdf")}
    assert default_storage.listdir("staged")[1] == []  # used up


def test_a_pdf_is_taken_for_a_document_and_each_new_file_has_its_own_kind(world, client_for):
    client = client_for(world.owner)
    files = [
        SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf"),
    ]
    client.post("/claims/new/", _form(world, evidence=files))
    kinds = {item.original_name: item.kind for item in Claim.objects.get().evidence.all()}
    assert kinds == {"shot.png": "image", "receipt.pdf": "document"}  # nothing chosen: by what each holds
    files = [SimpleUploadedFile("order.png", PNG, content_type="image/png")]
    other = _form(world, listing_url=world.other_listing.url, evidence=files)
    client.post("/claims/new/", other | {"evidence_kinds": ["test_purchase"]})
    assert Claim.objects.get(listing=world.other_listing).evidence.get().kind == "test_purchase"


def test_a_kept_file_can_be_removed(world, client_for):
    client = client_for(world.owner)
    files = [
        SimpleUploadedFile("keep.png", PNG, content_type="image/png"),
        SimpleUploadedFile("drop.png", PNG, content_type="image/png"),
    ]
    tokens = _tokens(client.post("/claims/new/", _form(world, signature="", evidence=files)).content.decode())
    client.post(
        "/claims/new/",
        _form(world, evidence=None)
        | {"staged": tokens, "staged_kind": ["image", "image"], "staged_remove": tokens[1]},
    )
    assert [item.original_name for item in Claim.objects.get().evidence.all()] == ["keep.png"]
    assert default_storage.listdir("staged")[1] == []


def test_another_users_or_an_altered_token_files_nothing(world, client_for):
    files = [SimpleUploadedFile("mine.png", PNG, content_type="image/png")]
    (token,) = _tokens(
        client_for(world.owner)
        .post("/claims/new/", _form(world, signature="", evidence=files))
        .content.decode()
    )
    for who, sent in ((world.agent, token), (world.owner, token[:-2] + "xx")):
        page = client_for(who).post("/claims/new/", _form(world, evidence=None) | {"staged": [sent]})
        assert "no longer held; choose it again" in page.content.decode()
    assert not Claim.objects.exists()


def test_an_unknown_url_and_an_open_claim_are_marked_on_the_url(world, client_for):
    from tests.lifecycle import claim_in_state

    client = client_for(world.owner)
    page = client.post(
        "/claims/new/", _form(world, listing_url="https://market.example/nope")
    ).content.decode()
    assert '<a href="#id_listing_url">Listing URL</a>: No listing with that id or URL' in page
    earlier = claim_in_state(world, "submitted")
    page = client.post("/claims/new/", _form(world)).content.decode()
    assert (
        f'<a href="#id_listing_url">Listing URL</a>: The brand already has an open claim on this listing ({earlier.reference})'
        in page
    )
    assert _tokens(page)  # the evidence waits for the brand to change the URL
    assert Claim.objects.count() == 1


def test_the_listing_is_shown_as_soon_as_its_url_is_known(world, client_for):
    client = client_for(world.owner)
    fragment = client.get("/claims/new/listing/", {"listing_url": world.listing.url}).content.decode()
    assert world.listing.title in fragment and world.listing.merchant.name in fragment
    unknown = client.get("/claims/new/listing/", {"listing_url": "https://market.example/nope"})
    assert "No listing with this URL is known" in unknown.content.decode()
    page = client.get("/claims/new/", {"listing_url": world.listing.url}).content.decode()
    assert 'class="listing-preview"' in page and world.listing.title in page
    assert (
        client_for(world.viewer).get("/claims/new/listing/", {"listing_url": world.listing.url}).status_code
        == 403
    )


def test_abandoned_kept_files_are_purged_after_a_day(world, client_for):
    import datetime as dt

    from django.utils import timezone

    from core.staged import staged_purge

    files = [SimpleUploadedFile("left.png", PNG, content_type="image/png")]
    client_for(world.owner).post("/claims/new/", _form(world, signature="", evidence=files))
    assert staged_purge() == 0 and len(default_storage.listdir("staged")[1]) == 1
    assert staged_purge(now=timezone.now() + dt.timedelta(days=1, minutes=1)) == 1
    assert default_storage.listdir("staged")[1] == []
