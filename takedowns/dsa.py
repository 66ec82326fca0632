"""DSA statements of reasons (Art. 17, Art. 24(5)) in the EU Transparency Database API format, their local
validation, and their delivery through the outbox.

One statement per takedown and one per merchant ban. The format, every enum value and every validation rule
follow the Transparency Database's `StatementStoreRequest` (see docs/… in the shared reference
`dsa-statement-of-reasons.md`). Statements carry no personal data (Art. 24(5)): no names, e-mails or
signatures of the brand, the merchant or staff; no free text the brand typed. The `puid` is derived from
the claim reference or the ban's audit event, so it is stable across exports and retries, and unique.

Delivery: `statement_queue_for_takedown` / `statement_queue_for_ban` write a Notice (channel "tdb") in the
caller's transaction. Whichever worker sends the first of them takes up to 99 other pending ones with it
(`POST {DSA_TDB_URL}/api/v1/statements`, at most 100 per batch). The database stores a batch all or
nothing and refuses one with a known `puid` (422 with `existing_puids`); those statements are already stored,
so they are marked delivered and the rest are sent again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from merchants.models import Merchant, Strike

from .models import AuditEvent, Claim, InfringementType, Notice, NoticeAttempt
from .roles import Actor

log = logging.getLogger(__name__)

BATCH_SIZE = 100

# --- the Transparency Database's vocabulary ------------------------------------------------------------
DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_MONETARIES = ("DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER")
DECISION_PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION",
)
DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
DECISION_GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
CONTENT_TYPES = (
    "CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER",
)
STATEMENT_CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM", "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)
SOURCE_TYPES = ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY")
AUTOMATED_DECISIONS = ("AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED")
KEYWORDS = (
    "KEYWORD_ADULT_SEXUAL_MATERIAL", "KEYWORD_AGE_SPECIFIC_RESTRICTIONS", "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
    "KEYWORD_ANIMAL_HARM", "KEYWORD_BIOMETRIC_DATA_BREACH", "KEYWORD_BULLYING_AGAINST_GIRLS",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS", "KEYWORD_COORDINATED_HARM", "KEYWORD_COPYRIGHT_INFRINGEMENT",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION", "KEYWORD_CYBER_HARASSMENT", "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_INCITEMENT", "KEYWORD_CYBER_STALKING", "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
    "KEYWORD_DATA_FALSIFICATION", "KEYWORD_DEFAMATION", "KEYWORD_DESIGN_INFRINGEMENT", "KEYWORD_DISCRIMINATION",
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION", "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS", "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS", "KEYWORD_HATE_SPEECH", "KEYWORD_HIDDEN_ADVERTISEMENT",
    "KEYWORD_HUMAN_EXPLOITATION", "KEYWORD_HUMAN_TRAFFICKING", "KEYWORD_ILLEGAL_ORGANIZATIONS",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING", "KEYWORD_INAUTHENTIC_ACCOUNTS", "KEYWORD_INAUTHENTIC_LISTINGS",
    "KEYWORD_INAUTHENTIC_USER_REVIEWS", "KEYWORD_INCITEMENT_AGAINST_WOMEN", "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS", "KEYWORD_LANGUAGE_REQUIREMENTS",
    "KEYWORD_MISINFORMATION_DISINFORMATION", "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES", "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE", "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_NONCOMPLIANCE_PRICING", "KEYWORD_NUDITY", "KEYWORD_PATENT_INFRINGEMENT", "KEYWORD_PHISHING",
    "KEYWORD_PROHIBITED_PRODUCTS", "KEYWORD_PYRAMID_SCHEMES", "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE", "KEYWORD_RISK_PUBLIC_HEALTH", "KEYWORD_SELF_MUTILATION",
    "KEYWORD_STALKING", "KEYWORD_SUICIDE", "KEYWORD_TERRORIST_CONTENT", "KEYWORD_TRADE_SECRET_INFRINGEMENT",
    "KEYWORD_TRADEMARK_INFRINGEMENT", "KEYWORD_TRAFFICKING_WOMEN_GIRLS", "KEYWORD_UNLAWFUL_SALE_ANIMALS",
    "KEYWORD_UNSAFE_CHALLENGES", "KEYWORD_UNSAFE_PRODUCTS", "KEYWORD_VIOLATION_EU_LAW",
    "KEYWORD_VIOLATION_NATIONAL_LAW", "KEYWORD_OTHER",
)
EU_EEA_COUNTRIES = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
)
YES_NO = ("Yes", "No")
# ISO 639-1, upper case as the database wants it.
ISO_639_1 = frozenset(
    "AA AB AE AF AK AM AN AR AS AV AY AZ BA BE BG BH BI BM BN BO BR BS CA CE CH CO CR CS CU CV CY DA DE DV DZ EE "
    "EL EN EO ES ET EU FA FF FI FJ FO FR FY GA GD GL GN GU GV HA HE HI HO HR HT HU HY HZ IA ID IE IG II IK IO IS "
    "IT IU JA JV KA KG KI KJ KK KL KM KN KO KR KS KU KV KW KY LA LB LG LI LN LO LT LU LV MG MH MI MK ML MN MR MS "
    "MT MY NA NB ND NE NG NL NN NO NR NV NY OC OJ OM OR OS PA PI PL PS PT QU RM RN RO RU RW SA SC SD SE SG SI SK "
    "SL SM SN SO SQ SR SS ST SU SV SW TA TE TG TH TI TK TL TN TO TR TS TT TW TY UG UK UR UZ VE VI VO WA WO XH YI "
    "YO ZA ZH ZU".split()
)

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

PUID_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EAN13_RE = re.compile(r"^\d{13}$")


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
    automated = claim.fast_tracked
    source = "SOURCE_TRUSTED_FLAGGER" if claim.brand.trusted_flagger else "SOURCE_ARTICLE_16"
    facts = (
        f"A notice under Art. 16 DSA{' from a trusted flagger (Art. 22 DSA)' if source == 'SOURCE_TRUSTED_FLAGGER' else ''} "
        f"reported that a product listing offered {TYPE_WORDS.get(kind, 'goods infringing an intellectual property right')}. "
        f"The notifier showed a {right.get_kind_display().lower()} registered with {right.office} and supplied "
        f"evidence. {'The notifier is in the good-faith programme and the notice was approved automatically; a reviewer audits such approvals afterwards.' if automated else 'A reviewer examined the right and the evidence and found the listing infringing.'} "
        f"The listing was removed on {application.isoformat()}. The seller was notified with the reasons and may "
        f"file a counter-notice within {settings.COUNTER_NOTICE_WINDOW_DAYS} days. Case {claim.reference or claim.pk}."
    )
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "account_type": "ACCOUNT_TYPE_BUSINESS",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": LEGAL_GROUNDS.get(kind, "Infringement of an intellectual property right."),
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
        "content_date": _clamp_content_date(dt.date.fromisoformat(_day(claim.listing.created_at)), application).isoformat(),
        "application_date": application.isoformat(),
        "source_type": source,
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_FULLY" if automated else "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": takedown_puid(claim),
    }


def statement_for_ban(ban: AuditEvent, merchant: Merchant | None = None) -> dict:
    """The statement of reasons for suspending a repeat infringer's account (Art. 23(1) DSA)."""
    merchant = merchant or ban.merchant
    at = ban.created_at
    application = dt.date.fromisoformat(_day(at))
    strikes = list(
        Strike.objects.filter(merchant=merchant, issued_at__lte=at).filter(
            revoked_at__isnull=True).select_related("claim__brand").order_by("-issued_at")[:20]
    )
    kinds = sorted({s.claim.infringement_type for s in strikes if s.claim_id})
    keywords = sorted({KEYWORDS_BY_TYPE.get(k, "KEYWORD_OTHER") for k in kinds}) or ["KEYWORD_TRADEMARK_INFRINGEMENT"]
    latest = next((s.claim for s in strikes if s.claim_id), None)
    source = "SOURCE_TRUSTED_FLAGGER" if latest is not None and latest.brand.trusted_flagger else "SOURCE_ARTICLE_16"
    count = ban.data.get("active_strikes") if isinstance(ban.data, dict) else None
    count = count or len(strikes)
    system = ban.actor_id is None and ban.actor_label == "system"
    first_listed = merchant.listings.order_by("created_at").values_list("created_at", flat=True).first() if merchant else None
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
            f"{'The suspension followed automatically from the strike threshold.' if system else 'A reviewer decided the suspension.'} "
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
        "automated_decision": "AUTOMATED_DECISION_FULLY" if system else "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": ban_puid(ban),
    }


