"""The PDF report as a compliance officer hands it on: its ID (the one the audit trail records), the product
version, the SHA-256 of its data (recomputed here from the attached data and checked against the report
figures), the labels of its tables heading the definitions, no row of zeros, and the chosen language with a
CJK font embedded. The PDFs are read with poppler (pdftotext, pdffonts, pdfdetach), as a reader would."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from core.models import AuditEvent
from core.roles import SYSTEM
from reports.exports.pdf import DATA_ATTACHMENT, LABELS, SUMMARY_ORDER, render_report_html, render_report_pdf
from reports.metrics import DEFINITIONS, METRIC_KEYS, report_filters, report_summary
from reports.models import Export

PERIOD = {"from": "2026-01-01", "to": "2026-04-30"}
VERSION = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["project"]["version"]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def attached_data(pdf: bytes, tmp_path: Path) -> bytes:
    path, out = tmp_path / "attached.pdf", tmp_path / DATA_ATTACHMENT
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, check=True, text=True)
    assert DATA_ATTACHMENT in listing.stdout
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(out), str(path)], check=True)
    return out.read_bytes()


def printed_hash(text: str) -> str:
    hashes = set(re.findall(r"\b[0-9a-f]{64}\b", text))
    assert len(hashes) == 1, hashes  # the same hash on the cover and in the sign-off block
    return hashes.pop()


@pytest.fixture
def english(scenario, tmp_path):
    filters = report_filters(actor=SYSTEM, params=PERIOD)
    pdf = render_report_pdf(SYSTEM, filters, lang="en", report_id="TDR-0000-1111-2222-3333")
    return pdf, pdf_text(pdf, tmp_path)


def test_it_prints_its_id_and_the_products_version(english):
    _pdf, text = english
    assert text.count("TDR-0000-1111-2222-3333") >= 2  # cover, running footer, sign-off
    assert f"Takedown Desk {VERSION}" in text


def test_it_prints_the_sha256_of_the_attached_data(english, tmp_path):
    pdf, text = english
    data = attached_data(pdf, tmp_path)
    assert hashlib.sha256(data).hexdigest() == printed_hash(text)
    # canonical: what anyone re-serialising the parsed data the documented way gets, byte for byte
    parsed = json.loads(data)
    assert (
        json.dumps(
            parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
        == data
    )


def test_it_hashes_the_report_figures(english, tmp_path):
    pdf, _text = english
    data = json.loads(attached_data(pdf, tmp_path))
    filters = report_filters(actor=SYSTEM, params=PERIOD)
    months = report_summary(actor=SYSTEM, filters=filters, group_by="month")
    assert data["period"] == {"from": "2026-01-01", "to": "2026-04-30"}
    assert data["totals"] == {key: months.totals[key] for key in METRIC_KEYS}
    assert data["totals"]["claims_filed"] == 13 and data["totals"]["claims_decided"] == 10
    assert [row["group"] for row in data["by_month"]] == ["2026-01", "2026-02", "2026-04"]  # March: nothing
    assert {row["group"] for row in data["by_brand"]} == {"Aurelia", "Northpeak"}
    assert "(unassigned)" not in {row["group"] for row in data["by_reviewer"]}


def test_it_hashes_the_same_figures_alike_in_both_languages(scenario, tmp_path):
    filters = report_filters(actor=SYSTEM, params=PERIOD)
    english = render_report_pdf(SYSTEM, filters, lang="en", report_id="TDR-A")
    chinese = render_report_pdf(SYSTEM, filters, lang="zh-hans", report_id="TDR-B")
    assert attached_data(english, tmp_path) == attached_data(chinese, tmp_path)
    zh_text = pdf_text(chinese, tmp_path)
    assert printed_hash(zh_text) == hashlib.sha256(attached_data(chinese, tmp_path)).hexdigest()
    for heading in ("下架报告", "摘要", "按月份", "按品牌", "定义", "签署", "报告编号"):
        assert heading in zh_text, heading
    assert "Definitions" not in zh_text and "Summary" not in zh_text
    # the DSA transparency section too: its sections, figures, breakdowns and definitions
    for words in ("通知方申诉", "基于法律理由（按类型）: 假冒", "期间内提交且尚未决定的申诉。"):
        assert words in zh_text.replace("\n", ""), words
    assert "Notices (claims) submitted" not in zh_text and "notifier_complaints" not in zh_text
    with translation.override("zh-hans"):
        assert str(LABELS["takedown_rate"]) in zh_text
        assert translation.gettext(DEFINITIONS["claims_filed"]) in zh_text.replace("\n", "").replace(" ", "")
    fonts = pdf_fonts(chinese, tmp_path)
    assert "Noto-Sans-CJK-SC" in fonts, fonts  # the glyphs come with the file: readable where no CJK font is


def test_it_heads_the_definitions_with_the_labels_of_the_tables(english):
    _pdf, text = english
    definitions = text[text.index("Definitions\n") :]
    for key in SUMMARY_ORDER:
        assert str(LABELS[key]) in definitions, key
    assert not set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", definitions)) & set(METRIC_KEYS)
    # the tables use the same words for their columns
    html = render_report_html(SYSTEM, report_filters(actor=SYSTEM, params=PERIOD), lang="en")
    headings = set(re.findall(r"<th[^>]*>([^<]+)</th>", html))
    assert {
        "Take-down rate",
        "Median h to decision",
        "Counter-notices",
        "Successful counter-notices",
    } <= headings


def test_it_leaves_out_groups_with_nothing_to_count(english):
    _pdf, text = english
    reviewers = text[text.rindex("By reviewer") : text.index("Top repeat infringers\n")]
    # c14 is filed and with nobody: "(unassigned)" has a filing, but nothing the reviewer table counts
    assert "(unassigned)" not in reviewers
    assert "reviewer" in reviewers
    months = text[text.index("Each figure counts in the month") : text.index("Take-down rate by brand")]
    assert "2026-01" in months and "2026-04" in months and "2026-03" not in months  # March: nothing


def test_it_has_a_sign_off_block(scenario, tmp_path):
    officer = scenario.world.compliance
    officer.first_name, officer.last_name = "Mei", "Chen"
    officer.save()
    from core.roles import actor_for

    pdf = render_report_pdf(actor_for(officer), report_filters(actor=SYSTEM, params=PERIOD), lang="en")
    signoff = pdf_text(pdf, tmp_path).split("Sign-off\n")[-1]
    assert f"Mei Chen ({officer.username})" in signoff
    for line in ("Prepared by", "Reviewed by", "Approved by", "Signature", "Date"):
        assert line in signoff, line


# --- through the API: the language chosen, the ID recorded ------------------------------------------------
def test_it_exports_the_pdf_in_the_language_asked_for_and_records_its_id(scenario, api, tmp_path):
    response = api(scenario.world.compliance).get(
        "/api/v1/reports/export/", {"format": "pdf", "lang": "zh-hans", **PERIOD}
    )
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="report_export", object_id="pdf")
    report_id = event.data["params"]["report_id"]
    assert re.fullmatch(r"TDR(-[0-9A-F]{4}){4}", report_id)
    assert event.data["params"]["lang"] == "zh-hans"
    assert event.note == f"pdf · from 2026-01-01 · to 2026-04-30 · lang zh-hans · report {report_id}"
    text = pdf_text(pdf, tmp_path)
    assert report_id in text and "下架报告" in text


def test_it_writes_the_pdf_in_the_requesters_language_by_default(scenario, api, tmp_path):
    response = api(scenario.world.compliance).get(
        "/api/v1/reports/export/", {"format": "pdf", **PERIOD}, HTTP_ACCEPT_LANGUAGE="zh-Hans"
    )
    assert response.status_code == 200
    assert "定义" in pdf_text(b"".join(response.streaming_content), tmp_path)
    assert AuditEvent.objects.get(action="report_export").data["params"]["lang"] == "zh-hans"


@pytest.mark.parametrize("lang", ["fr", "zh", "english", "x" * 300])
def test_it_refuses_a_language_it_does_not_write(scenario, api, lang):
    response = api(scenario.world.compliance).get("/api/v1/reports/export/", {"format": "pdf", "lang": lang})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_lang"
    assert not AuditEvent.objects.filter(action="report_export").exists()


def test_it_builds_a_background_pdf_in_the_chosen_language_with_the_recorded_id(
    scenario, api, tmp_path, django_capture_on_commit_callbacks
):
    client = api(scenario.world.compliance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            "/api/v1/reports/export/", {"format": "pdf", "lang": "zh-hans", "background": "1", **PERIOD}
        )
    assert response.status_code == 202
    export = Export.objects.get()
    event = AuditEvent.objects.get(action="report_export")
    assert export.params["report_id"] == event.data["params"]["report_id"]
    download = client.get(response.json()["url"])
    assert download.status_code == 200
    text = pdf_text(b"".join(download.streaming_content), tmp_path)
    assert export.params["report_id"] in text and "下架报告" in text


def test_it_prints_the_busiest_brands_and_says_how_many_more(scenario, tmp_path, monkeypatch):
    from reports.exports import pdf as report_pdf

    monkeypatch.setattr(report_pdf, "BRANDS_PRINTED", 1)
    filters = report_filters(actor=SYSTEM, params=PERIOD)
    by_brand = report_summary(actor=SYSTEM, filters=filters, group_by="brand").rows
    busiest = max(by_brand, key=lambda row: (row["claims_decided"], row["claims_filed"]))
    assert len(by_brand) == 2 and busiest["claims_decided"] > min(r["claims_decided"] for r in by_brand)
    pdf = render_report_pdf(SYSTEM, filters, lang="en", report_id="TDR-B")
    data = json.loads(attached_data(pdf, tmp_path))
    assert [row["group"] for row in data["by_brand"]] == [busiest["group"]]
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "1 more brand is in the XLSX export’s “By brand” sheet" in text
    other = next(row["group"] for row in by_brand if row is not busiest)
    section = text[text.index("By brand") : text.index("By infringement type and reviewer")]
    assert other not in section
