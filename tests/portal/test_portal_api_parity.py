"""The portal and the API take every transition through the same service and get the same answers.

For each of the transitions declared on the model, three callers try it through both doors on twin claims:
one whose role may take it from a state that allows it, the same one from a state that does not, and one
whose role may never take it. The outcome must match: the same new state, or the same refusal with the
same message and nothing written.
"""

from html import escape

import pytest

from takedowns.models import TRANSITIONS, Claim, ClaimEvent, transition_sources
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state

# Whose role may take each kind of transition (the model's declared permission), and who never may.
ALLOWED = {
    "brand_filer": "owner",
    "reviewer": "reviewer",
    "reviewer_or_system": "reviewer",
    "listing_merchant": "merchant_user",
    "second_reviewer": "second_reviewer",  # not the reviewer who rejected
    "system": None,  # no person: every human is refused
}
REFUSED = {
    "brand_filer": "reviewer",
    "listing_merchant": "owner",
    "system": "reviewer",
    "second_reviewer": "reviewer",  # the reviewer who rejected the claim
}
STATEMENT = "Genuine goods from the distributor."
API_BODY = {
    "note": "Checked against the register.",
    "reason": "insufficient_evidence",
    "good_faith": True,
    "signature": "Sam Seller",
}
PORTAL_BODY = {
    "note": "Checked against the register.",
    "reason": "insufficient_evidence",
}


def _bodies(name: str) -> tuple[dict, dict]:
    if name == "appeal_deny":
        body = {**PORTAL_BODY, "reason": "not_infringing"}
        return {**API_BODY, **body}, body
    if name == "counter_notice":
        reason = {"reason": "owner"}
        return (
            {**API_BODY, **reason, "note": STATEMENT},
            {"statement": STATEMENT, "good_faith": "on", "signature": "Sam Seller", **reason},
        )
    return API_BODY, PORTAL_BODY


def _source(name: str) -> str:
    """A state the transition may be taken from, reached by the real services."""
    return transition_sources(name)[0]


def _wrong_source(name: str) -> str:
    sources = transition_sources(name)
    # A state the caller can still see (a merchant sees only enforced claims), that the edge does not leave.
    for state in ("taken_down", "counter_noticed", "reinstated", "draft", "submitted", "in_review"):
        if state not in sources:
            return state
    raise AssertionError(name)


def _compare(world, api, client_for, name: str, state: str, who: str) -> None:
    user = getattr(world, who)
    via_api, via_portal = (
        claim_in_state(world, state, listing=ListingFactory(merchant=world.merchant)) for _ in "ab"
    )
    events_before = ClaimEvent.objects.count()
    api_body, portal_body = _bodies(name)
    answer = api(user).post(f"/api/v1/claims/{via_api.pk}/transitions/{name}/", api_body, format="json")
    page = client_for(user).post(f"/claims/{via_portal.pk}/do/{name}/", portal_body, follow=True)
    api_state = Claim.objects.get(pk=via_api.pk).state
    portal_state = Claim.objects.get(pk=via_portal.pk).state
    assert portal_state == api_state, (name, who, state, answer.json())
    if answer.status_code == 200:
        assert api_state != state or name == "uphold"
        assert b"is now" in page.content
        return
    assert api_state == state and ClaimEvent.objects.count() == events_before  # nothing written either way
    if answer.status_code == 404:
        assert page.status_code == 404
    else:
        assert escape(answer.json()["detail"]) in page.content.decode(), (name, who, state)


# The system's own transitions (expire, fast_track, enforce) have no person who may take them; their refusal
# is compared in the two tests after this one.
TAKEN_BY_PEOPLE = [name for name, t in TRANSITIONS.items() if ALLOWED[t.permission.__name__]]


@pytest.mark.parametrize("name", TAKEN_BY_PEOPLE)
def test_the_portal_and_the_api_agree_when_the_role_may_take_it(world, api, client_for, name):
    _compare(world, api, client_for, name, _source(name), ALLOWED[TRANSITIONS[name].permission.__name__])


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_the_portal_and_the_api_agree_on_a_state_that_does_not_allow_it(world, api, client_for, name):
    who = ALLOWED[TRANSITIONS[name].permission.__name__] or "reviewer"
    _compare(world, api, client_for, name, _wrong_source(name), who)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_the_portal_and_the_api_agree_when_the_role_may_never_take_it(world, api, client_for, name):
    permission = TRANSITIONS[name].permission.__name__
    who = REFUSED.get(permission, "owner")
    _compare(world, api, client_for, name, _source(name), who)
