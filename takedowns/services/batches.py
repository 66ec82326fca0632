"""Bulk filing: one set of claim fields, thousands of listing URLs, progress as it goes."""

from __future__ import annotations

import csv
import io
import zipfile

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand, IPRight
from core.dispatch import task_send_on_commit
from core.errors import Conflict, DomainError, Forbidden, Invalid
from core.roles import Actor, actor_for
from core.uploads import upload_check
from merchants.models import Listing
from takedowns.models import ClaimBatch, ClaimState, InfringementType
from takedowns.services.filing import claim_create, evidence_add
from takedowns.services.transitions import claim_transition

MAX_BATCH_ROWS = getattr(settings, "MAX_BATCH_ROWS", 10_000)
INLINE_ROWS = 100  # up to this many rows are created in the request (201); more go to a worker (202)


# An XLSX is a zip: refuse one that would unpack far beyond its size (a "zip bomb") before opening it.
XLSX_MAX_UNPACKED_BYTES = 64 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 1000


def _row(listing_url, infringement_type="", description="") -> dict:
    return {
        "listing_url": str(listing_url or "").strip(),
        "infringement_type": str(infringement_type or "").strip(),
        "description": str(description or "").strip(),
    }


def _too_many_rows() -> Invalid:
    return Invalid(
        _("A batch holds at most %(max)s listings.") % {"max": MAX_BATCH_ROWS}, code="too_many_rows"
    )


def batch_rows_from_file(upload) -> list[dict]:
    """The rows of a bulk-filing file, CSV or XLSX, read as a stream: reading stops at the first row past
    the limit, so a huge file is refused without being held in memory."""
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head == b"PK\x03\x04":
        return _rows_from_xlsx(upload)
    return _rows_from_csv(upload)


def _rows_from_csv(upload) -> list[dict]:
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    rows: list[dict] = []
    try:
        columns = [c.strip().lower() for c in (reader.fieldnames or [])]
        if "listing_url" not in columns:
            raise Invalid(_("The CSV file needs a listing_url column."), code="csv_columns")
        reader.fieldnames = columns
        for record in reader:
            if len(rows) == MAX_BATCH_ROWS:
                raise _too_many_rows()
            rows.append(
                _row(record.get("listing_url"), record.get("infringement_type"), record.get("description"))
            )
    except UnicodeDecodeError as exc:
        raise Invalid(_("The CSV file must be UTF-8 text."), code="file_encoding") from exc
    except csv.Error as exc:  # an unbalanced quote or a field over csv's size limit
        raise Invalid(
            _("The CSV file cannot be read at line %(line)s: %(error)s.")
            % {"line": reader.line_num, "error": exc},
            code="file_format",
        ) from exc
    finally:
        text.detach()  # leave the upload open for its owner
    return rows


def _rows_from_xlsx(upload) -> list[dict]:
    from openpyxl import load_workbook  # only bulk files in XLSX need it

    refused = Invalid(_("The XLSX file cannot be read."), code="file_format")
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
            if (
                len(members) > XLSX_MAX_MEMBERS
                or unpacked > XLSX_MAX_UNPACKED_BYTES
                or unpacked / packed > XLSX_MAX_RATIO
            ):
                raise Invalid(
                    _("The XLSX file unpacks to far more than it holds; it is refused."), code="file_format"
                )
        upload.seek(0)
        sheet = load_workbook(upload, read_only=True, data_only=True).active
        lines = sheet.iter_rows(values_only=True)
        columns = [str(c or "").strip().lower() for c in next(lines, ())]
        if "listing_url" not in columns:
            raise Invalid(_("The XLSX file needs a listing_url column."), code="csv_columns")
        rows: list[dict] = []
        for values in lines:
            record = dict(zip(columns, values, strict=False))
            if not any(values):
                continue
            if len(rows) == MAX_BATCH_ROWS:
                raise _too_many_rows()
            rows.append(
                _row(record.get("listing_url"), record.get("infringement_type"), record.get("description"))
            )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise refused from exc
    return rows


def batch_create(
    *, actor: Actor, brand: Brand, ip_right: IPRight, fields: dict, rows: list[dict]
) -> ClaimBatch:
    if brand.pk not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may file claims."))
    if ip_right.brand_id != brand.pk:
        raise Invalid(_("The IP right does not belong to this brand."), code="ip_right_brand")
    if not rows:
        raise Invalid(_("Give at least one listing URL."), code="rows_required")
    if len(rows) > MAX_BATCH_ROWS:
        raise _too_many_rows()
    if fields.get("infringement_type") not in InfringementType.values:
        raise Invalid(
            _("Unknown infringement type; use one of %(types)s.")
            % {"types": ", ".join(InfringementType.values)}
        )
    batch = ClaimBatch.objects.create(
        brand=brand, ip_right=ip_right, created_by=actor.user, fields=fields, rows=rows, total=len(rows)
    )
    if len(rows) <= INLINE_ROWS:
        batch_process(batch_id=batch.pk)
        batch.refresh_from_db()
    else:
        # A broker outage leaves the batch pending; the claims sweep queues it again.
        task_send_on_commit("takedowns.tasks.process_batch", batch.pk)
    return batch


