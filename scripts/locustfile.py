"""A mixed API workload for `scripts/load_test.py` (which seeds the database, creates the API tokens and
starts gunicorn and a Celery worker): brands list and file claims, reviewers read the queue and decide,
the marketplace pushes listings, compliance reads the summary report.

    LOAD_ACCOUNTS=/path/accounts.json .venv/bin/locust -f scripts/locustfile.py --host http://127.0.0.1:8000

`LOAD_ACCOUNTS` is the JSON file the runner writes: one API token per account of each role, the listing
URLs brands may file claims against (each is used once, so no brand files twice on one listing) and the
marketplace's merchant references.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid

from locust import HttpUser, between, task

with open(os.environ["LOAD_ACCOUNTS"]) as fh:
    ACCOUNTS = json.load(fh)

# Listings no claim names yet: each filing takes the next one.
_POOL = iter(ACCOUNTS["listing_pool"])
_POOL_LOCK = threading.Lock()
# Claims a simulated reviewer has picked from the queue: two reviewers never start the same review (a real
# desk assigns claims; two people clicking the same claim get a correct 409, which is not what we measure).
_TAKEN: set[int] = set()
_ROUND_ROBIN = {role: itertools.count() for role in ("brand", "reviewer", "compliance", "platform")}

# A whole 1×1 PNG: evidence must be an image Pillow can verify.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082"
)


def _account(role: str) -> dict:
    accounts = ACCOUNTS[role]
    return accounts[next(_ROUND_ROBIN[role]) % len(accounts)]


class ApiUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.account = _account(self.role)
        self.client.headers.update(
            {"Authorization": f"Token {self.account['token']}", "Accept": "application/json"}
        )


class Brand(ApiUser):
    """A brand owner or agent: lists its claims, opens one, files new ones (claim, evidence, submit)."""

    role = "brand"
    weight = 5

    def on_start(self):
        super().on_start()
        rights = self.client.get(
            "/api/v1/ip-rights/?status=verified&page_size=100", name="/api/v1/ip-rights/"
        ).json()["results"]
        self.rights = [(r["brand"], r["id"]) for r in rights]
        self.claim_ids: list[int] = []

    @task(4)
    def list_claims(self):
        page = self.client.get("/api/v1/claims/?page_size=20", name="/api/v1/claims/ (brand)").json()
        self.claim_ids = [c["id"] for c in page["results"]]

    @task(2)
    def claim_detail(self):
        if self.claim_ids:
            self.client.get(f"/api/v1/claims/{random.choice(self.claim_ids)}/", name="/api/v1/claims/[id]/")

    @task(3)
    def file_claim(self):
        with _POOL_LOCK:
            listing_url = next(_POOL, None)
        if listing_url is None:
            return
        brand, right = random.choice(self.rights)
        claim = self.client.post(
            "/api/v1/claims/",
            json={
                "brand": brand,
                "ip_right": right,
                "listing_url": listing_url,
                "infringement_type": "counterfeit",
                "description": "Logo placement, stitching and price do not match the genuine product.",
                "good_faith": True,
                "accurate": True,
                "signature": "Load Test Legal",
            },
            name="/api/v1/claims/ (file)",
        )
        if claim.status_code != 201:
            return
        claim_id = claim.json()["id"]
        self.client.post(
            f"/api/v1/claims/{claim_id}/evidence/",
            files={"file": ("listing-photo.png", PNG, "image/png")},
            data={"kind": "image", "note": "Photo from the listing"},
            name="/api/v1/claims/[id]/evidence/",
        )
        self.client.post(
            f"/api/v1/claims/{claim_id}/transitions/submit/",
            json={},
            name="/api/v1/claims/[id]/transitions/submit/",
        )


class Reviewer(ApiUser):
    """A platform reviewer: reads the queue of submitted claims, starts a review and decides it."""

    role = "reviewer"
    weight = 3

    def _queue(self) -> list[dict]:
        return self.client.get(
            "/api/v1/claims/?state=submitted&page_size=50", name="/api/v1/claims/?state=submitted"
        ).json()["results"]

    @task(2)
    def read_queue(self):
        self._queue()

    @task(3)
    def decide(self):
        waiting = [c["id"] for c in self._queue() if c["id"] not in _TAKEN]
        if not waiting:
            return
        claim_id = random.choice(waiting)
        _TAKEN.add(claim_id)
        started = self.client.post(
            f"/api/v1/claims/{claim_id}/transitions/start_review/",
            json={},
            name="/api/v1/claims/[id]/transitions/start_review/",
        )
        if started.status_code != 200:
            return
        if random.random() < 0.75:
            self.client.post(
                f"/api/v1/claims/{claim_id}/transitions/approve/",
                json={"note": "Counterfeit: logo and stitching differ."},
                name="/api/v1/claims/[id]/transitions/approve/",
            )
        else:
            self.client.post(
                f"/api/v1/claims/{claim_id}/transitions/reject/",
                json={"reason": "insufficient_evidence", "note": "The photo does not show the mark."},
                name="/api/v1/claims/[id]/transitions/reject/",
            )


class Marketplace(ApiUser):
    """The marketplace's service account: pushes new listings, updates them, sometimes in bulk."""

    role = "platform"
    weight = 1

    def on_start(self):
        super().on_start()
        self.pushed: list[dict] = []

    def _listing(self) -> dict:
        ref = uuid.uuid4().hex[:12]
        return {
            "platform_ref": f"PUSH-{ref}",
            "merchant_ref": random.choice(ACCOUNTS["merchant_refs"]),
            "url": f"https://market.example/push/{ref}",
            "title": f"Leather handbag {ref[:4]} original",
            "price": f"{random.randint(5, 400)}.00",
            "currency": "EUR",
        }

    @task(4)
    def push_listing(self):
        listing = self._listing()
        if self.client.post("/api/v1/listings/", json=listing, name="/api/v1/listings/").status_code == 201:
            self.pushed.append(listing)

    @task(1)
    def update_listing(self):
        if self.pushed:
            listing = {**random.choice(self.pushed), "price": f"{random.randint(5, 400)}.00"}
            self.client.post("/api/v1/listings/", json=listing, name="/api/v1/listings/")

    @task(1)
    def push_bulk(self):
        self.client.post(
            "/api/v1/listings/bulk/",
            json=[self._listing() for _ in range(25)],
            name="/api/v1/listings/bulk/",
        )


class Compliance(ApiUser):
    """A compliance officer: the summary report, whole and grouped."""

    role = "compliance"
    weight = 1

    @task
    def summary(self):
        group_by = random.choice(["", "month", "brand", "reviewer"])
        self.client.get(
            f"/api/v1/reports/summary/{f'?group_by={group_by}' if group_by else ''}",
            name="/api/v1/reports/summary/",
        )
