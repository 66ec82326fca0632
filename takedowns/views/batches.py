"""Bulk filing in the portal: the CSV preview, progress, evidence for the whole batch, submitting it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.portal import error_messages, flash_errors, require
from core.roles import actor_for
from takedowns.forms import BulkFileForm, EvidenceForm
from takedowns.models import ClaimBatch, S
from takedowns.selectors import batch_preview, batches_visible_to
from takedowns.services.batches import batch_add_evidence, batch_create, batch_rows_from_file, batch_submit
from takedowns.views.claims import usable_rights

# --- bulk filing ------------------------------------------------------------------------------------------
BULK_SESSION_KEY = "bulk_filing"


@login_required
def bulk_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    rights = usable_rights(actor)
    form = BulkFileForm(request.POST or None, request.FILES or None, rights=rights)
    preview, problems = None, []
    pending = request.session.get(BULK_SESSION_KEY)
    if request.method == "POST" and request.POST.get("confirm") and pending:
        right = get_object_or_404(rights, pk=pending["ip_right"])
        checked = batch_preview(pending["rows"], brand_id=right.brand_id)
        if any(row["genuine"] for row in checked) and not request.POST.get("file_anyway"):
            # A genuine test purchase of the brand's own from a seller: filed only once the brand confirms.
            problems = [
                _("Confirm that you file against sellers your test purchases found genuine, or start again.")
            ]
            preview = checked
        else:
            try:
                batch = batch_create(
                    actor=actor,
                    brand=right.brand,
                    ip_right=right,
                    fields=pending["fields"],
                    rows=pending["rows"],
                )
            except DomainError as exc:
                problems = error_messages(exc)
            else:
                del request.session[BULK_SESSION_KEY]
                return redirect("batch", pk=batch.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            rows = batch_rows_from_file(form.cleaned_data["csv_file"])
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            fields = {**form.claim_fields()}
            request.session[BULK_SESSION_KEY] = {
                "ip_right": form.cleaned_data["ip_right"].pk,
                "fields": fields,
                "rows": rows,
            }
            preview = batch_preview(rows, brand_id=form.cleaned_data["ip_right"].brand_id)
    elif pending and request.GET.get("step") == "preview":
        brand_id = rights.filter(pk=pending["ip_right"]).values_list("brand_id", flat=True).first()
        preview = batch_preview(pending["rows"], brand_id=brand_id)
    context = {"form": form, "problems": problems, "batches": batches_visible_to(actor)[:10]}
    if preview is not None:
        bad = [row for row in preview if row["problem"]]
        genuine = [row for row in preview if row["genuine"] and not row["problem"]]
        context.update(
            {
                "preview_genuine": genuine[:200],
                "preview_genuine_count": len(genuine),
                "preview": preview[:200],
                "preview_total": len(preview),
                "preview_bad": bad[:200],
                "preview_bad_count": len(bad),
                "preview_ok_count": len(preview) - len(bad),
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
    return {
        "batch": batch,
        "percent": percent,
        "running": batch.status in (ClaimBatch.Status.PENDING, ClaimBatch.Status.RUNNING),
        "drafts": states.get(S.DRAFT, 0),
        "states": states,
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
    messages.success(request, _("%(count)s claims submitted.") % {"count": result["submitted"]})
    for error in result["errors"][:20]:
        messages.error(request, f"{error['claim']}: " + "; ".join(error["errors"] or [error["detail"]]))
    if len(result["errors"]) > 20:
        messages.error(
            request,
            _("… and %(count)s more claims could not be submitted.") % {"count": len(result["errors"]) - 20},
        )
    return redirect("batch", pk=batch.pk)
