"""Files kept between two requests are removed once abandoned, and never while something still uses them."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core.staged import staged_purge
from takedowns.models import ClaimBatch
from takedowns.services.batches import PREVIEW_ARCHIVES, preview_archives_purge

LATER = dt.timedelta(days=1, minutes=1)


def test_an_abandoned_bulk_preview_zip_goes_and_a_batchs_own_stays(world):
    left = default_storage.save(f"{PREVIEW_ARCHIVES}left.zip", ContentFile(b"PK"))
    filed = default_storage.save(f"{PREVIEW_ARCHIVES}filed.zip", ContentFile(b"PK"))
    batch = ClaimBatch.objects.create(
        brand=world.brand, ip_right=world.right, created_by=world.owner, total=0
    )
    batch.evidence_archive.name = filed
    batch.save(update_fields=["evidence_archive"])
    assert preview_archives_purge() == 0  # not a day old yet
    assert preview_archives_purge(now=timezone.now() + LATER) == 1
    assert not default_storage.exists(left) and default_storage.exists(filed)


def test_nothing_to_purge_is_not_an_error(world):
    assert preview_archives_purge() == 0 and staged_purge() == 0
