"""Every report figure against numbers worked out by hand from the scenario (see conftest.py).

Hours to decision of the decided claims: c1 10, c2 20, c3 30, c4 4, c8 192 (January); c9 6, c10 2, c11 8,
c12 1, c13 10 (February). Hours to takedown: c1 12, c3 32, c4 5 (January); c9 9, c10 3, c11 12, c13 20.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth

from core.roles import SYSTEM, actor_for
from reports.metrics import (
    CLAIM_DATES,
    METRIC_KEYS,
    HoursBetween,
    _medians,
    _medians_by_window,
    report_filters,
    report_summary,
)
from takedowns.models import Claim
from tests.conftest import require_services
from tests.factories import ClaimFactory

EMPTY = {
    "claims_filed": 0,
    "claims_decided": 0,
    "claims_taken_down": 0,
    "claims_rejected": 0,
    "takedown_rate": None,
    "median_hours_to_decision": None,
    "median_hours_to_takedown": None,
    "counter_notices": 0,
    "reinstated": 0,
}


def summary(actor=SYSTEM, **params):
    filters = report_filters(actor=actor, params=params)
    return report_summary(actor=actor, filters=filters)


def rows_by_group(result):
    return {row["group"]: row for row in result.rows}


def pick(row, *keys):
    return {key: row[key] for key in keys}


CONTRACT_KEYS = tuple(EMPTY)


def test_it_computes_the_totals_over_every_state(scenario):
    totals = summary(**{"from": "2026-01-01", "to": "2026-12-31"}).totals
    assert pick(totals, *CONTRACT_KEYS) == {
        "claims_filed": 13,  # every claim but the draft c6
        "claims_decided": 10,
        "claims_taken_down": 7,  # c1 c3 c4 c9 c10 c11 c13, reinstated ones included
        "claims_rejected": 2,  # c2, and c8 by expiry
        "takedown_rate": pytest.approx(0.7),
        # ten values: 1 2 4 6 8 | 10 10 20 30 192 → (8 + 10) / 2
        "median_hours_to_decision": pytest.approx(9.0),
        # seven values: 3 5 9 12 12 20 32
        "median_hours_to_takedown": pytest.approx(12.0),
        "counter_notices": 3,
        "reinstated": 2,  # c3 after its counter-notice, c9 retracted
    }
    assert totals["successful_counter_notices"] == 1
    assert totals["retracted"] == 1
    assert totals["listings_removed"] == 7
    assert totals["merchants_banned"] == 1  # M1 at its third strike (c10)
    assert totals["fast_tracked"] == 0
    assert totals["counter_notice_rate"] == pytest.approx(3 / 7)  # c3 c4 c10 of the seven taken down
    assert totals["reinstatement_rate"] == pytest.approx(2 / 7)


@pytest.mark.parametrize("group_by", ["month", "brand", "merchant", "infringement_type", "reviewer"])
def test_the_totals_do_not_depend_on_the_grouping(scenario, group_by):
    """The PDF and the report page count the totals once and hand them to the other groupings."""
    filters = report_filters(actor=SYSTEM, params={"from": "2026-01-01", "to": "2026-06-30"})
    alone = report_summary(actor=SYSTEM, filters=filters, group_by=group_by).totals
    other = report_summary(
        actor=SYSTEM, filters=filters, group_by="brand" if group_by == "month" else "month"
    )
    assert alone == other.totals and alone["claims_filed"] > 0


def test_it_groups_by_month_with_an_empty_month_between(scenario):
    result = summary(**{"from": "2026-01-01", "to": "2026-04-30", "group_by": "month"})
    months = rows_by_group(result)
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert pick(months["2026-01"], *CONTRACT_KEYS) == {
        "claims_filed": 7,
        "claims_decided": 5,
        "claims_taken_down": 3,
        "claims_rejected": 2,
        "takedown_rate": pytest.approx(0.6),
        "median_hours_to_decision": pytest.approx(20.0),  # 4 10 20 30 192: odd
        "median_hours_to_takedown": pytest.approx(12.0),  # 5 12 32: odd
        "counter_notices": 2,
        "reinstated": 1,
    }
    assert pick(months["2026-02"], *CONTRACT_KEYS) == {
        "claims_filed": 5,
        "claims_decided": 5,
        "claims_taken_down": 4,
        "claims_rejected": 0,
        "takedown_rate": pytest.approx(0.8),
        "median_hours_to_decision": pytest.approx(6.0),  # 1 2 6 8 10
        "median_hours_to_takedown": pytest.approx(10.5),  # 3 9 | 12 20: even
        "counter_notices": 1,
        "reinstated": 1,
    }
    assert pick(months["2026-03"], *CONTRACT_KEYS) == EMPTY
    assert pick(months["2026-04"], *CONTRACT_KEYS) == {**EMPTY, "claims_filed": 1}
    assert months["2026-02"]["merchants_banned"] == 1
    assert months["2026-01"]["merchants_banned"] == 0


def test_it_groups_by_brand(scenario):
    brands = rows_by_group(summary(group_by="brand"))
    assert pick(brands["Aurelia"], *CONTRACT_KEYS) == {
        "claims_filed": 12,
        "claims_decided": 9,
        "claims_taken_down": 6,
        "claims_rejected": 2,
        "takedown_rate": pytest.approx(6 / 9),
        "median_hours_to_decision": pytest.approx(10.0),  # 1 2 4 6 10 10 20 30 192
        "median_hours_to_takedown": pytest.approx(10.5),  # 3 5 9 | 12 20 32
        "counter_notices": 3,
        "reinstated": 2,
    }
    assert pick(brands["Northpeak"], *CONTRACT_KEYS) == {
        "claims_filed": 1,
        "claims_decided": 1,
        "claims_taken_down": 1,
        "claims_rejected": 0,
        "takedown_rate": 1.0,
        "median_hours_to_decision": pytest.approx(8.0),
        "median_hours_to_takedown": pytest.approx(12.0),
        "counter_notices": 0,
        "reinstated": 0,
    }
    assert brands["Aurelia"]["merchants_banned"] is None  # a ban is nobody's brand


def test_it_groups_by_merchant(scenario):
    merchants = rows_by_group(summary(group_by="merchant"))
    assert set(merchants) == {"Lucky Outlet", "Second Source", "Third Shop"}
    assert pick(merchants["Lucky Outlet"], *CONTRACT_KEYS) == {
        "claims_filed": 4,
        "claims_decided": 4,
        "claims_taken_down": 3,
        "claims_rejected": 1,
        "takedown_rate": pytest.approx(0.75),
        "median_hours_to_decision": pytest.approx(8.0),  # 2 6 | 10 20
        "median_hours_to_takedown": pytest.approx(9.0),  # 3 9 12
        "counter_notices": 1,
        "reinstated": 1,
    }
    assert pick(merchants["Second Source"], *CONTRACT_KEYS) == {
        "claims_filed": 5,
        "claims_decided": 5,
        "claims_taken_down": 3,
        "claims_rejected": 1,
        "takedown_rate": pytest.approx(0.6),
        "median_hours_to_decision": pytest.approx(10.0),  # 1 4 10 30 192
        "median_hours_to_takedown": pytest.approx(20.0),  # 5 20 32
        "counter_notices": 2,
        "reinstated": 1,
    }
    assert pick(merchants["Third Shop"], *CONTRACT_KEYS) == {
        "claims_filed": 4,
        "claims_decided": 1,
        "claims_taken_down": 1,
        "claims_rejected": 0,
        "takedown_rate": 1.0,
        "median_hours_to_decision": pytest.approx(8.0),
        "median_hours_to_takedown": pytest.approx(12.0),
        "counter_notices": 0,
        "reinstated": 0,
    }
    assert merchants["Lucky Outlet"]["merchants_banned"] == 1
    assert merchants["Second Source"]["merchants_banned"] == 0


def test_it_groups_by_infringement_type(scenario):
    types = rows_by_group(summary(group_by="infringement_type"))
    assert list(types) == ["copyright", "counterfeit", "design", "patent", "trademark"]
    assert pick(types["counterfeit"], *CONTRACT_KEYS) == {
        "claims_filed": 7,
        "claims_decided": 5,
        "claims_taken_down": 4,
        "claims_rejected": 1,
        "takedown_rate": pytest.approx(0.8),
        "median_hours_to_decision": pytest.approx(10.0),  # 6 8 10 30 192
        "median_hours_to_takedown": pytest.approx(12.0),  # 9 12 | 12 32
        "counter_notices": 1,
        "reinstated": 2,
    }
    assert pick(types["trademark"], *CONTRACT_KEYS) == {
        "claims_filed": 2,
        "claims_decided": 2,
        "claims_taken_down": 1,
        "claims_rejected": 1,
        "takedown_rate": pytest.approx(0.5),
        "median_hours_to_decision": pytest.approx(11.0),
        "median_hours_to_takedown": pytest.approx(3.0),
        "counter_notices": 1,
        "reinstated": 0,
    }
    assert pick(types["design"], *CONTRACT_KEYS) == {
        "claims_filed": 1,
        "claims_decided": 1,
        "claims_taken_down": 1,
        "claims_rejected": 0,
        "takedown_rate": 1.0,
        "median_hours_to_decision": pytest.approx(4.0),
        "median_hours_to_takedown": pytest.approx(5.0),
        "counter_notices": 1,
        "reinstated": 0,
    }
    assert pick(types["copyright"], *CONTRACT_KEYS) == {
        "claims_filed": 2,
        "claims_decided": 2,
        "claims_taken_down": 1,
        "claims_rejected": 0,
        "takedown_rate": pytest.approx(0.5),
        "median_hours_to_decision": pytest.approx(5.5),
        "median_hours_to_takedown": pytest.approx(20.0),
        "counter_notices": 0,
        "reinstated": 0,
    }
    assert pick(types["patent"], *CONTRACT_KEYS) == {**EMPTY, "claims_filed": 1}


def test_it_groups_by_reviewer(scenario):
    reviewers = rows_by_group(summary(group_by="reviewer"))
    assert set(reviewers) == {"reviewer", "reviewer2", "(unassigned)"}
    assert pick(reviewers["reviewer"], *CONTRACT_KEYS) == {
        "claims_filed": 9,
        "claims_decided": 8,
        "claims_taken_down": 6,
        "claims_rejected": 1,
        "takedown_rate": pytest.approx(0.75),
        "median_hours_to_decision": pytest.approx(7.0),  # 1 2 4 6 | 8 10 30 192
        "median_hours_to_takedown": pytest.approx(10.5),  # 3 5 9 | 12 12 32
        "counter_notices": 3,
        "reinstated": 2,
    }
    assert pick(reviewers["reviewer2"], *CONTRACT_KEYS) == {
        "claims_filed": 2,
        "claims_decided": 2,
        "claims_taken_down": 1,
        "claims_rejected": 1,
        "takedown_rate": pytest.approx(0.5),
        "median_hours_to_decision": pytest.approx(15.0),
        "median_hours_to_takedown": pytest.approx(20.0),
        "counter_notices": 0,
        "reinstated": 0,
    }
    assert pick(reviewers["(unassigned)"], *CONTRACT_KEYS) == {
        **EMPTY,
        "claims_filed": 2,
    }  # c7 withdrawn, c14


def test_it_answers_zeros_and_nulls_for_an_empty_period(scenario):
    result = summary(**{"from": "2025-03-01", "to": "2025-04-30"})
    assert pick(result.totals, *CONTRACT_KEYS) == EMPTY
    assert result.totals["merchants_banned"] == 0
    assert [row["group"] for row in result.rows] == ["2025-03", "2025-04"]
    assert all(pick(row, *CONTRACT_KEYS) == EMPTY for row in result.rows)
    for group_by in ("brand", "merchant", "infringement_type", "reviewer"):
        assert summary(**{"from": "2025-03-01", "to": "2025-04-30", "group_by": group_by}).rows == []


def test_it_answers_zeros_with_no_claims_at_all(db):
    result = summary()
    assert pick(result.totals, *CONTRACT_KEYS) == EMPTY
    assert result.rows == []


def test_it_counts_the_last_day_of_the_period_whole(scenario):
    # c3 is reinstated on 25 January at midnight, c1 decided 5 January 10:00.
    assert summary(**{"from": "2026-01-05", "to": "2026-01-05"}).totals["claims_decided"] == 1
    assert summary(**{"from": "2026-01-25", "to": "2026-01-25"}).totals["reinstated"] == 1


def test_it_filters_by_brand(scenario):
    world = scenario.world
    totals = summary(brand=str(world.other_brand.pk)).totals
    assert pick(totals, "claims_filed", "claims_decided", "claims_taken_down", "merchants_banned") == {
        "claims_filed": 1,
        "claims_decided": 1,
        "claims_taken_down": 1,
        "merchants_banned": 0,
    }
    both = summary(brand=f"{world.brand.pk},{world.other_brand.pk}").totals
    assert both["claims_filed"] == 13
    assert summary(brand=str(world.brand.pk)).totals["merchants_banned"] == 1


def test_it_shows_a_brand_user_only_its_own_figures(scenario):
    world = scenario.world
    actor = actor_for(world.other_owner)
    result = summary(actor=actor, group_by="brand")
    assert [row["group"] for row in result.rows] == ["Northpeak"]
    assert result.totals["claims_filed"] == 1
    assert result.totals["merchants_banned"] == 0  # M1's ban came from Aurelia's takedowns


def test_it_uses_a_fixed_number_of_queries(scenario, django_assert_max_num_queries):
    filters = report_filters(actor=SYSTEM, params={"group_by": "merchant"})
    # totals and groups: filed, decided, two medians, counter-notices, reinstated, removed, bans — twice
    with django_assert_max_num_queries(16):
        report_summary(actor=SYSTEM, filters=filters)


def test_it_counts_the_decided_claims_backed_by_a_test_purchase(scenario):
    """Aurelia's test purchase backs c1 (taken down, January), c2 (rejected, January), c9 (taken down then
    retracted, February) and c5 (in review: not decided, not counted)."""
    import datetime as dt

    from takedowns.models import TestPurchase

    world = scenario.world
    purchase = TestPurchase.objects.create(
        brand=world.brand,
        listing=world.listing,
        merchant=world.merchant,
        order_ref="R-1",
        ordered_on=dt.date(2026, 1, 2),
        amount=10,
        currency="EUR",
        verdict="counterfeit",
    )
    purchase.claims.add(*(scenario.claim(key) for key in ("c1", "c2", "c9", "c5")))
    totals = summary().totals
    assert pick(totals, "claims_with_test_purchase", "test_purchase_takedown_rate") == {
        "claims_with_test_purchase": 3,
        "test_purchase_takedown_rate": pytest.approx(2 / 3),
    }
    months = rows_by_group(summary(group_by="month"))
    assert pick(months["2026-01"], "claims_with_test_purchase", "test_purchase_takedown_rate") == {
        "claims_with_test_purchase": 2,
        "test_purchase_takedown_rate": pytest.approx(0.5),
    }
    assert months["2026-03"]["claims_with_test_purchase"] == 0
    assert months["2026-03"]["test_purchase_takedown_rate"] is None
    # the other brand's figures know nothing of it
    other = summary(actor=actor_for(world.other_owner)).totals
    assert (other["claims_with_test_purchase"], other["test_purchase_takedown_rate"]) == (0, None)


def test_it_has_every_metric_in_every_row(scenario):
    result = summary(group_by="month")
    for row in [result.totals, *result.rows]:
        assert set(METRIC_KEYS) <= set(row)


def test_it_computes_the_same_median_with_percentile_cont_and_the_window_functions(scenario):
    """On PostgreSQL both ways run: percentile_cont (used there) and the window query (used on SQLite)."""
    require_services(postgres=True)
    from reports.metrics import _claim_keys
    from takedowns.models import Claim

    decided = Claim.objects.filter(decided_at__isnull=False)
    value = HoursBetween("decided_at", "submitted_at")
    for group_by in (None, "month", "brand", "merchant", "infringement_type", "reviewer"):
        keys = _claim_keys(group_by, "decided_at")
        cont = _medians(decided, keys, group_by, value, "m")
        window = _medians_by_window(decided.annotate(_v=value).filter(_v__isnull=False), keys, group_by, "m")
        assert connection.vendor == "postgresql"
        assert {k: round(v["m"], 6) for k, v in cont.items()} == {
            k: round(v["m"], 6) for k, v in window.items()
        }


@pytest.mark.parametrize("limit", [1, 2, 25])
def test_the_repeat_infringers_are_ranked_with_their_figures(scenario, limit):
    """Against the same figures counted claim by claim in Python."""
    import datetime as dt
    from collections import defaultdict

    from reports.metrics import top_repeat_infringers
    from takedowns.models import Claim

    filters = report_filters(actor=SYSTEM, params={"from": "2026-01-01", "to": "2026-06-30"})
    by_merchant: dict = defaultdict(
        lambda: {"takedowns": 0, "listings": set(), "brands": set(), "reinstated": 0}
    )
    start, end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    for claim in Claim.objects.filter(taken_down_at__gte=start, taken_down_at__lt=end).select_related(
        "listing__merchant"
    ):
        figures = by_merchant[claim.listing.merchant]
        figures["takedowns"] += 1
        figures["listings"].add(claim.listing_id)
        figures["brands"].add(claim.brand_id)
        figures["reinstated"] += claim.reinstated_at is not None
    ranked = sorted(by_merchant.items(), key=lambda item: (-item[1]["takedowns"], item[0].name, item[0].pk))
    expected = [
        {
            "merchant": merchant.name,
            "platform_ref": merchant.platform_ref,
            "takedowns": f["takedowns"],
            "listings": len(f["listings"]),
            "brands": len(f["brands"]),
            "reinstated": f["reinstated"],
        }
        for merchant, f in ranked[:limit]
    ]
    got = top_repeat_infringers(actor=SYSTEM, filters=filters, limit=limit)
    assert [{key: row[key] for key in expected[0]} for row in got] == expected
    assert len(expected) == min(limit, len(by_merchant)) and expected[0]["takedowns"] >= 2


def test_the_planner_knows_how_many_months_the_claims_fall_in(db, world):
    """The summary by month groups claims by the months of their dates together. Without the statistics of
    reports/migrations/0002 PostgreSQL guesses about one group per claim and sorts every claim in one process
    instead of hashing them in parallel; the statistics hold only while their expression is the one the ORM
    writes (`TruncMonth` in the project's time zone)."""
    require_services(postgres=True)
    ClaimFactory.create_batch(60, brand=world.brand, ip_right=world.right)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE takedowns_claim SET submitted_at = timestamptz '2026-01-10' + (id % 3) * interval '31 days',"
            " decided_at = timestamptz '2026-01-12' + (id % 3) * interval '31 days'"
        )
        cursor.execute("ANALYZE takedowns_claim")
    months = {f"m_{name}": TruncMonth(name) for name in CLAIM_DATES}
    grouped = Claim.objects.annotate(**months).values(*months).annotate(n=Count("pk")).order_by()
    plan = json.loads(grouped.explain(format="json"))[0]["Plan"]
    assert len(grouped) == 3
    assert plan["Plan Rows"] <= 6, plan["Plan Rows"]  # 60 without the statistics
