"""The DSA transparency report for a period (Art. 15(1)(b) and (d), Art. 24(1)(b); the templates of
Implementing Regulation (EU) 2024/2835): notices, actions, complaints, suspensions. Every figure is an SQL
aggregate and comes with its definition, which the JSON export and the PDF both print."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Actor
from reports.metrics import HoursBetween, ReportFilters, _hours, _medians, report_claims
from reports.metrics import restricted as selection_restricted
from takedowns.models import REJECTED, Appeal, CounterNotice, CounterReason, InfringementType

DEFINITIONS = {
    "notices.received": "Notices (claims) submitted under Art. 16 DSA in the period.",
    "notices.by_type": "Notices received, by the type of alleged illegal content (infringement type).",
    "notices.from_trusted_flaggers": "Notices received from brands designated as trusted flaggers (Art. 22 DSA).",
    "notices.processed_by_automated_means": "Notices decided in the period without a human reviewer "
    "(fast-track approval for brands in the good-faith programme).",
    "notices.decided": "Notices decided in the period (approved, fast-tracked or rejected).",
    "notices.rejected": "Notices decided in the period and rejected: no action taken.",
    "notices.withdrawn": "Notices withdrawn by the notifier in the period.",
    "actions.on_legal_grounds": "Listings removed in the period because they were found illegal "
    "(intellectual property infringement) after a notice.",
    "actions.on_legal_grounds_by_type": "Those removals, by type of infringement.",
    "actions.on_terms_and_conditions_grounds": "Seller accounts suspended in the period under the repeat "
    "infringer policy of the terms and conditions.",
    "actions.automated": "Removals in the period that followed an automated (fast-track) decision.",
    "actions.median_hours_to_action": "Median hours from a notice's submission to the listing's removal, over "
    "the removals in the period.",
    "complaints.received": "Counter-notices (complaints against a removal, Art. 20 DSA) filed in the period.",
    "complaints.by_basis": "Complaints received, by the basis the seller gave.",
    "complaints.decided": "Complaints decided in the period.",
    "complaints.upheld": "Complaints decided in the period where the removal was confirmed.",
    "complaints.reversed": "Complaints decided in the period where the removal was reversed and the listing "
    "reinstated.",
    "complaints.pending": "Complaints filed in the period and not yet decided.",
    "complaints.median_hours_to_decision": "Median hours from filing to decision, over complaints decided in "
    "the period.",
    "complaints.retractions": "Removals reversed in the period because the notifier retracted its notice.",
    "notifier_complaints.received": "Appeals by notifiers against the rejection of their notice (Art. 20 DSA) "
    "filed in the period.",
    "notifier_complaints.decided": "Notifiers' appeals decided in the period, each by a reviewer other than the "
    "one who rejected the notice.",
    "notifier_complaints.reversed": "Notifiers' appeals decided in the period where the rejection was reversed "
    "and the notice approved.",
    "notifier_complaints.upheld": "Notifiers' appeals decided in the period where the rejection was confirmed.",
    "notifier_complaints.pending": "Notifiers' appeals filed in the period and not yet decided.",
    "notifier_complaints.median_hours_to_decision": "Median hours from an appeal's filing to its decision, over "
    "the notifiers' appeals decided in the period.",
    "suspensions.sellers_for_manifestly_illegal_content": "Seller accounts suspended in the period for "
    "frequently providing manifestly illegal content "
    "(Art. 23(1) DSA).",
    "suspensions.sellers_reinstated": "Seller suspensions lifted by a reviewer in the period.",
    "suspensions.notifiers_warned": "Notifiers warned in the period for frequently submitting manifestly "
    "unfounded notices (Art. 23(3) DSA).",
    "suspensions.notifiers_for_manifestly_unfounded_notices": "Notifiers whose filing was suspended in the "
    "period for manifestly unfounded notices "
    "(Art. 23(2) DSA).",
}


# The report's sections, in the order the JSON, the PDF and the spreadsheets give them.
SECTIONS = ("notices", "actions", "complaints", "notifier_complaints", "suspensions")


def _by_type(claims, **counts) -> dict[str, dict]:
    rows = claims.values("infringement_type").annotate(**counts).order_by()
    return {row.pop("infringement_type"): row for row in rows}


def transparency_report(*, actor: Actor, filters: ReportFilters) -> dict:
    claims = report_claims(actor, filters)
    restricted = selection_restricted(actor, filters)

    # Each pass over the claims counts by type and sums the types for the whole (one pass, not two).
    filed = _by_type(
        claims.filter(filters.period_q("submitted_at")),
        n=Count("pk"),
        trusted=Count("pk", filter=Q(brand__trusted_flagger=True)),
    )
    by_type = {t: row["n"] for t, row in filed.items()}
    notices = {
        "received": sum(by_type.values()),
        "from_trusted_flaggers": sum(row["trusted"] for row in filed.values()),
    }
    decided = claims.filter(filters.period_q("decided_at")).aggregate(
        decided=Count("pk"),
        rejected=Count("pk", filter=Q(state__in=REJECTED)),
        automated=Count("pk", filter=Q(fast_tracked=True)),
    )
    # Withdrawals carry no timestamp of their own on the claim: count the transition events.
    # (one filter() call, so both conditions hold for the same event)
    withdrawn = claims.filter(events__transition="withdraw", **_event_period(filters)).distinct().count()

    removed = claims.filter(filters.period_q("taken_down_at"))
    removed_rows = _by_type(removed, n=Count("pk"), automated=Count("pk", filter=Q(fast_tracked=True)))
    removed_by_type = {t: row["n"] for t, row in removed_rows.items()}
    removals = {
        "total": sum(removed_by_type.values()),
        "automated": sum(row["automated"] for row in removed_rows.values()),
    }
    median_action = _medians(removed, {}, None, HoursBetween("taken_down_at", "submitted_at"), "m")[()]["m"]

    audit = AuditEvent.objects.filter(filters.period_q("created_at"))
    bans = audit.filter(action="merchant_ban")
    lifts = audit.filter(action="merchant_lift_ban")
    if restricted:
        merchants = claims.filter(taken_down_at__isnull=False).values("listing__merchant_id")
        bans, lifts = bans.filter(merchant_id__in=merchants), lifts.filter(merchant_id__in=merchants)
    brand_audit = audit if not restricted else audit.filter(brand_id__in=filters.brand_ids or ())

    # For someone who sees every claim, "of the selected claims" would only cost a semi-join with all of them.
    counters = CounterNotice.objects.filter(claim__in=claims) if restricted else CounterNotice.objects.all()
    received = counters.filter(filters.period_q("filed_at"))
    by_basis = dict(received.values_list("reason").annotate(n=Count("pk")).order_by())
    decided_counters = counters.filter(filters.period_q("decided_at"))
    outcomes = decided_counters.aggregate(
        decided=Count("pk"),
        upheld=Count("pk", filter=Q(outcome=CounterNotice.Outcome.UPHELD)),
        reversed=Count("pk", filter=Q(outcome=CounterNotice.Outcome.REINSTATED)),
    )
    median_complaint = _medians(decided_counters, {}, None, HoursBetween("decided_at", "filed_at"), "m")[()][
        "m"
    ]

    appeals = Appeal.objects.filter(claim__in=claims) if restricted else Appeal.objects.all()
    appeals_received = appeals.filter(filters.period_q("filed_at"))
    appeals_decided = appeals.filter(filters.period_q("decided_at")).exclude(outcome=Appeal.Outcome.PENDING)
    appeal_outcomes = appeals_decided.aggregate(
        decided=Count("pk"),
        reversed=Count("pk", filter=Q(outcome=Appeal.Outcome.GRANTED)),
        upheld=Count("pk", filter=Q(outcome=Appeal.Outcome.DENIED)),
    )
    median_appeal = _medians(appeals_decided, {}, None, HoursBetween("decided_at", "filed_at"), "m")[()]["m"]

    return {
        "report": "DSA transparency report (Art. 15 and Art. 24 DSA)",
        "template": "Implementing Regulation (EU) 2024/2835",
        "period": {
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
        },
        "filters": {"brand": sorted(filters.brand_names) if filters.brand_names else None},
        "generated_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "notices": {
            "received": notices["received"],
            "by_type": {t: by_type.get(t, 0) for t in InfringementType.values},
            "from_trusted_flaggers": notices["from_trusted_flaggers"],
            "processed_by_automated_means": decided["automated"],
            "decided": decided["decided"],
            "rejected": decided["rejected"],
            "withdrawn": withdrawn,
        },
        "actions": {
            "on_legal_grounds": removals["total"],
            "on_legal_grounds_by_type": {t: removed_by_type.get(t, 0) for t in InfringementType.values},
            "on_terms_and_conditions_grounds": bans.values("merchant_id").distinct().count(),
            "automated": removals["automated"],
            "median_hours_to_action": _hours(median_action),
        },
        "complaints": {
            "received": received.count(),
            "by_basis": {r: by_basis.get(r, 0) for r in CounterReason.values},
            "decided": outcomes["decided"],
            "upheld": outcomes["upheld"],
            "reversed": outcomes["reversed"],
            "pending": received.filter(outcome=CounterNotice.Outcome.PENDING).count(),
            "median_hours_to_decision": _hours(median_complaint),
            "retractions": claims.filter(filters.period_q("reinstated_at"), retracted=True).count(),
        },
        "notifier_complaints": {
            "received": appeals_received.count(),
            "decided": appeal_outcomes["decided"],
            "reversed": appeal_outcomes["reversed"],
            "upheld": appeal_outcomes["upheld"],
            "pending": appeals_received.filter(outcome=Appeal.Outcome.PENDING).count(),
            "median_hours_to_decision": _hours(median_appeal),
        },
        "suspensions": {
            "sellers_for_manifestly_illegal_content": bans.values("merchant_id").distinct().count(),
            "sellers_reinstated": lifts.count(),
            "notifiers_warned": brand_audit.filter(action="misuse_warned").count(),
            "notifiers_for_manifestly_unfounded_notices": brand_audit.filter(
                action="brand_suspended"
            ).count(),
        },
        "definitions": DEFINITIONS,
    }


def _event_period(filters: ReportFilters) -> dict:
    out = {}
    if filters.start is not None:
        out["events__created_at__gte"] = filters.start
    if filters.end is not None:
        out["events__created_at__lt"] = filters.end
    return out


def transparency_rows(report: dict) -> list[tuple[str, str, object, str]]:
    """(section, figure, value, definition) for the PDF and spreadsheets; breakdowns become one row each."""
    rows = []
    for section in SECTIONS:
        for name, value in report[section].items():
            definition = report["definitions"].get(f"{section}.{name}", "")
            if isinstance(value, dict):
                for sub, n in value.items():
                    rows.append(
                        (section, f"{name.replace('_', ' ')}: {sub.replace('_', ' ')}", n, definition)
                    )
                    definition = ""
            else:
                rows.append((section, name.replace("_", " "), value, definition))
    return rows
