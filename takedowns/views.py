"""Portal pages: thin; every write calls a service, every list a selector.

A claim of another tenant is a 404 (the selectors only return what the actor may see); a page that the
actor's role never uses is a 403.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from brands.models import Brand, IPRight

from . import batches, portal_selectors
from .charts import bar_chart, line_chart
from .errors import DomainError, NotFound
from .forms import BulkFileForm, ClaimFileForm, CounterNoticeForm, EvidenceForm, RejectForm
from .models import (
    ClaimBatch,
    ClaimState,
    CounterNotice,
    Evidence,
    InfringementType,
)
from .portal_services import api_token_regenerate, claim_decide, claim_file, claims_decide
from .roles import actor_for, merchant_link_actor
from .selectors import (
    batches_visible_to,
    brands_visible_to,
    claim_list,
    claims_visible_to,
    ip_rights_visible_to,
)
from .selectors import (
    claim_detail as claim_detail_qs,
)
from .services import (
    EVIDENCE_EDITABLE,
    available_transitions,
    claim_transition,
    counter_notice_legal_action,
    evidence_add,
    filing_problems,
    listing_find,
    merchant_link_read,
    submit_problems,
)
from .templatetags.portal import ACTION_LABELS, TRANSITION_LABELS

S = ClaimState
PAGE_SIZE = 50


# --- helpers ----------------------------------------------------------------------------------------------
def error_messages(exc: DomainError) -> list[str]:
    """Every unmet condition the service reported, or its one message; a field error that repeats one of
    them is not shown twice."""
    found = [str(message) for message in (exc.extra.get("errors") or [exc.detail])]
    for name, field_errors in (exc.extra.get("fields") or {}).items():
        found.extend(f"{name}: {error}" for error in field_errors if str(error) not in found)
    return found


def flash_errors(request, exc: DomainError) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


def page_of(request, items, per_page: int = PAGE_SIZE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def filing_brands(actor):
    return Brand.objects.filter(pk__in=actor.filing_brand_ids).order_by("name")


def usable_rights(actor):
    """Rights a filer may pick: their brands' rights, the usable ones first."""
    return ip_rights_visible_to(actor).filter(brand_id__in=actor.filing_brand_ids).order_by("brand__name", "mark")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- landing and account ----------------------------------------------------------------------------------
@login_required
def home(request):
    actor = actor_for(request.user)
    if actor.reviewer:
        return redirect("queue")
    if actor.compliance:
        return redirect("reports")
    if actor.brand_ids:
        return redirect("dashboard")
    if actor.merchant_ids:
        return redirect("claims")
    return redirect("account")


@login_required
def account(request):
    actor = actor_for(request.user)
    if request.method == "POST":
        api_token_regenerate(actor=actor)
        messages.success(request, _("A new API token was created; the old one no longer works."))
        return redirect("account")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "takedowns/account.html", {"token": token})


# --- brand dashboard --------------------------------------------------------------------------------------
@login_required
def dashboard(request):
    actor = actor_for(request.user)
    require(bool(actor.brand_ids))
    brands = list(brands_visible_to(actor).order_by("name"))
    selected = request.GET.get("brand")
    brand_ids = [b.pk for b in brands if str(b.pk) == selected] or [b.pk for b in brands]
    figures = portal_selectors.brand_dashboard(actor, brand_ids)
    chart = line_chart(
        title=_("Claims per month, last 12 months"), labels=figures.months,
        series={_("Submitted"): figures.filed_by_month, _("Taken down"): figures.taken_down_by_month},
        width=760, height=300,
    )
    rate_chart = line_chart(
        title=_("Take-down rate per month (%)"), labels=figures.months, series={_("Take-down rate"): figures.rate_by_month},
        unit="%", width=760, height=260, y_max=100,
    )
    states = [(value, label, figures.by_state.get(value, 0)) for value, label in S.choices]
    attention = claim_list(actor).filter(brand_id__in=brand_ids, state__in=(S.INFO_REQUESTED, S.COUNTER_NOTICED, S.DRAFT))[:10]
    return render(request, "takedowns/dashboard.html", {
        "brands": brands, "selected": selected, "figures": figures, "chart": chart, "rate_chart": rate_chart,
        "states": states, "attention": attention,
        "rights_expiring": ip_rights_visible_to(actor).filter(
            brand_id__in=brand_ids, status=IPRight.Status.VERIFIED,
            valid_until__lt=timezone.localdate() + timedelta(days=90)),
    })


