"""A small world with a claim in every state, each transition at a chosen time, so every report figure can be
computed by hand (the expectations are written out in test_report_metrics.py).

Merchants: M1 = world.merchant ("Lucky Outlet"), M2 "Second Source", M3 "Third Shop".
Brand A = world.brand (Aurelia), brand B = world.other_brand (Northpeak). Times are UTC, 2026.

 claim brand merchant type        path (hours after submission)                               ends
 c1    A     M1  counterfeit  approve 10h, enforce 12h                                           taken_down
 c2    A     M1  trademark    reject 20h (reviewer2)                                             rejected
 c3    A     M2  counterfeit  approve 30h, enforce 32h, counter-notice Jan 10, reinstate Jan 25  reinstated
 c4    A     M2  design       approve 4h, enforce 5h, counter-notice Jan 12, uphold Jan 14       taken_down
 c5    A     M3  counterfeit  start review                                                       in_review
 c6    A     M3  counterfeit  (never submitted)                                                  draft
 c7    A     M3  counterfeit  withdraw                                                           withdrawn
 c8    A     M2  counterfeit  request info, expire after 192h                                    rejected
 c9    A     M1  counterfeit  approve 6h, enforce 9h, retract Feb 10                             reinstated
 c10   A     M1  trademark    approve 2h, enforce 3h (3rd strike: M1 banned), counter-notice     counter_noticed
 c11   B     M3  counterfeit  approve 8h, enforce 12h                                            taken_down
 c12   A     M2  copyright    approve 1h, not yet enforced                                       approved
 c13   A     M2  copyright    approve 10h, enforce 20h (reviewer2)                               taken_down
 c14   A     M3  patent       submitted Apr 1                                                    submitted
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from core.roles import SYSTEM, actor_for, merchant_link_actor
from takedowns.models import Claim
from tests.factories import ClaimFactory, ListingFactory, MerchantFactory, with_evidence
from tests.lifecycle import step

UTC = dt.UTC


def t(month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Scenario:
    world: object
    claims: dict
    reviewer2: object
    m2: object
    m3: object

    def claim(self, key: str) -> Claim:
        return Claim.objects.get(pk=self.claims[key].pk)


def _plan():
    """(when, claim, transition, who): who is reviewer2 / merchant / None for the usual actor."""
    h = dt.timedelta(hours=1)
    return [
        (t(1, 5), "c1", "submit", None),
        (t(1, 5) + 9 * h, "c1", "start_review", None),
        (t(1, 5, 10), "c1", "approve", None),
        (t(1, 5, 12), "c1", "enforce", None),
        (t(1, 6), "c2", "submit", None),
        (t(1, 6, 1), "c2", "start_review", "reviewer2"),
        (t(1, 6, 20), "c2", "reject", "reviewer2"),
        (t(1, 7), "c3", "submit", None),
        (t(1, 7, 1), "c3", "start_review", None),
        (t(1, 8, 6), "c3", "approve", None),
        (t(1, 8, 8), "c3", "enforce", None),
        (t(1, 9), "c4", "submit", None),
        (t(1, 9, 1), "c4", "start_review", None),
        (t(1, 9, 4), "c4", "approve", None),
        (t(1, 9, 5), "c4", "enforce", None),
        (t(1, 10), "c3", "counter_notice", "merchant"),
        (t(1, 10, 6), "c5", "submit", None),
        (t(1, 10, 7), "c5", "start_review", None),
        (t(1, 11), "c7", "submit", None),
        (t(1, 11, 2), "c7", "withdraw", None),
        (t(1, 12), "c8", "submit", None),
        (t(1, 12, 0) + h / 2, "c8", "start_review", None),
        (t(1, 12, 1), "c8", "request_info", None),
        (t(1, 12, 9), "c4", "counter_notice", "merchant"),
        (t(1, 14), "c4", "uphold", None),
        (t(1, 20), "c8", "expire", None),
        (t(1, 25), "c3", "reinstate", None),
        (t(2, 2), "c9", "submit", None),
        (t(2, 2, 1), "c9", "start_review", None),
        (t(2, 2, 6), "c9", "approve", None),
        (t(2, 2, 9), "c9", "enforce", None),
        (t(2, 3), "c10", "submit", None),
        (t(2, 3, 1), "c10", "start_review", None),
        (t(2, 3, 2), "c10", "approve", None),
        (t(2, 3, 3), "c10", "enforce", None),
        (t(2, 4), "c11", "submit", "brand_b"),
        (t(2, 4, 1), "c11", "start_review", None),
        (t(2, 4, 8), "c11", "approve", None),
        (t(2, 4, 12), "c11", "enforce", None),
        (t(2, 5), "c12", "submit", None),
        (t(2, 5) + h / 2, "c12", "start_review", None),
        (t(2, 5, 1), "c12", "approve", None),
        (t(2, 5, 6), "c10", "counter_notice", "merchant"),
        (t(2, 6), "c13", "submit", None),
        (t(2, 6, 1), "c13", "start_review", "reviewer2"),
        (t(2, 6, 10), "c13", "approve", "reviewer2"),
        (t(2, 6, 20), "c13", "enforce", None),
        (t(2, 10), "c9", "retract", None),
        (t(4, 1), "c14", "submit", None),
    ]


CLAIMS = {
    # key: (brand, merchant, type, description)
    "c1": ("A", "M1", "counterfeit"),
    "c2": ("A", "M1", "trademark"),
    "c3": ("A", "M2", "counterfeit"),
    "c4": ("A", "M2", "design"),
    "c5": ("A", "M3", "counterfeit"),
    "c6": ("A", "M3", "counterfeit"),
    "c7": ("A", "M3", "counterfeit"),
    "c8": ("A", "M2", "counterfeit"),
    "c9": ("A", "M1", "counterfeit"),
    "c10": ("A", "M1", "trademark"),
    "c11": ("B", "M3", "counterfeit"),
    "c12": ("A", "M2", "copyright"),
    "c13": ("A", "M2", "copyright"),
    "c14": ("A", "M3", "patent"),
}


@pytest.fixture
def scenario(world, settings) -> Scenario:
    settings.STRIKES_TO_BAN = 3
    settings.DSA_TDB_URL = ""
    reviewer2 = world.second_reviewer
    m2 = MerchantFactory(platform_ref="M-2", name="Second Source", country="FR")
    m3 = MerchantFactory(platform_ref="M-3", name="Third Shop", country="IT")
    merchants = {"M1": world.merchant, "M2": m2, "M3": m3}
    claims = {}
    with time_machine.travel(t(1, 1), tick=False):
        for n, (key, (brand, merchant, kind)) in enumerate(CLAIMS.items()):
            listing = ListingFactory(
                merchant=merchants[merchant],
                url=f"https://market.example/s/{n}",
                title=f"Scenario item {key}",
            )
            claims[key] = with_evidence(
                ClaimFactory(
                    brand=world.brand if brand == "A" else world.other_brand,
                    ip_right=world.right if brand == "A" else world.other_right,
                    listing=listing,
                    infringement_type=kind,
                    reference=f"TD-2026-{n + 1:06d}",
                    description=f"Claim {key}",
                )
            )
    reviewer2_actor = actor_for(reviewer2)
    for when, key, name, who in _plan():
        overrides = {}
        if who == "reviewer2":
            overrides["actor"] = reviewer2_actor
        elif who == "merchant":
            overrides["actor"] = merchant_link_actor(claims[key].listing.merchant_id)
        elif who == "brand_b":
            overrides["actor"] = actor_for(world.other_owner)
        elif name == "expire":
            overrides["actor"] = SYSTEM
        with time_machine.travel(when, tick=False):
            step(world, claims[key], name, **overrides)
    return Scenario(world=world, claims=claims, reviewer2=reviewer2, m2=m2, m3=m3)
