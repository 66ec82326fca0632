from tests.lifecycle import claim_in_state


def test_it_shows_figures_charts_and_export_links(world, client_for):
    claim_in_state(world, "taken_down")
    page = client_for(world.compliance).get("/reports/").content.decode()
    assert page.count("<svg") == 4 and page.count("<desc>") == 4
    for fmt in ("csv", "xlsx", "pdf", "dsa-sor", "transparency", "lumen", "audit"):
        assert f"/api/v1/reports/export/?format={fmt}" in page
    assert "100.0%" in page


def test_it_passes_the_filters_to_the_exports(world, client_for):
    page = (
        client_for(world.compliance)
        .get(f"/reports/?from=2026-01-01&brand={world.brand.pk}&group_by=brand")
        .content.decode()
    )
    assert f"format=csv&amp;from=2026-01-01&amp;brand={world.brand.pk}" in page


def test_it_shows_a_bad_date_as_a_message(world, client_for):
    response = client_for(world.compliance).get("/reports/?from=yesterday")
    assert response.status_code == 200 and b"must be a date" in response.content


def test_it_is_not_for_brands_or_merchants(world, client_for):
    assert client_for(world.owner).get("/reports/").status_code == 403
    assert client_for(world.merchant_user).get("/reports/").status_code == 403


def test_export_names_and_merchant_statuses_are_translated(world, client_for):
    from core.roles import actor_for
    from takedowns.services.bans import merchant_ban

    claim_in_state(world, "taken_down")
    merchant_ban(merchant=world.merchant, actor=actor_for(world.reviewer), reason="Repeat counterfeits")
    client = client_for(world.compliance)
    page = client.get("/reports/").content.decode()
    assert "Download DSA statements of reasons" in page and ">Banned</span>" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/reports/"})
    page = client.get("/reports/").content.decode()
    assert "DSA 理由说明" in page and "DSA statements of reasons" not in page and "审计记录" in page
    assert ">banned</span>" not in page and "合规专员" in page  # the role in the top bar


def test_it_shows_the_decided_claims_backed_by_a_test_purchase_and_their_rate(world, client_for):
    from tests.purchases import record_purchase

    record_purchase(world).claims.add(claim_in_state(world, "taken_down"))
    page = client_for(world.compliance).get("/reports/").content.decode()
    assert "Decided claims backed by a test purchase · their take-down rate" in page
    assert "1 · 100.0%" in page


def test_it_shows_the_period_and_offers_presets(world, client_for):
    import datetime as dt

    import time_machine

    from reports.views import period_presets

    with time_machine.travel(dt.datetime(2026, 8, 14, 12, tzinfo=dt.UTC), tick=False):
        presets = {label: (start, end) for label, start, end in period_presets(dt.date(2026, 8, 14))}
        page = client_for(world.compliance).get("/reports/?from=2026-01-01&to=2026-06-30").content.decode()
    assert presets["This month"] == (dt.date(2026, 8, 1), dt.date(2026, 8, 14))
    assert presets["Last month"] == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert presets["This quarter"] == (dt.date(2026, 7, 1), dt.date(2026, 8, 14))
    assert presets["Last quarter"] == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert presets["H2 2026 (DSA)"] == (dt.date(2026, 7, 1), dt.date(2026, 8, 14))
    assert presets["H1 2026 (DSA)"] == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert "<strong>Period:</strong> 2026-01-01 – 2026-06-30" in page
    assert (
        'from=2026-01-01&amp;to=2026-06-30" class="button outline small" aria-current="true">H1 2026 (DSA)<'
        in page
    )


def test_it_counts_in_whole_numbers_on_the_chart_axes():
    from reports.charts import bar_chart, count_ticks

    assert count_ticks(2) == [0, 1, 2] and count_ticks(37) == [0, 10, 20, 30, 40]
    svg = bar_chart(title="t", labels=["a", "b"], series={"n": [1, 2]}, counts=True, horizontal=True)
    assert ">0.2<" not in svg and ">1.5<" not in svg
