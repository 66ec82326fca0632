"""The bulk-filing worker (takedowns.batches.batch_process)."""

import pytest

from brands.models import BrandMembership
from takedowns.models import ClaimBatch
from takedowns.services.batches import batch_process

pytestmark = pytest.mark.django_db


def pending_batch(world, user):
    fields = {
        "infringement_type": "counterfeit",
        "description": "",
        "good_faith": True,
        "accurate": True,
        "signature": "Jane Counsel",
    }
    rows = [
        {"listing_url": world.listing.url, "infringement_type": "", "description": ""},
        {"listing_url": world.other_listing.url, "infringement_type": "", "description": ""},
    ]
    return ClaimBatch.objects.create(
        brand=world.brand, ip_right=world.right, created_by=user, fields=fields, rows=rows, total=len(rows)
    )


def test_it_finishes_a_batch_whose_filer_lost_the_right_to_file_with_an_error_per_row(world):
    # Filed by an agent whose membership was removed before a worker reached the batch.
    batch = pending_batch(world, world.agent)
    BrandMembership.objects.filter(user=world.agent).delete()

    batch_process(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.DONE and batch.done == 2
    assert [e["row"] for e in batch.errors] == [1, 2]
    assert all(e["problems"][0]["code"] == "not_filer" for e in batch.errors)
    assert not batch.claims.exists()


def test_it_creates_the_drafts_of_a_batch(world):
    batch = pending_batch(world, world.owner)
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.DONE and batch.claims.count() == 2 and batch.errors == []


def test_it_resumes_a_batch_whose_worker_died(world):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from takedowns.models import ClaimBatch
    from takedowns.services.batches import batch_process, stalled_batches
    from tests.factories import ListingFactory

    listings = [ListingFactory() for _ in range(3)]
    batch = ClaimBatch.objects.create(
        brand=world.brand,
        ip_right=world.right,
        created_by=world.owner,
        total=3,
        fields={"infringement_type": "counterfeit", "good_faith": True, "accurate": True, "signature": "J"},
        rows=[{"listing_url": item.url} for item in listings],
        status=ClaimBatch.Status.RUNNING,
    )
    assert stalled_batches() == []  # running and recently touched: its worker may be busy
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert stalled_batches() == [batch.pk]
        batch_process(batch_id=batch.pk)
        assert stalled_batches() == []
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.claims.count()) == ("done", 3, 3)
