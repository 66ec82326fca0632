"""The paths the benchmark measures (docs/scaling.md), checked for what they return: the lean list read as
rows, the count that does not scan, the orjson renderer, the set-based bulk write of listings."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from core.api import CappedCountPaginator
from core.renderers import OrjsonRenderer
from merchants.models import Listing
from merchants.services.marketplace import listings_upsert
from takedowns.api.serializers import ClaimListSerializer
from takedowns.models import Claim, claim_reference
from tests.conftest import require_services
from tests.factories import ClaimFactory, ListingFactory
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.django_db


def test_the_list_returns_exactly_the_fields_its_serializer_declares(world, api):
    claim = claim_in_state(world, "in_review")
    Claim.objects.filter(pk=claim.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    [row] = api(world.reviewer).get("/api/v1/claims/").json()["results"]
    assert set(row) == set(ClaimListSerializer().fields)
    detail = api(world.reviewer).get(f"/api/v1/claims/{claim.pk}/").json()
    for key in row:  # the same values as the detail, field by field
        assert row[key] == detail[key], key
    assert row["overdue"] is True and "description" not in row and "signature" not in row


def test_the_count_is_exact_up_to_the_limit_then_estimated(world, monkeypatch):
    listing = world.listing
    for _ in range(7):
        ClaimFactory(brand=world.brand, ip_right=world.right, listing=listing)
    monkeypatch.setattr(CappedCountPaginator, "EXACT_COUNT_LIMIT", 5)
    paginator = CappedCountPaginator(Claim.objects.order_by("pk"), 2)
    assert paginator.count >= 6 and paginator.estimated is True
    monkeypatch.setattr(CappedCountPaginator, "EXACT_COUNT_LIMIT", 100)
    exact = CappedCountPaginator(Claim.objects.order_by("pk"), 2)
    assert exact.count == 7 and exact.estimated is False


def test_the_api_says_when_its_count_is_an_estimate(world, api, monkeypatch):
    for _ in range(3):
        ClaimFactory(brand=world.brand, ip_right=world.right, listing=ListingFactory(merchant=world.merchant))
    body = api(world.reviewer).get("/api/v1/claims/").json()
    assert body["count"] == 3 and body["count_is_estimate"] is False
    monkeypatch.setattr(CappedCountPaginator, "EXACT_COUNT_LIMIT", 1)
    body = api(world.reviewer).get("/api/v1/claims/?page_size=1").json()
    assert body["count_is_estimate"] is True and body["count"] >= 2 and body["next"]


def test_orjson_renders_what_drf_renders():
    data = {
        "at": dt.datetime(2026, 3, 1, 10, 0, 5, 123456, tzinfo=dt.UTC),
        "day": dt.date(2026, 3, 1),
        "price": Decimal("12.50"),
        "text": "商品 “quoted”",
        "n": [1, 2.5, None, True],
        "nested": {"empty": [], "none": None},
    }
    ours = json.loads(OrjsonRenderer().render(data))
    theirs = json.loads(JSONRenderer().render(data))
    assert ours == theirs
    assert ours["at"] == "2026-03-01T10:00:05.123456Z"


def test_bulk_listings_are_written_in_one_statement_per_kind(world, django_assert_max_num_queries):
    items = [
        {
            "platform_ref": f"SET-{n}",
            "merchant_ref": world.merchant.platform_ref,
            "url": f"https://market.example/set/{n}",
            "title": f"Item {n}",
            "price": "9.99",
            "currency": "eur",
        }
        for n in range(200)
    ]
    from django.db import connection

    # The merchants, then on PostgreSQL one statement that inserts or updates and says which it did (SQLite:
    # the existing refs, then the ORM's upsert in batches of its variable limit).
    with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 5):
        results = listings_upsert(items)
    assert [r["status"] for r in results] == ["created"] * 200
    assert Listing.objects.filter(platform_ref__startswith="SET-", currency="EUR").count() == 200
    again = listings_upsert([{**items[0], "title": "Renamed"}, {**items[0], "title": "Renamed twice"}])
    assert [r["status"] for r in again] == ["updated", "updated"]
    assert (
        Listing.objects.get(platform_ref="SET-0").title == "Renamed twice"
    )  # the last one wins, as in order


def test_a_filed_claim_has_its_reference_from_the_insert(world, api):
    body = {"brand": world.brand.pk, "ip_right": world.right.pk, "listing": world.listing.pk}
    answer = api(world.owner).post("/api/v1/claims/", {**body, "infringement_type": "counterfeit"})
    assert answer.status_code == 201, answer.content
    claim = Claim.objects.get(pk=answer.json()["id"])
    assert answer.json()["reference"] == claim.reference == claim_reference(claim.pk, claim.created_at.year)


@pytest.mark.services
def test_the_database_writes_the_reference_as_claim_reference_does(world):
    """The trigger that writes a new claim's reference (`ReferenceField`) and `claim_reference` agree, past
    six digits and in another year; a reference given is kept."""
    require_services(postgres=True)
    with time_machine.travel(dt.datetime(2031, 1, 1, 0, 0, 5, tzinfo=dt.UTC)):
        for pk in (42, 1234567):
            claim = ClaimFactory(pk=pk, reference=None, brand=world.brand, ip_right=world.right)
            assert claim.reference == claim_reference(pk, 2031)  # handed back by the INSERT
            claim.refresh_from_db()
            assert claim.reference == claim_reference(pk, 2031) == f"TD-2031-{pk:06d}"
    given = ClaimFactory(reference="TD-1999-000001", brand=world.brand, ip_right=world.right)
    given.refresh_from_db()
    assert given.reference == "TD-1999-000001"


def test_filing_reads_the_right_and_the_listing_as_the_orm_does(world):
    """`filing_subjects` reads both in one statement of its own: every field as the ORM reads it, the newest
    listing of a URL, and no right of a brand the caller does not file for."""
    from brands.models import IPRight
    from takedowns.services.filing import filing_subjects, listing_find

    older = world.listing
    Listing.objects.filter(pk=older.pk).update(
        attributes={"size": "M", "colours": ["red"]}, price=Decimal("12.50"), currency="EUR"
    )
    newer = ListingFactory(merchant=world.merchant, url=older.url)
    Listing.objects.filter(pk=newer.pk).update(created_at=timezone.now() + dt.timedelta(seconds=5))
    for kwargs in ({"listing_id": older.pk}, {"listing_url": f" {older.url} "}):
        right, listing, _genuine = filing_subjects(
            brand_ids=[world.brand.pk], ip_right_id=world.right.pk, **kwargs
        )
        expected = listing_find(**kwargs)
        assert listing.pk == expected.pk == (older.pk if "listing_id" in kwargs else newer.pk)
        for model, got, want in (
            (Listing, listing, expected),
            (type(listing.merchant), listing.merchant, expected.merchant),
            (IPRight, right, IPRight.objects.get(pk=world.right.pk)),
            (type(right.brand), right.brand, world.brand),
        ):
            want.refresh_from_db()
            for field in model._meta.concrete_fields:
                assert getattr(got, field.attname) == getattr(want, field.attname), (model, field.name)
    assert (
        filing_subjects(brand_ids=[world.other_brand.pk], ip_right_id=world.right.pk, listing_id=older.pk)[0]
        is None
    )


def test_filing_on_a_listing_id_no_row_can_have_is_not_found(world, api):
    body = {"brand": world.brand.pk, "ip_right": world.right.pk, "infringement_type": "counterfeit"}
    for listing in (10**20, -3):
        answer = api(world.owner).post("/api/v1/claims/", {**body, "listing": listing}, format="json")
        assert answer.status_code == 400 and answer.json()["code"] == "listing_not_found", answer.content


def test_filing_reads_the_genuine_purchase_as_the_warning_does(world):
    """`filing_subjects` reads the brand's newest genuine purchase from the seller with the right and the
    listing; the warning built from it is the one `filing_warnings` builds with its own query."""
    from takedowns.selectors import filing_warnings, genuine_purchase_warnings
    from takedowns.services.filing import filing_subjects
    from tests.purchases import record_purchase

    def both() -> tuple[list, list]:
        genuine = filing_subjects(
            brand_ids=[world.brand.pk], ip_right_id=world.right.pk, listing_id=world.listing.pk
        ).genuine
        return genuine_purchase_warnings(genuine), filing_warnings(
            brand_id=world.brand.pk, listing=world.listing
        )

    assert both() == ([], [])
    record_purchase(world, "genuine", order_ref="OLD", ordered_on=dt.date(2026, 1, 10))
    record_purchase(world, "genuine", order_ref="NEW", ordered_on=dt.date(2026, 2, 10))
    record_purchase(world, "inconclusive", order_ref="LATER", ordered_on=dt.date(2026, 3, 10))
    record_purchase(
        world, "genuine", order_ref="ELSEWHERE", ordered_on=dt.date(2026, 4, 10), listing=ListingFactory()
    )
    record_purchase(
        world,
        "genuine",
        user=world.other_owner,
        brand=world.other_brand,
        order_ref="THEIRS",
        ordered_on=dt.date(2026, 5, 1),
    )
    ours, orm = both()
    assert ours == orm and "NEW" in ours[0]["detail"] and "2026-02-10" in ours[0]["detail"]
    # the same day: the later one recorded
    record_purchase(world, "genuine", order_ref="SAME-DAY", ordered_on=dt.date(2026, 2, 10))
    ours, orm = both()
    assert ours == orm and "SAME-DAY" in ours[0]["detail"]


def test_a_filed_claim_is_what_the_database_holds(world):
    """`claim_create` writes the claim, its capture and its first event (on PostgreSQL as one statement, with
    an id taken first); the claim it hands back is the row as read back, and its chain holds."""
    from core.chain import first_broken_link
    from core.roles import actor_for
    from merchants.services.marketplace import listing_image_add
    from takedowns.services.filing import claim_create
    from tests.purchases import photo

    listing_image_add(listing=world.listing, file=photo("front.jpg"))
    listing_image_add(listing=world.listing, file=photo("back.jpg", shade=40))
    claim = claim_create(
        actor=actor_for(world.owner),
        brand=world.brand,
        ip_right=world.right,
        listing=world.listing,
        infringement_type="counterfeit",
        description="Fake",
        good_faith=True,
        accurate=True,
        signature=" Jane Counsel ",
    )
    stored = Claim.objects.get(pk=claim.pk)
    for field in Claim._meta.concrete_fields:
        assert getattr(claim, field.attname) == getattr(stored, field.attname), field.name
    assert (
        claim.reference == claim_reference(claim.pk, claim.created_at.year)
        and claim.signature == "Jane Counsel"
    )
    assert not claim._state.adding
    (event,) = stored.events.all()
    assert (event.transition, event.from_state, event.to_state, event.actor_id) == (
        "create",
        "draft",
        "draft",
        world.owner.pk,
    )
    assert first_broken_link(stored.events.order_by("pk")) is None
    assert event.created_at >= stored.created_at  # the claim, then its first event
    capture = stored.listing_capture
    assert (capture.title, capture.seller_ref) == (world.listing.title, world.merchant.platform_ref)
    assert list(capture.images.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_a_filing_that_fails_inside_a_transaction_leaves_the_transaction_usable(world):
    """Inside the caller's transaction (a test's, or a batch's) a failed filing rolls back to where it began,
    and the caller may go on; outside one, its single statement writes all or nothing."""
    from django.db import DataError

    from core.roles import actor_for
    from takedowns.services.filing import claim_create

    require_services(postgres=True)  # SQLite does not hold a text to its column's length
    before = Claim.objects.count()
    with pytest.raises(DataError):
        claim_create(
            actor=actor_for(world.owner),
            brand=world.brand,
            ip_right=world.right,
            listing=world.listing,
            infringement_type="counterfeit",
            signature="x" * 201,  # longer than the column
        )
    assert Claim.objects.count() == before  # the transaction still answers
