"""One test per rule of the Transparency Database, each starting from a valid statement and breaking one thing."""

from __future__ import annotations

import pytest

from reports.dsa.validation import statement_problems


def valid() -> dict:
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "account_type": "ACCOUNT_TYPE_BUSINESS",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "Trade mark infringement",
        "illegal_content_explanation": "Counterfeit goods",
        "decision_facts": "Removed after a notice.",
        "content_type": ["CONTENT_TYPE_PRODUCT"],
        "category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "category_specification": ["KEYWORD_TRADEMARK_INFRINGEMENT"],
        "territorial_scope": ["DE", "FR", "NO"],
        "content_date": "2025-12-01",
        "application_date": "2026-01-05",
        "source_type": "SOURCE_ARTICLE_16",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": "tdesk-takedown-TD-2026-000001",
    }


def incompatible() -> dict:
    s = valid()
    del s["illegal_content_legal_ground"], s["illegal_content_explanation"]
    return {
        **s,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Repeat infringer policy",
        "incompatible_content_explanation": "3 strikes",
    }


def change(base=valid, drop=(), **fields) -> dict:
    s = base()
    for name in drop:
        s.pop(name, None)
    s.update(fields)
    return s


def test_it_accepts_a_valid_statement():
    assert statement_problems(valid()) == {}
    assert statement_problems(incompatible()) == {}


def test_it_accepts_every_optional_field_used_correctly():
    s = change(
        decision_visibility=["DECISION_VISIBILITY_OTHER"],
        decision_visibility_other="Hidden from search",
        decision_monetary="DECISION_MONETARY_OTHER",
        decision_monetary_other="Payouts held",
        decision_provision="DECISION_PROVISION_PARTIAL_SUSPENSION",
        decision_account="DECISION_ACCOUNT_SUSPENDED",
        decision_ground_reference_url="https://market.example/terms",
        content_type=["CONTENT_TYPE_OTHER"],
        content_type_other="Listing",
        category_addition=["STATEMENT_CATEGORY_SCAMS_AND_FRAUD"],
        category_specification=["KEYWORD_OTHER"],
        category_specification_other="Counterfeit",
        content_language="EN",
        end_date_visibility_restriction="2026-02-01",
        end_date_account_restriction="2026-01-05",
        source_identity="Coalition",
        content_id={"EAN-13": "4006381333931"},
    )
    assert statement_problems(s) == {}


