"""The claim lifecycle as a Hypothesis state machine, through the real services: filings, transitions by
roles that may take them (the typed functions the portal and workers call) and by any role at all (the
engine the API calls), workers, deadlines, bans, the good-faith programme and the passing of time. After
every step:

- every state change took an edge of the declared graph (`takedowns.models.TRANSITIONS`) with exactly one
  ClaimEvent, a filing wrote its `create` event, and a refused attempt wrote no event and moved no claim;
- a refusal is the one the error contract (docs/contract.md §4) names first: unknown transition, then the
  role may never take it (403), then not from this state (409), else an unmet condition (400);
- each merchant's active strikes are exactly its claims that were taken down and are neither reinstated,
  retracted nor older than `STRIKE_DAYS`;
- a banned merchant has no active listing, and no listing with a standing takedown is active.

Each example runs in a savepoint of the test's transaction, rolled back when it ends, with its own clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from brands.models import Brand
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from core.roles import SYSTEM, Actor, actor_for, merchant_link_actor
from merchants.models import Listing, Merchant
from takedowns.models import (
    CLOSED,
    TRANSITIONS,
    Appeal,
    BanHold,
    Claim,
    ClaimEvent,
    ClaimState,
    Strike,
    transition_sources,
)
from takedowns.services import deadlines
from takedowns.services import transitions as typed
from takedowns.services.bans import ban_hold_decide, merchant_ban, merchant_lift_ban
from takedowns.services.filing import claim_create, claim_file, evidence_add
from takedowns.services.transitions import claim_transition, counter_notice_legal_action
from tests.factories import PNG, ListingFactory
from tests.lifecycle import PATHS

pytestmark = pytest.mark.django_db

S = ClaimState
STANDING = (S.TAKEN_DOWN, S.COUNTER_NOTICED)  # taken down and not (yet) reinstated

# Bounded for CI: examples × steps (plus each example's opening claims).
EXAMPLES = 40
STEPS = 50
MAX_CLAIMS = 8  # per example: steps go into moving claims rather than filing ever more

# Who may take each transition, as docs/contract.md §4 and docs/lifecycle.md say: the test's own oracle, not
# the model's permission functions.
WHO = {
    "submit": "brand",
    "start_review": "reviewer",
    "request_info": "reviewer",
    "provide_info": "brand",
    "expire": "system",
    "approve": "reviewer",
    "fast_track": "system",
    "reject": "reviewer",
    "withdraw": "brand",
    "enforce": "system",
    "counter_notice": "merchant",
    "uphold": "reviewer",
    "reinstate": "reviewer_or_system",
    "retract": "brand",
    "appeal": "brand",
    "appeal_grant": "second_reviewer",
    "appeal_deny": "second_reviewer",
}
# The transitions in the order `advance` prefers them: onward first; giving up and the automatic ones last.
FORWARD = [
    "submit",
    "start_review",
    "approve",
    "provide_info",
    "enforce",
    "counter_notice",
    "reinstate",
    "request_info",
    "uphold",
    "reject",
    "retract",
    "expire",
    "fast_track",
    "withdraw",
    "appeal",
    "appeal_grant",
    "appeal_deny",
]
assert sorted(FORWARD) == sorted(WHO) == sorted(TRANSITIONS)
NAMES = [*WHO, "delete", "appeal_again"]  # and names that are no transition

# What each transition needs to succeed (as tests/lifecycle.py gives it).
NEEDS = {
    "request_info": {"note": "Send the test purchase receipt."},
    "provide_info": {"note": "Receipt attached."},
    "reject": {"reason": "insufficient_evidence", "note": "Photos unclear."},
    "counter_notice": {
        "reason": "owner",
        "note": "Genuine goods from the distributor.",
        "data": {"good_faith": True, "signature": "Sam Seller"},
    },
    "uphold": {"note": "The invoice does not match."},
    "retract": {"note": "Our mistake."},
    "appeal": {"note": "The test purchase shows a fake."},
    "appeal_deny": {"reason": "not_infringing", "note": "Genuine packaging."},
}

PICKS = st.sampled_from([0, 0, 0, 0, 1, 2, 3])  # mostly onward
MOSTLY = st.sampled_from([True, True, True, False])
NOTES = st.sampled_from(["", "Send the test purchase receipt.", "Invoice does not match."])
REASONS = st.sampled_from(["", "insufficient_evidence", "no_rights", "other", "owner", "not_infringing", "x"])


def take(name: str, claim_id: int, actor: Actor) -> Claim | None:
    """`name` through its typed function, with what it needs. The workers' functions (enforce, expire, the
    system's reinstatement) answer None instead of refusing."""
    needs = NEEDS.get(name, {})
    if name == "counter_notice":
        return typed.claim_counter_notice(
            claim_id=claim_id,
            actor=actor,
            reason=needs["reason"],
            statement=needs["note"],
            good_faith=needs["data"]["good_faith"],
            signature=needs["data"]["signature"],
        )
    if name == "reject":
        return typed.claim_reject(claim_id=claim_id, actor=actor, **needs)
    if name in ("enforce", "expire"):
        return getattr(typed, f"claim_{name}")(claim_id=claim_id)
    if name == "fast_track":
        return typed.claim_fast_track(claim_id=claim_id)
    if name == "reinstate" and actor.is_system:
        return typed.claim_reinstate_after_deadline(claim_id=claim_id)
    return getattr(typed, f"claim_{name}")(claim_id=claim_id, actor=actor, **needs)


