"""Claims in the states the browser tests need, moved by the real services. The live server's database
commits, so enforcement runs by itself once a claim is approved (no explicit `enforce` step)."""

from __future__ import annotations

from takedowns.models import Claim
from tests.factories import ClaimFactory, ListingFactory, with_evidence
from tests.lifecycle import step

STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "in_review": ["submit", "start_review"],
    "info_requested": ["submit", "start_review", "request_info"],
    "rejected": ["submit", "start_review", "reject"],
    "taken_down": ["submit", "start_review", "approve"],
    "counter_noticed": ["submit", "start_review", "approve", "counter_notice"],
}


def claim_as(world, state: str, **fields) -> Claim:
    fields.setdefault("brand", world.brand)
    fields.setdefault("ip_right", world.right)
    fields.setdefault("listing", ListingFactory(merchant=world.merchant))
    claim = with_evidence(ClaimFactory(**fields))
    for name in STEPS[state]:
        claim = step(world, claim, name)
    claim.refresh_from_db()
    assert claim.state == state, (claim.state, state)
    return claim
