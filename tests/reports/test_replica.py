"""With a read replica (`REPLICA_DATABASE_URL`), reports and exports read from it and nothing is ever written
to it. The replica here is a second PostgreSQL database beside the test database, brought in sync by
copying the primary (`CREATE DATABASE … TEMPLATE`) whenever the test says so: between two syncs it lags,
which is how the test tells which database a figure came from."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection, connections

from core.models import AuditEvent
from core.replica import REPLICA, from_replica
from core.roles import actor_for
from reports.exports.jobs import export_build, export_request
from reports.models import Export
from takedowns.models import Claim
from tests.conftest import require_services
from tests.factories import ListingFactory
from tests.harness import database_copy, on_server
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.services


class Replica:
    def __init__(self):
        self.primary = connection.settings_dict["NAME"]
        self.name = f"{self.primary}_replica"

    def sync(self) -> None:
        """The replica becomes a copy of the primary as it is now (every session closed for the copy)."""
        connections.close_all()
        database_copy(self.primary, self.name)
        if REPLICA in connections.settings:
            # Connected here: the test case forbids opening a connection to an alias it was not given when
            # it started, and the alias is added after (adding it for every test would route their reports
            # to a database that does not exist).
            connections[REPLICA].connect()

    def count(self, model, **lookups) -> int:
        return model.objects.using(REPLICA).filter(**lookups).count()


@pytest.fixture
def replica(transactional_db, world):
    require_services(postgres=True)
    copy = Replica()
    copy.sync()
    connections.settings[REPLICA] = {**connections.settings["default"], "NAME": copy.name}
    connections[REPLICA].connect()
    yield copy
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    on_server(f'DROP DATABASE IF EXISTS "{copy.name}" WITH (FORCE)')


def _taken_down(world, count: int) -> None:
    for _ in range(count):
        claim_in_state(world, "taken_down", listing=ListingFactory(merchant=world.merchant))


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]


def test_the_summary_reads_the_replica(world, replica, api):
    _taken_down(world, 3)
    replica.sync()
    _taken_down(world, 2)  # on the primary only: the replica lags
    client = api(world.compliance)
    lagging = client.get("/api/v1/reports/summary/").json()["totals"]
    assert lagging["claims_filed"] == 3 and lagging["claims_taken_down"] == 3
    assert Claim.objects.count() == 5  # outside reports, reads stay on the primary
    replica.sync()
    assert client.get("/api/v1/reports/summary/").json()["totals"]["claims_filed"] == 5


def test_the_portal_report_page_reads_the_replica(world, replica, client_for):
    _taken_down(world, 2)
    replica.sync()
    _taken_down(world, 4)
    page = client_for(world.compliance).get("/reports/?group_by=brand")
    assert page.status_code == 200
    assert page.context["totals"]["claims_filed"] == 2


def test_an_export_reads_the_replica_and_records_itself_on_the_primary(world, replica, api):
    _taken_down(world, 2)
    replica.sync()
    _taken_down(world, 1)
    response = api(world.compliance).get("/api/v1/reports/export/", {"format": "csv"})
    assert response.status_code == 200
    assert len(_csv_rows(response)) == 2  # the COPY ran on the replica
    # The export's audit record is a write: on the primary, never on the replica.
    assert AuditEvent.objects.filter(action="report_export").count() == 1
    assert replica.count(AuditEvent, action="report_export") == 0


def test_a_background_export_finds_its_request_on_the_primary(world, replica):
    """The export row is written after the last sync, so only the primary has it: the build reads it there,
    reads the claims on the replica, and writes its progress and file back to the primary."""
    _taken_down(world, 2)
    replica.sync()
    _taken_down(world, 3)
    export = export_request(actor=actor_for(world.compliance), fmt="csv", params={})
    assert replica.count(Export, pk=export.pk) == 0
    built = export_build(export_id=export.pk)
    assert built.status == Export.Status.DONE and built.progress == 100, built.error
    with built.file.open("rb") as fh:
        assert len(list(csv.reader(io.StringIO(fh.read().decode())))) == 1 + 2
    assert replica.count(Export) == 0


def test_an_object_read_from_the_replica_is_saved_to_the_primary(world, replica):
    _taken_down(world, 1)
    replica.sync()
    with from_replica():
        claim = Claim.objects.get()
    assert claim._state.db == REPLICA
    claim.description = "Changed after the read"
    claim.save(update_fields=["description"])
    assert Claim.objects.get().description == "Changed after the read"
    assert Claim.objects.using(REPLICA).get().description != "Changed after the read"
