"""Brand appeals of a rejection (DSA Art. 20 for notifiers): `appeal` rejected → appealed within the window,
once; `appeal_grant` and `appeal_deny` by a reviewer other than the one who rejected. Through the API, as
each role, with the answers every transition gives (403, 409, 400)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.models import AuditEvent
from merchants.models import Listing
from takedowns.models import Appeal, Claim, ClaimEvent
from takedowns.services.programmes import brand_programme_figures
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state, step

pytestmark = pytest.mark.django_db(transaction=True)


def _post(api, user, claim, name, **body):
    return api(user).post(f"/api/v1/claims/{claim.pk}/transitions/{name}/", body, format="json")


def test_the_brand_appeals_and_a_second_reviewer_grants_it_and_the_listing_comes_down(world, api, settings):
    settings.APPEAL_WINDOW_DAYS = 183
    claim = claim_in_state(world, "rejected")
    detail = api(world.owner).get(f"/api/v1/claims/{claim.pk}/").json()
    assert "appeal" in detail["available_transitions"]
    assert detail["decision"]["decision"] == "rejected" and detail["decision"]["contest"] == "appeal"
    assert detail["decision"]["contest_by"] == (claim.decided_at + dt.timedelta(days=183)).date().isoformat()

    answer = _post(api, world.agent, claim, "appeal", note="The test purchase shows a fake.")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "appealed"
    assert body["appeal"]["statement"] == "The test purchase shows a fake."
    assert body["appeal"]["rejected_reason"] == "insufficient_evidence"
    assert body["events"][-1]["transition"] == "appeal"

    # The reviewer who rejected sees no way to decide it and is refused with the reason.
    mine = api(world.reviewer).get(f"/api/v1/claims/{claim.pk}/").json()
    assert "appeal_grant" not in mine["available_transitions"]
    refused = _post(api, world.reviewer, claim, "appeal_grant", note="I was wrong.")
    assert refused.status_code == 403
    assert "other than the one who rejected" in refused.json()["detail"]
    other = api(world.second_reviewer).get(f"/api/v1/claims/{claim.pk}/").json()
    assert {"appeal_grant", "appeal_deny"} <= set(other["available_transitions"])

    granted = _post(api, world.second_reviewer, claim, "appeal_grant", note="The purchase report convinces.")
    assert granted.status_code == 200, granted.content
    claim.refresh_from_db()
    # Enforcement follows as for any approval (tasks run in process here).
    assert claim.state == "taken_down" and claim.decided_by == world.second_reviewer
    assert Listing.objects.get(pk=world.listing.pk).status == "removed"
    appeal = Appeal.objects.get(claim=claim)
    assert appeal.outcome == "granted" and appeal.decided_by == world.second_reviewer
    assert appeal.rejected_by == world.reviewer
    # Both sides are told: the brand of the receipt and the outcome, the merchant of the takedown.
    subjects = [m.subject for m in mail.outbox]
    assert any("Appeal received" in s for s in subjects)
    assert any("Appeal granted" in s for s in subjects)
    notice = next(m for m in mail.outbox if m.to == [world.merchant.email])
    assert "counter-notice until" in notice.body and "Decided by a person" in notice.body
    assert (
        AuditEvent.objects.filter(claim_id=claim.pk).exists()
        or ClaimEvent.objects.filter(claim=claim, transition="appeal_grant").exists()
    )


def test_a_denied_appeal_is_final_and_a_second_appeal_is_refused(world, api):
    claim = claim_in_state(world, "appealed")
    no_reason = _post(api, world.second_reviewer, claim, "appeal_deny", note="")
    assert no_reason.status_code == 400
    assert len(no_reason.json()["errors"]) == 2  # a reason code and a note
    denied = _post(
        api, world.second_reviewer, claim, "appeal_deny", reason="not_infringing", note="Genuine packaging."
    )
    assert denied.status_code == 200, denied.content
    body = denied.json()
    assert body["state"] == "rejected" and body["decision_reason"] == "not_infringing"
    assert body["appeal"]["outcome"] == "denied"
    assert "appeal" not in body["available_transitions"]
    assert body["decision"] == {
        "decision": "appeal_denied",
        "ground": "not_infringing",
        "ground_kind": "reason",
        "automated": False,
        "contest": "court",
        "contest_by": None,
    }
    again = _post(api, world.owner, claim, "appeal", note="Please look again.")
    assert again.status_code == 409 and again.json()["code"] == "appeal_already_filed"
    assert Appeal.objects.filter(claim=claim).count() == 1
    denial = next(m for m in mail.outbox if "Appeal denied" in m.subject)
    assert "final on the platform" in denial.body and "Genuine packaging." in denial.body


@pytest.mark.parametrize(
    "who, expected",
    [
        ("viewer", 403),
        ("unverified_agent", 403),
        ("other_owner", 404),  # another tenant's claim: not even its existence
        ("merchant_user", 404),  # rejected claims are never shown to the merchant
        ("reviewer", 403),
        ("compliance", 403),
        ("platform", 404),
    ],
)
def test_only_the_brands_filers_appeal(world, api, who, expected):
    claim = claim_in_state(world, "rejected")
    answer = _post(api, getattr(world, who), claim, "appeal", note="Look again.")
    assert answer.status_code == expected, answer.content
    assert Claim.objects.get(pk=claim.pk).state == "rejected"


@pytest.mark.parametrize("state", ["submitted", "in_review", "taken_down", "withdrawn"])
def test_appeal_is_only_from_rejected(world, api, state):
    claim = claim_in_state(world, state)
    answer = _post(api, world.owner, claim, "appeal", note="Look again.")
    assert answer.status_code == 409 and answer.json()["state"] == state


@pytest.mark.parametrize("name", ["appeal_grant", "appeal_deny"])
@pytest.mark.parametrize("who, expected", [("owner", 403), ("compliance", 403), ("merchant_user", 404)])
def test_only_reviewers_decide_appeals(world, api, name, who, expected):
    claim = claim_in_state(world, "appealed")
    answer = _post(api, getattr(world, who), claim, name, reason="other", note="No.")
    assert answer.status_code == expected
    assert Claim.objects.get(pk=claim.pk).state == "appealed"


@pytest.mark.parametrize("name", ["appeal_grant", "appeal_deny"])
def test_deciding_an_appeal_needs_an_appealed_claim(world, api, name):
    claim = claim_in_state(world, "in_review")
    answer = _post(api, world.second_reviewer, claim, name, reason="other", note="No.")
    assert answer.status_code == 409


def test_the_appeal_window_closes(world, api, settings):
    settings.APPEAL_WINDOW_DAYS = 10
    claim = claim_in_state(world, "rejected")
    with time_machine.travel(timezone.now() + dt.timedelta(days=10, hours=1)):
        late = _post(api, world.owner, claim, "appeal", note="Late.")
        assert late.status_code == 400 and "closed on" in late.json()["detail"]
        evidence = api(world.owner).post(
            f"/api/v1/claims/{claim.pk}/evidence/",
            {"file": _png()},
            format="multipart",
        )
        assert evidence.status_code == 409
    with time_machine.travel(timezone.now() + dt.timedelta(days=9)):
        assert _post(api, world.owner, claim, "appeal", note="In time.").status_code == 200


def test_new_evidence_goes_with_the_appeal(world, api):
    claim = claim_in_state(world, "rejected")
    added = api(world.owner).post(
        f"/api/v1/claims/{claim.pk}/evidence/", {"file": _png(), "kind": "test_purchase"}, format="multipart"
    )
    assert added.status_code == 201, added.content
    assert _post(api, world.owner, claim, "appeal", note="See the new photo.").status_code == 200
    after = api(world.owner).post(
        f"/api/v1/claims/{claim.pk}/evidence/", {"file": _png()}, format="multipart"
    )
    assert after.status_code == 201
    assert claim.evidence.count() == 3  # the filing's, and two for the appeal


def test_a_rejection_reversed_on_appeal_does_not_count_as_unfounded(world):
    claim = claim_in_state(world, "in_review")
    step(world, claim, "reject", reason="not_infringing", note="Looks genuine.")
    since = timezone.now() - dt.timedelta(days=1)
    assert brand_programme_figures([world.brand.pk], since=since)[world.brand.pk]["unfounded"] == 1
    step(world, claim, "appeal")
    step(world, claim, "appeal_grant", note="Purchase report convinces.")
    figures = brand_programme_figures([world.brand.pk], since=since)[world.brand.pk]
    assert figures["unfounded"] == 0 and figures["taken_down"] == 1


def test_a_second_listing_claim_while_appealed_is_refused(world, api):
    claim = claim_in_state(world, "appealed")
    fresh = claim_in_state(world, "draft")
    assert fresh.listing_id == claim.listing_id
    answer = api(world.owner).post(f"/api/v1/claims/{fresh.pk}/transitions/submit/", {}, format="json")
    assert answer.status_code == 400


def test_the_reviewer_queue_has_an_appeals_tab(world, client_for):
    claim = claim_in_state(world, "appealed")
    ListingFactory(merchant=world.merchant)
    page = client_for(world.second_reviewer).get("/queue/?state=appealed")
    assert page.status_code == 200
    assert claim.reference in page.content.decode()
    other = client_for(world.second_reviewer).get("/queue/?state=submitted")
    assert claim.reference not in other.content.decode()


def _png():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "purchase.png"
    return buffer


def test_past_the_window_the_appeal_is_not_offered_and_only_the_courts_remain(
    world, api, client_for, settings
):
    settings.APPEAL_WINDOW_DAYS = 10
    claim = claim_in_state(world, "rejected")
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        detail = api(world.owner).get(f"/api/v1/claims/{claim.pk}/").json()
        assert "appeal" not in detail["available_transitions"]
        assert detail["decision"]["contest"] == "court" and detail["decision"]["contest_by"] is None
        page = client_for(world.owner).get(f"/claims/{claim.pk}/").content.decode()
        assert "Send the appeal" not in page and "final on the platform" in page


def test_a_reviewer_who_approved_gets_409_not_the_rejectors_403(world, api):
    claim = claim_in_state(world, "taken_down")
    answer = _post(api, world.reviewer, claim, "appeal_grant", note="x")
    assert answer.status_code == 409 and answer.json()["code"] == "invalid_transition"


def test_the_portal_bounds_the_appeal_note_like_the_api(world, client_for):
    claim = claim_in_state(world, "rejected")
    page = client_for(world.owner).post(f"/claims/{claim.pk}/do/appeal/", {"note": "x" * 10_001}, follow=True)
    assert "under 10000 characters" in page.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == "rejected"


def test_the_merchant_sees_the_approval_not_the_rejection_and_the_appeal(world, api, client_for):
    claim = claim_in_state(world, "appealed")
    step(world, claim, "appeal_grant", note="Convinced.")
    claim.refresh_from_db()
    assert claim.state == "taken_down"
    events = api(world.merchant_user).get(f"/api/v1/claims/{claim.pk}/").json()["events"]
    names = [e["transition"] for e in events]
    assert "reject" not in names and "appeal" not in names and "appeal_grant" not in names
    assert "approve" in names and all(e["from_state"] != "appealed" for e in events)
    page = client_for(world.merchant_user).get(f"/claims/{claim.pk}/").content.decode()
    assert "Appeal" not in page and "Rejected" not in page
    # The brand and the reviewers see the whole history.
    brand_events = api(world.owner).get(f"/api/v1/claims/{claim.pk}/").json()["events"]
    assert {"reject", "appeal", "appeal_grant"} <= {e["transition"] for e in brand_events}


def test_an_overdue_appeal_is_overdue_everywhere(world, api, client_for):
    claim = claim_in_state(world, "appealed")
    Claim.objects.filter(pk=claim.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert api(world.reviewer).get(f"/api/v1/claims/{claim.pk}/").json()["overdue"] is True
    listed = api(world.reviewer).get("/api/v1/claims/?overdue=true").json()
    assert [c["id"] for c in listed["results"]] == [claim.pk]
    page = client_for(world.second_reviewer).get("/queue/?overdue=1").content.decode()
    assert claim.reference in page
