import threading
import time

import pytest
from django.db import connections

import takedowns.services.batches as batches
from merchants.models import Listing
from takedowns.models import ClaimBatch
from takedowns.services.batches import batch_process
from takedowns.tasks import process_batch
from tests.e2e.conftest import assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser

ROWS = 1000


@pytest.fixture
def worker_thread(monkeypatch):
    """Stand-in for a Celery worker: the batch is processed in a thread while the browser watches.
    An in-memory SQLite test database exists once per connection, so the thread borrows the live server's."""
    threads = []

    def delay(batch_id):
        shared = connections["default"]

        def work():
            if shared.vendor == "sqlite" and shared.is_in_memory_db():
                connections["default"] = shared
            try:
                time.sleep(1)  # a worker picks the task up a moment later
                batch_process(batch_id=batch_id)
            finally:
                if not (shared.vendor == "sqlite" and shared.is_in_memory_db()):
                    connections.close_all()

        thread = threading.Thread(target=work, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(process_batch, "delay", delay)
    monkeypatch.setattr(process_batch, "apply_async", lambda args=(), kwargs=None, **options: delay(*args))
    # Smaller steps, a little slower than a real worker on this small database: the bar moves visibly.
    monkeypatch.setattr(batches, "CHUNK", 50)
    create = batches.claim_create

    def slow_create(**kwargs):
        time.sleep(0.004)
        return create(**kwargs)

    monkeypatch.setattr(batches, "claim_create", slow_create)
    yield threads
    for thread in threads:
        thread.join(timeout=120)


def test_it_files_a_thousand_rows_with_a_progress_bar(world, new_page, worker_thread, tmp_path):
    Listing.objects.bulk_create(
        [
            Listing(
                platform_ref=f"BULK-{i}",
                merchant=world.merchant,
                url=f"https://market.example/bulk/{i}",
                title=f"Bag {i}",
            )
            for i in range(ROWS - 3)
        ]
    )
    rows = [f"https://market.example/bulk/{i}" for i in range(ROWS - 3)] + [
        "https://market.example/unknown/1",
        "https://market.example/unknown/2",
        "https://market.example/unknown/3",
    ]
    csv_file = tmp_path / "listings.csv"
    csv_file.write_text("listing_url\n" + "\n".join(rows) + "\n")

    page = new_page()
    sign_in(page, "owner")
    page.goto("/claims/bulk/")
    page.set_input_files("#id_csv_file", str(csv_file))
    page.get_by_label("IP right").select_option(str(world.right.pk))
    page.get_by_label("Explanation").fill("Counterfeit bags sold under our mark.")
    page.get_by_label("I have a good-faith belief").check()
    page.get_by_label("The information in this notice is accurate").check()
    page.get_by_label("Signature (your full name)").fill("Jane Counsel")
    page.get_by_role("button", name="Preview rows").click()
    page.wait_for_selector("text=Check the rows before filing")
    for n in (1, 2, 3):
        assert (
            page.get_by_text(f"No listing with URL https://market.example/unknown/{n} is known").count() == 1
        )
    assert_accessible(page)
    screenshot(page, "brand-bulk-preview-1280")

    page.get_by_role("button", name="Create 997 draft claims").click()
    page.wait_for_url("**/batches/*/")
    # The bar moves while the worker creates the claims; htmx polls every second.
    page.wait_for_function(
        "() => { const p = document.querySelector('#batch-bar');"
        " return p && p.value > 0 && p.value < p.max; }",
        timeout=60_000,
    )
    screenshot(page, "brand-bulk-progress-1280")
    page.wait_for_selector("text=All rows processed", timeout=120_000)
    page.wait_for_selector("text=Rows that need attention")
    batch = ClaimBatch.objects.get()
    assert batch.status == "done" and batch.done == ROWS and len(batch.errors) == 3
    assert batch.claims.count() == ROWS - 3
    assert page.get_by_text("997 draft claims are waiting.").is_visible()
    assert_accessible(page)


def _screenshots(count: int) -> dict[str, bytes]:
    """Small, distinct PNG screenshots, as a brand's capture tool would save them."""
    import io

    from PIL import Image, ImageDraw

    files = {}
    for i in range(count):
        image = Image.new("RGB", (160, 90), (200 + i % 50, 120 + i % 100, 40 + i % 200))
        ImageDraw.Draw(image).text((8, 36), f"listing {i}", fill=(0, 0, 0))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        files[f"shots/item-{i}.png"] = buffer.getvalue()
    return files


def test_it_files_300_rows_each_with_its_own_screenshot_then_fixes_and_discards(
    world, new_page, worker_thread, tmp_path, settings, smtp_server
):
    """A brand's real day: 300 listings, 300 screenshots in one ZIP, a few bad rows. The preview names every
    bad row and counts what will be filed; the worker files and submits the rest; one row is fixed with its
    own file and one discarded. Prints the wall time and the number of user actions."""
    import zipfile

    from core.models import Notice
    from takedowns.models import Claim
    from tests.factories import ClaimFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    smtp_server.clear()
    rows = 300
    Listing.objects.bulk_create(
        [
            Listing(
                platform_ref=f"EV-{i}",
                merchant=world.merchant,
                url=f"https://market.example/ev/{i}",
                title=f"Tote {i}",
            )
            for i in range(rows)
        ]
    )
    held = Listing.objects.get(platform_ref="EV-30")
    ClaimFactory(brand=world.brand, ip_right=world.right, listing=held, state="submitted")
    lines = []
    for i in range(rows):
        url, kind, evidence = f"https://market.example/ev/{i}", "", f"item-{i}.png"
        if i == 10:
            kind = "counterfit"  # a typo in the type
        elif i == 20:
            url = "https://market.example/ev/19"  # the same listing twice in the file
        elif i == 40:
            evidence = "missing-40.png"  # not in the ZIP: fixed on the batch page
        elif i == 50:
            evidence = "notes-50.png"  # named .png, holds markup
        lines.append(f"{url},{kind},{evidence}")
    csv_file = tmp_path / "listings.csv"
    csv_file.write_text("listing_url,infringement_type,evidence\n" + "\n".join(lines) + "\n")
    shots = _screenshots(rows)
    shots["shots/notes-50.png"] = b"<html><script>alert(1)</script></html>"
    archive = tmp_path / "screenshots.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in shots.items():
            bundle.writestr(name, data)
    fix_file = tmp_path / "item-40.png"
    fix_file.write_bytes(_screenshots(41)["shots/item-40.png"])

    actions = 0
    page = new_page()
    sign_in(page, "owner")
    started = time.monotonic()
    page.goto("/claims/bulk/")
    page.get_by_label("CSV or XLSX file of listing URLs").set_input_files(str(csv_file))
    page.get_by_label("ZIP file of evidence (optional)").set_input_files(str(archive))
    page.get_by_label("IP right").select_option(str(world.right.pk))
    page.get_by_label("Explanation").fill("Counterfeit totes sold under our mark.")
    page.get_by_label("I have a good-faith belief").check()
    page.get_by_label("The information in this notice is accurate").check()
    page.get_by_label("Signature (your full name)").fill("Jane Counsel")
    page.get_by_role("button", name="Preview rows").click()
    actions += 9
    page.wait_for_selector("text=Check the rows before filing", timeout=60_000)
    preview_seconds = time.monotonic() - started
    assert page.get_by_test_id("will-file").inner_text() == "295"
    assert page.get_by_test_id("need-attention").inner_text() == "5"
    for text in (
        "Unknown infringement type 'counterfit'",
        "The same listing is already in row 20 of this file.",
        "The evidence file missing-40.png is not in the ZIP file.",
        "The evidence file notes-50.png is not an image",
        "The brand already has an open claim on this listing",
    ):
        assert page.get_by_text(text).count() == 1, text
    screenshot(page, "brand-bulk-evidence-preview-1280")
    assert_accessible(page)

    page.get_by_role("button", name="File 295 claims").click()
    actions += 1
    page.wait_for_url("**/batches/*/")
    page.wait_for_selector("text=All rows processed", timeout=180_000)
    filed_seconds = time.monotonic() - started
    batch = ClaimBatch.objects.get()
    assert batch.claims.filter(state="submitted").count() == 295 and batch.claims.count() == 295
    assert page.get_by_test_id("batch-attention").inner_text() == "5"
    screenshot(page, "brand-bulk-batch-attention-1280")
    assert_accessible(page)

    page.get_by_role("button", name="Fix row 41").click()
    page.get_by_label("Evidence for this row").set_input_files(str(fix_file))
    page.get_by_role("button", name="Check and file this row").click()
    actions += 3
    page.wait_for_selector("text=Row 41 is filed as claim")
    page.get_by_role("button", name="Discard row 11").click()
    actions += 1
    page.wait_for_selector("text=Row 11 was discarded; it is not filed.")
    finished_seconds = time.monotonic() - started
    assert page.get_by_test_id("batch-attention").inner_text() == "3"
    assert page.get_by_test_id("batch-filed").inner_text() == "296"
    assert Claim.objects.get(batch=batch, listing__platform_ref="EV-40").evidence.count() == 1
    assert not Claim.objects.filter(batch=batch, state="draft").exists()
    assert not Notice.objects.filter(kind="claim_received").exists()
    assert Notice.objects.filter(kind="batch_digest").count() == 1
    screenshot(page, "brand-bulk-after-fix-1280")
    print(
        f"\n300 rows with their own evidence: preview after {preview_seconds:.1f} s, all filed after "
        f"{filed_seconds:.1f} s, fixed and discarded after {finished_seconds:.1f} s; {actions} user actions"
    )
