"""The trust programmes (good faith, misuse), computed from each brand's claims and written to the brand.

Admission, removal and flagging are automatic and audited; thresholds are settings (docs/contract.md §6)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from brands.models import Brand
from core.audit import audit
from core.roles import SYSTEM
from takedowns.models import DECIDED, UNFOUNDED_REASONS, Claim, ClaimState, CounterNotice


# --- trust programmes ------------------------------------------------------------------------------------
def brand_programme_figures(brand_ids, *, since, until=None) -> dict[int, dict]:
    """Per brand, over claims decided in [since, until): decided, taken down, reinstated on counter-notice,
    rejected as unfounded. One aggregate query."""
    until = until or timezone.now()
    rows = (
        Claim.objects.filter(
            brand_id__in=brand_ids, decided_at__gte=since, decided_at__lt=until, state__in=DECIDED
        )
        .values("brand_id")
        .annotate(
            decided=Count("pk", distinct=True),
            taken_down=Count("pk", filter=Q(taken_down_at__isnull=False), distinct=True),
            countered=Count(
                "pk", filter=Q(counter_notices__outcome=CounterNotice.Outcome.REINSTATED), distinct=True
            ),
            unfounded=Count(
                "pk",
                filter=Q(state=ClaimState.REJECTED, decision_reason__in=UNFOUNDED_REASONS),
                distinct=True,
            ),
        )
    )
    return {row.pop("brand_id"): row for row in rows}


def brand_programmes_recompute(*, brand: Brand | None = None, now=None) -> dict[str, int]:
    """Good-faith admission and removal (3 months) and misuse flagging (90 days). Every change audited."""
    now = now or timezone.now()
    # Fresh rows: a caller's instance may predate the last recompute.
    brands = list(Brand.objects.filter(pk=brand.pk) if brand else Brand.objects.all())
    ids = [b.pk for b in brands]
    three_months = brand_programme_figures(ids, since=now - timedelta(days=91), until=now)
    ninety_days = brand_programme_figures(ids, since=now - timedelta(days=90), until=now)
    changes = {"admitted": 0, "removed": 0, "flagged": 0}
    for b in brands:
        fig = three_months.get(b.pk, {"decided": 0, "taken_down": 0, "countered": 0})
        rate = fig["taken_down"] / fig["decided"] if fig["decided"] else 0.0
        counter_rate = fig["countered"] / fig["taken_down"] if fig["taken_down"] else 0.0
        qualifies = (
            fig["decided"] >= settings.GOOD_FAITH_MIN_DECIDED
            and rate >= settings.GOOD_FAITH_MIN_RATE
            and counter_rate <= settings.GOOD_FAITH_MAX_COUNTER_RATE
        )
        figures = {
            "decided": fig["decided"],
            "takedown_rate": round(rate, 4),
            "counter_notice_rate": round(counter_rate, 4),
        }
        waited = not b.good_faith_removed_at or b.good_faith_removed_at <= now - timedelta(days=91)
        if not b.good_faith and qualifies and waited:
            Brand.objects.filter(pk=b.pk).update(good_faith=True, good_faith_since=now)
            audit(actor=SYSTEM, action="good_faith_admitted", obj=b, brand=b, data=figures)
            changes["admitted"] += 1
        elif b.good_faith and fig["decided"] >= settings.GOOD_FAITH_MIN_DECIDED and not qualifies:
            Brand.objects.filter(pk=b.pk).update(good_faith=False, good_faith_removed_at=now)
            audit(actor=SYSTEM, action="good_faith_removed", obj=b, brand=b, data=figures)
            changes["removed"] += 1
        mis = ninety_days.get(b.pk, {"decided": 0, "unfounded": 0})
        share = mis["unfounded"] / mis["decided"] if mis["decided"] else 0.0
        if (
            mis["decided"] >= settings.MISUSE_MIN_DECIDED
            and share > settings.MISUSE_REJECTED_SHARE
            and not b.misuse_flagged_at
        ):
            Brand.objects.filter(pk=b.pk).update(misuse_flagged_at=now)
            audit(
                actor=SYSTEM,
                action="misuse_flagged",
                obj=b,
                brand=b,
                data={"decided": mis["decided"], "unfounded_share": round(share, 4)},
            )
            changes["flagged"] += 1
    return changes
