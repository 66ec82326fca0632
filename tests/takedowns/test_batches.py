"""The bulk-filing worker (takedowns.batches.batch_process)."""

import pytest

from brands.models import BrandMembership
from takedowns.batches import batch_process
from takedowns.models import ClaimBatch

pytestmark = pytest.mark.django_db


def pending_batch(world, user):
    fields = {"infringement_type": "counterfeit", "description": "", "good_faith": True, "accurate": True,
              "signature": "Jane Counsel"}
    rows = [{"listing_url": world.listing.url, "infringement_type": "", "description": ""},
            {"listing_url": world.other_listing.url, "infringement_type": "", "description": ""}]
    return ClaimBatch.objects.create(brand=world.brand, ip_right=world.right, created_by=user, fields=fields,
                                     rows=rows, total=len(rows))


def test_it_finishes_a_batch_whose_filer_lost_the_right_to_file_with_an_error_per_row(world):
    # Filed by an agent whose membership was removed before a worker reached the batch.
    batch = pending_batch(world, world.agent)
    BrandMembership.objects.filter(user=world.agent).delete()

    batch_process(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.DONE and batch.done == 2
    assert [e["row"] for e in batch.errors] == [1, 2] and all(e["detail"] for e in batch.errors)
    assert not batch.claims.exists()


def test_it_creates_the_drafts_of_a_batch(world):
    batch = pending_batch(world, world.owner)
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ClaimBatch.Status.DONE and batch.claims.count() == 2 and batch.errors == []
