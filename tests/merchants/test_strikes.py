import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.errors import Conflict, Forbidden
from core.models import AuditEvent, Notice
from merchants.models import Listing, Merchant
from takedowns.services.bans import active_strike_count, merchant_lift_ban
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db


def take_down(world, n):
    return [
        claim_in_state(world, "taken_down", listing=ListingFactory(merchant=world.merchant)) for _ in range(n)
    ]


def test_it_warns_on_the_first_strike(world):
    [claim] = take_down(world, 1)
    assert active_strike_count(world.merchant) == 1
    warning = Notice.objects.get(kind="strike_warning")
    assert warning.recipient == world.merchant.email and warning.claim_id == claim.pk
    assert Merchant.objects.get(pk=world.merchant.pk).status == Merchant.Status.ACTIVE


def test_it_bans_at_three_strikes_and_removes_every_active_listing(world, settings):
    settings.PLATFORM_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # recorded in the outbox, not delivered here
    spare = [ListingFactory(merchant=world.merchant) for _ in range(3)]
    # With a webhook configured enforcement waits for the marketplace; drive it as the worker would.
    from takedowns.services.transitions import claim_enforce

    for listing in [ListingFactory(merchant=world.merchant) for _ in range(3)]:
        claim = claim_in_state(world, "approved", listing=listing)
        Notice.objects.filter(claim_id=claim.pk, kind="listing.remove").update(status=Notice.Status.SENT)
        claim_enforce(claim_id=claim.pk)
    merchant = Merchant.objects.get(pk=world.merchant.pk)
    assert merchant.status == Merchant.Status.BANNED
    assert not Listing.objects.filter(merchant=merchant, status=Listing.Status.ACTIVE).exists()
    ban = AuditEvent.objects.get(action="merchant_ban", merchant_id=merchant.pk)
    removals = Notice.objects.filter(kind="listing.remove", idempotency_key__contains=f"ban{ban.pk}:")
    # every listing that was still active at the ban: the spares and the world's own listing
    assert {n.payload["listing_ref"] for n in removals} == {
        item.platform_ref for item in [*spare, world.listing]
    }
    assert Notice.objects.filter(kind="merchant_banned", recipient=merchant.email).count() == 1


def test_it_lets_strikes_expire_after_a_year(world):
    with time_machine.travel(dt.datetime(2026, 1, 10, tzinfo=dt.UTC), tick=False) as clock:
        take_down(world, 2)
        clock.shift(dt.timedelta(days=366))
        assert active_strike_count(world.merchant, timezone.now()) == 0
        take_down(world, 1)
    assert Merchant.objects.get(pk=world.merchant.pk).status == Merchant.Status.ACTIVE


def test_it_revokes_the_strike_when_the_brand_retracts(world):
    [claim] = take_down(world, 1)
    step(world, claim, "retract")
    assert active_strike_count(world.merchant) == 0
    claim.refresh_from_db()
    assert claim.state == "reinstated" and claim.retracted


def test_it_lets_only_a_reviewer_lift_a_ban(world):
    take_down(world, 3)
    merchant = Merchant.objects.get(pk=world.merchant.pk)
    with pytest.raises(Forbidden):
        merchant_lift_ban(merchant=merchant, actor=world.actor(world.compliance))
    merchant_lift_ban(merchant=merchant, actor=world.actor(world.reviewer), note="Supplier invoices checked")
    assert Merchant.objects.get(pk=merchant.pk).status == Merchant.Status.ACTIVE
    with pytest.raises(Conflict):
        merchant_lift_ban(merchant=merchant, actor=world.actor(world.reviewer))
    assert AuditEvent.objects.filter(action="merchant_lift_ban").count() == 1


def test_it_still_takes_down_when_a_concurrent_takedown_banned_the_merchant_first(world):
    # Two takedowns at the threshold on two workers: each loaded the merchant as active; the other banned it.
    from takedowns.services.bans import strike_issue

    take_down(world, 2)
    claim = claim_in_state(world, "approved", listing=ListingFactory(merchant=world.merchant))
    stale = Merchant.objects.get(pk=world.merchant.pk)
    Merchant.objects.filter(pk=stale.pk).update(status=Merchant.Status.BANNED, banned_at=timezone.now())

    strike = strike_issue(merchant=stale, claim=claim)

    assert strike.claim == claim and active_strike_count(stale) == 3
    assert not AuditEvent.objects.filter(action="merchant_ban").exists()  # banned once, by the other worker


def test_it_sends_one_removal_per_listing_when_a_ban_meets_a_removal_already_queued(world, settings):
    # A listing whose claim is approved already has its listing.remove on the way (keyed by the claim); the
    # ban must not send a second removal of it under another idempotency key.
    from takedowns.services.bans import merchant_ban

    settings.PLATFORM_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    queued = claim_in_state(world, "approved", listing=ListingFactory(merchant=world.merchant))
    spare = ListingFactory(merchant=world.merchant)

    merchant_ban(merchant=world.merchant, actor=world.actor(world.reviewer), reason="test")

    removals = Notice.objects.filter(channel=Notice.Channel.WEBHOOK, kind="listing.remove")
    keys_by_listing = {}
    for notice in removals:
        keys_by_listing.setdefault(notice.payload["listing_ref"], set()).add(notice.idempotency_key)
    assert keys_by_listing[queued.listing.platform_ref] == {f"listing.remove:{queued.reference}"}
    assert len(keys_by_listing[spare.platform_ref]) == 1
    assert Listing.objects.get(pk=queued.listing.pk).status == Listing.Status.REMOVED