def takedown_claims(claims: QuerySet[Claim], filters) -> QuerySet[Claim]:
    """Claims whose listing was taken down in the period: one statement each."""
    return (
        claims.filter(filters.period_q("taken_down_at"))
        .select_related("brand", "ip_right", "listing")
        .order_by("taken_down_at", "pk")
    )


def ban_events(claims: QuerySet[Claim], filters, *, restricted: bool) -> QuerySet[AuditEvent]:
    bans = AuditEvent.objects.filter(action="merchant_ban", merchant__isnull=False).filter(filters.period_q("created_at"))
    if restricted:
        bans = bans.filter(merchant__in=claims.filter(taken_down_at__isnull=False).values("listing__merchant_id"))
    return bans.select_related("merchant").order_by("created_at", "pk")


def statements(actor: Actor, filters) -> Iterator[dict]:
    """Every statement of the period, takedowns first, read in chunks (constant memory)."""
    from .reports import report_claims

    claims = report_claims(actor, filters)
    for claim in takedown_claims(claims, filters).iterator(chunk_size=1000):
        yield statement_for_takedown(claim)
    restricted = filters.brand_ids is not None or not actor.sees_everything
    for ban in ban_events(claims, filters, restricted=restricted).iterator(chunk_size=500):
        yield statement_for_ban(ban)


