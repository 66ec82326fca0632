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
    assert page.get_by_text("No listing with this URL is known to the marketplace.").count() == 3
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
    page.wait_for_selector("text=Rows that were skipped")
    batch = ClaimBatch.objects.get()
    assert batch.status == "done" and batch.done == ROWS and len(batch.errors) == 3
    assert batch.claims.count() == ROWS - 3
    assert page.get_by_text("997 draft claims are waiting.").is_visible()
    assert_accessible(page)