class Who:
    """A caller: the services' `Actor`, and what the test knows of its role."""

    def __init__(
        self, name: str, actor: Actor, *, files_for=(), merchant_of=(), reviewer=False, system=False
    ):
        self.name, self.actor = name, actor
        self.files_for, self.merchant_of = set(files_for), set(merchant_of)
        self.reviewer, self.system = reviewer, system

    def __repr__(self) -> str:
        return self.name

    def may(self, name: str, claim: Claim) -> bool:
        return {
            "brand": claim.brand_id in self.files_for,
            "reviewer": self.reviewer,
            "system": self.system,
            "reviewer_or_system": self.reviewer or self.system,
            "second_reviewer": self.reviewer and claim.decided_by_id != self.actor.user_id,
            "merchant": claim.listing.merchant_id in self.merchant_of,
        }[WHO[name]]


def _callers(world, merchant2) -> list[Who]:
    actor = world.actor
    return [
        Who("owner", actor(world.owner), files_for={world.brand.pk}),
        Who("agent", actor(world.agent), files_for={world.brand.pk}),
        Who("unverified agent", actor(world.unverified_agent)),
        Who("viewer", actor(world.viewer)),
        Who("other owner", actor(world.other_owner), files_for={world.other_brand.pk}),
        Who("reviewer", actor(world.reviewer), reviewer=True),
        Who("reviewer 2", actor(world.second_reviewer), reviewer=True),
        Who("compliance", actor(world.compliance)),
        Who("platform", actor(world.platform)),
        Who("merchant user", actor(world.merchant_user), merchant_of={world.merchant.pk}),
        Who("merchant link", merchant_link_actor(world.merchant.pk), merchant_of={world.merchant.pk}),
        Who("other merchant link", merchant_link_actor(merchant2.pk), merchant_of={merchant2.pk}),
        Who("system", SYSTEM, system=True),
        Who("anonymous", actor_for(None)),
    ]


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", PNG, content_type="image/png")


class Snapshot:
    """Before a step: the claims and their states, and the last event."""

    def __init__(self):
        self.states = dict(Claim.objects.values_list("pk", "state"))
        self.last_event = ClaimEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def new_events(self) -> list[ClaimEvent]:
        return list(ClaimEvent.objects.filter(pk__gt=self.last_event).order_by("pk"))


