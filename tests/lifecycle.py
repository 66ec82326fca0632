"""Drive a claim through the real services to any state, as the right actor for each step."""

from __future__ import annotations

from core.roles import SYSTEM, merchant_link_actor
from takedowns.models import Claim
from takedowns.services.transitions import claim_transition
from tests.factories import ClaimFactory, with_evidence

# The shortest path from draft to each state.
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "in_review": ["submit", "start_review"],
    "info_requested": ["submit", "start_review", "request_info"],
    "approved": ["submit", "start_review", "approve"],
    "rejected": ["submit", "start_review", "reject"],
    "withdrawn": ["withdraw"],
    "taken_down": ["submit", "start_review", "approve", "enforce"],
    "counter_noticed": ["submit", "start_review", "approve", "enforce", "counter_notice"],
    "reinstated": ["submit", "start_review", "approve", "enforce", "counter_notice", "reinstate"],
    "appealed": ["submit", "start_review", "reject", "appeal"],
}

ARGS = {
    "request_info": {"note": "Send a test purchase."},
    "reject": {"reason": "insufficient_evidence", "note": "Photos unclear"},
    "counter_notice": {
        "reason": "owner",
        "note": "Genuine goods from the distributor.",
        "data": {"good_faith": True, "signature": "Sam Seller"},
    },
    "uphold": {"note": "Invoice does not match."},
    "provide_info": {"note": "Receipt attached."},
    "retract": {"note": "Our mistake."},
    "appeal": {"note": "The test purchase report shows the goods are fake."},
    "appeal_deny": {"reason": "not_infringing", "note": "The photos show genuine packaging."},
}


def actor_for_step(world, name):
    from core.roles import actor_for

    if name in ("submit", "provide_info", "withdraw", "retract", "appeal"):
        return actor_for(world.owner)
    if name in ("expire", "fast_track", "enforce"):
        return SYSTEM
    if name == "counter_notice":
        return merchant_link_actor(world.merchant.pk)
    if name in ("appeal_grant", "appeal_deny"):
        return actor_for(world.second_reviewer)  # not the reviewer who rejected
    return actor_for(world.reviewer)


def step(world, claim: Claim, name: str, **overrides) -> Claim:
    kwargs = {"actor": actor_for_step(world, name), **ARGS.get(name, {}), **overrides}
    return claim_transition(claim_id=claim.pk, name=name, **kwargs)


def claim_in_state(world, state: str, **fields) -> Claim:
    """A claim of the world's brand on the world's listing (unless given), moved to `state`."""
    fields.setdefault("brand", world.brand)
    fields.setdefault("ip_right", world.right)
    fields.setdefault("listing", world.listing)
    claim = with_evidence(ClaimFactory(**fields))
    for name in PATHS[state]:
        if name == "enforce":
            claim.refresh_from_db()
            if claim.state == "taken_down":  # committed approvals are enforced at once (transactional tests)
                continue
        claim = step(world, claim, name)
    claim.refresh_from_db()
    assert claim.state == state
    return claim
