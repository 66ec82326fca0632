"""The busiest pages read in a fixed number of queries, however many claims they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state

# Pinned: a change that adds a query per row (a missing select_related) fails here.
# 10, the count of held bans on its tab, and (queue tools) the reviewers to assign to and one's saved views
QUEUE_QUERIES = 13
DASHBOARD_QUERIES = 27
# 12, the test purchases attached, and the listing as filed (its photos one more when captured: these
# factory-made claims were not)
REVIEW_QUERIES = 14


def _claims(world, count: int, state: str) -> None:
    for _ in range(count):
        claim_in_state(world, state, listing=ListingFactory(merchant=world.merchant))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url, who, state, pinned",
    [
        ("/queue/", "reviewer", "in_review", QUEUE_QUERIES),
        ("/dashboard/", "owner", "taken_down", DASHBOARD_QUERIES),
    ],
)
def test_it_reads_the_page_in_a_fixed_number_of_queries(world, client_for, url, who, state, pinned):
    client = client_for(getattr(world, who))
    _claims(world, 2, state)
    few = _queries(client, url)
    _claims(world, 12, state)
    many = _queries(client, url)
    assert few == many, f"{url}: {few} queries for 2 claims, {many} for 14"
    assert many <= pinned, f"{url}: {many} queries (pinned at {pinned})"


def test_it_reads_the_review_page_in_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.reviewer)
    claim = claim_in_state(world, "in_review")
    _claims(world, 10, "taken_down")  # the merchant's history grows; the page does not ask more
    count = _queries(client, f"/claims/{claim.pk}/")
    assert count <= REVIEW_QUERIES
