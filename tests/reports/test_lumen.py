from __future__ import annotations

import json

from core.roles import SYSTEM
from reports.exports.jobs import export_payload_bytes
from reports.metrics import report_filters


def notices(**params):
    return json.loads(export_payload_bytes("lumen", SYSTEM, report_filters(actor=SYSTEM, params=params)))[
        "notices"
    ]


def test_it_exports_one_lumen_notice_per_filed_claim(scenario):
    found = notices(**{"from": "2026-02-01", "to": "2026-02-28"})
    assert len(found) == 5
    c11 = next(n for n in found if scenario.claims["c11"].reference in n["title"])
    assert c11["type"] == "Counterfeit"
    assert c11["action_taken"] == "Yes"
    assert c11["works_attributes"][0]["infringing_urls_attributes"] == [
        {"url": scenario.claims["c11"].listing.url}
    ]
    roles = {r["name"]: r["entity_attributes"] for r in c11["entity_notice_roles_attributes"]}
    assert roles["principal"]["name"] == roles["sender"]["name"] == "Northpeak"
    assert roles["principal"]["kind"] == "organization"
    assert c11["mark_registration_number"] == scenario.world.other_right.registration_number


def test_it_maps_types_and_outcomes(scenario):
    by_ref = {n["title"].rsplit("(", 1)[-1].rstrip(")"): n for n in notices()}
    claim = scenario.claims
    assert by_ref[claim["c2"].reference]["type"] == "Trademark"
    assert by_ref[claim["c2"].reference]["action_taken"] == "No"  # rejected
    assert by_ref[claim["c12"].reference]["action_taken"] == "No"  # approved, not yet removed
    assert by_ref[claim["c9"].reference]["action_taken"] == "Yes"  # removed, later retracted
    assert claim["c6"].reference not in by_ref  # a draft is not a notice


def test_it_leaves_people_out(scenario):
    text = json.dumps(notices())
    for word in ("Jane Counsel", scenario.world.owner.email, scenario.world.merchant.email, "Claim c1"):
        assert word not in text