def lifecycle_machine(world):
    merchant2 = world.other_listing.merchant
    merchants = [world.merchant, merchant2]
    # Three listings of the world's merchant (three takedowns ban it) and one of another merchant.
    listings = [
        world.listing,
        ListingFactory(merchant=world.merchant),
        ListingFactory(merchant=world.merchant),
        world.other_listing,
    ]
    brands = [
        (world.brand, world.right, world.owner),
        (world.other_brand, world.other_right, world.other_owner),
    ]
    callers = _callers(world, merchant2)
    reviewer = next(who for who in callers if who.name == "reviewer")
    reviewer2 = next(who for who in callers if who.name == "reviewer 2")

    class Lifecycle(RuleBasedStateMachine):
        claims = Bundle("claims")

        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._travel = time_machine.travel(timezone.now(), tick=True)
            self._clock = self._travel.start()
            self._begin()

        def teardown(self):
            self._travel.stop()
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def _begin(self) -> None:
            self.before = Snapshot()
            self.refused = False  # the step was refused: it must have changed nothing
            self.expect: dict[int, list[str]] = {}  # claim id -> the events the step must have written

        # --- filing ----------------------------------------------------------------------------------------
        @initialize(target=claims, states=st.lists(st.sampled_from(list(PATHS)), min_size=1, max_size=4))
        def claims_in_flight(self, states):
            """Claims filed and moved through the services to random states, by the roles that may: the
            first three on the first merchant's listings, the fourth of the other brand on the other's."""
            filed = []
            for n, state in enumerate(states):
                brand, listing = brands[n // 3], listings[3 if n == 3 else n]
                claim_id = self._file(brand, listing, evidence=True, complete=True)
                for name in PATHS[state]:
                    claim = Claim.objects.select_related("listing").get(pk=claim_id)
                    who = next(who for who in callers if who.may(name, claim))
                    take(name, claim_id, who.actor)
                self.expect[claim_id] = ["create", *PATHS[state]]
                filed.append(claim_id)
            return multiple(*filed)

        def _file(self, brand, listing, *, evidence: bool, complete: bool) -> int:
            brand, right, user = brand
            actor = world.actor(user)
            claim = claim_create(
                actor=actor,
                brand=brand,
                ip_right=right,
                listing=listing,
                infringement_type="counterfeit",
                good_faith=complete,
                accurate=complete,
                signature="Jane Counsel" if complete else "",
            )
            if evidence:
                evidence_add(actor=actor, claim=claim, file=_png())
            return claim.pk

        @precondition(lambda self: Claim.objects.count() < MAX_CLAIMS)
        @rule(
            target=claims,
            brand=st.sampled_from(brands),
            listing=st.sampled_from(listings),
            evidence=MOSTLY,
            complete=MOSTLY,
        )
        def file_draft(self, brand, listing, evidence, complete):
            """A brand files a draft, mostly with evidence, declarations and signature."""
            self._begin()
            claim_id = self._file(brand, listing, evidence=evidence, complete=complete)
            self.expect[claim_id] = ["create"]
            return claim_id

        @precondition(lambda self: Claim.objects.count() < MAX_CLAIMS)
        @rule(target=claims, brand=st.sampled_from(brands), listing=st.sampled_from(listings))
        def file_and_submit(self, brand, listing):
            """Filing in one step: create, attach, submit; when any of it fails nothing is filed."""
            self._begin()
            brand, right, user = brand
            fast = Brand.objects.get(pk=brand.pk).good_faith and settings.FAST_TRACK_ENABLED
            try:
                claim = claim_file(
                    actor=world.actor(user),
                    brand=brand,
                    ip_right=right,
                    listing_url=listing.url,
                    fields={
                        "infringement_type": "trademark",
                        "good_faith": True,
                        "accurate": True,
                        "signature": "Jane Counsel",
                    },
                    files=[_png()],
                    evidence_kind="image",
                )
            except (Invalid, Conflict):  # a right expired by now, another claim open on the listing
                self.refused = True
                return multiple()
            self.expect[claim.pk] = ["create", "submit", *(["fast_track"] if fast else [])]
            return claim.pk

        # --- transitions ---------------------------------------------------------------------------------
        def _attempt(self, claim_id: int, name: str, who: Who, call) -> None:
            """Run `call`; a refusal must be the contract's first, a success one declared edge (and the
            good-faith programme's fast track after a submission)."""
            claim = Claim.objects.select_related("listing", "brand").get(pk=claim_id)
            fast = name == "submit" and claim.brand.good_faith and settings.FAST_TRACK_ENABLED
            try:
                taken = call()
            except DomainError as exc:
                self.refused = True
                expected = self._refusal(claim, name, who)
                assert isinstance(exc, expected), f"{who} {name} from {claim.state}: {exc!r}, not {expected}"
                return
            if taken is None:  # a worker's call, not due or not from this state
                self.refused = True
                assert name in ("enforce", "expire", "reinstate") and who.system
                return
            assert name in WHO and who.may(name, claim), f"{who} took {name}, which its role may never take"
            assert claim.state in transition_sources(name), f"{name} taken from {claim.state}"
            self.expect[claim_id] = [name, *(["fast_track"] if fast else [])]

        @staticmethod
        def _refusal(claim: Claim, name: str, who: Who) -> type[DomainError]:
            if name not in WHO:
                return NotFound
            if not who.may(name, claim):
                return Forbidden
            if claim.state not in transition_sources(name):
                return Conflict
            if name == "appeal" and Appeal.objects.filter(claim=claim).exists():
                return Conflict  # once per claim
            return Invalid

        @rule(index=st.integers(0, 7), pick=PICKS, person=st.booleans())
        def advance(self, index, pick, person):
            """An open claim moves on: a transition its state allows, by a role that may take it, through
            its typed function with what it needs (a condition may still refuse it: a deadline not due)."""
            self._begin()
            # Open, or rejected and never appealed (the appeal is its way on).
            open_claims = list(
                Claim.objects.filter(~Q(state__in=CLOSED) | Q(state=S.REJECTED, brand_appeal__isnull=True))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not open_claims:
                self.refused = True  # nothing to take, nothing taken
                return
            claim = Claim.objects.select_related("listing").get(pk=open_claims[index % len(open_claims)])
            names = [name for name in FORWARD if claim.state in transition_sources(name)]
            name = names[pick if pick < len(names) else 0]
            fitting = [who for who in callers if who.may(name, claim)]
            who = fitting[0 if person else -1]  # owner or agent; merchant user or link; reviewer or system
            self._attempt(claim.pk, name, who, lambda: take(name, claim.pk, who.actor))

        @rule(index=st.integers(0, 7), pick=PICKS, person=st.booleans())
        def advance_more(self, index, pick, person):
            """As `advance`, so that claims reach the later states too."""
            self.advance(index, pick, person)

        @rule(
            claim_id=claims,
            name=st.sampled_from(NAMES),
            who=st.sampled_from(callers),
            note=NOTES,
            reason=REASONS,
            good_faith=st.booleans(),
        )
        def attempt(self, claim_id, name, who, note, reason, good_faith):
            """Anyone tries anything on any claim, as the API's `transitions/{name}/` does."""
            self._begin()
            data = {"good_faith": good_faith, "signature": "Sam Seller" if good_faith else ""}
            self._attempt(
                claim_id,
                name,
                who,
                lambda: claim_transition(
                    claim_id=claim_id, name=name, actor=who.actor, note=note, reason=reason, data=data
                ),
            )

        @rule(claim_id=claims, name=st.sampled_from(["enforce", "expire", "reinstate"]))
        def worker(self, claim_id, name):
            """A worker's call on any claim: it takes the transition when due, and leaves the claim alone
            otherwise."""
            self._begin()
            system = next(who for who in callers if who.system)
            self._attempt(claim_id, name, system, lambda: take(name, claim_id, SYSTEM))

        # --- around the claims ---------------------------------------------------------------------------
        @rule(claim_id=claims, who=st.sampled_from(callers), court=st.booleans())
        def paperwork(self, claim_id, who, court):
            """More evidence, or the brand's court case against a counter-notice (which holds the automatic
            reinstatement): neither moves the claim."""
            self._begin()
            claim = Claim.objects.get(pk=claim_id)
            try:
                if court:
                    counter_notice_legal_action(actor=who.actor, claim=claim, note="Case 1:26-cv-00123")
                else:
                    evidence_add(actor=who.actor, claim=claim, file=_png(), note="More photos.")
            except (Forbidden, Conflict):
                self.refused = True

        @rule(
            event=st.sampled_from(
                [
                    *(("days", days) for days in (1, 8, 15, 120, 200)),
                    ("deadlines", 0),
                    ("ban", 0),
                    ("ban", 1),
                    ("lift ban", 0),
                    ("lift ban", 1),
                    ("confirm ban", 0),
                    ("confirm ban", 1),
                    ("good faith", 0),
                    ("good faith", 1),
                ]
            )
        )
        def meanwhile(self, event):
            """Days pass; `run_deadlines` runs (unanswered requests expire, due reinstatements happen); a
            reviewer bans a merchant or lifts its ban; a brand joins the good-faith programme (its
            submissions are then fast-tracked)."""
            self._begin()
            kind, n = event
            try:
                if kind == "days":
                    self._clock.shift(timedelta(days=n))
                elif kind == "deadlines":
                    deadlines.run_all()
                elif kind == "ban":
                    merchant_ban(merchant=merchants[n], actor=reviewer.actor, reason="Repeat infringer.")
                elif kind == "lift ban":
                    merchant_lift_ban(merchant=merchants[n], actor=reviewer.actor, note="Appeal granted.")
                elif kind == "confirm ban":  # a ban held for a second reviewer (a fast-tracked strike)
                    ban_hold_decide(
                        merchant=merchants[n], actor=reviewer2.actor, action=BanHold.Action.BAN, confirm=True
                    )
                else:
                    Brand.objects.filter(pk=brands[n][0].pk).update(
                        good_faith=True, good_faith_since=timezone.now()
                    )
            except Conflict:  # already banned, or not banned
                self.refused = True

        # --- invariants ----------------------------------------------------------------------------------
        @invariant()
        def each_state_change_is_a_declared_edge_with_one_event(self):
            before, events = self.before, self.before.new_events()
            states = dict(Claim.objects.values_list("pk", "state"))
            if self.refused:
                assert not events, f"a refused attempt wrote events: {events}"
                assert states == before.states, "a refused attempt moved or filed a claim"
                return
            by_claim: dict[int, list[ClaimEvent]] = {}
            for event in events:
                by_claim.setdefault(event.claim_id, []).append(event)
            assert set(by_claim) <= set(states), "events of claims that do not exist"
            for claim_id, state in states.items():
                chain = by_claim.get(claim_id, [])
                if claim_id in before.states:
                    previous = before.states[claim_id]
                else:  # filed in this step: its history opens with `create`
                    assert chain and chain[0].transition == "create", f"claim {claim_id} filed without create"
                    assert (chain[0].from_state, chain[0].to_state) == (S.DRAFT, S.DRAFT)
                    chain, previous = chain[1:], S.DRAFT
                for event in chain:
                    assert event.transition in TRANSITIONS, f"{event}: {event.transition} is no transition"
                    assert event.from_state == previous, f"{event}: the claim was {previous}"
                    assert event.from_state in transition_sources(event.transition), f"{event}: no such edge"
                    assert event.to_state == TRANSITIONS[event.transition].target, f"{event}: no such edge"
                    previous = event.to_state
                assert previous == state, f"claim {claim_id} is {state}, its events end at {previous}"
            for claim_id, expected in self.expect.items():
                written = [e.transition for e in events if e.claim_id == claim_id]
                assert written == expected, f"claim {claim_id}: events {written}, expected {expected}"
            if self.expect:  # a step on claims moves those claims only
                others = set(by_claim) - set(self.expect)
                assert not others, f"claims {others} moved too"
            self.before = Snapshot()

        @invariant()
        def active_strikes_are_the_standing_takedowns(self):
            now = timezone.now()
            for merchant in Merchant.objects.all():
                strikes = Strike.objects.active(now).filter(merchant=merchant).count()
                standing = Claim.objects.filter(
                    listing__merchant=merchant,
                    state__in=STANDING,
                    taken_down_at__gt=now - timedelta(days=settings.STRIKE_DAYS),
                ).count()
                assert strikes == standing, (
                    f"{merchant}: {strikes} active strikes, {standing} standing takedowns"
                )

        @invariant()
        def a_banned_merchant_has_no_active_listing(self):
            up = Listing.objects.filter(merchant__status=Merchant.Status.BANNED, status=Listing.Status.ACTIVE)
            assert not up.exists(), f"active listings of banned merchants: {list(up)}"

        @invariant()
        def a_standing_takedown_keeps_its_listing_down(self):
            up = Listing.objects.filter(status=Listing.Status.ACTIVE, claims__state__in=STANDING).distinct()
            assert not up.exists(), f"active listings with a standing takedown: {list(up)}"

    return Lifecycle


def test_the_lifecycle_keeps_its_invariants(world, settings):
    settings.FAST_TRACK_ENABLED = True
    settings.STRIKES_TO_BAN = 3
    settings.STRIKE_DAYS = 365
    run_state_machine_as_test(
        lifecycle_machine(world),
        settings=hypothesis_settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
