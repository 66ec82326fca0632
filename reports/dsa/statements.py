"""Building the statements of reasons: one per takedown, one per merchant ban, with no personal data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Actor
from merchants.models import Merchant
from reports.dsa.validation import EU_EEA_COUNTRIES
from reports.metrics import report_claims
from takedowns import decisions
from takedowns.models import Claim, CounterNotice, InfringementType, Strike

# What a takedown is under each infringement type: the statement's keywords and legal ground.
KEYWORDS_BY_TYPE = {
    InfringementType.COUNTERFEIT: "KEYWORD_TRADEMARK_INFRINGEMENT",  # counterfeits are trade mark infringements
    InfringementType.TRADEMARK: "KEYWORD_TRADEMARK_INFRINGEMENT",
    InfringementType.COPYRIGHT: "KEYWORD_COPYRIGHT_INFRINGEMENT",
    InfringementType.DESIGN: "KEYWORD_DESIGN_INFRINGEMENT",
    InfringementType.PATENT: "KEYWORD_PATENT_INFRINGEMENT",
}

LEGAL_GROUNDS = {
    InfringementType.COUNTERFEIT: "Infringement of a registered trade mark by counterfeit goods (Regulation (EU) "
    "2017/1001 Art. 9; Directive (EU) 2015/2436 Art. 10; Directive 2004/48/EC).",
    InfringementType.TRADEMARK: "Infringement of a registered trade mark (Regulation (EU) 2017/1001 Art. 9; "
    "Directive (EU) 2015/2436 Art. 10).",
    InfringementType.COPYRIGHT: "Copyright infringement (Directive 2001/29/EC Arts. 2–4; national copyright law).",
    InfringementType.DESIGN: "Infringement of a registered design (Regulation (EC) No 6/2002 Art. 19; "
    "Directive (EU) 2024/2823).",
    InfringementType.PATENT: "Patent infringement under the national patent law of the Member States concerned.",
}

TYPE_WORDS = {
    InfringementType.COUNTERFEIT: "counterfeit goods bearing a registered trade mark",
    InfringementType.TRADEMARK: "goods infringing a registered trade mark",
    InfringementType.COPYRIGHT: "material infringing a copyright",
    InfringementType.DESIGN: "goods infringing a registered design",
    InfringementType.PATENT: "goods infringing a patent",
}


def _territorial_scope() -> list[str]:
    # The marketplace removes a listing everywhere, so by default the decision covers the whole EU/EEA.
    return list(getattr(settings, "DSA_TERRITORIAL_SCOPE", None) or EU_EEA_COUNTRIES)


def _puid_prefix() -> str:
    prefix = getattr(settings, "DSA_PUID_PREFIX", "tdesk")
    return re.sub(r"[^a-zA-Z0-9_-]", "-", prefix)


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.isoformat()


def _clamp_content_date(value: dt.date, application: dt.date) -> dt.date:
    # The database takes content dates from 2000-01-01; a listing is never older, but imported data may be.
    return min(max(value, dt.date(2000, 1, 1)), application)


# --- building statements -------------------------------------------------------------------------------
def takedown_puid(claim: Claim) -> str:
    return f"{_puid_prefix()}-takedown-{claim.reference or claim.pk}"


def ban_puid(ban: AuditEvent) -> str:
    return f"{_puid_prefix()}-ban-{ban.pk}"


def statement_for_takedown(claim: Claim) -> dict:
    """The statement of reasons for removing a claim's listing. `claim` needs brand, ip_right and listing
    loaded (see `takedown_claims`)."""
    taken_down = claim.taken_down_at or claim.decided_at or timezone.now()
    application = dt.date.fromisoformat(_day(taken_down))
    kind = claim.infringement_type
    right = claim.ip_right
    automated = decisions.removal_automated(claim)
    source = "SOURCE_TRUSTED_FLAGGER" if claim.brand.trusted_flagger else "SOURCE_ARTICLE_16"
    facts = (
        f"A notice under Art. 16 DSA{' from a trusted flagger (Art. 22 DSA)' if source == 'SOURCE_TRUSTED_FLAGGER' else ''} "
        f"reported that a product listing offered {TYPE_WORDS.get(kind, 'goods infringing an intellectual property right')}. "
        f"The notifier showed a {right.get_kind_display().lower()} registered with {right.office} and supplied "
        f"evidence. {'The notifier is in the good-faith programme and the notice was approved automatically; a reviewer audits such approvals afterwards.' if automated else 'A reviewer examined the right and the evidence and found the listing infringing.'} "
        f"The listing was removed on {application.isoformat()}. The seller was notified with the reasons and may "
        f"file a counter-notice within {settings.COUNTER_NOTICE_WINDOW_DAYS} days. "
        f"{_counter_notice_facts(claim)}Case {claim.reference or claim.pk}."
    )
    ended = _ended(claim, application)
    return {
        **({"end_date_visibility_restriction": ended} if ended else {}),
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "account_type": "ACCOUNT_TYPE_BUSINESS",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": LEGAL_GROUNDS.get(
            kind, "Infringement of an intellectual property right."
        ),
        "illegal_content_explanation": (
            f"The listing offered {TYPE_WORDS.get(kind, 'goods infringing an intellectual property right')} "
            f"without the right holder's consent, as shown by the notice, the registration certificate and the "
            f"evidence supplied."
        ),
        "decision_facts": facts[:5000],
        "content_type": ["CONTENT_TYPE_PRODUCT"],
        "category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "category_specification": [KEYWORDS_BY_TYPE.get(kind, "KEYWORD_OTHER")],
        "territorial_scope": _territorial_scope(),
        "content_date": _clamp_content_date(
            dt.date.fromisoformat(_day(claim.listing.created_at)), application
        ).isoformat(),
        "application_date": application.isoformat(),
        "source_type": source,
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_FULLY" if automated else "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": takedown_puid(claim),
    }


def _counter_notice_facts(claim: Claim) -> str:
    """That the seller's counter-notice was considered, and its outcome: never the seller's name, statement,
    signature or documents (Art. 24(5) DSA: no personal data)."""
    counter = max(claim.counter_notices.all(), key=lambda c: c.filed_at, default=None)
    if counter is None:
        if claim.retracted and claim.reinstated_at:
            return f"The notifier withdrew its notice and the listing was reinstated on {_day(claim.reinstated_at)}. "
        return ""
    documents = " and the documents it supplied" if counter.evidence.all() else ""
    filed = f"The seller contested the removal with a counter-notice (Art. 20 DSA) filed on {_day(counter.filed_at)}. "
    if counter.outcome == CounterNotice.Outcome.REINSTATED:
        by = (
            "The notifier showed no court action before the restoration deadline"
            if counter.decided_by_id is None
            else f"A reviewer considered the counter-notice{documents}"
        )
        return f"{filed}{by}, and the listing was reinstated on {_day(counter.decided_at)}. "
    if counter.outcome == CounterNotice.Outcome.UPHELD:
        return f"{filed}A reviewer considered the counter-notice{documents} and upheld the removal. "
    return f"{filed}It is being considered. "


def _ended(claim: Claim, application: dt.date) -> str | None:
    """The day the removal ended (reinstatement), never before the day it applied."""
    if claim.reinstated_at is None:
        return None
    return max(dt.date.fromisoformat(_day(claim.reinstated_at)), application).isoformat()


def statement_for_ban(ban: AuditEvent, merchant: Merchant | None = None) -> dict:
    """The statement of reasons for suspending a repeat infringer's account (Art. 23(1) DSA)."""
    merchant = merchant or Merchant.objects.filter(pk=ban.merchant_id).first()
    at = ban.created_at
    application = dt.date.fromisoformat(_day(at))
    strikes = list(
        Strike.objects.filter(merchant=merchant, issued_at__lte=at)
        .filter(revoked_at__isnull=True)
        .select_related("claim__brand")
        .order_by("-issued_at")[:20]
    )
    kinds = sorted({s.claim.infringement_type for s in strikes if s.claim_id})
    keywords = sorted({KEYWORDS_BY_TYPE.get(k, "KEYWORD_OTHER") for k in kinds}) or [
        "KEYWORD_TRADEMARK_INFRINGEMENT"
    ]
    latest = next((s.claim for s in strikes if s.claim_id), None)
    source = (
        "SOURCE_TRUSTED_FLAGGER"
        if latest is not None and latest.brand.trusted_flagger
        else "SOURCE_ARTICLE_16"
    )
    count = ban.data.get("active_strikes") if isinstance(ban.data, dict) else None
    count = count or len(strikes)
    system = ban.actor_id is None and ban.actor_label == "system"
    # A ban the strike threshold asked for and a second reviewer confirmed: partly automated.
    held_for_system = isinstance(ban.data, dict) and bool(ban.data.get("requested_by_system"))
    first_listed = (
        merchant.listings.order_by("created_at").values_list("created_at", flat=True).first()
        if merchant
        else None
    )
    content_day = dt.date.fromisoformat(_day(first_listed or at))
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_provision": "DECISION_PROVISION_TOTAL_SUSPENSION",
        "decision_account": "DECISION_ACCOUNT_SUSPENDED",
        "account_type": "ACCOUNT_TYPE_BUSINESS",
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Repeat infringer policy of the marketplace's terms and conditions "
        "(Art. 23(1) DSA; 17 U.S.C. §512(i)).",
        "incompatible_content_explanation": (
            f"The seller's listings were removed {count} times within {settings.STRIKE_DAYS} days after notices of "
            f"intellectual property infringement upheld on review; the seller had been warned after the first. "
            f"At {settings.STRIKES_TO_BAN} active strikes the account is suspended and its listings removed."
        ),
        "incompatible_content_illegal": "Yes",
        "decision_facts": (
            f"Account suspended as a repeat infringer with {count} active strikes, each from a takedown of a "
            f"listing after a notice under Art. 16 DSA. All the seller's active listings were removed. "
            f"{_ban_decided_by(system, ban.data if isinstance(ban.data, dict) else {})} "
            f"A reviewer may lift it on complaint."
        )[:5000],
        "content_type": ["CONTENT_TYPE_PRODUCT"],
        "category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "category_specification": keywords,
        "territorial_scope": _territorial_scope(),
        "content_date": _clamp_content_date(content_day, application).isoformat(),
        "application_date": application.isoformat(),
        "source_type": source,
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_FULLY"
        if system
        else ("AUTOMATED_DECISION_PARTIALLY" if held_for_system else "AUTOMATED_DECISION_NOT_AUTOMATED"),
        "puid": ban_puid(ban),
    }


