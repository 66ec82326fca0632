"""What the sweep finds to enforce (takedowns.enforcement), without a worker."""

import pytest

from core.models import Notice
from takedowns.services.enforcement import approved_not_enforced
from takedowns.services.transitions import claim_enforce
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook(settings):
    settings.PLATFORM_WEBHOOK_URL = "http://marketplace.invalid/hooks"
    settings.PLATFORM_WEBHOOK_SECRET = "s3cret"


def test_it_sweeps_a_confirmed_removal_even_while_an_email_of_the_claim_is_pending(world, webhook):
    # The worker marked the removal webhook sent, then died before enforcing; the decision e-mail to the
    # brand is still pending (SMTP down). The pending e-mail must not hide the claim from the sweep.
    claim = claim_in_state(world, "approved")
    removal = Notice.objects.get(claim_id=claim.pk, channel=Notice.Channel.WEBHOOK, kind="listing.remove")
    Notice.objects.filter(pk=removal.pk).update(status=Notice.Status.SENT)
    assert Notice.objects.filter(
        claim_id=claim.pk, channel=Notice.Channel.EMAIL, status=Notice.Status.PENDING
    ).exists()

    assert claim.pk in approved_not_enforced()
    assert claim_enforce(claim_id=claim.pk).state == "taken_down"


def test_it_leaves_a_claim_whose_removal_is_still_being_delivered(world, webhook):
    claim = claim_in_state(world, "approved")
    assert claim.pk not in approved_not_enforced()
    assert claim_enforce(claim_id=claim.pk) is None
