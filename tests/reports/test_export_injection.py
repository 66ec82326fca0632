"""Text typed by brands, merchants and the marketplace is data in every export: never a spreadsheet formula,
never markup, never a reason for the PDF renderer to fetch anything."""

from __future__ import annotations

import csv
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from openpyxl import load_workbook

from brands.models import Brand
from core.roles import SYSTEM
from merchants.models import Listing, Merchant
from reports.exports.jobs import export_payload_bytes
from reports.exports.pdf import StaticOnlyFetcher, render_report_html, render_report_pdf
from reports.exports.rows import FORMULA_START, neutralise
from reports.metrics import report_filters
from takedowns.models import Claim
from tests.lifecycle import claim_in_state


class Recorder:
    """A local web server that counts every request made to it."""

    def __init__(self):
        self.hits: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture
def hostile(world, recorder):
    """A takedown whose every free-text field is an attack."""
    Brand.objects.filter(pk=world.brand.pk).update(name=f'<img src="{recorder.url}/brand.png">=1+1')
    Merchant.objects.filter(pk=world.merchant.pk).update(
        name=f'@SUM(1+1)<link rel=stylesheet href="{recorder.url}/m.css">'
    )
    Listing.objects.filter(pk=world.listing.pk).update(title="-2+3 <script>alert(1)</script>")
    claim = claim_in_state(world, "taken_down")
    Claim.objects.filter(pk=claim.pk).update(
        description=f'=HYPERLINK("{recorder.url}/steal","click") <style>@import "{recorder.url}/x.css";</style>'
    )
    claim.refresh_from_db()
    return claim


def export(fmt: str) -> bytes:
    return export_payload_bytes(fmt, SYSTEM, report_filters(actor=SYSTEM, params={}))


def assert_no_formula(value):
    if isinstance(value, str) and value:
        assert not value.startswith(FORMULA_START), value


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (12, 12),
        (None, None),
    ],
)
def test_it_neutralises_formula_leading_cells(value, expected):
    assert neutralise(value) == expected


def test_it_neutralises_formulas_in_the_csv(hostile):
    rows = list(csv.reader(io.StringIO(export("csv").decode())))
    header, row = rows[0], rows[1]
    cells = dict(zip(header, row, strict=True))
    assert cells["description"].startswith("'=HYPERLINK(")
    assert cells["merchant"].startswith("'@SUM(1+1)")
    assert cells["listing_title"] == "'-2+3 <script>alert(1)</script>"
    for cell in row:
        assert_no_formula(cell)


def test_it_neutralises_formulas_in_the_audit_trail(hostile):
    hostile.events.model.objects.create(
        claim=hostile,
        transition="note",
        from_state="taken_down",
        to_state="taken_down",
        actor_label="=cmd|'/C calc'!A0",
        note="+1+1",
    )
    rows = list(csv.reader(io.StringIO(export("audit").decode())))
    assert any(row[6] == "'=cmd|'/C calc'!A0" and row[10] == "'+1+1" for row in rows)
    for row in rows:
        for cell in row:
            assert_no_formula(cell)


def test_it_writes_no_formula_into_the_workbook(hostile):
    workbook = load_workbook(io.BytesIO(export("xlsx")))
    seen = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert_no_formula(cell.value)
                seen.append(cell.value)
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK(") for v in seen)


def test_it_escapes_claim_text_in_the_pdf_html(hostile, recorder):
    html = render_report_html(SYSTEM, report_filters(actor=SYSTEM, params={}))
    assert "&lt;img src=" in html
    assert f'<img src="{recorder.url}' not in html
    assert f'<link rel=stylesheet href="{recorder.url}' not in html


def test_it_renders_the_pdf_without_any_outside_request(hostile, recorder):
    fetcher = StaticOnlyFetcher()
    pdf = render_report_pdf(SYSTEM, report_filters(actor=SYSTEM, params={}), fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.requested == []
    assert recorder.hits == []


def test_it_refuses_every_url_but_the_static_files_even_in_hostile_markup(recorder):
    from weasyprint import HTML

    fetcher = StaticOnlyFetcher()
    markup = (
        f'<img src="{recorder.url}/a.png"><link rel="stylesheet" href="{recorder.url}/b.css">'
        f'<img src="file:///etc/passwd"><img src="data:image/png;base64,iVBORw0KGgo=">'
        f'<div style="background: url({recorder.url}/c.png)">x</div>'
    )
    HTML(string=markup, base_url="file:///", url_fetcher=fetcher).write_pdf()
    assert recorder.hits == []
    assert fetcher.refused and set(fetcher.refused) == set(fetcher.requested)


def test_it_lets_the_pdf_use_the_projects_own_static_files():
    static_dir = Path(django_settings.STATICFILES_DIRS[0])
    some_file = next(p for p in static_dir.rglob("*") if p.is_file())
    relative = some_file.relative_to(static_dir).as_posix()
    fetcher = StaticOnlyFetcher()
    result = fetcher(f"file:///static/{relative}")
    result["file_obj"].close()
    result = fetcher(some_file.resolve().as_uri())
    result["file_obj"].close()
    assert fetcher.refused == []
    with pytest.raises(ValueError):
        fetcher(f"file:///static/{relative}/../../../config/settings.py")


@pytest.mark.parametrize("fmt", ["lumen", "dsa-sor", "transparency"])
def test_it_keeps_claim_text_inert_in_json(hostile, fmt):
    data = json.loads(export(fmt))  # valid JSON whatever the text
    text = json.dumps(data)
    if fmt == "lumen":
        entity = data["notices"][0]["entity_notice_roles_attributes"][0]["entity_attributes"]
        assert entity["name"] == Brand.objects.get(pk=hostile.brand_id).name  # data, as typed
    assert "HYPERLINK" not in text  # the brand's free text never leaves in these formats
