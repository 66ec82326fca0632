"""Every API list and detail endpoint and every portal page reads in a pinned number of queries, the same
whatever the page size: a change that adds a query per row (a missing select_related or prefetch) fails here.

The pages and endpoints are found from the URL configuration, so a new one is measured without being listed;
one whose object this file does not know how to pick fails until it is added to `OBJECTS`.
"""

import re

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

import core.portal
from brands.models import Brand, BrandMembership, IPRight
from config.urls import router
from core.roles import actor_for
from merchants.models import Listing, ListingImage, Merchant, Network
from takedowns.models import (
    Claim,
    ClaimBatch,
    CounterNoticeEvidence,
    Evidence,
    QueueView,
    TestPurchase,
    TestPurchasePhoto,
)
from takedowns.services.batches import batch_create

pytestmark = pytest.mark.django_db

# The users of the demo data: one of each kind.
USERS = ("reviewer", "compliance", "platform", "aurelia", "lawfirm", "merchant")

# The object each portal page with a `pk` is shown for: the first and the last of its kind.
OBJECTS = {
    "brand": Brand,
    "brand-members": Brand,
    "brand-edit": Brand,
    "ip-right-certificate": IPRight,
    "ip-right-decide": IPRight,
    "agent-verify": BrandMembership,
    "authorisation-letter": BrandMembership,
    "claim": Claim,
    "claim-evidence": Claim,
    "claim-network": Claim,
    "claim-test-purchase": Claim,
    "claim-counter-documents": Claim,
    "claim-assign": Claim,
    "queue-view-delete": QueueView,
    "evidence-file": Evidence,
    "listing-image-file": ListingImage,
    "counter-document": CounterNoticeEvidence,
    "test-purchase": TestPurchase,
    "test-purchase-photo": TestPurchasePhoto,
    "batch": ClaimBatch,
    "batch-progress": ClaimBatch,
    "batch-evidence": ClaimBatch,
    "batch-submit": ClaimBatch,
    "network": Network,
    "merchant": Merchant,
}
# Not pages of the portal: the sign-in and password flows (Django's), the health check, and the merchant's
# link pages (reached with a signed token, measured in tests/portal/test_merchant_link.py).
NOT_MEASURED = re.compile(r"^(api/|admin/|i18n/|login/|logout/|password-reset|healthz|m/)")

# Pinned: the most queries any of the USERS needs for the page (sessions, user, memberships included).
PORTAL_PINNED = {
    "account": 4,
    "audit": 5,
    "authorisation-letter": 4,
    "batch": 5,
    "batch-progress": 5,
    "brand": 9,
    "brand-edit": 5,
    "brand-members": 7,
    "brand-new": 3,
    "brands": 5,
    "bulk-new": 5,
    # The claim pages read the listing as filed and its photos (two queries, whatever the evidence).
    "claim": 23,  # the capture, image matches among evidence and listing photos, the seller network
    "claim-network": 11,
    "claim-assign": 5,
    "claim-new": 7,
    "claim-new-listing": 3,
    "claims": 6,
    "counter-document": 4,
    "counter-notices": 5,  # the count and the page, when there is one to list
    # The report pages' summaries: by group the counts, the medians, the listings removed, the counter-notices
    # and the bans; for the totals the medians, the listings and the bans (the counts are the groups' sums);
    # on PostgreSQL the transaction that gives the sorts room (savepoint, SET LOCAL, release).
    "dashboard": 22,
    "evidence-file": 4,
    "held-decisions": 5,
    "ip-right-certificate": 4,
    "ip-right-new": 4,
    "ip-rights": 5,
    "listing-image-file": 4,
    "merchant": 11,
    "merchants": 5,
    "network": 5,
    "networks": 5,
    # The claims, the tab counts, and since assignment and saved views: the reviewers one may assign to, and
    # the reviewer's own saved views (one query each, whatever the page size).
    "queue": 13,
    # The summaries' statements (reports.metrics) in their transaction, and the brands' names read after
    # counting, for the groups only.
    "reports": 19,
    "test-purchase": 6,
    "test-purchase-new": 5,
    "test-purchase-photo": 4,
    "test-purchases": 7,
    "two-factor": 6,
    "verification-queue": 5,
}
# SQLite has no median aggregate: there each median of the report pages is a query of its own.
SQLITE_EXTRA = {"dashboard": 3, "reports": 3}
API_PINNED = {
    "audit-event-detail": 2,
    "audit-event-list": 3,
    "brand-detail": 2,
    "brand-list": 3,
    "claim-batch-detail": 3,
    "claim-batch-list": 4,
    "claim-detail": 16,  # `listing_capture` (two), image matches (four), the seller network (three)
    "claim-list": 3,
    "ip-right-detail": 2,
    "ip-right-list": 3,
    "listing-detail": 2,
    "listing-list": 3,
    "merchant-detail": 3,
    "merchant-list": 4,
    "network-detail": 3,
    "network-list": 3,
    "test-purchase-detail": 4,
    "test-purchase-list": 5,
}