RULES = [
    # (rule, statement, the field that must be reported)
    ("at least one restriction", change(drop=["decision_visibility"]), "decision_visibility"),
    (
        "decision_visibility is an array",
        change(decision_visibility="DECISION_VISIBILITY_CONTENT_REMOVED"),
        "decision_visibility",
    ),
    (
        "decision_visibility values",
        change(decision_visibility=["DECISION_VISIBILITY_HIDDEN"]),
        "decision_visibility",
    ),
    (
        "decision_visibility_other required with OTHER",
        change(decision_visibility=["DECISION_VISIBILITY_OTHER"]),
        "decision_visibility_other",
    ),
    (
        "decision_visibility_other at most 500",
        change(decision_visibility=["DECISION_VISIBILITY_OTHER"], decision_visibility_other="x" * 501),
        "decision_visibility_other",
    ),
    (
        "decision_visibility_other excluded otherwise",
        change(decision_visibility_other="why"),
        "decision_visibility_other",
    ),
    ("decision_monetary values", change(decision_monetary="DECISION_MONETARY_FINE"), "decision_monetary"),
    (
        "decision_monetary_other required with OTHER",
        change(decision_monetary="DECISION_MONETARY_OTHER"),
        "decision_monetary_other",
    ),
    (
        "decision_monetary_other at most 500",
        change(decision_monetary="DECISION_MONETARY_OTHER", decision_monetary_other="x" * 501),
        "decision_monetary_other",
    ),
    ("decision_provision values", change(decision_provision="DECISION_PROVISION_SOME"), "decision_provision"),
    ("decision_account values", change(decision_account="DECISION_ACCOUNT_BANNED"), "decision_account"),
    ("account_type values", change(account_type="ACCOUNT_TYPE_COMPANY"), "account_type"),
    ("decision_facts required", change(drop=["decision_facts"]), "decision_facts"),
    ("decision_facts at most 5000", change(decision_facts="x" * 5001), "decision_facts"),
    ("decision_ground required", change(drop=["decision_ground"]), "decision_ground"),
    ("decision_ground values", change(decision_ground="DECISION_GROUND_OTHER"), "decision_ground"),
    (
        "illegal_content_legal_ground required with ILLEGAL",
        change(drop=["illegal_content_legal_ground"]),
        "illegal_content_legal_ground",
    ),
    (
        "illegal_content_legal_ground at most 500",
        change(illegal_content_legal_ground="x" * 501),
        "illegal_content_legal_ground",
    ),
    (
        "illegal_content_explanation required with ILLEGAL",
        change(drop=["illegal_content_explanation"]),
        "illegal_content_explanation",
    ),
    (
        "illegal_content_explanation at most 2000",
        change(illegal_content_explanation="x" * 2001),
        "illegal_content_explanation",
    ),
    (
        "illegal_content_* excluded with INCOMPATIBLE",
        change(incompatible, illegal_content_legal_ground="law"),
        "illegal_content_legal_ground",
    ),
    (
        "incompatible_content_ground required with INCOMPATIBLE",
        change(incompatible, drop=["incompatible_content_ground"]),
        "incompatible_content_ground",
    ),
    (
        "incompatible_content_ground at most 500",
        change(incompatible, incompatible_content_ground="x" * 501),
        "incompatible_content_ground",
    ),
    (
        "incompatible_content_explanation required with INCOMPATIBLE",
        change(incompatible, drop=["incompatible_content_explanation"]),
        "incompatible_content_explanation",
    ),
    (
        "incompatible_content_explanation at most 2000",
        change(incompatible, incompatible_content_explanation="x" * 2001),
        "incompatible_content_explanation",
    ),
    (
        "incompatible_content_illegal is Yes or No",
        change(incompatible, incompatible_content_illegal="yes"),
        "incompatible_content_illegal",
    ),
    (
        "incompatible_content_* excluded with ILLEGAL",
        change(incompatible_content_ground="policy"),
        "incompatible_content_ground",
    ),
    (
        "decision_ground_reference_url is a URL",
        change(decision_ground_reference_url="terms page"),
        "decision_ground_reference_url",
    ),
    (
        "decision_ground_reference_url at most 500",
        change(decision_ground_reference_url="https://a.example/" + "x" * 490),
        "decision_ground_reference_url",
    ),
    ("content_type required", change(drop=["content_type"]), "content_type"),
    ("content_type values", change(content_type=["CONTENT_TYPE_LISTING"]), "content_type"),
    (
        "content_type_other required with OTHER",
        change(content_type=["CONTENT_TYPE_OTHER"]),
        "content_type_other",
    ),
    (
        "content_type_other at most 500",
        change(content_type=["CONTENT_TYPE_OTHER"], content_type_other="x" * 501),
        "content_type_other",
    ),
    ("category required", change(drop=["category"]), "category"),
    ("category values", change(category="STATEMENT_CATEGORY_COUNTERFEITS"), "category"),
    ("category_addition values", change(category_addition=["STATEMENT_CATEGORY_FAKES"]), "category_addition"),
    (
        "category_specification values",
        change(category_specification=["KEYWORD_COUNTERFEIT"]),
        "category_specification",
    ),
    (
        "category_specification_other required with KEYWORD_OTHER",
        change(category_specification=["KEYWORD_OTHER"]),
        "category_specification_other",
    ),
    (
        "category_specification_other at most 500",
        change(category_specification=["KEYWORD_OTHER"], category_specification_other="x" * 501),
        "category_specification_other",
    ),
    ("territorial_scope required", change(drop=["territorial_scope"]), "territorial_scope"),
    ("territorial_scope only EU/EEA", change(territorial_scope=["DE", "GB"]), "territorial_scope"),
    ("territorial_scope upper-case codes", change(territorial_scope=["de"]), "territorial_scope"),
    ("content_language ISO 639-1 upper case", change(content_language="en"), "content_language"),
    ("content_language known code", change(content_language="XX"), "content_language"),
    ("content_date required", change(drop=["content_date"]), "content_date"),
    ("content_date format", change(content_date="01/12/2025"), "content_date"),
    ("content_date a real date", change(content_date="2025-02-30"), "content_date"),
    ("content_date floor 2000-01-01", change(content_date="1999-12-31"), "content_date"),
    ("content_date ceiling 2038-01-01", change(content_date="2038-01-02"), "content_date"),
    ("application_date required", change(drop=["application_date"]), "application_date"),
    ("application_date format", change(application_date="2026-1-5"), "application_date"),
    ("application_date floor 2020-01-01", change(application_date="2019-12-31"), "application_date"),
    ("application_date ceiling 2038-01-01", change(application_date="2038-01-02"), "application_date"),
    ("end dates format", change(end_date_account_restriction="next year"), "end_date_account_restriction"),
    (
        "end dates not before application_date",
        change(end_date_visibility_restriction="2026-01-04"),
        "end_date_visibility_restriction",
    ),
    ("source_type required", change(drop=["source_type"]), "source_type"),
    ("source_type values", change(source_type="SOURCE_NOTICE"), "source_type"),
    ("source_identity at most 500", change(source_identity="x" * 501), "source_identity"),
    (
        "source_identity excluded with SOURCE_VOLUNTARY",
        change(source_type="SOURCE_VOLUNTARY", source_identity="a brand"),
        "source_identity",
    ),
    ("automated_detection required", change(drop=["automated_detection"]), "automated_detection"),
    ("automated_detection Yes or No", change(automated_detection="no"), "automated_detection"),
    ("automated_decision required", change(drop=["automated_decision"]), "automated_decision"),
    ("automated_decision values", change(automated_decision="AUTOMATED_DECISION_NO"), "automated_decision"),
    ("puid required", change(drop=["puid"]), "puid"),
    ("puid at most 500", change(puid="p" * 501), "puid"),
    ("puid charset", change(puid="TD 2026/1"), "puid"),
    ("content_id only EAN-13", change(content_id={"ISBN": "123"}), "content_id"),
    ("content_id EAN-13 is 13 digits", change(content_id={"EAN-13": "12345"}), "content_id"),
]


@pytest.mark.parametrize("rule, statement, field", RULES, ids=[rule for rule, _, _ in RULES])
def test_it_applies_the_rule(rule, statement, field):
    problems = statement_problems(statement)
    assert field in problems, f"{rule}: {problems}"
    assert len(problems) == 1, f"{rule} should be the only problem: {problems}"
