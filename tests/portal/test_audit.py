from core.roles import actor_for
from takedowns.services.bans import merchant_ban
from tests.lifecycle import claim_in_state


def test_it_searches_claim_events_and_audit_events_together(world, client_for):
    claim = claim_in_state(world, "taken_down")
    merchant_ban(merchant=world.merchant, actor=actor_for(world.reviewer), reason="Repeat counterfeits")
    client = client_for(world.compliance)
    page = client.get("/audit/").content.decode()
    assert "merchant_ban" in page and claim.reference in page
    page = client.get(f"/audit/?q={claim.reference}").content.decode()
    assert "approve" in page and "merchant_ban" not in page
    page = client.get("/audit/?kind=audit").content.decode()
    assert "merchant_ban" in page and claim.reference not in page


def test_it_explains_an_empty_result(world, client_for):
    assert (
        "Nothing matches" in client_for(world.compliance).get("/audit/?q=nothing-like-this").content.decode()
    )


def test_it_is_not_for_brands(world, client_for):
    assert client_for(world.owner).get("/audit/").status_code == 403


def test_it_shows_human_labels_and_finds_them(world, client_for):
    claim_in_state(world, "submitted")
    merchant_ban(merchant=world.merchant, actor=actor_for(world.reviewer), reason="Repeat counterfeits")
    client = client_for(world.compliance)
    page = client.get("/audit/").content.decode()
    assert ">Merchant banned<" in page and ">Filed for review<" in page and ">merchant_ban<" not in page
    page = client.get("/audit/?q=banned").content.decode()
    assert ">Merchant banned<" in page and ">Filed for review<" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/audit/"})
    assert "商家已被封禁" in client.get("/audit/").content.decode()


def test_a_malformed_date_is_ignored(world, client_for):
    for query in ("?from=2026-13-45", "?to=2026-02-31", "?from=zz"):
        assert client_for(world.compliance).get("/audit/" + query).status_code == 200