# --- claims -----------------------------------------------------------------------------------------------
@login_required
def claims(request):
    actor = actor_for(request.user)
    require(actor.role != "none")
    filters = request.GET.dict()
    items = portal_selectors.claims_filtered(claim_list(actor), filters)
    return render(request, "takedowns/claims.html", {
        "page": page_of(request, items), "filters": filters, "states": S.choices,
        "types": InfringementType.choices, "brands": brands_visible_to(actor).order_by("name") if actor.role != "merchant" else [],
        "sort": filters.get("sort", "-created"),
    })


@login_required
def claim_new(request):
    actor = actor_for(request.user)
    require(bool(actor.filing_brand_ids))
    rights = usable_rights(actor)
    form = ClaimFileForm(request.POST or None, request.FILES or None, rights=rights,
                         initial={"listing_url": request.GET.get("listing_url", "")})
    problems = []
    if request.method == "POST" and not form.is_valid():
        problems = _filing_preflight(form)
    if request.method == "POST" and form.is_valid():
        right = form.cleaned_data["ip_right"]
        try:
            claim = claim_file(
                actor=actor, brand=right.brand, ip_right=right, listing_url=form.cleaned_data["listing_url"],
                fields=form.claim_fields(), files=form.cleaned_data["evidence"],
                evidence_kind=form.cleaned_data["evidence_kind"],
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(request, _("Claim %(ref)s was submitted. We will review it and tell you the decision.")
                             % {"ref": claim.reference})
            return redirect("claim", pk=claim.pk)
    return render(request, "takedowns/claim_new.html", {"form": form, "problems": problems,
                                                          "has_rights": rights.exists()})


def _filing_preflight(form) -> list[str]:
    """With field errors on the form, still say what the right, the brand and the listing would refuse,
    so the brand sees every unmet condition at once."""
    right, url = form.cleaned_data.get("ip_right"), form.cleaned_data.get("listing_url")
    if right is None or not url:
        return []
    try:
        listing = listing_find(listing_url=url)
    except DomainError as exc:
        return error_messages(exc)
    return filing_problems(brand=right.brand, ip_right=right, listing=listing)


def _claim_for(actor, pk):
    claim = claim_detail_qs(actor).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


@login_required
def claim_detail(request, pk):
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    transitions = available_transitions(claim, actor)
    context = {
        "claim": claim, "transitions": transitions, "events": claim.events.all(),
        "evidence": claim.evidence.all() if actor.role != "merchant" else [],
        "counter_notices": claim.counter_notices.all(),
        "pending_counter": next((c for c in claim.counter_notices.all() if c.outcome == CounterNotice.Outcome.PENDING), None),
        "can_add_evidence": claim.brand_id in actor.filing_brand_ids and claim.state in EVIDENCE_EDITABLE,
        "problems": submit_problems(claim) if "submit" in transitions else [],
        "evidence_form": EvidenceForm(),
        "reject_form": RejectForm(),
        "window_ends": claim.taken_down_at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS) if claim.taken_down_at else None,
    }
    if actor.reviewer:
        previous_id, next_id = portal_selectors.queue_neighbours(actor, claim)
        context.update({
            "previous_id": previous_id, "next_id": next_id,
            "accuracy": portal_selectors.brand_accuracy(claim.brand_id),
            "history": portal_selectors.merchant_history(claim.listing.merchant),
            "decisions": [t for t in ("approve", "reject", "request_info") if t in transitions]
            or (["approve", "reject", "request_info"] if "start_review" in transitions else []),
        })
        return render(request, "takedowns/review.html", context)
    if actor.role == "merchant" or (claim.listing.merchant_id in actor.merchant_ids):
        context["counter_form"] = CounterNoticeForm()
        return render(request, "takedowns/merchant_claim.html", {**context, "logged_in": True})
    return render(request, "takedowns/claim_detail.html", context)


BRAND_ACTIONS = ("submit", "withdraw", "retract", "provide_info")
REVIEWER_ACTIONS = ("start_review", "uphold", "reinstate")