def _ban_decided_by(system: bool, data: dict) -> str:
    if system:
        return "The suspension followed automatically from the strike threshold."
    if data.get("hold"):
        asked = "the strike threshold" if data.get("requested_by_system") else "a reviewer"
        return f"Asked for by {asked} and confirmed by a second reviewer."
    return "A reviewer decided the suspension."


def takedown_claims(claims: QuerySet[Claim], filters) -> QuerySet[Claim]:
    """Claims whose listing was taken down in the period: one statement each."""
    return (
        claims.filter(filters.period_q("taken_down_at"))
        .select_related("brand", "ip_right", "listing")
        .prefetch_related("counter_notices__evidence")
        .order_by("taken_down_at", "pk")
    )


def ban_events(claims: QuerySet[Claim], filters, *, restricted: bool) -> QuerySet[AuditEvent]:
    bans = AuditEvent.objects.filter(action="merchant_ban", merchant_id__isnull=False).filter(
        filters.period_q("created_at")
    )
    if restricted:
        bans = bans.filter(
            merchant_id__in=claims.filter(taken_down_at__isnull=False).values("listing__merchant_id")
        )
    return bans.order_by("created_at", "pk")


def statements(actor: Actor, filters) -> Iterator[dict]:
    """Every statement of the period, takedowns first, read in chunks (constant memory)."""
    claims = report_claims(actor, filters)
    for claim in takedown_claims(claims, filters).iterator(chunk_size=1000):
        yield statement_for_takedown(claim)
    restricted = filters.brand_ids is not None or not actor.sees_everything
    for ban in ban_events(claims, filters, restricted=restricted).iterator(chunk_size=500):
        yield statement_for_ban(ban)
