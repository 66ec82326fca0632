import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from brands.models import Brand, BrandMembership
from core.roles import actor_for
from merchants.models import Merchant
from takedowns.models import Claim, ClaimState

pytestmark = pytest.mark.django_db


def test_it_adds_a_user_for_every_role(capsys):
    call_command("add_user", "rev", password="a-long-pass-2026", role="reviewer")
    call_command("add_user", "comp", password="a-long-pass-2026", role="compliance")
    call_command("add_user", "mkt", password="a-long-pass-2026", role="platform")
    call_command(
        "add_user",
        "acme",
        password="a-long-pass-2026",
        role="brand",
        brand="Acme",
        email="legal@acme.example",
    )
    call_command("add_user", "seller", password="a-long-pass-2026", role="merchant", merchant="M-77")
    users = {u.username: actor_for(u) for u in get_user_model().objects.all()}
    assert users["rev"].reviewer and users["comp"].compliance and users["mkt"].platform
    acme = Brand.objects.get(name="Acme")
    assert users["acme"].filing_brand_ids == {acme.pk} and acme.contact_email == "legal@acme.example"
    assert users["seller"].merchant_ids == {Merchant.objects.get(platform_ref="M-77").pk}
    assert get_user_model().objects.get(username="rev").check_password("a-long-pass-2026")
    assert "API token (shown once):" in capsys.readouterr().out


def test_it_updates_an_existing_user_and_adds_an_agent_role():
    call_command("add_user", "firm", password="first-long-pass-1", role="brand", brand="Acme")
    call_command(
        "add_user", "firm", password="second-long-pass-2", role="brand", brand="Acme", brand_role="agent"
    )
    user = get_user_model().objects.get(username="firm")
    assert user.check_password("second-long-pass-2")
    assert BrandMembership.objects.get(user=user).role == "agent"


@pytest.mark.parametrize("args", [{"role": "merchant"}, {"role": "reviewer", "brand": "Acme"}])
def test_it_refuses_a_role_without_its_object_or_with_anothers(args):
    with pytest.raises(CommandError):
        call_command("add_user", "x", password="a-long-pass-2026", **args)


def test_it_adds_a_brand_user_without_a_brand_who_then_registers_one(api):
    call_command("add_user", "founder", password="a-long-pass-2026", role="brand", email="f@acme.example")
    user = get_user_model().objects.get(username="founder")
    assert not BrandMembership.objects.filter(user=user).exists()
    response = api(user).post("/api/v1/brands/", {"name": "Acme"}, format="json")
    assert response.status_code == 201
    assert BrandMembership.objects.get(user=user).role == "owner"


def test_it_builds_a_demo_world_with_claims_in_every_state(capsys):
    call_command("seed_demo", claims=150, merchants=60)
    states = set(Claim.objects.values_list("state", flat=True))
    assert states == set(ClaimState.values) - {"approved"}  # approvals are enforced at once without a webhook
    # 60, a big storefront whose ban is held for a second reviewer, a banned seller and its new storefront
    assert Brand.objects.count() == 4 and Merchant.objects.count() == 63
    assert Merchant.objects.filter(status="ban_pending").count() == 1
    # Intelligence: two rings, the banned seller's new storefront flagged and its claims first in the queue,
    # photos that recur, and test purchases of every verdict, the counterfeit one backing a waiting claim.
    from merchants.models import ListingImage, Network
    from takedowns.models import Priority, TestPurchase
    from takedowns.selectors import image_matches

    assert Network.objects.count() == 3
    evader = Merchant.objects.get(platform_ref="M-9101")
    assert evader.ban_evasion and evader.evasion_of.platform_ref == "M-9100"
    evading_claims = Claim.objects.filter(listing__merchant=evader)
    assert evading_claims.count() == 3 and {c.priority for c in evading_claims} == {Priority.HIGH}
    assert image_matches(evading_claims.first())  # the banned ring's photo, on its listings
    assert ListingImage.objects.exists()
    assert set(TestPurchase.objects.values_list("verdict", flat=True)) == {
        "counterfeit",
        "genuine",
        "inconclusive",
    }
    backed = Claim.objects.get(test_purchases__verdict="counterfeit")
    assert backed.priority == Priority.HIGH
    # Each claim is filed by the brand whose mark the listing carries.
    for title, mark in Claim.objects.values_list("listing__title", "ip_right__mark")[:50]:
        assert title.split()[0] == mark
    from takedowns.models import Appeal, CounterNoticeEvidence

    assert (
        Appeal.objects.filter(outcome="pending").exists()
        and Appeal.objects.exclude(outcome="pending").exists()
    )
    assert CounterNoticeEvidence.objects.exists()
    first, last = Claim.objects.order_by("created_at").first(), Claim.objects.order_by("-created_at").first()
    assert (last.created_at - first.created_at).days > 200  # spread over the last year
    from django.db.models import Max
    from django.utils import timezone

    from takedowns.models import ClaimEvent, CounterNotice

    now = timezone.now()
    assert ClaimEvent.objects.aggregate(m=Max("created_at"))["m"] <= now
    assert Claim.objects.aggregate(m=Max("taken_down_at"))["m"] <= now
    for claim in Claim.objects.exclude(submitted_at=None).exclude(decided_at=None):
        assert claim.created_at <= claim.submitted_at <= claim.decided_at
    # Every history in the order it was written: moving it back in time keeps its steps in order.
    for claim_id in Claim.objects.values_list("pk", flat=True):
        times = list(
            ClaimEvent.objects.filter(claim_id=claim_id).order_by("pk").values_list("created_at", flat=True)
        )
        assert times == sorted(times), claim_id
    for counter in CounterNotice.objects.select_related("claim"):
        assert counter.claim.taken_down_at <= counter.filed_at <= counter.restore_due_at
    # Each claim keeps the listing as the marketplace sent it: its attributes and its photo.
    from takedowns.models import ListingCapture

    captures = ListingCapture.objects.filter(claim__in=Claim.objects.all())
    assert captures.count() == Claim.objects.count()
    assert not captures.filter(attributes={}).exists() and not captures.filter(images__isnull=True).exists()
    for claim_id, captured, created in captures.values_list("claim_id", "captured_at", "claim__created_at"):
        # captured as the claim was created, and moved back in time with it
        assert abs(captured - created).total_seconds() < 5, claim_id
    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out


def test_the_demo_years_rejections_fall_as_the_brands_learn():
    from takedowns.management.commands.seed_demo import PATHS, REFUSED, _weights_at

    weights = [w for w, _ in PATHS]
    refused = lambda age: sum(w for i, w in enumerate(_weights_at(weights, age)) if i in REFUSED)  # noqa: E731
    share = lambda age: refused(age) / sum(_weights_at(weights, age))  # noqa: E731
    assert REFUSED and share(360) > 1.5 * share(3)  # a year ago a claim was refused far more often


def test_it_resumes_stalled_bulk_filings_in_the_command_line_sweep(world, capsys):
    import datetime as dt

    from django.utils import timezone

    from takedowns.models import ClaimBatch

    batch = ClaimBatch.objects.create(
        brand=world.brand,
        ip_right=world.right,
        created_by=world.owner,
        total=1,
        fields={"infringement_type": "counterfeit", "good_faith": True, "accurate": True, "signature": "J"},
        rows=[{"listing_url": world.listing.url}],
    )
    ClaimBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    call_command("run_deadlines")
    batch.refresh_from_db()
    assert (batch.status, batch.claims.count()) == ("done", 1)
