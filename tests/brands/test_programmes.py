import datetime as dt

import pytest
from django.utils import timezone

from brands.models import Brand
from brands.services import brand_misuse_warn, brand_suspend, brand_trusted_flagger_set
from core.errors import Forbidden, Invalid
from core.models import AuditEvent
from takedowns.models import CounterNotice
from takedowns.services.programmes import brand_programmes_recompute
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def decided(world, *, taken_down=0, rejected=0, unfounded=0, reinstated_by_counter=0, days_ago=10):
    at = timezone.now() - dt.timedelta(days=days_ago)
    for _ in range(taken_down):
        ClaimFactory(
            brand=world.brand, ip_right=world.right, state="taken_down", decided_at=at, taken_down_at=at
        )
    for _ in range(rejected):
        ClaimFactory(
            brand=world.brand,
            ip_right=world.right,
            state="rejected",
            decided_at=at,
            decision_reason="insufficient_evidence",
        )
    for _ in range(unfounded):
        ClaimFactory(
            brand=world.brand,
            ip_right=world.right,
            state="rejected",
            decided_at=at,
            decision_reason="not_infringing",
        )
    for _ in range(reinstated_by_counter):
        claim = ClaimFactory(
            brand=world.brand, ip_right=world.right, state="reinstated", decided_at=at, taken_down_at=at
        )
        CounterNotice.objects.create(
            claim=claim,
            reason="owner",
            statement="genuine",
            good_faith=True,
            signature="S",
            outcome=CounterNotice.Outcome.REINSTATED,
        )


def brand(world):
    return Brand.objects.get(pk=world.brand.pk)


def test_it_admits_a_brand_with_90_percent_takedowns_over_20_decided_claims(world):
    decided(world, taken_down=18, rejected=2)
    assert brand_programmes_recompute(brand=world.brand)["admitted"] == 1
    assert brand(world).good_faith
    event = AuditEvent.objects.get(action="good_faith_admitted")
    assert event.data == {"decided": 20, "takedown_rate": 0.9, "counter_notice_rate": 0.0}


def test_it_needs_at_least_20_decided_claims(world):
    decided(world, taken_down=19)
    brand_programmes_recompute(brand=world.brand)
    assert not brand(world).good_faith


def test_it_refuses_a_brand_whose_takedowns_are_often_reversed(world):
    decided(world, taken_down=19, reinstated_by_counter=2)  # 2 of 21 taken down were reinstated: 9.5% > 5%
    brand_programmes_recompute(brand=world.brand)
    assert not brand(world).good_faith


def test_it_ignores_claims_decided_more_than_three_months_ago(world):
    decided(world, taken_down=25, days_ago=120)
    brand_programmes_recompute(brand=world.brand)
    assert not brand(world).good_faith


def test_it_removes_a_member_that_falls_below_and_makes_it_wait_three_months(world):
    decided(world, taken_down=10, rejected=10)
    Brand.objects.filter(pk=world.brand.pk).update(good_faith=True)
    brand_programmes_recompute(brand=world.brand)
    removed = brand(world)
    assert not removed.good_faith and removed.good_faith_removed_at
    decided(world, taken_down=200)
    brand_programmes_recompute(brand=world.brand)
    assert not brand(world).good_faith  # qualifies again, but must wait
    Brand.objects.filter(pk=world.brand.pk).update(
        good_faith_removed_at=timezone.now() - dt.timedelta(days=92)
    )
    brand_programmes_recompute(brand=world.brand)
    assert brand(world).good_faith


def test_it_flags_a_brand_whose_claims_are_mostly_unfounded(world):
    decided(world, taken_down=9, unfounded=11)
    assert brand_programmes_recompute(brand=world.brand)["flagged"] == 1
    assert brand(world).misuse_flagged_at is not None


def test_it_does_not_flag_at_exactly_half(world):
    decided(world, taken_down=10, unfounded=10)
    brand_programmes_recompute(brand=world.brand)
    assert brand(world).misuse_flagged_at is None


def test_it_suspends_only_after_a_warning(world):
    reviewer = world.actor(world.reviewer)
    with pytest.raises(Invalid):
        brand_suspend(actor=reviewer, brand=world.brand, days=30, note="Repeated unfounded notices")
    brand_misuse_warn(actor=reviewer, brand=world.brand, note="Over half of your notices were unfounded.")
    suspended = brand_suspend(actor=reviewer, brand=brand(world), days=30, note="Repeated unfounded notices")
    assert suspended.is_suspended()
    assert list(
        AuditEvent.objects.filter(brand_id=world.brand.pk).values_list("action", flat=True).order_by("pk")
    ) == ["misuse_warned", "brand_suspended"]


def test_it_lets_only_reviewers_mark_trusted_flaggers(world):
    with pytest.raises(Forbidden):
        brand_trusted_flagger_set(actor=world.actor(world.owner), brand=world.brand, trusted=True)
    marked = brand_trusted_flagger_set(
        actor=world.actor(world.reviewer), brand=world.brand, trusted=True, designation="ACM (NL)"
    )
    assert marked.trusted_flagger and marked.trusted_flagger_designation == "ACM (NL)"
