"""Bulk filing: the claim fields shared by every row, one row per listing, each row with its own evidence (a
ZIP named by the file's `evidence` column) or evidence for the whole batch afterwards.

`batch_rows_check` is the one check of a row: the preview, the worker, the API and Fix all run it, so the
preview counts exactly what will be filed. A row that fails is kept on the batch as message codes with
their parameters (`ROW_MESSAGES`), said in the reader's language when read, never the worker's."""

from __future__ import annotations

import csv
import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.models import Brand, IPRight
from core.dispatch import task_send_on_commit
from core.errors import Conflict, DomainError, Forbidden, Invalid
from core.roles import Actor, actor_for
from core.staged import files_purge
from core.uploads import sniff_content_type, upload_check
from merchants.models import Listing
from takedowns.models import Claim, ClaimBatch, ClaimState, InfringementType
from takedowns.services.conditions import declaration_problems, open_claims
from takedowns.services.filing import claim_create, evidence_add, evidence_kind_for
from takedowns.services.notices import notify_batch_filed
from takedowns.services.transitions import claim_transition

MAX_BATCH_ROWS = getattr(settings, "MAX_BATCH_ROWS", 10_000)
INLINE_ROWS = 100  # up to this many rows are created in the request (201); more go to a worker (202)
MAX_ROW_FILES = 10  # evidence files named in one row


# An XLSX is a zip: refuse one that would unpack far beyond its size (a "zip bomb") before opening it.
XLSX_MAX_UNPACKED_BYTES = 64 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 1000

# The evidence ZIP: each member is read only when a row names it, never extracted to disk, and cut off at
# EVIDENCE_MAX_BYTES whatever its header claims. These limits refuse the whole archive before that.
EVIDENCE_ZIP_MAX_MEMBERS = 2 * MAX_BATCH_ROWS
EVIDENCE_ZIP_MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
EVIDENCE_ZIP_MAX_RATIO = 200  # PNG and JPEG barely compress; a member that shrinks 200-fold is a bomb


# What each row problem says: the codes are stored, the words are chosen when the row is read.
ROW_MESSAGES = {
    "listing_url_empty": gettext_lazy("The listing URL is empty."),
    "listing_unknown": gettext_lazy("No listing with URL %(url)s is known to the marketplace."),
    "type_unknown": gettext_lazy("Unknown infringement type %(kind)s; use one of %(types)s."),
    "row_duplicate": gettext_lazy("The same listing is already in row %(first)s of this file."),
    "open_claim": gettext_lazy("The brand already has an open claim on this listing (%(reference)s)."),
    "in_batch": gettext_lazy("This filing already holds a claim on this listing (%(reference)s)."),
    "evidence_none": gettext_lazy("Name at least one evidence file in the evidence column."),
    "evidence_too_many": gettext_lazy("Name at most %(max)s evidence files in one row."),
    "evidence_missing": gettext_lazy("The evidence file %(name)s is not in the ZIP file."),
    "evidence_file_type": gettext_lazy(
        "The evidence file %(name)s is not an image (JPEG, PNG, GIF, WebP), a PDF or plain text, or not what "
        "its name says."
    ),
    "evidence_file_too_large": gettext_lazy("The evidence file %(name)s is larger than %(mb)s MB."),
    "evidence_file_empty": gettext_lazy("The evidence file %(name)s is empty."),
    "not_filer": gettext_lazy("Only the brand's owners and authorised agents may file claims."),
    "right_unusable": gettext_lazy(
        "The IP right %(number)s can no longer be used to file: it is not verified or it has expired."
    ),
    "brand_suspended": gettext_lazy("The brand's filing is suspended until %(date)s for misuse."),
}


def row_problem_text(problem: dict) -> str:
    """One stored problem in the active language. A refusal from another service (`refused`) keeps the words
    it was given."""
    message = ROW_MESSAGES.get(problem.get("code", ""))
    params = problem.get("params") or {}
    if message is None:
        return str(params.get("detail", ""))
    return str(message) % params


def batch_error_detail(error: dict) -> str:
    if "problems" not in error:  # stored before problems were codes: the worker's words
        return str(error.get("detail", ""))
    return " ".join(row_problem_text(problem) for problem in error["problems"])


