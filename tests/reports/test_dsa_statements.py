from __future__ import annotations

import json

from brands.models import Brand
from core.models import AuditEvent
from core.roles import SYSTEM, actor_for
from reports.dsa.statements import statement_for_ban, statements
from reports.dsa.validation import statement_problems
from reports.exports.jobs import export_payload_bytes
from reports.metrics import report_filters


def export(actor=SYSTEM, **params) -> list[dict]:
    filters = report_filters(actor=actor, params=params)
    return json.loads(export_payload_bytes("dsa-sor", actor, filters))["statements"]


def test_it_writes_one_valid_statement_per_takedown_and_per_ban(scenario):
    found = export()
    takedowns = [s for s in found if "-takedown-" in s["puid"]]
    bans = [s for s in found if "-ban-" in s["puid"]]
    assert len(takedowns) == 7  # c1 c3 c4 c9 c10 c11 c13
    assert len(bans) == 1
    for statement in found:
        assert statement_problems(statement) == {}, statement["puid"]


def test_it_uses_the_transparency_database_vocabulary(scenario):
    c4 = next(s for s in export() if s["puid"].endswith(scenario.claims["c4"].reference))
    assert c4["content_type"] == ["CONTENT_TYPE_PRODUCT"]
    assert c4["category"] == "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
    assert c4["category_specification"] == ["KEYWORD_DESIGN_INFRINGEMENT"]
    assert c4["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert c4["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert c4["illegal_content_legal_ground"] and c4["illegal_content_explanation"]
    assert c4["application_date"] == "2026-01-09"
    assert c4["source_type"] == "SOURCE_ARTICLE_16"
    assert c4["automated_detection"] == "No"
    assert c4["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert set(c4["territorial_scope"]) >= {"DE", "FR", "IE", "NO", "IS", "LI"}


def test_it_names_trusted_flaggers_as_the_source(scenario):
    Brand.objects.filter(pk=scenario.world.other_brand.pk).update(trusted_flagger=True)
    c11 = next(s for s in export() if s["puid"].endswith(scenario.claims["c11"].reference))
    assert c11["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert "source_identity" not in c11


def test_it_maps_infringement_types_to_keywords(scenario):
    by_ref = {s["puid"].rsplit("-takedown-", 1)[-1]: s for s in export() if "-takedown-" in s["puid"]}
    keywords = {
        key: by_ref[scenario.claims[key].reference]["category_specification"] for key in ("c1", "c10", "c13")
    }
    assert keywords == {
        "c1": ["KEYWORD_TRADEMARK_INFRINGEMENT"],
        "c10": ["KEYWORD_TRADEMARK_INFRINGEMENT"],
        "c13": ["KEYWORD_COPYRIGHT_INFRINGEMENT"],
    }


def test_it_describes_a_ban_as_an_account_suspension_under_the_terms(scenario):
    ban = AuditEvent.objects.get(action="merchant_ban")
    statement = statement_for_ban(ban)
    assert statement_problems(statement) == {}
    assert statement["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert statement["decision_provision"] == "DECISION_PROVISION_TOTAL_SUSPENSION"
    assert statement["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement["incompatible_content_illegal"] == "Yes"
    assert statement["automated_decision"] == "AUTOMATED_DECISION_FULLY"  # the strike threshold decided
    assert statement["application_date"] == "2026-02-03"
    assert statement["category_specification"] == ["KEYWORD_TRADEMARK_INFRINGEMENT"]


def test_it_keeps_puids_stable_and_unique(scenario):
    first, second = export(), export()
    puids = [s["puid"] for s in first]
    assert puids == [s["puid"] for s in second]
    assert len(set(puids)) == len(puids)


def test_it_sends_no_personal_data(scenario):
    world = scenario.world
    text = json.dumps(export())
    merchants = [world.merchant, scenario.m2, scenario.m3]
    forbidden = [
        world.brand.name,
        world.other_brand.name,
        world.brand.contact_email,
        "Jane Counsel",
        "Sam Seller",
        world.reviewer.email,
        world.owner.email,
        '"reviewer"',
        '"owner"',
        *(m.name for m in merchants),
        *(m.email for m in merchants),
        *(m.platform_ref for m in merchants),
        "market.example",
        "Claim c",
    ]
    for word in forbidden:
        assert word not in text, word


def test_it_limits_a_brand_to_statements_about_its_own_claims(scenario):
    found = export(actor=actor_for(scenario.world.other_owner))
    assert [s["puid"].rsplit("-", 1)[-1] for s in found] == [
        scenario.claims["c11"].reference.rsplit("-", 1)[-1]
    ]


def test_it_filters_statements_by_period(scenario):
    found = export(**{"from": "2026-02-01", "to": "2026-02-28"})
    assert len([s for s in found if "-takedown-" in s["puid"]]) == 4
    assert len([s for s in found if "-ban-" in s["puid"]]) == 1
    assert export(**{"from": "2026-03-01", "to": "2026-03-31"}) == []


def test_it_streams_statements_from_a_generator(scenario):
    filters = report_filters(actor=SYSTEM, params={})
    generator = statements(SYSTEM, filters)
    assert next(generator)["puid"].endswith(scenario.claims["c1"].reference)


def test_it_cites_a_considered_counter_notice_without_the_sellers_data(scenario):
    from reports.dsa.statements import takedown_puid
    from takedowns.models import CounterNotice

    found = {s["puid"]: s for s in export()}
    for counter in CounterNotice.objects.exclude(outcome="pending").select_related("claim"):
        statement = found[takedown_puid(counter.claim)]
        facts = statement["decision_facts"]
        assert "counter-notice (Art. 20 DSA)" in facts and "considered" in facts or "deadline" in facts
        assert counter.statement not in facts and counter.signature not in facts
        if counter.outcome == "reinstated":
            assert "reinstated on" in facts
            assert (
                statement["end_date_visibility_restriction"] == counter.claim.reinstated_at.date().isoformat()
            )
        else:
            assert "upheld the removal" in facts and "end_date_visibility_restriction" not in statement
        assert statement_problems(statement) == {}


def test_a_ban_the_threshold_asked_for_and_a_second_reviewer_confirmed_is_partly_automated(world, settings):
    from takedowns.models import BanHold
    from takedowns.services.bans import ban_hold_decide
    from tests.factories import ClaimFactory, ListingFactory, MerchantFactory

    settings.BAN_SECOND_APPROVAL_LISTINGS = 2
    merchant = MerchantFactory()
    ListingFactory.create_batch(2, merchant=merchant)
    BanHold.objects.create(
        merchant=merchant,
        action="ban",
        reason="3 active strikes",
        why_held="2 active listings",
        requested_label="system",
        previous_status="active",
        claim=ClaimFactory(brand=world.brand, ip_right=world.right, listing=world.listing),
    )
    merchant.status = "ban_pending"
    merchant.save()
    ban_hold_decide(merchant=merchant, actor=actor_for(world.reviewer), action="ban", confirm=True)
    statement = statement_for_ban(AuditEvent.objects.get(action="merchant_ban", merchant_id=merchant.pk))
    assert statement["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert "confirmed by a second reviewer" in statement["decision_facts"]
    assert statement_problems(statement) == {}
