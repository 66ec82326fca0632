"""Uploads are kept under random names with the extension of what they are, and are served only through
views that check who may read them, with the sniffed type, never as a page that could run script."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from brands.models import IPRight
from core.tokens import api_token_issue
from tests.api.conftest import assert_json_error
from tests.lifecycle import claim_in_state

SCRIPT = "<html><script>fetch('/api/v1/ip-rights/1/verify/', {method: 'POST'})</script></html>"


def _png_with_script(name: str) -> SimpleUploadedFile:
    """A real PNG that carries markup in a text chunk: what once ran in a reviewer's browser."""
    info = PngInfo()
    info.add_text("Comment", SCRIPT)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG", pnginfo=info)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="text/html")


def _token_client(api, user):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)[0]}")
    return client


def _register_right(world, api, upload) -> dict:
    body = {
        "brand": world.brand.pk,
        "kind": "trademark",
        "mark": "AURELIA",
        "registration_number": "EU-9",
        "office": "EUIPO",
        "certificate": upload,
    }
    return api(world.owner).post("/api/v1/ip-rights/", body, format="multipart")


def test_it_serves_a_png_named_html_as_an_image_that_runs_nothing(world, api):
    response = _register_right(world, api, _png_with_script("cert.html"))
    assert response.status_code == 201, response.content
    right = IPRight.objects.get(pk=response.json()["id"])
    stored = right.certificate.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png") and "cert" not in stored  # random, with the sniffed type's extension
    url = response.json()["certificate"]
    assert url.endswith(f"/api/v1/ip-rights/{right.pk}/certificate/")
    for user in (world.owner, world.reviewer):
        served = _token_client(api, user).get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/png"
        assert (
            served["X-Content-Type-Options"] == "nosniff" and "sandbox" in served["Content-Security-Policy"]
        )
    assert _token_client(api, world.other_owner).get(url).status_code == 404


def test_it_refuses_markup_and_images_that_do_not_hold_together(world, api):
    html = SimpleUploadedFile("cert.html", SCRIPT.encode(), content_type="text/html")
    assert assert_json_error(_register_right(world, api, html), 400)["code"] == "file_type"
    broken = SimpleUploadedFile("cert.png", _png_with_script("x").read()[:60], content_type="image/png")
    assert "damaged" in assert_json_error(_register_right(world, api, broken), 400)["detail"]
    named_pdf = _png_with_script("cert.pdf")  # a name that promises another type: refused, it lies
    assert assert_json_error(_register_right(world, api, named_pdf), 400)["code"] == "file_type"


def test_it_serves_evidence_by_its_api_url_to_the_brand_and_staff_only(world, api):
    claim = claim_in_state(world, "taken_down")
    detail = api(world.owner).get(f"/api/v1/claims/{claim.pk}/").json()
    url = detail["evidence"][0]["url"]
    item = claim.evidence.get()
    assert item.file.name.rsplit("/", 1)[-1] != item.original_name
    for user in (world.owner, world.reviewer, world.compliance):
        served = _token_client(api, user).get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/png"
    for user in (world.other_owner, world.merchant_user):
        assert _token_client(api, user).get(url).status_code == 404
    assert api().get(url).status_code == 401


def test_it_sends_anything_but_images_and_pdf_as_a_sandboxed_download(world, api, client_for):
    claim = claim_in_state(world, "draft")
    note = SimpleUploadedFile("notes.txt", b"Bought at the market on 3 May.", content_type="text/plain")
    added = api(world.owner).post(f"/api/v1/claims/{claim.pk}/evidence/", {"file": note, "kind": "document"})
    assert added.status_code == 201 and added.json()["url"].startswith("http://testserver/api/v1/claims/")
    served = client_for(world.owner).get(f"/evidence/{added.json()['id']}/")
    assert served["Content-Disposition"].startswith("attachment")
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
