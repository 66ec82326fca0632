"""`takedowns.services.test_purchases`: recording a test purchase, attaching it to claims, and what follows
from its verdict (priority, the warning before filing)."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.models import AuditEvent
from core.roles import actor_for
from takedowns import selectors
from takedowns.models import Priority, TestPurchase
from takedowns.services import test_purchases as purchases
from tests.factories import PNG, ListingFactory, MerchantFactory
from tests.lifecycle import claim_in_state, step
from tests.purchases import photo, photo_bytes, record_purchase

pytestmark = pytest.mark.django_db


# --- recording ------------------------------------------------------------------------------------------
def test_it_records_the_order_its_seller_and_its_photos(world):
    purchase = record_purchase(
        world, "counterfeit", photos=[photo("front.jpg"), photo("label.png", shade=90)]
    )
    assert purchase.merchant_id == world.listing.merchant_id and purchase.created_by == world.owner
    assert (purchase.amount, purchase.currency, purchase.verdict) == (Decimal("49.90"), "EUR", "counterfeit")
    front, label = purchase.photos.order_by("pk")
    assert front.original_name == "front.jpg" and front.content_type == "image/jpeg"
    assert label.content_type == "image/png" and label.size == len(photo_bytes(90, "PNG"))
    assert label.sha256 == hashlib.sha256(photo_bytes(90, "PNG")).hexdigest()
    # stored under a name of our own, and hashed for image matching
    assert "label" not in label.file.name and label.file.name.endswith(".png")
    assert front.phash is not None and front.phash_q0 is not None
    event = AuditEvent.objects.get(action="test_purchase_create")
    assert (event.brand_id, event.merchant_id, event.object_id) == (
        world.brand.pk,
        world.merchant.pk,
        str(purchase.pk),
    )


def test_it_keeps_the_seller_of_the_day_of_the_order(world):
    purchase = record_purchase(world)
    world.listing.merchant = MerchantFactory()
    world.listing.save()
    purchase.refresh_from_db()
    assert purchase.merchant_id == world.merchant.pk


def test_it_stores_the_currency_in_capitals(world):
    assert record_purchase(world, currency="usd").currency == "USD"


def test_an_agent_records_as_the_owner_does(world):
    assert record_purchase(world, user=world.agent).created_by == world.agent


@pytest.mark.parametrize("who, error", [("viewer", Forbidden), ("unverified_agent", Forbidden)])
def test_it_refuses_members_who_may_not_file(world, who, error):
    with pytest.raises(error):
        record_purchase(world, user=getattr(world, who))
    assert not TestPurchase.objects.exists()


def test_another_brand_is_not_found(world):
    with pytest.raises(NotFound):
        record_purchase(world, user=world.other_owner)
    assert not TestPurchase.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"order_ref": "  "}, "order_ref"),
        ({"order_ref": "x" * 101}, "order_ref"),
        ({"ordered_on": timezone.localdate() + dt.timedelta(days=1)}, "ordered_on"),
        ({"ordered_on": "2026-01-01"}, "ordered_on"),
        ({"amount": Decimal("-0.01")}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"amount": Decimal("10000000000")}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "E1R"}, "currency"),
        ({"currency": "ÄÖÜ"}, "currency"),
        ({"verdict": "fake"}, "verdict"),
        ({"notes": "x" * 5001}, "notes"),
        ({"photos": []}, "photos"),
        ({"photos": [photo() for _ in range(21)]}, "photos"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(world, fields, field):
    verdict = fields.pop("verdict", "genuine")
    with pytest.raises(Invalid) as refused:
        record_purchase(world, verdict, **fields)
    assert field in refused.value.extra["fields"]
    assert not TestPurchase.objects.exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("receipt.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),  # evidence, but not a photo
        ("notes.txt", b"Order 1234, three bags"),
        ("photo.jpg", PNG[:40]),  # a truncated image
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>"),
    ],
)
def test_it_accepts_images_only(world, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(Invalid) as refused:
        record_purchase(world, photos=[photo(), SimpleUploadedFile(name, content)])
    assert refused.value.code == "file_type" and "photos" in refused.value.extra["fields"]
    assert not TestPurchase.objects.exists()


def test_it_refuses_an_order_reference_the_brand_already_recorded(world):
    record_purchase(world, order_ref="A-1")
    with pytest.raises(Conflict) as refused:
        record_purchase(world, "genuine", order_ref="A-1")
    assert "order_ref" in refused.value.extra["fields"]
    # another brand's order may carry the same reference
    record_purchase(world, order_ref="A-1", user=world.other_owner, brand=world.other_brand)
    assert TestPurchase.objects.count() == 2


# --- attaching to claims -------------------------------------------------------------------------------
def attach(world, claim, purchase, user=None):
    return purchases.test_purchase_attach(
        actor=actor_for(user or world.owner), claim=claim, purchase_id=purchase.pk
    )


def test_it_attaches_a_purchase_from_the_claims_seller(world):
    claim = claim_in_state(world, "draft")
    purchase = record_purchase(world, "inconclusive")
    attach(world, claim, purchase)
    assert list(claim.test_purchases.all()) == [purchase]
    event = AuditEvent.objects.get(action="test_purchase_attach")
    assert (event.claim_id, event.data) == (claim.pk, {"verdict": "inconclusive", "escalated": False})


def test_attaching_twice_changes_nothing(world):
    claim = claim_in_state(world, "submitted")
    purchase = record_purchase(world)
    attach(world, claim, purchase)
    attach(world, claim, purchase, user=world.agent)
    assert claim.test_purchases.count() == 1
    assert AuditEvent.objects.filter(action="test_purchase_attach").count() == 1


def test_it_refuses_another_brands_purchase_as_unknown(world):
    claim = claim_in_state(world, "draft")
    theirs = record_purchase(world, user=world.other_owner, brand=world.other_brand)
    for purchase_id in (theirs.pk, 987654321, None, 2**70):
        with pytest.raises(Invalid) as refused:
            purchases.test_purchase_attach(actor=actor_for(world.owner), claim=claim, purchase_id=purchase_id)
        assert (
            refused.value.code == "test_purchase_not_found"
            and "test_purchase" in refused.value.extra["fields"]
        )
    assert not theirs.claims.exists()


def test_it_refuses_a_purchase_from_another_seller(world):
    claim = claim_in_state(world, "draft")
    elsewhere = record_purchase(world, listing=ListingFactory())
    with pytest.raises(Invalid) as refused:
        attach(world, claim, elsewhere)
    assert refused.value.code == "other_seller"


@pytest.mark.parametrize("who", ["viewer", "unverified_agent", "reviewer", "other_owner"])
def test_only_the_brands_filers_attach(world, who):
    claim = claim_in_state(world, "submitted")
    purchase = record_purchase(world)
    with pytest.raises(Forbidden):
        attach(world, claim, purchase, user=getattr(world, who))
    assert not purchase.claims.exists()


@pytest.mark.parametrize("state", ["approved", "taken_down", "withdrawn"])
def test_it_refuses_a_decided_claim(world, state):
    claim = claim_in_state(world, state)
    purchase = record_purchase(world)
    with pytest.raises(Conflict):
        attach(world, claim, purchase)
    assert not purchase.claims.exists()


def test_a_rejected_claim_takes_a_purchase_for_its_appeal(world):
    claim = claim_in_state(world, "rejected")
    attach(world, claim, record_purchase(world))
    assert claim.test_purchases.count() == 1


# --- the verdict's consequences -------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["submitted", "in_review", "info_requested", "appealed"])
def test_a_counterfeit_verdict_puts_a_waiting_claim_at_high_priority(world, state):
    claim = claim_in_state(world, state)
    assert claim.priority == Priority.NORMAL
    purchase = record_purchase(world, "counterfeit")
    before = timezone.now()
    attach(world, claim, purchase)
    after = timezone.now()
    claim.refresh_from_db()
    # due within the high-priority SLA from now (24 h), earlier than the normal one it had
    assert claim.priority == Priority.HIGH
    assert before + dt.timedelta(hours=24) <= claim.due_at <= after + dt.timedelta(hours=24)
    assert [r["code"] for r in selectors.priority_reasons(claim)] == ["counterfeit_test_purchase"]
    assert AuditEvent.objects.get(action="test_purchase_attach").data["escalated"] is True


def test_an_earlier_due_time_is_kept(world):
    claim = claim_in_state(world, "submitted")
    soon = timezone.now() + dt.timedelta(hours=2)
    type(claim).objects.filter(pk=claim.pk).update(due_at=soon)
    attach(world, claim, record_purchase(world, "counterfeit"))
    claim.refresh_from_db()
    assert claim.priority == Priority.HIGH and claim.due_at == soon


@pytest.mark.parametrize("verdict", ["genuine", "inconclusive"])
def test_other_verdicts_leave_the_priority_alone(world, verdict):
    claim = claim_in_state(world, "submitted")
    due = claim.due_at
    attach(world, claim, record_purchase(world, verdict))
    claim.refresh_from_db()
    assert (claim.priority, claim.due_at) == (Priority.NORMAL, due)
    assert selectors.priority_reasons(claim) == []


def test_a_draft_backed_by_a_counterfeit_verdict_is_submitted_at_high_priority(world):
    claim = claim_in_state(world, "draft")
    attach(world, claim, record_purchase(world, "counterfeit"))
    claim.refresh_from_db()
    assert claim.priority == Priority.NORMAL  # not in the queue yet
    claim = step(world, claim, "submit")
    assert claim.priority == Priority.HIGH


def test_the_review_pages_read_the_reason_from_the_prefetched_purchases(world, django_assert_num_queries):
    claim = claim_in_state(world, "submitted")
    attach(world, claim, record_purchase(world, "counterfeit"))
    shown = selectors.claim_detail(actor_for(world.reviewer)).get(pk=claim.pk)
    with django_assert_num_queries(0):
        assert [r["code"] for r in selectors.priority_reasons(shown)] == ["counterfeit_test_purchase"]


# --- the warning before filing against a seller ------------------------------------------------------------
def test_a_genuine_verdict_warns_the_brand_before_it_files_against_that_seller(world):
    assert selectors.filing_warnings(brand_id=world.brand.pk, listing=world.listing) == []
    record_purchase(world, "genuine", order_ref="G-7")
    warnings = selectors.filing_warnings(brand_id=world.brand.pk, listing=world.listing)
    assert [w["code"] for w in warnings] == ["genuine_test_purchase"]
    assert "G-7" in warnings[0]["detail"]
    # another listing of the same seller too: the verdict is about the seller
    other_listing = ListingFactory(merchant=world.merchant)
    assert selectors.filing_warnings(brand_id=world.brand.pk, listing=other_listing) == warnings


def test_no_warning_for_other_verdicts_other_sellers_or_other_brands(world):
    record_purchase(world, "counterfeit")
    record_purchase(world, "inconclusive")
    record_purchase(world, "genuine", listing=ListingFactory())
    record_purchase(world, "genuine", user=world.other_owner, brand=world.other_brand, n=2)
    assert selectors.filing_warnings(brand_id=world.brand.pk, listing=world.listing) == []


def test_the_bulk_preview_marks_rows_of_sellers_found_genuine(world):
    record_purchase(world, "genuine")
    rows = [
        {"listing_url": world.listing.url, "infringement_type": "", "description": ""},
        {"listing_url": world.other_listing.url, "infringement_type": "", "description": ""},
        {"listing_url": "https://market.example/unknown", "infringement_type": "", "description": ""},
    ]
    preview = selectors.batch_preview(rows, brand_id=world.brand.pk)
    assert [row["genuine"] for row in preview] == [True, False, False]
    assert [row["genuine"] for row in selectors.batch_preview(rows, brand_id=world.other_brand.pk)] == [
        False,
        False,
        False,
    ]


# --- who sees them ----------------------------------------------------------------------------------------
def test_a_brand_sees_its_own_purchases_staff_see_all_merchants_none(world):
    ours = record_purchase(world)
    theirs = record_purchase(world, user=world.other_owner, brand=world.other_brand)
    seen = {
        who: set(selectors.test_purchases_visible_to(world.actor(getattr(world, who))))
        for who in ("owner", "viewer", "other_owner", "reviewer", "compliance", "merchant_user", "platform")
    }
    assert seen["owner"] == seen["viewer"] == {ours}
    assert seen["other_owner"] == {theirs}
    assert seen["reviewer"] == seen["compliance"] == {ours, theirs}
    assert seen["merchant_user"] == seen["platform"] == set()
    photos = selectors.test_purchase_photos_visible_to(world.actor(world.merchant_user))
    assert not photos.exists()
