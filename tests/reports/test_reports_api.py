from __future__ import annotations

import csv
import io
import json

import pytest
import time_machine
from django.utils import timezone

from core.models import AuditEvent
from reports.models import Export

CONTRACT_ROW = {
    "group",
    "claims_filed",
    "claims_decided",
    "claims_taken_down",
    "claims_rejected",
    "takedown_rate",
    "median_hours_to_decision",
    "median_hours_to_takedown",
    "counter_notices",
    "reinstated",
    "claims_with_test_purchase",
    "test_purchase_takedown_rate",
}


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return b"".join(response) if hasattr(response, "file_to_stream") else response.content


def test_it_answers_the_summary_in_exactly_the_spec_shape(scenario, api):
    response = api(scenario.world.compliance).get(
        "/api/v1/reports/summary/", {"from": "2026-01-01", "to": "2026-02-28"}
    )
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"totals", "rows"}
    assert set(data["totals"]) == CONTRACT_ROW - {"group"}
    assert all(set(row) == CONTRACT_ROW for row in data["rows"])
    assert [row["group"] for row in data["rows"]] == ["2026-01", "2026-02"]
    assert data["totals"]["takedown_rate"] == pytest.approx(0.7)
    assert data["totals"]["median_hours_to_decision"] == pytest.approx(9.0)


@pytest.mark.parametrize("user", ["compliance", "reviewer"])
def test_it_shows_staff_every_brand(scenario, api, user):
    data = api(getattr(scenario.world, user)).get("/api/v1/reports/summary/", {"group_by": "brand"}).json()
    assert {row["group"] for row in data["rows"]} == {"Aurelia", "Northpeak"}


def test_it_shows_a_brand_only_its_own_figures(scenario, api):
    data = api(scenario.world.other_owner).get("/api/v1/reports/summary/", {"group_by": "brand"}).json()
    assert [row["group"] for row in data["rows"]] == ["Northpeak"]
    assert data["totals"]["claims_filed"] == 1


def test_it_hides_another_brand_as_not_found(scenario, api):
    response = api(scenario.world.other_owner).get(
        "/api/v1/reports/summary/", {"brand": scenario.world.brand.pk}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = api(scenario.world.other_owner).get(
        "/api/v1/reports/export/", {"format": "csv", "brand": scenario.world.brand.pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("user", ["merchant_user", "platform", "outsider"])
def test_it_refuses_merchants_the_marketplace_and_strangers(world, api, user):
    for url in ("/api/v1/reports/summary/", "/api/v1/reports/export/?format=csv"):
        response = api(getattr(world, user)).get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_it_refuses_anonymous_callers(world, api):
    assert api(None).get("/api/v1/reports/summary/").status_code in (401, 403)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"group_by": "colour"}, "group_by"),
        ({"brand": "x"}, "brand"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
    ],
)
def test_it_answers_bad_parameters_with_400_and_a_message(world, api, params, field):
    response = api(world.compliance).get("/api/v1/reports/summary/", params)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] and data["code"]
    assert field in data


@pytest.mark.parametrize("path", ["/api/v1/reports/summary/", "/api/v1/reports/export/"])
@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "0001-01-01"}, "from"),
        ({"from": "0999-12-31"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "2026-01-01", "to": "9999-12-31"}, "to"),
    ],
)
def test_it_answers_dates_out_of_range_with_400_not_a_crash(scenario, api, path, params, field):
    response = api(scenario.world.compliance).get(path, {"format": "csv", **params})
    assert response.status_code == 400, response.content if not response.streaming else b"(stream)"
    data = response.json()
    assert data["code"] == "invalid_date" and field in data


