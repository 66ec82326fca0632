"""Bulk filing in the portal: the preview of every row, progress, the rows that need attention (Fix and
Discard), evidence for the whole batch, submitting it."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError, Invalid
from core.portal import error_messages, flash_errors, require
from core.roles import actor_for
from takedowns.forms import BulkFileForm, EvidenceForm, MultipleFileField
from takedowns.models import ClaimBatch, ClaimState, InfringementType, S
from takedowns.selectors import batch_preview, batches_visible_to
from takedowns.services.batches import (
    PREVIEW_ARCHIVES,
    EvidenceArchive,
    batch_add_evidence,
    batch_create,
    batch_needing_attention,
    batch_row_discard,
    batch_row_fix,
    batch_rows_check,
    batch_rows_from_file,
    batch_submit,
    require_archive_when_named,
    row_problem_text,
)
from takedowns.views.claims import usable_rights

# --- bulk filing ------------------------------------------------------------------------------------------
BULK_SESSION_KEY = "bulk_filing"


class BulkUploadForm(BulkFileForm):
    evidence_zip = forms.FileField(
        label=gettext_lazy("ZIP file of evidence (optional)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_zip"].help_text = _(
            "Each row names its files in an evidence column (several separated by ;). Images, PDF and plain "
            "text, up to %(file_mb)s MB each; the ZIP up to %(zip_mb)s MB."
        ) % {
            "file_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            "zip_mb": settings.EVIDENCE_ARCHIVE_MAX_BYTES // (1024 * 1024),
        }


class BatchRowForm(forms.Form):
    """A failed row, corrected: the same columns as the file, and evidence files for this row alone."""

    listing_url = forms.CharField(label=gettext_lazy("Listing URL"), max_length=500)
    infringement_type = forms.ChoiceField(
        label=gettext_lazy("Infringement type"),
        choices=[("", gettext_lazy("As for the whole filing")), *InfringementType.choices],
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence for this row"),
        required=False,
        help_text=gettext_lazy("Leave empty to use the files the row names in the filing's ZIP file."),
    )


def _checked_preview(actor, right, pending: dict) -> list[dict]:
    """The preview's rows: `batch_rows_check` (what the worker will check again) with the listing's title and
    the genuine-test-purchase mark of `batch_preview`."""
    stored = default_storage.open(pending["archive"], "rb") if pending.get("archive") else None
    try:
        checked = batch_rows_check(
            actor=actor,
            brand=right.brand,
            ip_right=right,
            fields=pending["fields"],
            rows=pending["rows"],
            archive=EvidenceArchive(stored) if stored is not None else None,
        )
    finally:
        if stored is not None:
            stored.close()
    marks = batch_preview(pending["rows"], brand_id=right.brand_id)
    return [
        {
            **mark,
            "problems": [row_problem_text(p) for p in row.problems],
            "infringement_type": row.kind or pending["fields"]["infringement_type"],
            "evidence": row.values["evidence"],
        }
        for row, mark in zip(checked, marks, strict=True)
    ]


def _keep_archive(upload) -> str:
    """Check the ZIP as a whole (bombs, paths out of the folder) and keep it until the brand confirms."""
    EvidenceArchive(upload).close()
    upload.seek(0)
    return default_storage.save(f"{PREVIEW_ARCHIVES}{uuid.uuid4().hex}.zip", upload)


def _forget(request) -> None:
    pending = request.session.pop(BULK_SESSION_KEY, None)
    if pending and pending.get("archive") and pending["archive"].startswith(PREVIEW_ARCHIVES):
        default_storage.delete(pending["archive"])


@login_required
def bulk_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    rights = usable_rights(actor)
    form = BulkUploadForm(request.POST or None, request.FILES or None, rights=rights)
    preview, problems, right = None, [], None
    pending = request.session.get(BULK_SESSION_KEY)
    if request.method == "POST" and request.POST.get("confirm") and pending:
        right = get_object_or_404(rights, pk=pending["ip_right"])
        preview = _checked_preview(actor, right, pending)
        if any(row["genuine"] and not row["problems"] for row in preview) and not request.POST.get(
            "file_anyway"
        ):
            # A genuine test purchase of the brand's own from a seller: filed only once the brand confirms.
            problems = [
                _("Confirm that you file against sellers your test purchases found genuine, or start again.")
            ]
        else:
            try:
                batch = batch_create(
                    actor=actor,
                    brand=right.brand,
                    ip_right=right,
                    fields=pending["fields"],
                    rows=pending["rows"],
                    evidence_archive=pending.get("archive") or None,
                )
            except DomainError as exc:
                problems = error_messages(exc)
            else:
                del request.session[BULK_SESSION_KEY]  # the archive now belongs to the batch
                return redirect("batch", pk=batch.pk)
    elif request.method == "POST" and request.POST.get("restart"):
        _forget(request)
        return redirect("bulk-new")
    elif request.method == "POST" and form.is_valid():
        _forget(request)
        right = form.cleaned_data["ip_right"]
        try:
            rows = batch_rows_from_file(form.cleaned_data["csv_file"])
            if not rows:
                raise Invalid(_("Give at least one listing URL."), code="rows_required")
            upload = form.cleaned_data.get("evidence_zip")
            require_archive_when_named(rows, has_archive=upload is not None)
            archive = _keep_archive(upload) if upload is not None else ""
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            request.session[BULK_SESSION_KEY] = pending = {
                "ip_right": right.pk,
                "fields": form.claim_fields(),
                "rows": rows,
                "archive": archive,
            }
            preview = _checked_preview(actor, right, pending)
    elif pending and request.GET.get("step") == "preview":
        right = rights.filter(pk=pending["ip_right"]).first()
        preview = _checked_preview(actor, right, pending) if right is not None else None
    context = {"form": form, "problems": problems, "batches": batches_visible_to(actor)[:10]}
    if preview is not None:
        bad = [row for row in preview if row["problems"]]
        genuine = [row for row in preview if row["genuine"] and not row["problems"]]
        context.update(
            {
                "preview_genuine": genuine[:200],
                "preview_genuine_count": len(genuine),
                "preview": preview[:200],
                "preview_total": len(preview),
                "preview_bad": bad[:500],
                "preview_bad_count": len(bad),
                "preview_ok_count": len(preview) - len(bad),
                "per_row_evidence": bool(pending and pending.get("archive")),
            }
        )
    return render(request, "takedowns/bulk_new.html", context)


def _batch_for(actor, pk) -> ClaimBatch:
    return get_object_or_404(batches_visible_to(actor), pk=pk)


@login_required
def batch_detail(request, pk):
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    return render(request, "takedowns/batch.html", _batch_context(batch))


def _batch_context(batch: ClaimBatch) -> dict:
    states = dict(batch.claims.values("state").annotate(n=Count("pk")).values_list("state", "n"))
    percent = int(100 * batch.done / batch.total) if batch.total else 100
    attention = batch_needing_attention(batch)
    return {
        "batch": batch,
        "percent": percent,
        "running": batch.status in (ClaimBatch.Status.PENDING, ClaimBatch.Status.RUNNING),
        "drafts": states.get(S.DRAFT, 0),
        "filed": sum(n for state, n in states.items() if state not in (S.DRAFT, S.WITHDRAWN)),
        "states": [(ClaimState(state).label, state, n) for state, n in sorted(states.items())],
        "attention": attention[:500],
        "attention_count": len(attention),
        "discarded_count": sum(1 for error in batch.errors if error.get("discarded")),
        "per_row_evidence": bool(batch.evidence_archive),
        "evidence_form": EvidenceForm(),
    }


@login_required
def batch_progress(request, pk):
    """The progress bar alone, polled by htmx every second while the batch runs."""
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    response = render(request, "takedowns/_batch_progress.html", _batch_context(batch))
    if batch.status == ClaimBatch.Status.DONE and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the finished page: errors, evidence and submit buttons
    return response


@login_required
@require_POST
def batch_evidence(request, pk):
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = 0
            for upload in form.cleaned_data["evidence"]:
                count = batch_add_evidence(
                    actor=actor,
                    batch=batch,
                    file=upload,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Evidence attached to %(count)s claims.") % {"count": count})
    else:
        messages.error(request, _("Choose at least one file."))
    return redirect("batch", pk=batch.pk)


@login_required
@require_POST
def batch_submit_page(request, pk):
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    try:
        result = batch_submit(actor=actor, batch=batch)
    except DomainError as exc:
        flash_errors(request, exc)
        return redirect("batch", pk=batch.pk)
    submitted, refused = result["submitted"], len(result["errors"])
    summary = _("%(filed)s claims submitted; %(refused)s need attention (listed below).") % {
        "filed": submitted,
        "refused": refused,
    }
    # Never a green success when nothing, or not everything, was filed: the rows stay listed on the page.
    if submitted and not refused:
        messages.success(request, summary)
    else:
        messages.warning(request, summary)
    return redirect("batch", pk=batch.pk)


def _failed_row(batch: ClaimBatch, row: int) -> dict:
    for error in batch_needing_attention(batch):
        if error.get("row") == row:
            return error
    raise Http404


@login_required
def batch_row_fix_page(request, pk, row):
    """A failed row, pre-filled, checked again as the worker checks it, and filed into the batch."""
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    require(batch.brand_id in actor.filing_brand_ids)
    error = _failed_row(batch, row)
    if error.get("claim"):
        return redirect("claim", pk=batch.claims.get(reference=error["claim"]).pk)
    values = error.get("values") or {}
    form = BatchRowForm(request.POST or None, request.FILES or None, initial=values)
    problems = error["messages"]
    if request.method == "POST" and form.is_valid():
        corrected = {
            **values,
            **{k: form.cleaned_data[k] for k in ("listing_url", "infringement_type", "description")},
        }
        try:
            claim = batch_row_fix(
                actor=actor, batch=batch, row=row, values=corrected, files=form.cleaned_data["evidence"]
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            if claim.state == S.DRAFT:
                done = _("Row %(row)s is now the draft claim %(reference)s.")
            else:
                done = _("Row %(row)s is filed as claim %(reference)s.")
            messages.success(request, done % {"row": row, "reference": claim.reference})
            return redirect("batch", pk=batch.pk)
    return render(
        request,
        "takedowns/batch_fix.html",
        {
            "batch": batch,
            "row": row,
            "form": form,
            "problems": problems,
            "evidence_names": values.get("evidence", ""),
        },
    )


@login_required
@require_POST
def batch_row_discard_page(request, pk, row):
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    require(batch.brand_id in actor.filing_brand_ids)
    try:
        batch_row_discard(actor=actor, batch=batch, row=row)
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        messages.info(request, _("Row %(row)s was discarded; it is not filed.") % {"row": row})
    return redirect("batch", pk=batch.pk)
