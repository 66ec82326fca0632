"""The Transparency Database's rules for a statement of reasons: every allowed value and field rule
(docs/dsa-statement-of-reasons.md). `statement_problems` is applied to every statement before it leaves."""

from __future__ import annotations

import datetime as dt
import re

# --- the Transparency Database's vocabulary ------------------------------------------------------------
DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)

DECISION_MONETARIES = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)

DECISION_PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)

DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")

ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")

DECISION_GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")

CONTENT_TYPES = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)

STATEMENT_CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)

SOURCE_TYPES = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)

AUTOMATED_DECISIONS = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)

KEYWORDS = (
    "KEYWORD_ADULT_SEXUAL_MATERIAL",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
    "KEYWORD_ANIMAL_HARM",
    "KEYWORD_BIOMETRIC_DATA_BREACH",
    "KEYWORD_BULLYING_AGAINST_GIRLS",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS",
    "KEYWORD_COORDINATED_HARM",
    "KEYWORD_COPYRIGHT_INFRINGEMENT",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    "KEYWORD_CYBER_HARASSMENT",
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_INCITEMENT",
    "KEYWORD_CYBER_STALKING",
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
    "KEYWORD_DATA_FALSIFICATION",
    "KEYWORD_DEFAMATION",
    "KEYWORD_DESIGN_INFRINGEMENT",
    "KEYWORD_DISCRIMINATION",
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_HATE_SPEECH",
    "KEYWORD_HIDDEN_ADVERTISEMENT",
    "KEYWORD_HUMAN_EXPLOITATION",
    "KEYWORD_HUMAN_TRAFFICKING",
    "KEYWORD_ILLEGAL_ORGANIZATIONS",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
    "KEYWORD_INAUTHENTIC_ACCOUNTS",
    "KEYWORD_INAUTHENTIC_LISTINGS",
    "KEYWORD_INAUTHENTIC_USER_REVIEWS",
    "KEYWORD_INCITEMENT_AGAINST_WOMEN",
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
    "KEYWORD_LANGUAGE_REQUIREMENTS",
    "KEYWORD_MISINFORMATION_DISINFORMATION",
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
    "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_NONCOMPLIANCE_PRICING",
    "KEYWORD_NUDITY",
    "KEYWORD_PATENT_INFRINGEMENT",
    "KEYWORD_PHISHING",
    "KEYWORD_PROHIBITED_PRODUCTS",
    "KEYWORD_PYRAMID_SCHEMES",
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
    "KEYWORD_RISK_PUBLIC_HEALTH",
    "KEYWORD_SELF_MUTILATION",
    "KEYWORD_STALKING",
    "KEYWORD_SUICIDE",
    "KEYWORD_TERRORIST_CONTENT",
    "KEYWORD_TRADE_SECRET_INFRINGEMENT",
    "KEYWORD_TRADEMARK_INFRINGEMENT",
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
    "KEYWORD_UNLAWFUL_SALE_ANIMALS",
    "KEYWORD_UNSAFE_CHALLENGES",
    "KEYWORD_UNSAFE_PRODUCTS",
    "KEYWORD_VIOLATION_EU_LAW",
    "KEYWORD_VIOLATION_NATIONAL_LAW",
    "KEYWORD_OTHER",
)

EU_EEA_COUNTRIES = (
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
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

PUID_RE = re.compile(r"^[a-zA-Z0-9_-]+$")

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EAN13_RE = re.compile(r"^\d{13}$")


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
    if not any(
        has(n) for n in ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
    ):
        problems["decision_visibility"] = (
            "at least one of decision_visibility, decision_monetary, "
            "decision_provision or decision_account is required"
        )
    array_of("decision_visibility", DECISION_VISIBILITIES)
    visibility = s.get("decision_visibility") if isinstance(s.get("decision_visibility"), list) else []
    only_with(
        "decision_visibility_other",
        "DECISION_VISIBILITY_OTHER" in visibility,
        "with DECISION_VISIBILITY_OTHER",
        500,
    )
    one_of("decision_monetary", DECISION_MONETARIES)
    only_with(
        "decision_monetary_other",
        s.get("decision_monetary") == "DECISION_MONETARY_OTHER",
        "with DECISION_MONETARY_OTHER",
        500,
    )
    one_of("decision_provision", DECISION_PROVISIONS)
    one_of("decision_account", DECISION_ACCOUNTS)
    one_of("account_type", ACCOUNT_TYPES)

    text("decision_facts", 5000, required=True)
    one_of("decision_ground", DECISION_GROUNDS, required=True)
    illegal = s.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
    incompatible = s.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    grounded = [
        ("illegal_content_legal_ground", illegal, "ILLEGAL", 500),
        ("illegal_content_explanation", illegal, "ILLEGAL", 2000),
        ("incompatible_content_ground", incompatible, "INCOMPATIBLE", 500),
        ("incompatible_content_explanation", incompatible, "INCOMPATIBLE", 2000),
    ]
    for name, condition, ground, limit in grounded:
        if illegal or incompatible:
            only_with(name, condition, f"with DECISION_GROUND_{ground}_CONTENT", limit)
        else:  # the ground itself is wrong: that is the one problem to report
            text(name, limit)
    if has("incompatible_content_illegal"):
        if illegal:
            problems["incompatible_content_illegal"] = (
                "must only be given with DECISION_GROUND_INCOMPATIBLE_CONTENT"
            )
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
    for name in (
        "end_date_visibility_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_account_restriction",
    ):
        if has(name):
            if problem := _date_problem(s[name], "2020-01-01", "2038-01-01"):
                problems[name] = problem
            elif (
                "application_date" not in problems
                and has("application_date")
                and s[name] < s["application_date"]
            ):
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
        elif "EAN-13" in content_id and not (
            isinstance(content_id["EAN-13"], str) and EAN13_RE.match(content_id["EAN-13"])
        ):
            problems["content_id"] = "EAN-13 must be 13 digits"
    return problems