@login_required
@require_POST
def claim_action(request, pk, name):
    """One transition from a claim page; the service decides who may take it (403), from where (409), and
    what must hold (400). Every message it gives is shown."""
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    note, reason = request.POST.get("note", ""), request.POST.get("reason", "")
    try:
        if name in ("approve", "reject", "request_info"):
            claim_decide(actor=actor, claim_id=claim.pk, name=name, note=note, reason=reason)
        elif name == "provide_info":
            for upload in request.FILES.getlist("evidence"):
                evidence_add(actor=actor, claim=claim, file=upload, kind=request.POST.get("kind", Evidence.Kind.IMAGE))
            claim_transition(claim_id=claim.pk, name=name, actor=actor, note=note)
        elif name == "counter_notice":
            form = CounterNoticeForm(request.POST)
            form.is_valid()
            data = form.cleaned_data
            claim_transition(claim_id=claim.pk, name=name, actor=actor, note=data.get("statement", ""),
                             reason=data.get("reason", ""),
                             data={"good_faith": data.get("good_faith", False), "signature": data.get("signature", "")})
        elif name == "legal_action":
            counter_notice_legal_action(actor=actor, claim=claim, note=note)
        elif name in BRAND_ACTIONS + REVIEWER_ACTIONS:
            claim_transition(claim_id=claim.pk, name=name, actor=actor, note=note, reason=reason)
        else:
            raise Http404
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404 from exc
        flash_errors(request, exc)
        return redirect("claim", pk=claim.pk)
    claim.refresh_from_db()
    messages.success(request, _("%(ref)s is now %(state)s.") % {"ref": claim.reference, "state": claim.get_state_display()})
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    if actor.reviewer and request.POST.get("next") == "queue":
        following = request.POST.get("next_id")
        return redirect("claim", pk=following) if following else redirect("queue")
    return redirect("claim", pk=claim.pk)


