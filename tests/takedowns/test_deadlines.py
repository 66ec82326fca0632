import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from brands.models import IPRight
from core.calendar import add_business_days
from core.errors import Invalid
from core.models import Notice
from merchants.models import Listing
from takedowns.models import Claim, CounterNotice, Strike
from takedowns.services.deadlines import (
    expire_info_requests,
    reinstate_after_deadline,
    run_all,
    sla_reminders,
)
from takedowns.services.transitions import claim_reinstate_after_deadline, counter_notice_legal_action
from tests.factories import IPRightFactory
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db
FRIDAY = dt.datetime(2026, 6, 5, 10, 0, tzinfo=dt.UTC)


def test_it_expires_an_unanswered_info_request_after_seven_days(world):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        claim = claim_in_state(world, "info_requested")
        clock.shift(dt.timedelta(days=6, hours=23))
        assert expire_info_requests() == 0
        clock.shift(dt.timedelta(hours=2))
        assert expire_info_requests() == 1
    claim.refresh_from_db()
    assert (claim.state, claim.decision_reason) == ("rejected", "no_response")
    assert claim.events.last().actor_label == "system"


def test_it_counts_business_days_past_weekends_and_holidays(settings):
    settings.HOLIDAY_COUNTRY = "US"
    settings.EXTRA_HOLIDAYS = []
    # Friday 2026-12-18 + 10 business days: skips two weekends, Christmas (Fri 25th) and New Year (Fri 1st).
    start = dt.datetime(2026, 12, 18, 9, 0, tzinfo=dt.UTC)
    assert add_business_days(start, 10).date() == dt.date(2027, 1, 5)
    settings.EXTRA_HOLIDAYS = ["2026-12-24"]
    assert add_business_days(start, 10).date() == dt.date(2027, 1, 6)


def test_it_reinstates_ten_business_days_after_a_counter_notice(world, settings):
    settings.HOLIDAY_COUNTRY = ""
    with time_machine.travel(FRIDAY, tick=False) as clock:
        claim = claim_in_state(world, "counter_noticed")
        counter = claim.counter_notices.get()
        assert counter.restore_due_at == FRIDAY + dt.timedelta(days=14)  # two weeks of business days
        clock.move_to(FRIDAY + dt.timedelta(days=13))
        assert reinstate_after_deadline() == 0
        clock.move_to(FRIDAY + dt.timedelta(days=14, minutes=1))
        assert reinstate_after_deadline() == 1
    claim.refresh_from_db()
    assert claim.state == "reinstated"
    assert Listing.objects.get(pk=world.listing.pk).status == Listing.Status.ACTIVE
    strike = Strike.objects.get(claim=claim)
    assert strike.revoked_at is not None and "reinstated" in strike.revoked_reason


def test_it_does_not_reinstate_when_the_brand_shows_legal_action(world):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        claim = claim_in_state(world, "counter_noticed")
        counter_notice_legal_action(
            actor=world.actor(world.owner), claim=claim, note="Case 1:26-cv-0042, S.D.N.Y."
        )
        clock.shift(dt.timedelta(days=30))
        assert reinstate_after_deadline() == 0
    claim.refresh_from_db()
    assert claim.state == "counter_noticed"


def test_it_lets_a_reviewer_reinstate_before_the_deadline(world):
    claim = claim_in_state(world, "counter_noticed")
    step(world, claim, "reinstate", note="Invoice proves authorised goods.")
    claim.refresh_from_db()
    assert claim.state == "reinstated"
    assert claim.counter_notices.get().outcome == "reinstated"


def test_it_closes_the_counter_notice_window_after_180_days(world):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        claim = claim_in_state(world, "taken_down")
        clock.shift(dt.timedelta(days=181))
        with pytest.raises(Invalid) as caught:
            step(world, claim, "counter_notice")
    assert "window" in caught.value.detail


def test_it_expires_ip_rights_by_date(world):
    right = IPRightFactory(brand=world.brand, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert run_all()["ip_rights_expired"] == 1
    right.refresh_from_db()
    assert right.status == IPRight.Status.EXPIRED
    assert run_all()["ip_rights_expired"] == 0


def test_it_reminds_the_assignee_of_an_overdue_claim_once(world):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        claim = claim_in_state(world, "in_review")
        clock.shift(dt.timedelta(hours=73))
        assert sla_reminders() == 1
        sla_reminders()
    assert Notice.objects.filter(claim_id=claim.pk, kind="sla_reminder").count() == 1
    assert Notice.objects.get(claim_id=claim.pk, kind="sla_reminder").recipient == world.reviewer.email


def test_it_runs_every_deadline_from_the_command_line(world, capsys):
    call_command("run_deadlines")
    assert '"info_requests_expired": 0' in capsys.readouterr().out


def test_it_never_reinstates_on_a_counter_notice_without_a_restoration_date(world):
    claim = claim_in_state(world, "counter_noticed")
    CounterNotice.objects.filter(claim=claim).update(restore_due_at=None)
    assert claim_reinstate_after_deadline(claim_id=claim.pk) is None
    assert Claim.objects.get(pk=claim.pk).state == "counter_noticed"
