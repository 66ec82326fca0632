"""Claims of the other brand, moved through the real services by that brand's owner."""

from dataclasses import replace

from tests.lifecycle import claim_in_state


def other_brand_claim(world, state: str, **fields):
    other = replace(world, owner=world.other_owner, brand=world.other_brand, right=world.other_right)
    fields.setdefault("listing", world.other_listing)
    return claim_in_state(other, state, **fields)
