"""`verify_media`, the check after a restore (docs/operations.md): every evidence file has the SHA-256
recorded when it was filed, and every certificate, letter and kept export is in MEDIA_ROOT."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from brands.services import membership_add
from core.roles import actor_for
from takedowns.services.filing import evidence_add
from tests.factories import UserFactory
from tests.lifecycle import claim_in_state


def _files(world):
    claim = claim_in_state(world, "draft")
    added = evidence_add(
        actor=actor_for(world.owner), claim=claim, file=ContentFile(b"Receipt 42\n", name="receipt.txt")
    )
    membership = membership_add(
        actor=actor_for(world.owner),
        brand=world.brand,
        user=UserFactory(username="counsel"),
        role="agent",
        authorisation_letter=ContentFile(b"%PDF-1.4\n%%EOF\n", name="letter.pdf"),
    )
    return claim, added, membership


def test_it_finds_whole_media_intact(world):
    _files(world)
    out = StringIO()
    call_command("verify_media", stdout=out)
    assert "Media intact: 2 evidence files match their SHA-256; 1 certificates" in out.getvalue()


def test_it_names_a_changed_and_a_missing_file(world):
    claim, added, membership = _files(world)
    (Path(settings.MEDIA_ROOT) / added.file.name).write_bytes(b"Receipt 43\n")
    (Path(settings.MEDIA_ROOT) / membership.authorisation_letter.name).unlink()
    err = StringIO()
    with pytest.raises(CommandError, match="2 of 3 files are missing or changed"):
        call_command("verify_media", stderr=err)
    assert f"evidence #{added.pk} of claim {claim.reference}" in err.getvalue()
    assert f"authorisation letter of membership #{membership.pk}" in err.getvalue()
