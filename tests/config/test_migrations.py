"""A database made before the apps were split migrates forward with every row where the new models expect it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The last migrations of the layout before `core` and `reports` existed.
BEFORE = [("brands", "0002_language"), ("merchants", "0003_language"), ("takedowns", "0002_batch_updated_at")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_moves_notices_audit_events_exports_and_strikes_with_their_rows():
    old = _migrate(BEFORE)
    now = timezone.now()
    User = old.get_model("auth", "User")
    Brand = old.get_model("brands", "Brand")
    IPRight = old.get_model("brands", "IPRight")
    Merchant = old.get_model("merchants", "Merchant")
    Listing = old.get_model("merchants", "Listing")
    Claim = old.get_model("takedowns", "Claim")
    user = User.objects.create(username="officer")
    brand = Brand.objects.create(name="Aurelia")
    right = IPRight.objects.create(
        brand=brand, kind="trademark", mark="AURELIA", registration_number="1", office="EUIPO"
    )
    merchant = Merchant.objects.create(platform_ref="M-1", name="Lucky Outlet")
    listing = Listing.objects.create(
        platform_ref="L-1", merchant=merchant, url="https://m.example/l/1", title="Bag"
    )
    claim = Claim.objects.create(
        brand=brand,
        ip_right=right,
        listing=listing,
        infringement_type="counterfeit",
        reference="TD-2026-000001",
    )
    notice = old.get_model("takedowns", "Notice").objects.create(
        channel="webhook", kind="listing.remove", idempotency_key="listing.remove:TD-2026-000001", claim=claim
    )
    old.get_model("takedowns", "NoticeAttempt").objects.create(notice=notice, ok=True, status_code=200)
    old.get_model("takedowns", "AuditEvent").objects.create(
        action="merchant_ban",
        actor=user,
        actor_label="officer",
        object_type="merchant",
        object_id=str(merchant.pk),
        merchant=merchant,
        brand=brand,
        claim=claim,
    )
    old.get_model("takedowns", "Export").objects.create(requested_by=user, format="csv")
    old.get_model("merchants", "Strike").objects.create(merchant=merchant, claim=claim, expires_at=now)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = new.get_model("core", "Notice").objects.get()
    assert (moved.claim_id, moved.kind) == (claim.pk, "listing.remove")
    assert new.get_model("core", "NoticeAttempt").objects.get().notice_id == moved.pk
    event = new.get_model("core", "AuditEvent").objects.get()
    assert (event.brand_id, event.merchant_id, event.claim_id, event.actor_id) == (
        brand.pk,
        merchant.pk,
        claim.pk,
        user.pk,
    )
    assert new.get_model("reports", "Export").objects.get().format == "csv"
    strike = new.get_model("takedowns", "Strike").objects.get()
    assert (strike.merchant_id, strike.claim_id) == (merchant.pk, claim.pk)
    tables = connection.introspection.table_names()
    assert {"core_notice", "core_auditevent", "reports_export", "takedowns_strike"} <= set(tables)
    assert not {"takedowns_notice", "takedowns_auditevent", "takedowns_export", "merchants_strike"} & set(
        tables
    )
    # New rows get fresh ids after the moved ones (the tables kept their sequences).
    again = new.get_model("core", "Notice").objects.create(channel="email", kind="k", idempotency_key="k2")
    assert again.pk > moved.pk