# --- reading the file ---------------------------------------------------------------------------------------
def _row(listing_url, infringement_type="", description="", evidence="") -> dict:
    return {
        "listing_url": str(listing_url or "").strip(),
        "infringement_type": str(infringement_type or "").strip(),
        "description": str(description or "").strip(),
        "evidence": str(evidence or "").strip(),
    }


def _row_from(record: dict) -> dict:
    return _row(
        record.get("listing_url"),
        record.get("infringement_type"),
        record.get("description"),
        record.get("evidence"),
    )


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
            rows.append(_row_from(record))
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
            rows.append(_row_from(record))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise refused from exc
    return rows


# --- the evidence ZIP ---------------------------------------------------------------------------------------
def _unsafe_member_name(name: str) -> bool:
    """A name that would leave its folder if anyone ever extracted it: refused with the whole archive."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in name.split("/")


def _zip_refused(message: str) -> Invalid:
    return Invalid(message, code="evidence_zip", extra={"fields": {"evidence_zip": [message]}})


class EvidenceArchive:
    """The per-row evidence ZIP, opened for reading only. Each named member becomes an upload that goes
    through the same checks as a single claim's evidence (`core.uploads`), read at most one byte past the
    evidence size limit whatever the archive's header says."""

    def __init__(self, file):
        try:
            self.zip = zipfile.ZipFile(file)
            members = [m for m in self.zip.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _zip_refused(_("The evidence file is not a ZIP file.")) from exc
        if len(members) > EVIDENCE_ZIP_MAX_MEMBERS:
            raise _zip_refused(
                _("The ZIP file holds more than %(max)s files.") % {"max": EVIDENCE_ZIP_MAX_MEMBERS}
            )
        unpacked = 0
        for member in members:
            if _unsafe_member_name(member.filename):
                raise _zip_refused(
                    _("The ZIP file holds a path that leaves its folder (%(name)s); it is refused.")
                    % {"name": member.filename[:100]}
                )
            if member.flag_bits & 0x1:
                raise _zip_refused(_("The ZIP file is encrypted; upload it without a password."))
            unpacked += member.file_size
            if member.file_size > 1024 * 1024 and member.file_size > EVIDENCE_ZIP_MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _zip_refused(_("The ZIP file unpacks to far more than it holds; it is refused."))
        if unpacked > EVIDENCE_ZIP_MAX_UNPACKED_BYTES:
            raise _zip_refused(_("The ZIP file unpacks to far more than it holds; it is refused."))
        self.by_path = {m.filename: m for m in members}
        names: dict[str, list[zipfile.ZipInfo]] = {}
        for member in members:
            names.setdefault(posixpath.basename(member.filename), []).append(member)
        # A row may name a file by its path in the archive, or by its name alone when no other has it.
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def member(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_path.get(name) or self.by_name.get(posixpath.basename(name))

    def upload(self, name: str) -> SimpleUploadedFile:
        """The named file as an upload; Invalid with a row problem's code when it is missing or too large."""
        member = self.member(name)
        if member is None:
            raise Invalid("", code="evidence_missing")
        limit = settings.EVIDENCE_MAX_BYTES
        if member.file_size > limit:
            raise Invalid("", code="evidence_file_too_large")
        with self.zip.open(member) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise Invalid("", code="evidence_file_too_large")
        return SimpleUploadedFile(posixpath.basename(member.filename), data)

    def problem(self, name: str) -> dict | None:
        """Why the named file cannot be evidence, as a row problem, or None."""
        try:
            upload_check(self.upload(name))
        except Invalid as exc:
            return _evidence_problem(exc.code, name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return _evidence_problem("file_type", name)  # a damaged or oddly compressed member
        return None

    def close(self) -> None:
        self.zip.close()


def _evidence_problem(code: str, name: str) -> dict:
    code = code if code.startswith("evidence_") else f"evidence_{code}"
    if code not in ROW_MESSAGES:
        code = "evidence_file_type"
    params: dict[str, str | int] = {"name": name[:200]}
    if code == "evidence_file_too_large":
        params["mb"] = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
    return {"code": code, "params": params}


def row_evidence_names(row: dict) -> list[str]:
    return [name.strip() for name in (row.get("evidence") or "").split(";") if name.strip()]


def open_archive(field_file) -> EvidenceArchive | None:
    if not field_file:
        return None
    field_file.open("rb")
    return EvidenceArchive(field_file)


# --- the one check of a row ---------------------------------------------------------------------------------
@dataclass
class CheckedRow:
    row: int
    values: dict
    listing: Listing | None = None
    problems: list[dict] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.values.get("infringement_type") or ""

    def error(self) -> dict:
        return {"row": self.row, "values": self.values, "problems": self.problems}


def _problem(code: str, **params) -> dict:
    return {"code": code, "params": params}


def batch_rows_check(
    *,
    actor: Actor,
    brand: Brand,
    ip_right: IPRight,
    fields: dict,
    rows: list[dict],
    archive: EvidenceArchive | None = None,
    first_row: int = 1,
    seen: dict[str, int] | None = None,
    batch: ClaimBatch | None = None,
    now=None,
) -> list[CheckedRow]:
    """Every reason each row cannot become a claim that can be submitted, in three queries for any number of
    rows: the filer's right to file, the IP right and the brand (the conditions of `submit`, from the same
    model rules), the listing being known, the type, the listing earlier in the file (`seen`: URL → row,
    carried from chunk to chunk), an open claim of the brand on it (or, with `batch`, a draft of this
    batch), and with `archive` each named evidence file, checked as a single upload is. Rows are numbered
    from `first_row`."""
    now = now or timezone.now()
    seen = {} if seen is None else seen
    shared: list[dict] = []
    if brand.pk not in actor.filing_brand_ids:
        shared.append(_problem("not_filer"))
    if ip_right.brand_id != brand.pk or not ip_right.is_usable(timezone.localdate(now)):
        shared.append(_problem("right_unusable", number=ip_right.registration_number))
    if brand.is_suspended(now):
        shared.append(_problem("brand_suspended", date=f"{brand.suspended_until:%Y-%m-%d}"))
    urls = {row["listing_url"] for row in rows if row.get("listing_url")}
    listings = {item.url: item for item in Listing.objects.filter(url__in=urls).select_related("merchant")}
    # `submit`'s open-claim condition (`open_claims`), for all rows in one query; a draft of this very batch
    # counts too, so Fix cannot file a listing twice.
    listing_ids = [item.pk for item in listings.values()]
    holding = open_claims(brand.pk, listing_ids)
    if batch is not None:
        holding = holding | Claim.objects.filter(
            batch=batch, state=ClaimState.DRAFT, listing_id__in=listing_ids
        )
    taken = {
        listing_id: (reference, batch_id)
        for listing_id, reference, batch_id in holding.values_list("listing_id", "reference", "batch_id")
    }
    checked = []
    for number, values in enumerate(rows, start=first_row):
        values = _row_from(values)
        row = CheckedRow(row=number, values=values, problems=list(shared))
        url = values["listing_url"]
        listing = listings.get(url)
        kind = values["infringement_type"] or fields.get("infringement_type", "")
        if not url:
            row.problems.append(_problem("listing_url_empty"))
        elif listing is None:
            row.problems.append(_problem("listing_unknown", url=url[:200]))
        if kind not in InfringementType.values:
            row.problems.append(
                _problem("type_unknown", kind=repr(kind[:50]), types=", ".join(InfringementType.values))
            )
        if url and url in seen:
            row.problems.append(_problem("row_duplicate", first=seen[url]))
        elif url:
            seen[url] = number
        if listing is not None and listing.pk in taken:
            reference, batch_id = taken[listing.pk]
            in_batch = batch is not None and batch_id == batch.pk
            row.problems.append(_problem("in_batch" if in_batch else "open_claim", reference=reference))
        if archive is not None:
            names = row_evidence_names(values)
            if not names:
                row.problems.append(_problem("evidence_none"))
            elif len(names) > MAX_ROW_FILES:
                row.problems.append(_problem("evidence_too_many", max=MAX_ROW_FILES))
            else:
                row.problems.extend(p for p in map(archive.problem, names) if p)
        row.listing = listing
        checked.append(row)
    return checked


def require_archive_when_named(rows: list[dict], *, has_archive: bool) -> None:
    """Rows that name evidence files come with the ZIP that holds them."""
    if not has_archive and any(row.get("evidence") for row in rows):
        raise Invalid(
            _("The file names evidence files: upload the ZIP file that holds them."),
            code="evidence_zip_required",
        )


# --- creating the batch and its claims ----------------------------------------------------------------------
def _require_declarations(fields: dict) -> None:
    missing = declaration_problems(
        good_faith=fields.get("good_faith"),
        accurate=fields.get("accurate"),
        signature=fields.get("signature"),
    )
    if missing:
        raise Invalid(missing[0], code="conditions_unmet", extra={"errors": missing})


def batch_create(
    *,
    actor: Actor,
    brand: Brand,
    ip_right: IPRight,
    fields: dict,
    rows: list[dict],
    evidence_archive=None,
) -> ClaimBatch:
    """A batch of rows to file. `evidence_archive`, a ZIP upload or the stored name of one, holds each row's
    evidence: its claims are then submitted as they are created. Without it they stay drafts for evidence
    given to the whole batch."""
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
    if evidence_archive is not None:  # its claims are submitted as they are created
        _require_declarations(fields)
    if not ip_right.is_usable():
        raise Invalid(
            _("The IP right %(number)s cannot be used to file: it is not verified or it has expired.")
            % {"number": ip_right.registration_number},
            code="ip_right_unusable",
        )
    if brand.is_suspended():
        raise Invalid(
            _("The brand's filing is suspended until %(date)s for misuse.")
            % {"date": f"{brand.suspended_until:%Y-%m-%d}"},
            code="brand_suspended",
        )
    if evidence_archive is not None and not isinstance(evidence_archive, str):
        EvidenceArchive(evidence_archive).close()  # refused here (400), not in the worker
        evidence_archive.seek(0)
    require_archive_when_named(rows, has_archive=evidence_archive is not None)
    batch = ClaimBatch(
        brand=brand, ip_right=ip_right, created_by=actor.user, fields=fields, rows=rows, total=len(rows)
    )
    if isinstance(evidence_archive, str):
        batch.evidence_archive.name = evidence_archive
    elif evidence_archive is not None:
        batch.evidence_archive.save("evidence.zip", evidence_archive, save=False)
    batch.save()
    if len(rows) <= INLINE_ROWS:
        batch_process(batch_id=batch.pk)
        batch.refresh_from_db()
    else:
        # A broker outage leaves the batch pending; the claims sweep queues it again.
        task_send_on_commit("takedowns.tasks.process_batch", batch.pk)
    return batch


CHUNK = 200


def _file_row(*, actor: Actor, batch: ClaimBatch, checked: CheckedRow, files: list, submit: bool) -> Claim:
    """One row that passed its check: the claim, its evidence and (with evidence) its submission, as one unit
    inside a savepoint, so a refusal at any step leaves no draft behind."""
    fields = batch.fields
    assert checked.listing is not None  # a row without a known listing has a problem and is never filed
    with transaction.atomic():
        claim = claim_create(
            actor=actor,
            brand=batch.brand,
            ip_right=batch.ip_right,
            listing=checked.listing,
            infringement_type=checked.kind or fields["infringement_type"],
            description=checked.values.get("description") or fields.get("description", ""),
            good_faith=fields.get("good_faith", False),
            accurate=fields.get("accurate", False),
            signature=fields.get("signature", ""),
            batch=batch,
        )
        for upload in files:
            evidence_add(actor=actor, claim=claim, file=upload, kind=_kind_of(upload))
        if submit:
            claim = claim_transition(claim_id=claim.pk, name="submit", actor=actor)
    return claim


def _kind_of(upload) -> str:
    """A row's file has the kind its sniffed type gives it, as a file filed alone does."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return evidence_kind_for(sniff_content_type(head) or "")


def _refused(checked: CheckedRow, exc: DomainError) -> dict:
    problems = [{"code": "refused", "params": {"detail": str(item)}} for item in exc.extra.get("errors", [])]
    return {
        **checked.error(),
        "problems": problems or [{"code": "refused", "params": {"detail": str(exc.detail)}}],
    }


def batch_process(*, batch_id: int) -> None:
    """File the batch's rows, resuming where a killed worker stopped: `done`, the errors and the claims of a
    chunk commit together, so each row is filed once. With per-row evidence each claim is submitted as it is
    created, and the filer gets one digest e-mail when the batch is done."""
    batch = ClaimBatch.objects.select_related("brand", "ip_right", "created_by").get(pk=batch_id)
    if batch.status == ClaimBatch.Status.DONE:
        return
    ClaimBatch.objects.filter(pk=batch_id).update(status=ClaimBatch.Status.RUNNING, updated_at=timezone.now())
    actor = actor_for(batch.created_by)
    archive = open_archive(batch.evidence_archive)
    # Duplicates within the file: the rows before the resumed chunk count too.
    seen: dict[str, int] = {}
    for number, row in enumerate(batch.rows[: batch.done], start=1):
        seen.setdefault(row.get("listing_url", ""), number)
    try:
        while True:
            with transaction.atomic():
                batch = (
                    ClaimBatch.objects.select_for_update()
                    .select_related("brand", "ip_right")
                    .get(pk=batch_id)
                )
                start = batch.done
                chunk = batch.rows[start : start + CHUNK]
                if not chunk:
                    break
                errors = list(batch.errors)
                checked_rows = batch_rows_check(
                    actor=actor,
                    brand=batch.brand,
                    ip_right=batch.ip_right,
                    fields=batch.fields,
                    rows=chunk,
                    archive=archive,
                    first_row=start + 1,
                    seen=seen,
                )
                for checked in checked_rows:
                    if checked.problems:
                        errors.append(checked.error())
                        continue
                    try:
                        files = (
                            [archive.upload(n) for n in row_evidence_names(checked.values)] if archive else []
                        )
                        _file_row(
                            actor=actor, batch=batch, checked=checked, files=files, submit=bool(archive)
                        )
                    except DomainError as exc:  # changed since the check (a race), or a refusal it cannot see
                        errors.append(_refused(checked, exc))
                batch.done = start + len(chunk)
                batch.errors = errors
                batch.save(update_fields=["done", "errors", "updated_at"])
    finally:
        if archive is not None:
            archive.close()
    with transaction.atomic():
        finished = ClaimBatch.objects.filter(pk=batch_id).exclude(status=ClaimBatch.Status.DONE)
        if (
            finished.update(status=ClaimBatch.Status.DONE, finished_at=timezone.now())
            and batch.evidence_archive
        ):
            notify_batch_filed(ClaimBatch.objects.select_related("brand", "created_by").get(pk=batch_id))


def stalled_batches() -> list[int]:
    """Bulk filings whose task never reached a worker (the broker was down) or whose worker died."""
    from datetime import timedelta

    now = timezone.now()
    never_started = Q(status=ClaimBatch.Status.PENDING, created_at__lt=now - timedelta(minutes=1))
    # A chunk takes seconds; five quiet minutes mean the worker died. Resuming is safe: each chunk commits
    # with the batch's `done`, under the batch's row lock.
    worker_lost = Q(status=ClaimBatch.Status.RUNNING, updated_at__lt=now - timedelta(minutes=5))
    return list(ClaimBatch.objects.filter(never_started | worker_lost).values_list("pk", flat=True)[:100])


# --- after the batch: evidence for all drafts, submitting them, fixing and discarding failed rows ----------
def _require_filer(actor: Actor, batch: ClaimBatch) -> None:
    if batch.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may file claims."))


def _require_done(batch: ClaimBatch) -> None:
    if batch.status != ClaimBatch.Status.DONE:
        raise Conflict(_("Wait until the batch has finished creating its claims."), code="batch_running")


def batch_add_evidence(*, actor: Actor, batch: ClaimBatch, file, kind: str, note: str = "") -> int:
    """The same file attached to every draft of the batch (stored once per claim, so each has its copy)."""
    # Checked here, not only per claim: a batch whose rows all failed has no claims to refuse it.
    if batch.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may add evidence."))
    _require_done(batch)
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
    """Submit the batch's drafts. A draft that cannot be submitted stays a draft (its row is kept among the
    batch's errors, with the claim's reference); the filer gets one digest e-mail for the batch."""
    if batch.brand_id not in actor.filing_brand_ids:
        raise Forbidden(_("Only the brand's owners and authorised agents may submit claims."))
    submitted, errors = 0, []
    drafts = list(batch.claims.filter(state=ClaimState.DRAFT).values_list("pk", "reference", "listing__url"))
    row_of = {row.get("listing_url"): number for number, row in enumerate(batch.rows, start=1)}
    refused = []
    for claim_id, reference, url in drafts:
        try:
            claim_transition(claim_id=claim_id, name="submit", actor=actor)
            submitted += 1
        except (Invalid, Conflict, Forbidden) as exc:
            errors.append({"claim": reference, "detail": exc.detail, "errors": exc.extra.get("errors", [])})
            number = row_of.get(url, 0)
            values = batch.rows[number - 1] if number else {"listing_url": url}
            refused.append(
                {
                    **_refused(CheckedRow(row=number, values=values), exc),
                    "claim": reference,
                }
            )
    with transaction.atomic():
        locked = (
            ClaimBatch.objects.select_for_update(of=("self",))
            .select_related("brand", "created_by")
            .get(pk=batch.pk)
        )
        kept = [e for e in locked.errors if e.get("claim") not in {r["claim"] for r in refused}]
        locked.errors = sorted(kept + refused, key=lambda e: e.get("row", 0))
        locked.save(update_fields=["errors", "updated_at"])
        if submitted:
            notify_batch_filed(locked)
    return {"submitted": submitted, "errors": errors}


def _error_row(batch: ClaimBatch, row: int) -> dict:
    for error in batch.errors:
        if error.get("row") == row and not error.get("discarded"):
            return error
    raise Conflict(
        _("Row %(row)s of this filing has nothing left to fix.") % {"row": row}, code="row_settled"
    )


def batch_row_discard(*, actor: Actor, batch: ClaimBatch, row: int) -> None:
    """Set a failed row aside: it stays on the batch, marked discarded, and no longer needs attention. A row
    whose draft could not be submitted withdraws that draft."""
    _require_filer(actor, batch)
    with transaction.atomic():
        locked = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
        _require_done(locked)
        error = _error_row(locked, row)
        if error.get("claim"):
            draft = locked.claims.filter(reference=error["claim"], state=ClaimState.DRAFT).first()
            if draft is not None:
                claim_transition(claim_id=draft.pk, name="withdraw", actor=actor)
        error["discarded"] = True
        locked.save(update_fields=["errors", "updated_at"])


def batch_row_fix(*, actor: Actor, batch: ClaimBatch, row: int, values: dict, files: list) -> Claim:
    """File a failed row again with corrected values: the same check as the preview and the worker, then the
    claim joins the batch. With evidence (uploaded here, or named in the batch's ZIP) it is submitted at once;
    otherwise it waits as a draft for the batch's evidence. Invalid lists every problem left."""
    _require_filer(actor, batch)
    with transaction.atomic():
        locked = (
            ClaimBatch.objects.select_for_update(of=("self",))
            .select_related("brand", "ip_right", "created_by")
            .get(pk=batch.pk)
        )
        _require_done(locked)
        error = _error_row(locked, row)
        if error.get("claim"):
            raise Conflict(
                _("Row %(row)s has a draft claim (%(reference)s): fix it on the claim's page.")
                % {"row": row, "reference": error["claim"]},
                code="row_has_draft",
            )
        archive = None if files else open_archive(locked.evidence_archive)
        try:
            checked = batch_rows_check(
                actor=actor,
                brand=locked.brand,
                ip_right=locked.ip_right,
                fields=locked.fields,
                rows=[values],
                archive=archive,
                first_row=row,
                batch=locked,
            )[0]
            if checked.problems:
                messages = [row_problem_text(p) for p in checked.problems]
                raise Invalid(messages[0], code="row_problems", extra={"errors": messages})
            if archive is not None:
                files = [archive.upload(n) for n in row_evidence_names(checked.values)]
        finally:
            if archive is not None:
                archive.close()
        claim = _file_row(actor=actor, batch=locked, checked=checked, files=files, submit=bool(files))
        locked.errors = [e for e in locked.errors if e is not error]
        locked.save(update_fields=["errors", "updated_at"])
    return claim


def batch_needing_attention(batch: ClaimBatch) -> list[dict]:
    """The batch's failed rows not yet fixed or discarded, each with its problems said in the active
    language."""
    return [
        {
            **error,
            "messages": [row_problem_text(p) for p in error.get("problems", [])]
            or [batch_error_detail(error)],
        }
        for error in batch.errors
        if not error.get("discarded")
    ]


PREVIEW_ARCHIVES = "batches/preview/"  # a ZIP waits here between the preview and the filing


def preview_archives_purge(now=None) -> int:
    """ZIPs kept for a preview that was never filed (the brand left): removed after a day. A batch's own
    archive is kept."""
    kept = set(
        ClaimBatch.objects.filter(evidence_archive__startswith=PREVIEW_ARCHIVES).values_list(
            "evidence_archive", flat=True
        )
    )
    return files_purge(PREVIEW_ARCHIVES, now=now, keep=kept)