CHUNK = 200


def batch_process(*, batch_id: int) -> None:
    """Create the batch's draft claims, resuming where a killed worker stopped: `done` and the claims of a
    chunk commit together, so each row is created once."""
    batch = ClaimBatch.objects.select_related("brand", "ip_right", "created_by").get(pk=batch_id)
    if batch.status == ClaimBatch.Status.DONE:
        return
    ClaimBatch.objects.filter(pk=batch_id).update(status=ClaimBatch.Status.RUNNING, updated_at=timezone.now())
    actor = actor_for(batch.created_by)
    fields = batch.fields
    while True:
        with transaction.atomic():
            batch = (
                ClaimBatch.objects.select_for_update().select_related("brand", "ip_right").get(pk=batch_id)
            )
            start = batch.done
            chunk = batch.rows[start : start + CHUNK]
            if not chunk:
                break
            urls = {row["listing_url"] for row in chunk}
            listings = {
                item.url: item for item in Listing.objects.filter(url__in=urls).select_related("merchant")
            }
            errors = list(batch.errors)
            for offset, row in enumerate(chunk):
                number = start + offset + 1
                listing = listings.get(row["listing_url"])
                kind = row.get("infringement_type") or fields["infringement_type"]
                if not row["listing_url"]:
                    errors.append({"row": number, "detail": _("The listing URL is empty.")})
                elif listing is None:
                    errors.append(
                        {
                            "row": number,
                            "detail": _("No listing with URL %(url)s is known.")
                            % {"url": row["listing_url"][:200]},
                        }
                    )
                elif kind not in InfringementType.values:
                    errors.append(
                        {
                            "row": number,
                            "detail": _("Unknown infringement type %(kind)s.") % {"kind": repr(kind)},
                        }
                    )
                else:
                    try:
                        claim_create(
                            actor=actor,
                            brand=batch.brand,
                            ip_right=batch.ip_right,
                            listing=listing,
                            infringement_type=kind,
                            description=row.get("description") or fields.get("description", ""),
                            good_faith=fields.get("good_faith", False),
                            accurate=fields.get("accurate", False),
                            signature=fields.get("signature", ""),
                            batch=batch,
                        )
                    except (
                        DomainError
                    ) as exc:  # e.g. the filer lost the right to file: the batch still finishes
                        errors.append({"row": number, "detail": str(exc.detail)})
            batch.done = start + len(chunk)
            batch.errors = errors
            batch.save(update_fields=["done", "errors", "updated_at"])
    ClaimBatch.objects.filter(pk=batch_id).update(status=ClaimBatch.Status.DONE, finished_at=timezone.now())


def stalled_batches() -> list[int]:
    """Bulk filings whose task never reached a worker (the broker was down) or whose worker died."""
    from datetime import timedelta

    from django.db.models import Q

    now = timezone.now()
    never_started = Q(status=ClaimBatch.Status.PENDING, created_at__lt=now - timedelta(minutes=1))
    # A chunk takes seconds; five quiet minutes mean the worker died. Resuming is safe: each chunk commits
    # with the batch's `done`, under the batch's row lock.
    worker_lost = Q(status=ClaimBatch.Status.RUNNING, updated_at__lt=now - timedelta(minutes=5))
    return list(ClaimBatch.objects.filter(never_started | worker_lost).values_list("pk", flat=True)[:100])


def batch_add_evidence(*, actor: Actor, batch: ClaimBatch, file, kind: str, note: str = "") -> int:
    """The same file attached to every draft of the batch (stored once per claim, so each has its copy)."""
    # Checked here, not only per claim: a batch whose rows all failed has no claims to refuse it.
    if batch.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may add evidence."))
    if batch.status != ClaimBatch.Status.DONE:
        raise Conflict(_("Wait until the batch has finished creating its claims."), code="batch_running")
    upload_check(file)  # refused once, even when the batch has no draft left to attach it to
    count = 0
    for claim in batch.claims.filter(state__in=(ClaimState.DRAFT, ClaimState.INFO_REQUESTED)).select_related(
        "listing"
    ):
        file.seek(0)
        evidence_add(actor=actor, claim=claim, file=file, kind=kind, note=note)
        count += 1
    return count


def batch_submit(*, actor: Actor, batch: ClaimBatch) -> dict:
    if batch.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may submit claims."))
    submitted, errors = 0, []
    for claim_id, reference in batch.claims.filter(state=ClaimState.DRAFT).values_list("pk", "reference"):
        try:
            claim_transition(claim_id=claim_id, name="submit", actor=actor)
            submitted += 1
        except (Invalid, Conflict, Forbidden) as exc:
            errors.append({"claim": reference, "detail": exc.detail, "errors": exc.extra.get("errors", [])})
    return {"submitted": submitted, "errors": errors}
