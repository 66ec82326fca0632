from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent


def test_it_writes_any_format_to_a_file(scenario, tmp_path):
    target = tmp_path / "q1.csv"
    call_command(
        "export_report",
        "--format",
        "csv",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    rows = list(csv.DictReader(target.open()))
    assert len(rows) == 7  # every claim with activity in January
    assert AuditEvent.objects.filter(action="report_export", object_id="csv").exists()


def test_it_names_the_file_when_given_a_directory(scenario, tmp_path):
    call_command(
        "export_report",
        "--format",
        "pdf",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--output",
        f"{tmp_path}/reports/",
        stderr=io.StringIO(),
    )
    [pdf] = (tmp_path / "reports").iterdir()
    assert pdf.name == "takedown-report_2026-01-01_2026-03-31.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_it_applies_the_brand_filter_and_a_users_visibility(scenario, tmp_path):
    target = tmp_path / "t.json"
    call_command(
        "export_report",
        "--format",
        "transparency",
        "--as-user",
        "other_owner",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    assert json.loads(target.read_text())["notices"]["received"] == 1
    call_command(
        "export_report",
        "--format",
        "transparency",
        "--brand",
        str(scenario.world.brand.pk),
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    assert json.loads(target.read_text())["notices"]["received"] == 12


def test_it_refuses_bad_filters(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_report", "--format", "csv", "--from", "March", "--output", "-")
    with pytest.raises(CommandError, match="brand"):
        call_command(
            "export_report", "--format", "csv", "--as-user", "other_owner", "--brand", str(world.brand.pk)
        )


def test_it_names_an_export_without_a_start_date_by_its_end():
    import datetime as dt

    from reports.exports.jobs import export_filename
    from reports.metrics import ReportFilters

    filters = ReportFilters(date_from=None, date_to=dt.date(2026, 6, 30))
    assert export_filename("csv", filters) == "takedown-report_until_2026-06-30.csv"
    filters = ReportFilters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30))
    assert export_filename("audit", filters) == "audit-trail_2026-01-01_2026-06-30.csv"


def test_a_pdf_in_chinese_carries_the_report_id_the_audit_trail_records(scenario, tmp_path):
    import subprocess

    target = tmp_path / "q1-zh.pdf"
    call_command(
        "export_report",
        *("--format", "pdf", "--from", "2026-01-01", "--to", "2026-03-31", "--lang", "zh-hans"),
        *("--output", str(target)),
        stderr=io.StringIO(),
    )
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    event = AuditEvent.objects.get(action="report_export", object_id="pdf")
    report_id = event.data["params"]["report_id"]
    assert report_id.startswith("TDR-") and report_id in text and report_id in event.note
    assert event.data["params"]["lang"] == "zh-hans" and "lang zh-hans" in event.note
    assert "定义" in text or "报告" in text  # the PDF speaks Chinese
    with pytest.raises(CommandError, match="lang must be one of"):
        call_command("export_report", "--format", "pdf", "--lang", "fr", stderr=io.StringIO())
    with pytest.raises(CommandError, match="PDF only"):
        call_command("export_report", "--format", "csv", "--lang", "zh-hans", stderr=io.StringIO())
