"""A client that knows only the contract (docs/contract.md) drives the running stack over HTTP: `gunicorn config.wsgi`, `celery -A config
worker` and `celery -A config beat` as separate processes on PostgreSQL and Redis, the marketplace's webhook
endpoint and an SMTP server. Field names, status codes and the webhook format are those of docs/contract.md §4, §5 and §8."""

import re

import pytest
import requests

from tests.factories import PNG, UserFactory
from tests.harness import wait_for

pytestmark = pytest.mark.services


class Client:
    def __init__(self, base, username, password="pw-for-tests-1"):
        self.base = base
        response = requests.post(
            f"{base}/api/v1/auth/token/", json={"username": username, "password": password}, timeout=20
        )
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Token {response.json()['token']}"}

    def get(self, path, **kw):
        return requests.get(self.base + path, headers=self.headers, timeout=30, **kw)

    def post(self, path, **kw):
        return requests.post(self.base + path, headers=self.headers, timeout=30, **kw)


def test_it_runs_a_claim_from_filing_to_reinstatement_over_http(transactional_db, stack, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for name, groups in [
        ("owner", []),
        ("reviewer", ["reviewer"]),
        ("platform", ["platform"]),
        ("compliance", ["compliance"]),
        ("seller", []),
    ]:
        UserFactory(username=name, groups=groups)
    stack.worker()
    stack.beat()
    web = stack.web()
    owner, reviewer, platform = (
        Client(web.url, "owner"),
        Client(web.url, "reviewer"),
        Client(web.url, "platform"),
    )

    bad_login = requests.post(
        f"{web.url}/api/v1/auth/token/", json={"username": "owner", "password": "nope"}, timeout=20
    )
    assert bad_login.status_code == 400 and set(bad_login.json()) >= {"detail", "code"}

    # The brand registers itself and its trademark; a reviewer verifies the right.
    brand = owner.post("/api/v1/brands/", json={"name": "Aurelia", "website": "https://aurelia.example"})
    assert brand.status_code == 201, brand.text
    brand_id = brand.json()["id"]
    right = owner.post(
        "/api/v1/ip-rights/",
        data={
            "brand": brand_id,
            "kind": "trademark",
            "mark": "AURELIA",
            "registration_number": "018000001",
            "office": "EUIPO",
            "classes": "18,25",
            "valid_from": "2020-01-01",
            "valid_until": "2030-01-01",
        },
        files={"certificate": ("certificate.png", PNG, "image/png")},
    )
    assert right.status_code == 201 and right.json()["status"] == "pending", right.text
    right_id = right.json()["id"]
    assert (
        owner.post(f"/api/v1/ip-rights/{right_id}/verify/", json={"decision": "verified"}).status_code == 403
    )
    verified = reviewer.post(
        f"/api/v1/ip-rights/{right_id}/verify/", json={"decision": "verified", "note": "Registry checked"}
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verified"

    # The marketplace pushes the merchant and its listing (create, then update by platform_ref).
    merchant = platform.post(
        "/api/v1/merchants/",
        json={
            "platform_ref": "M-9",
            "name": "Lucky Outlet",
            "email": "seller@merchant.example",
            "country": "DE",
        },
    )
    assert merchant.status_code == 201, merchant.text
    listing = {
        "platform_ref": "L-9",
        "merchant_ref": "M-9",
        "url": "https://market.example/item/9",
        "title": "AURELIA bag",
        "price": "49.00",
        "currency": "EUR",
    }
    assert platform.post("/api/v1/listings/", json=listing).status_code == 201
    assert (
        platform.post("/api/v1/listings/", json={**listing, "title": "AURELIA bag 2026"}).status_code == 200
    )
    from merchants.models import Merchant

    Merchant.objects.get(platform_ref="M-9").users.add(
        __import__("django.contrib.auth", fromlist=["get_user_model"])
        .get_user_model()
        .objects.get(username="seller")
    )
    seller = Client(web.url, "seller")

    # File, fail to submit without evidence, attach evidence, submit.
    claim = owner.post(
        "/api/v1/claims/",
        json={
            "brand": brand_id,
            "ip_right": right_id,
            "listing_url": "https://market.example/item/9",
            "infringement_type": "counterfeit",
            "description": "Fake bag: logo and stitching differ.",
            "good_faith": True,
            "accurate": True,
            "signature": "Jane Counsel",
        },
    )
    assert claim.status_code == 201, claim.text
    body = claim.json()
    claim_id = body["id"]
    assert body["state"] == "draft" and re.fullmatch(r"TD-\d{4}-\d{6}", body["reference"])
    submit = owner.post(f"/api/v1/claims/{claim_id}/transitions/submit/", json={})
    assert submit.status_code == 400 and "evidence" in submit.json()["detail"]
    evidence = owner.post(
        f"/api/v1/claims/{claim_id}/evidence/",
        data={"kind": "image", "note": "listing photo"},
        files={"file": ("photo.png", PNG, "image/png")},
    )
    assert evidence.status_code == 201 and len(evidence.json()["sha256"]) == 64
    assert (
        owner.post(f"/api/v1/claims/{claim_id}/transitions/submit/", json={}).json()["state"] == "submitted"
    )

    # Wrong role 403; right role, wrong state 409 with what is allowed; then review and approve.
    assert owner.post(f"/api/v1/claims/{claim_id}/transitions/approve/", json={}).status_code == 403
    early = reviewer.post(f"/api/v1/claims/{claim_id}/transitions/approve/", json={})
    assert early.status_code == 409 and "start_review" in early.json()["available_transitions"]
    assert reviewer.post(f"/api/v1/claims/{claim_id}/transitions/start_review/", json={}).status_code == 200
    approved = reviewer.post(
        f"/api/v1/claims/{claim_id}/transitions/approve/", json={"note": "Clear counterfeit"}
    )
    assert approved.status_code == 200 and approved.json()["state"] in ("approved", "taken_down")

    # The worker removes the listing through the signed webhook and the claim is taken down.
    wait_for(
        lambda: owner.get(f"/api/v1/claims/{claim_id}/").json()["state"] == "taken_down",
        timeout=30,
        message="takedown",
    )
    [removal] = stack.webhooks.accepted("listing.remove")
    assert removal.signature_ok and removal.idempotency_key
    assert removal.body["listing_ref"] == "L-9" and removal.body["claim_reference"] == body["reference"]
    assert platform.get("/api/v1/listings/?platform_ref=L-9").json()["results"][0]["status"] == "removed"
    strikes = platform.get("/api/v1/merchants/?platform_ref=M-9").json()["results"][0]
    assert strikes["active_strikes"] == 1 and strikes["status"] == "active"
    wait_for(lambda: stack.smtp.to("seller@merchant.example"), message="the merchant's notice")

    # The merchant sees the claim without the claimant's signature and files a counter-notice.
    seen = seller.get(f"/api/v1/claims/{claim_id}/").json()
    assert "signature" not in seen and seen["state"] == "taken_down"
    counter = seller.post(
        f"/api/v1/claims/{claim_id}/transitions/counter_notice/",
        json={
            "reason": "authorized",
            "note": "Bought from the brand's distributor; invoice 4411.",
            "good_faith": True,
            "signature": "Sam Seller",
        },
    )
    assert counter.status_code == 200 and counter.json()["state"] == "counter_noticed", counter.text
    reinstated = reviewer.post(
        f"/api/v1/claims/{claim_id}/transitions/reinstate/", json={"note": "Invoice checks out"}
    )
    assert reinstated.json()["state"] == "reinstated"
    wait_for(lambda: stack.webhooks.accepted("listing.restore"), timeout=30, message="the restore webhook")
    merchant_now = platform.get("/api/v1/merchants/?platform_ref=M-9").json()["results"][0]
    assert merchant_now["active_strikes"] == 0

    # The history, and the compliance figures.
    transitions = [e["transition"] for e in owner.get(f"/api/v1/claims/{claim_id}/").json()["events"]]
    assert transitions[-6:] == ["submit", "start_review", "approve", "enforce", "counter_notice", "reinstate"]
    summary = Client(web.url, "compliance").get("/api/v1/reports/summary/?group_by=brand").json()
    assert summary["totals"]["claims_decided"] == 1 and summary["totals"]["reinstated"] == 1
    assert summary["rows"][0]["group"]
    other = requests.get(f"{web.url}/api/v1/claims/{claim_id}/", timeout=10)
    assert other.status_code == 401 and other.headers["Content-Type"].startswith("application/json")
