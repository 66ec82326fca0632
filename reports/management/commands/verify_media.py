"""`manage.py verify_media`: after a restore (docs/operations.md), every file the database names must be in
MEDIA_ROOT, and every evidence file must still have the SHA-256 recorded when it was filed. Names each file
that is missing or changed and exits 1, or prints the counts and exits 0."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from brands.models import BrandMembership, IPRight
from reports.models import Export
from takedowns.models import Evidence


def _sha256(name: str) -> str | None:
    try:
        with default_storage.open(name, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        return None


class Command(BaseCommand):
    help = (
        "Check that every evidence file matches its recorded SHA-256 and that every certificate, "
        "authorisation letter and kept export is present in MEDIA_ROOT."
    )

    def handle(self, **options):
        problems: list[str] = []
        evidence = Evidence.objects.order_by("pk").values_list("pk", "claim__reference", "file", "sha256")
        hashed = 0
        for pk, reference, name, recorded in evidence.iterator(chunk_size=2000):
            hashed += 1
            digest = _sha256(name)
            if digest is None:
                problems.append(f"evidence #{pk} of claim {reference}: {name} is missing")
            elif digest != recorded:
                problems.append(
                    f"evidence #{pk} of claim {reference}: {name} has SHA-256 {digest}, recorded {recorded}"
                )
        others = [
            (
                "certificate of IP right",
                IPRight.objects.exclude(certificate="").values_list("pk", "certificate"),
            ),
            (
                "authorisation letter of membership",
                BrandMembership.objects.exclude(authorisation_letter="").values_list(
                    "pk", "authorisation_letter"
                ),
            ),
            # Exports past their keeping time are the hourly purge's to delete: a backup may miss them.
            (
                "export",
                Export.objects.exclude(file="")
                .exclude(expires_at__lt=timezone.now())
                .values_list("pk", "file"),
            ),
        ]
        present = 0
        for label, rows in others:
            for pk, name in rows.iterator(chunk_size=2000):
                if default_storage.exists(name):
                    present += 1
                else:
                    problems.append(f"{label} #{pk}: {name} is missing")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            total = hashed + present + sum(1 for p in problems if not p.startswith("evidence"))
            raise CommandError(f"{len(problems)} of {total} files are missing or changed.")
        self.stdout.write(
            f"Media intact: {hashed} evidence files match their SHA-256; {present} certificates, letters and "
            "exports present."
        )
