from django.core.files.uploadedfile import SimpleUploadedFile

from takedowns.models import ClaimBatch
from tests.factories import PNG, ListingFactory


def _csv(urls):
    body = "listing_url,infringement_type\n" + "".join(f"{url},counterfeit\n" for url in urls)
    return SimpleUploadedFile("rows.csv", body.encode(), content_type="text/csv")


def _fields(world, csv_file):
    return {
        "ip_right": world.right.pk,
        "infringement_type": "counterfeit",
        "description": "Fakes",
        "good_faith": "on",
        "accurate": "on",
        "signature": "Jane Counsel",
        "csv_file": csv_file,
    }


def test_it_previews_rows_with_their_problems(world, client_for):
    client = client_for(world.owner)
    response = client.post(
        "/claims/bulk/", _fields(world, _csv([world.listing.url, "https://market.example/none", ""]))
    )
    page = response.content.decode()
    assert "Check the rows before filing" in page
    assert "No listing with URL https://market.example/none is known" in page
    assert "The listing URL is empty." in page
    assert "Create 1 draft claim" in page
    assert not ClaimBatch.objects.exists()


def test_it_creates_the_batch_then_takes_evidence_and_submits(world, client_for):
    client = client_for(world.owner)
    urls = [ListingFactory().url for _ in range(3)] + ["https://market.example/none"]
    client.post("/claims/bulk/", _fields(world, _csv(urls)))
    response = client.post("/claims/bulk/", {"confirm": "1"})
    batch = ClaimBatch.objects.get()
    assert response["Location"] == f"/batches/{batch.pk}/"
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert "3 draft claims are waiting." in page and "No listing with URL https://market.example/none" in page
    client.post(
        f"/batches/{batch.pk}/evidence/", {"evidence": SimpleUploadedFile("p.png", PNG), "kind": "image"}
    )
    client.post(f"/batches/{batch.pk}/submit/")
    assert set(batch.claims.values_list("state", flat=True)) == {"submitted"}


def test_it_polls_progress_while_the_batch_runs(world, client_for):
    batch = ClaimBatch.objects.create(
        brand=world.brand,
        ip_right=world.right,
        created_by=world.owner,
        total=1000,
        done=400,
        status=ClaimBatch.Status.RUNNING,
    )
    client = client_for(world.owner)
    fragment = client.get(f"/batches/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="400" max="1000"' in body and "40%" in body
    ClaimBatch.objects.filter(pk=batch.pk).update(done=1000, status=ClaimBatch.Status.DONE)
    finished = client.get(f"/batches/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in finished.content.decode() and finished["HX-Refresh"] == "true"


def test_it_hides_another_brands_batch(world, client_for, nothing_written):
    batch = ClaimBatch.objects.create(
        brand=world.brand, ip_right=world.right, created_by=world.owner, total=1
    )
    assert client_for(world.other_owner).get(f"/batches/{batch.pk}/").status_code == 404
    other_owner = client_for(world.other_owner)
    with nothing_written():
        assert other_owner.post(f"/batches/{batch.pk}/submit/").status_code == 404


def test_it_rejects_a_csv_without_the_column(world, client_for):
    bad = SimpleUploadedFile("rows.csv", b"url\nhttps://x\n", content_type="text/csv")
    response = client_for(world.owner).post("/claims/bulk/", _fields(world, bad))
    assert b"needs a listing_url column" in response.content