@login_required
@require_POST
def claim_evidence(request, pk):
    actor = actor_for(request.user)
    claim = _claim_for(actor, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("claim", pk=claim.pk)
    try:
        for upload in form.cleaned_data["evidence"]:
            evidence_add(actor=actor, claim=claim, file=upload, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"])
    except DomainError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Evidence added."))
    return redirect("claim", pk=claim.pk)


@login_required
def evidence_file(request, pk):
    """Evidence is served only to those who may see the claim, never from a public media URL; merchants
    see the decision, not the brand's files."""
    actor = actor_for(request.user)
    require(actor.role != "merchant")
    item = get_object_or_404(Evidence.objects.filter(claim__in=claims_visible_to(actor)), pk=pk)
    inline = item.content_type.startswith("image/") or item.content_type == "application/pdf"
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=not inline,
                            filename=item.original_name or None)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


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
        try:
            batch = batches.batch_create(actor=actor, brand=right.brand, ip_right=right, fields=pending["fields"],
                                         rows=pending["rows"])
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            del request.session[BULK_SESSION_KEY]
            return redirect("batch", pk=batch.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            rows = batches.batch_rows_from_csv(form.cleaned_data["csv_file"].read())
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            fields = {**form.claim_fields()}
            request.session[BULK_SESSION_KEY] = {"ip_right": form.cleaned_data["ip_right"].pk, "fields": fields, "rows": rows}
            preview = portal_selectors.batch_preview(rows)
    elif pending and request.GET.get("step") == "preview":
        preview = portal_selectors.batch_preview(pending["rows"])
    context = {"form": form, "problems": problems, "batches": batches_visible_to(actor)[:10]}
    if preview is not None:
        bad = [row for row in preview if row["problem"]]
        context.update({"preview": preview[:200], "preview_total": len(preview), "preview_bad": bad[:200],
                        "preview_bad_count": len(bad), "preview_ok_count": len(preview) - len(bad)})
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
    return {"batch": batch, "percent": percent, "running": batch.status in (ClaimBatch.Status.PENDING, ClaimBatch.Status.RUNNING),
            "drafts": states.get(S.DRAFT, 0), "states": states, "evidence_form": EvidenceForm()}


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
                count = batches.batch_add_evidence(actor=actor, batch=batch, file=upload, kind=form.cleaned_data["kind"],
                                                   note=form.cleaned_data["note"])
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Evidence attached to %(count)s claims.") % {"count": count})
    else:
        messages.error(request, _("Choose at least one file."))
    return redirect("batch", pk=batch.pk)


@login_required
@require_POST
def batch_submit(request, pk):
    actor = actor_for(request.user)
    batch = _batch_for(actor, pk)
    try:
        result = batches.batch_submit(actor=actor, batch=batch)
    except DomainError as exc:
        flash_errors(request, exc)
        return redirect("batch", pk=batch.pk)
    messages.success(request, _("%(count)s claims submitted.") % {"count": result["submitted"]})
    for error in result["errors"][:20]:
        messages.error(request, f"{error['claim']}: " + "; ".join(error["errors"] or [error["detail"]]))
    if len(result["errors"]) > 20:
        messages.error(request, _("… and %(count)s more claims could not be submitted.") % {"count": len(result["errors"]) - 20})
    return redirect("batch", pk=batch.pk)


# --- reviewer ---------------------------------------------------------------------------------------------
QUEUE_FILTERS = ("state", "brand", "merchant", "infringement_type", "overdue", "good_faith", "mine", "q")


@login_required
def queue(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    filters = {key: request.GET.get(key, "") for key in QUEUE_FILTERS}
    items = portal_selectors.reviewer_queue(actor, filters)
    return render(request, "takedowns/queue.html", {
        "page": page_of(request, items), "filters": filters, "counts": portal_selectors.queue_counts(actor),
        "brands": Brand.objects.order_by("name"), "types": InfringementType.choices, "now": timezone.now(),
        "reject_form": RejectForm(), "active_filters": any(filters.values()),
    })


@login_required
@require_POST
def queue_bulk(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    ids = [int(i) for i in request.POST.getlist("claim") if i.isdigit()]
    name = request.POST.get("decision", "")
    if not ids:
        messages.error(request, _("Select at least one claim."))
    else:
        visible = list(claims_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        try:
            result = claims_decide(actor=actor, claim_ids=visible, name=name, note=request.POST.get("note", ""),
                                   reason=request.POST.get("reason", ""))
        except DomainError as exc:
            flash_errors(request, exc)
        else:
            if result["done"]:
                messages.success(request, _("%(count)s claims decided.") % {"count": len(result["done"])})
            for error in result["errors"]:
                messages.error(request, f"{error['claim']}: {error['detail']}")
    back = request.POST.get("back", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else reverse("queue"))


@login_required
def counter_notices(request):
    actor = actor_for(request.user)
    require(actor.reviewer)
    return render(request, "takedowns/counter_notices.html", {
        "page": page_of(request, portal_selectors.counter_notice_queue()), "now": timezone.now(),
    })


# --- compliance -------------------------------------------------------------------------------------------
EXPORT_FORMATS = (
    ("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF"), ("dsa-sor", gettext_lazy("DSA statements of reasons")),
    ("transparency", gettext_lazy("DSA transparency report")), ("lumen", "Lumen"), ("audit", gettext_lazy("audit trail")),
)


def _date(value):
    """A date from the query string; a malformed or impossible one (2026-13-45) is ignored."""
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


@login_required
def reports(request):
    """Figures from the reporting backend (`takedowns.reports`, the same numbers as the API and the exports);
    only the distribution of decision times is counted here."""
    actor = actor_for(request.user)
    require(actor.compliance or actor.reviewer)
    from . import reports as report_backend

    filters = {key: request.GET.get(key, "") for key in ("from", "to", "brand", "group_by")}
    filters["group_by"] = filters["group_by"] if filters["group_by"] in report_backend.GROUPINGS else "month"
    problems = []
    try:
        chosen = report_backend.report_filters(actor=actor, params={k: v for k, v in filters.items() if v})
    except DomainError as exc:
        problems = error_messages(exc)
        chosen = report_backend.report_filters(actor=actor, params={})
    monthly = report_backend.report_summary(actor=actor, filters=chosen, group_by="month")
    grouped = monthly if chosen.group_by == "month" else report_backend.report_summary(actor=actor, filters=chosen)
    months = [row["group"] for row in monthly.rows][-24:]
    recent = monthly.rows[-24:]
    claims_qs = report_backend.report_claims(actor, chosen).filter(chosen.period_q("submitted_at"))
    distribution = portal_selectors.time_to_decision_distribution(claims_qs)
    infringers = report_backend.top_repeat_infringers(actor=actor, filters=chosen, limit=10)
    charts = {
        "rate": line_chart(title=_("Take-down rate per month (%)"), labels=months,
                           series={_("Take-down rate"): [None if r["takedown_rate"] is None else 100 * r["takedown_rate"]
                                                         for r in recent]},
                           unit="%", y_max=100, width=760, height=280),
        "volume": bar_chart(title=_("Claims filed and taken down per month"), labels=months,
                            series={_("Filed"): [r["claims_filed"] for r in recent],
                                    _("Taken down"): [r["claims_taken_down"] for r in recent]}, width=760, height=280),
        "distribution": bar_chart(title=_("Time from submission to decision"), labels=[label for label, _n in distribution],
                                  series={_("Decisions"): [n for _label, n in distribution]}, width=560, height=260),
        "infringers": bar_chart(title=_("Top repeat infringers (listings taken down)"),
                                labels=[row["merchant"] for row in infringers],
                                series={_("Takedowns"): [row["takedowns"] for row in infringers]}, horizontal=True,
                                width=560, height=320),
    }
    query = urlencode({k: v for k, v in filters.items() if v and k != "group_by"})
    exports = [(label, f"/api/v1/reports/export/?format={fmt}" + (f"&{query}" if query else "")) for fmt, label in EXPORT_FORMATS]
    return render(request, "takedowns/reports.html", {
        "filters": filters, "totals": monthly.totals, "rows": grouped.rows, "charts": charts, "infringers": infringers,
        "exports": exports, "distribution": distribution, "brands": Brand.objects.order_by("name"),
        "groupings": report_backend.GROUPINGS, "problems": problems,
        "summary_url": "/api/v1/reports/summary/?" + urlencode({k: v for k, v in filters.items() if v}),
    })


@login_required
def audit_trail(request):
    actor = actor_for(request.user)
    require(actor.compliance or actor.reviewer)
    filters = {key: request.GET.get(key, "") for key in ("q", "kind", "from", "to")}
    until = _date(filters["to"])
    term = filters["q"].strip().casefold()
    labelled = [code for code, label in {**TRANSITION_LABELS, **ACTION_LABELS}.items() if term and term in str(label).casefold()]
    rows = portal_selectors.audit_trail(q=filters["q"], kind=filters["kind"], since=_date(filters["from"]),
                                        until=until + timedelta(days=1) if until else None, actions=labelled)
    return render(request, "takedowns/audit.html", {"page": page_of(request, rows), "filters": filters})


# --- the merchant's signed link -----------------------------------------------------------------------------
def merchant_claim(request, token):
    try:
        claim_id, merchant_id = merchant_link_read(token)
    except DomainError as exc:
        return render(request, "takedowns/merchant_link_invalid.html", {"message": exc.detail}, status=404)
    claim = get_object_or_404(
        claim_detail_qs(merchant_link_actor(merchant_id)), pk=claim_id, listing__merchant_id=merchant_id,
    )
    form = CounterNoticeForm(request.POST or None)
    problems = []
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        try:
            claim_transition(
                claim_id=claim.pk, name="counter_notice", actor=merchant_link_actor(merchant_id),
                note=data.get("statement", ""), reason=data.get("reason", ""),
                data={"good_faith": data.get("good_faith", False), "signature": data.get("signature", "")},
            )
        except DomainError as exc:
            problems = error_messages(exc)
        else:
            messages.success(request, _("Your counter-notice was filed. The rights holder has been sent a copy."))
            return redirect("merchant-claim", token=token)
    return render(request, "takedowns/merchant_claim.html", {
        "claim": claim, "counter_form": form, "problems": problems, "token": token,
        "counter_notices": claim.counter_notices.all(),
        "pending_counter": next((c for c in claim.counter_notices.all() if c.outcome == CounterNotice.Outcome.PENDING), None),
        "window_ends": claim.taken_down_at + timedelta(days=settings.COUNTER_NOTICE_WINDOW_DAYS) if claim.taken_down_at else None,
        "transitions": ["counter_notice"] if claim.state == S.TAKEN_DOWN else [],
    })


# --- errors -----------------------------------------------------------------------------------------------
def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal error; it has been logged.", "code": "server_error"}, status=500)
    return HttpResponse("Something went wrong on our side; it has been logged.", status=500, content_type="text/plain")