# --- validation: the database's rules, applied before anything leaves ----------------------------------
def _date_problem(value, lo: str, hi: str) -> str | None:
    if not isinstance(value, str) or not DATE_RE.match(value):
        return "must be a date as YYYY-MM-DD"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return "is not a real date"
    if not (lo <= value <= hi):
        return f"must be from {lo} to {hi}"
    return None


def statement_problems(statement: dict) -> dict[str, str]:
    """Every rule of the Transparency Database's `StatementStoreRequest`; `{field: problem}`, empty when valid."""
    s, problems = statement, {}

    def has(name: str) -> bool:
        return s.get(name) not in (None, "", [])

    def text(name: str, limit: int, *, required: bool = False) -> None:
        if not has(name):
            if required:
                problems[name] = "is required"
            return
        if not isinstance(s[name], str):
            problems[name] = "must be text"
        elif len(s[name]) > limit:
            problems[name] = f"must be at most {limit} characters"

    def one_of(name: str, allowed, *, required: bool = False) -> None:
        if not has(name):
            if required:
                problems[name] = "is required"
            return
        if s[name] not in allowed:
            problems[name] = "is not an allowed value"

    def array_of(name: str, allowed, *, required: bool = False) -> None:
        if not has(name):
            if required:
                problems[name] = "is required"
            return
        value = s[name]
        if not isinstance(value, list):
            problems[name] = "must be an array"
        elif any(item not in allowed for item in value):
            problems[name] = "contains a value that is not allowed"
        elif len(set(value)) != len(value):
            problems[name] = "must not repeat a value"

    def only_with(name: str, condition: bool, why: str, limit: int) -> None:
        """Required (≤ limit) when `condition`, excluded otherwise."""
        if condition:
            text(name, limit, required=True)
        elif has(name):
            problems[name] = f"must only be given {why}"

    # Restrictions: at least one kind of decision.
    if not any(has(n) for n in ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")):
        problems["decision_visibility"] = ("at least one of decision_visibility, decision_monetary, "
                                           "decision_provision or decision_account is required")
    array_of("decision_visibility", DECISION_VISIBILITIES)
    visibility = s.get("decision_visibility") if isinstance(s.get("decision_visibility"), list) else []
    only_with("decision_visibility_other", "DECISION_VISIBILITY_OTHER" in visibility,
              "with DECISION_VISIBILITY_OTHER", 500)
    one_of("decision_monetary", DECISION_MONETARIES)
    only_with("decision_monetary_other", s.get("decision_monetary") == "DECISION_MONETARY_OTHER",
              "with DECISION_MONETARY_OTHER", 500)
    one_of("decision_provision", DECISION_PROVISIONS)
    one_of("decision_account", DECISION_ACCOUNTS)
    one_of("account_type", ACCOUNT_TYPES)

    text("decision_facts", 5000, required=True)
    one_of("decision_ground", DECISION_GROUNDS, required=True)
    illegal = s.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
    incompatible = s.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    grounded = [("illegal_content_legal_ground", illegal, "ILLEGAL", 500),
                ("illegal_content_explanation", illegal, "ILLEGAL", 2000),
                ("incompatible_content_ground", incompatible, "INCOMPATIBLE", 500),
                ("incompatible_content_explanation", incompatible, "INCOMPATIBLE", 2000)]
    for name, condition, ground, limit in grounded:
        if illegal or incompatible:
            only_with(name, condition, f"with DECISION_GROUND_{ground}_CONTENT", limit)
        else:  # the ground itself is wrong: that is the one problem to report
            text(name, limit)
    if has("incompatible_content_illegal"):
        if illegal:
            problems["incompatible_content_illegal"] = "must only be given with DECISION_GROUND_INCOMPATIBLE_CONTENT"
        elif s["incompatible_content_illegal"] not in YES_NO:
            problems["incompatible_content_illegal"] = "must be Yes or No"
    if has("decision_ground_reference_url"):
        url = s["decision_ground_reference_url"]
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/$.?#][^\s]*$", url):
            problems["decision_ground_reference_url"] = "must be a URL"
        elif len(url) > 500:
            problems["decision_ground_reference_url"] = "must be at most 500 characters"

    array_of("content_type", CONTENT_TYPES, required=True)
    content_types = s.get("content_type") if isinstance(s.get("content_type"), list) else []
    only_with("content_type_other", "CONTENT_TYPE_OTHER" in content_types, "with CONTENT_TYPE_OTHER", 500)
    one_of("category", STATEMENT_CATEGORIES, required=True)
    array_of("category_addition", STATEMENT_CATEGORIES)
    array_of("category_specification", KEYWORDS)
    keywords = s.get("category_specification") if isinstance(s.get("category_specification"), list) else []
    only_with("category_specification_other", "KEYWORD_OTHER" in keywords, "with KEYWORD_OTHER", 500)

    array_of("territorial_scope", EU_EEA_COUNTRIES, required=True)
    if has("content_language"):
        lang = s["content_language"]
        if not isinstance(lang, str) or lang not in ISO_639_1:
            problems["content_language"] = "must be an upper-case ISO 639-1 code"

    if not has("content_date"):
        problems["content_date"] = "is required"
    elif problem := _date_problem(s["content_date"], "2000-01-01", "2038-01-01"):
        problems["content_date"] = problem
    if not has("application_date"):
        problems["application_date"] = "is required"
    elif problem := _date_problem(s["application_date"], "2020-01-01", "2038-01-01"):
        problems["application_date"] = problem
    for name in ("end_date_visibility_restriction", "end_date_monetary_restriction",
                 "end_date_service_restriction", "end_date_account_restriction"):
        if has(name):
            if problem := _date_problem(s[name], "2020-01-01", "2038-01-01"):
                problems[name] = problem
            elif "application_date" not in problems and has("application_date") and s[name] < s["application_date"]:
                problems[name] = "must not be before application_date"

    one_of("source_type", SOURCE_TYPES, required=True)
    if s.get("source_type") == "SOURCE_VOLUNTARY" and has("source_identity"):
        problems["source_identity"] = "must not be given with SOURCE_VOLUNTARY"
    else:
        text("source_identity", 500)
    one_of("automated_detection", YES_NO, required=True)
    one_of("automated_decision", AUTOMATED_DECISIONS, required=True)

    if not has("puid"):
        problems["puid"] = "is required"
    elif not isinstance(s["puid"], str) or len(s["puid"]) > 500:
        problems["puid"] = "must be text of at most 500 characters"
    elif not PUID_RE.match(s["puid"]):
        problems["puid"] = "may only contain a-z, A-Z, 0-9, - and _"

    if has("content_id"):
        content_id = s["content_id"]
        if not isinstance(content_id, dict) or set(content_id) - {"EAN-13"}:
            problems["content_id"] = "may only hold the key EAN-13"
        elif "EAN-13" in content_id and not (isinstance(content_id["EAN-13"], str) and EAN13_RE.match(content_id["EAN-13"])):
            problems["content_id"] = "EAN-13 must be 13 digits"
    return problems


# --- queueing (called by enforcement) ------------------------------------------------------------------
def _queue(statement: dict, *, kind: str, claim=None, merchant=None) -> Notice | None:
    """A Notice row in the caller's transaction; None when no Transparency Database is configured."""
    from .outbox import _create

    if not settings.DSA_TDB_URL:
        return None
    problems = statement_problems(statement)
    if problems:
        # Never block the takedown for a reporting problem: keep the statement, failed, for someone to fix.
        log.error("statement %s is invalid: %s", statement.get("puid"), problems)
        return Notice.objects.get_or_create(
            idempotency_key=f"tdb:{statement['puid']}",
            defaults={"channel": Notice.Channel.TDB, "kind": kind, "recipient": settings.DSA_TDB_URL,
                      "payload": statement, "status": Notice.Status.FAILED, "claim": claim, "merchant": merchant,
                      "last_error": json.dumps(problems)},
        )[0]
    return _create(channel=Notice.Channel.TDB, kind=kind, recipient=settings.DSA_TDB_URL, payload=statement,
                   idempotency_key=f"tdb:{statement['puid']}", claim=claim, merchant=merchant)


def statement_queue_for_takedown(*, claim: Claim) -> Notice | None:
    """Call when a claim is taken down, inside that transaction. Safe to call twice (the puid is the key)."""
    return _queue(statement_for_takedown(claim), kind="sor.takedown", claim=claim)


def statement_queue_for_ban(*, ban: AuditEvent) -> Notice | None:
    """Call when a merchant is banned, inside that transaction, with the ban's `merchant_ban` audit event."""
    return _queue(statement_for_ban(ban), kind="sor.ban", merchant=ban.merchant)


# --- delivery ------------------------------------------------------------------------------------------
def _take_batch(first: Notice) -> list[Notice]:
    """The notice being sent plus up to 99 other pending statements, leased to this worker.

    Two workers may pick the same candidates; the conditional UPDATE gives each row to one of them, and the
    lease time (unique to this call) tells us which rows we won."""
    now = timezone.now()
    lease = now + timedelta(seconds=120, microseconds=uuid.uuid4().int % 1_000_000)
    candidates = list(
        Notice.objects.filter(channel=Notice.Channel.TDB, status=Notice.Status.PENDING, next_attempt_at__lte=now)
        .exclude(pk=first.pk).order_by("created_at", "pk").values_list("pk", flat=True)[: BATCH_SIZE - 1]
    )
    if candidates:
        Notice.objects.filter(pk__in=candidates, status=Notice.Status.PENDING).update(
            status=Notice.Status.SENDING, lease_until=lease)
    others = list(Notice.objects.filter(pk__in=candidates, status=Notice.Status.SENDING, lease_until=lease).order_by("pk"))
    return [first, *others]


def _post(batch: list[Notice]) -> requests.Response:
    body = json.dumps({"statements": [n.payload for n in batch]}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "Authorization": f"Bearer {settings.DSA_TDB_TOKEN}"}
    url = settings.DSA_TDB_URL.rstrip("/") + "/api/v1/statements"
    return requests.post(url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)


def _existing_puids(response: requests.Response) -> set[str]:
    try:
        data = response.json()
    except ValueError:
        return set()
    found = data.get("existing_puids") if isinstance(data, dict) else None
    if found is None and isinstance(data, dict) and isinstance(data.get("errors"), dict):
        found = data["errors"].get("existing_puids")
    return {str(p) for p in found} if isinstance(found, list) else set()


def _settle(notices: list[Notice], *, ok: bool, status_code: int | None, error: str = "", started: float) -> None:
    """Record the outcome of the notices that rode along with the one the outbox is delivering."""
    if not notices:
        return
    from .outbox import backoff_seconds

    now = timezone.now()
    duration = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        NoticeAttempt.objects.bulk_create([
            NoticeAttempt(notice=n, ok=ok, status_code=status_code, error=error[:2000], duration_ms=duration)
            for n in notices
        ])
        for n in notices:
            if ok:
                Notice.objects.filter(pk=n.pk).update(status=Notice.Status.SENT, sent_at=now, attempts=n.attempts + 1,
                                                      lease_until=None, last_error="")
            else:
                Notice.objects.filter(pk=n.pk).update(
                    status=Notice.Status.PENDING, attempts=n.attempts + 1, last_error=error[:2000], lease_until=None,
                    next_attempt_at=now + timedelta(seconds=backoff_seconds(n.attempts + 1)))


def tdb_submit(notice: Notice) -> int:
    """The outbox's sender for channel "tdb": send `notice` with a batch of other pending statements."""
    from .outbox import DeliveryFailed

    if not settings.DSA_TDB_URL:
        raise DeliveryFailed("DSA_TDB_URL is not configured")
    problems = statement_problems(notice.payload)
    if problems:
        raise DeliveryFailed(f"invalid statement: {json.dumps(problems)}", permanent=True)
    batch = _take_batch(notice)
    started = time.monotonic()
    primary_stored = False

    def riders() -> list[Notice]:
        return [n for n in batch if n.pk != notice.pk]

    # Each round either stores the whole batch, or drops the statements the database already has (a duplicate
    # puid fails the whole batch with 422) and sends the rest again; so it ends within len(batch) rounds.
    while batch:
        try:
            response = _post(batch)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
            _settle(riders(), ok=False, status_code=None, error=error, started=started)
            if primary_stored:
                return 422
            raise DeliveryFailed(error) from exc
        if response.status_code in (200, 201):
            _settle(riders(), ok=True, status_code=response.status_code, started=started)
            return response.status_code
        existing = _existing_puids(response) if response.status_code == 422 else set()
        known = [n for n in batch if n.payload.get("puid") in existing]
        if not known:
            error = f"HTTP {response.status_code}: {response.text[:300]}"
            _settle(riders(), ok=False, status_code=response.status_code, error=error, started=started)
            if primary_stored:
                return 422
            # A refused statement stays refused; a bad token, a rate limit or an outage are worth retrying.
            raise DeliveryFailed(error, status_code=response.status_code, permanent=response.status_code in (400, 413, 422))
        # Already stored, so delivered. The notice the outbox is sending is settled by the outbox itself.
        _settle([n for n in known if n.pk != notice.pk], ok=True, status_code=response.status_code, started=started)
        primary_stored = primary_stored or any(n.pk == notice.pk for n in known)
        known_ids = {n.pk for n in known}
        batch = [n for n in batch if n.pk not in known_ids]
    return 422