@pytest.mark.parametrize("path", ["/api/v1/reports/summary/", "/api/v1/reports/export/"])
def test_it_answers_a_brand_id_beyond_any_database_integer_as_not_found(world, api, path):
    response = api(world.compliance).get(path, {"format": "csv", "brand": "99999999999999999999999"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_answers_an_unknown_format_with_400(world, api):
    response = api(world.compliance).get("/api/v1/reports/export/", {"format": "docx"})
    assert response.status_code == 400
    assert "format" in response.json()["detail"]


def test_it_streams_the_csv_with_the_filters(scenario, api):
    response = api(scenario.world.compliance).get(
        "/api/v1/reports/export/", {"format": "csv", "from": "2026-02-01", "to": "2026-02-28"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert sorted(row["reference"] for row in rows) == sorted(
        scenario.claims[k].reference for k in ("c9", "c10", "c11", "c12", "c13")
    )
    c13 = next(row for row in rows if row["reference"] == scenario.claims["c13"].reference)
    assert (c13["decision"], c13["decided_by"], c13["hours_to_decision"], c13["hours_to_takedown"]) == (
        "approved",
        "reviewer2",
        "10.0",
        "20.0",
    )
    assert AuditEvent.objects.filter(action="report_export", object_id="csv").exists()


@pytest.mark.parametrize(
    "fmt, content_type",
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
        ("dsa-sor", "application/json"),
        ("transparency", "application/json"),
        ("lumen", "application/json"),
        ("audit", "text/csv"),
    ],
)
def test_it_exports_every_format(scenario, api, fmt, content_type):
    response = api(scenario.world.compliance).get("/api/v1/reports/export/", {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    data = body(response)
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "xlsx":
        assert data.startswith(b"PK")
    elif content_type == "application/json":
        json.loads(data)


def test_it_builds_large_exports_in_the_background_for_the_requester_only(
    scenario, api, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_CLAIMS = 5
    client = api(scenario.world.compliance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/v1/reports/export/", {"format": "xlsx", "from": "2026-01-01"})
    assert response.status_code == 202
    url = response.json()["url"]
    export = Export.objects.get()
    assert url.endswith(f"/api/v1/reports/exports/{export.pk}/")
    assert export.status == Export.Status.DONE and export.progress == 100
    assert export.expires_at > timezone.now()
    download = client.get(url)
    assert download.status_code == 200
    assert body(download).startswith(b"PK")
    assert api(scenario.world.reviewer).get(url).status_code == 404  # staff, but not the requester
    assert api(scenario.world.owner).get(url).status_code == 404
    with time_machine.travel(export.expires_at + timezone.timedelta(seconds=1)):
        gone = client.get(url)
    assert gone.status_code == 410
    assert gone.json()["code"] == "gone"


def test_it_reports_progress_while_an_export_is_pending(scenario, api):
    export = Export.objects.create(
        requested_by=scenario.world.compliance,
        format="pdf",
        params={},
        status=Export.Status.RUNNING,
        progress=40,
    )
    response = api(scenario.world.compliance).get(f"/api/v1/reports/exports/{export.pk}/")
    assert response.status_code == 202
    assert response.json()["progress"] == 40


def test_it_builds_a_background_export_on_request_and_keeps_it_for_the_set_time(
    scenario, api, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_KEEP_HOURS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = api(scenario.world.other_owner).get(
            "/api/v1/reports/export/", {"format": "csv", "background": "1"}
        )
    assert response.status_code == 202
    export = Export.objects.get()
    assert (export.expires_at - export.finished_at).total_seconds() == 2 * 3600
    rows = list(
        csv.DictReader(
            io.StringIO(body(api(scenario.world.other_owner).get(response.json()["url"])).decode())
        )
    )
    assert [row["brand"] for row in rows] == [
        "Northpeak"
    ]  # the requester's visibility applies in the worker too


def test_it_purges_expired_export_files(scenario, api, settings, django_capture_on_commit_callbacks):
    from reports.exports.jobs import exports_purge_expired

    with django_capture_on_commit_callbacks(execute=True):
        api(scenario.world.compliance).get("/api/v1/reports/export/", {"format": "csv", "background": "1"})
    export = Export.objects.get()
    path = export.file.path
    assert exports_purge_expired(now=export.expires_at + timezone.timedelta(seconds=1)) == 1
    export.refresh_from_db()
    assert not export.file
    import os

    assert not os.path.exists(path)


def test_it_documents_the_report_endpoints_in_the_schema(world, api):
    response = api(world.compliance).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = (
        json.loads(response.content)["paths"]
        if response["Content-Type"].startswith("application/json")
        else None
    )
    text = response.content.decode()
    assert "/api/v1/reports/summary/" in text and "/api/v1/reports/export/" in text
    assert paths is None or "/api/v1/reports/summary/" in paths


def test_it_records_the_filters_of_an_export_in_the_audit_trail(world, api, client_for):
    response = api(world.compliance).get(
        "/api/v1/reports/export/", {"format": "csv", "from": "2026-01-01", "to": "2026-06-30"}
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="report_export")
    assert event.note == "csv · from 2026-01-01 · to 2026-06-30"
    assert (
        "csv · from 2026-01-01 · to 2026-06-30"
        in client_for(world.compliance).get("/audit/").content.decode()
    )