def _portal_pages() -> list[tuple[str, str, tuple]]:
    """(name, route, kwargs) of every GET-able portal URL pattern: the actions take a `name` or a POST."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name and not NOT_MEASURED.match(route):
                kwargs = tuple(pattern.pattern.converters)
                if kwargs in ((), ("pk",)):
                    found.append((pattern.name, route, kwargs))

    walk(get_resolver().url_patterns)
    return found


def _count(client, url: str, user=None) -> tuple[int, int]:
    if user is not None:  # as a new request: an API client forced to a user reuses its cached actor
        user.__dict__.pop("_takedown_actor", None)
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, len(captured)


@pytest.fixture
def demo(db, django_user_model):
    call_command("seed_demo", claims=60, merchants=20, stdout=open("/dev/null", "w"))
    users = {name: django_user_model.objects.get(username=name) for name in USERS}
    # A saved view of the queue, so that its delete URL has one to name.
    QueueView.objects.create(owner=users["reviewer"], name="Overdue", query="overdue=1")
    # A bulk filing of three rows, so that the batch pages and endpoints have one to show.
    right = IPRight.objects.filter(brand__memberships__user=users["aurelia"], status="verified").first()
    urls = Listing.objects.filter(merchant__isnull=False).values_list("url", flat=True)[:3]
    batch_create(
        actor=actor_for(users["aurelia"]),
        brand=right.brand,
        ip_right=right,
        fields={"infringement_type": "counterfeit", "description": "Bulk filing of three listings"},
        rows=[{"listing_url": url} for url in urls],
    )
    return users


def _urls(name: str, route: str, kwargs: tuple) -> list[str]:
    path = "/" + route
    if not kwargs:
        return [path]
    model = OBJECTS.get(name)
    assert model is not None, f"{name} ({route}): add the model its pk names to OBJECTS"
    pks = {
        model.objects.order_by("pk").values_list("pk", flat=True).first(),
        model.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }
    assert None not in pks, f"the demo data has no {model.__name__} for {name}"
    return [path.replace("<int:pk>", str(pk)) for pk in sorted(pks)]


def test_every_portal_page_reads_in_a_pinned_number_of_queries(demo, client_for, monkeypatch):
    measured: dict[str, int] = {}
    not_pages: set[str] = set()
    for name, route, kwargs in _portal_pages():
        for url in _urls(name, route, kwargs):
            for username, user in demo.items():
                client = client_for(user)
                counts = set()
                for per_page in (1, 50):  # every paginated page, with a page of one row and of fifty
                    monkeypatch.setattr(
                        core.portal, "Paginator", lambda items, _, n=per_page: Paginator(items, n)
                    )
                    status, count = _count(client, url)
                    if status == 405 or 300 <= status < 400:  # an action (POST only) or a redirect
                        not_pages.add(name)
                    if status != 200:
                        break
                    counts.add(count)
                else:
                    assert len(counts) == 1, f"{url} as {username}: {sorted(counts)} queries by page size"
                    measured[name] = max(measured.get(name, 0), *counts)
    unmeasured = {name for name, _, _ in _portal_pages()} - set(measured) - not_pages
    assert not unmeasured, f"no demo user could open {sorted(unmeasured)}"
    extra = SQLITE_EXTRA if connection.vendor == "sqlite" else {}
    over = {
        name: (count, PORTAL_PINNED.get(name))
        for name, count in measured.items()
        if count > PORTAL_PINNED.get(name, 0) + extra.get(name, 0)
    }
    assert not over, f"queries (measured, pinned): {over}"


def test_every_api_list_and_detail_reads_in_a_pinned_number_of_queries(demo, api):
    measured: dict[str, int] = {}
    for prefix, _, basename in router.registry:
        for username, user in demo.items():
            client = api(user)
            counts = set()
            for page_size in (1, 100):
                status, count = _count(client, f"/api/v1/{prefix}/?page_size={page_size}", user)
                assert status in (200, 403), f"/api/v1/{prefix}/ as {username}: {status}"
                counts.add(count)
            if status != 200:
                continue
            assert len(counts) == 1, f"/api/v1/{prefix}/ as {username}: {sorted(counts)} queries by page size"
            measured[f"{basename}-list"] = max(measured.get(f"{basename}-list", 0), *counts)
            rows = client.get(f"/api/v1/{prefix}/?page_size=1000").json()["results"]
            for row in rows[:1] + rows[-1:]:
                status, count = _count(client, f"/api/v1/{prefix}/{row['id']}/", user)
                assert status == 200, f"/api/v1/{prefix}/{row['id']}/ as {username}: {status}"
                measured[f"{basename}-detail"] = max(measured.get(f"{basename}-detail", 0), count)
    over = {
        name: (count, API_PINNED.get(name))
        for name, count in measured.items()
        if count > API_PINNED.get(name, 0)
    }
    assert not over, f"queries (measured, pinned): {over}"
