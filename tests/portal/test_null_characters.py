"""A NUL character in a portal form or search is refused with a 400 that says so, never a 500: PostgreSQL
cannot store or compare it."""

import pytest

from takedowns.models import Appeal
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who, url",
    [
        ("reviewer", "/queue/?q=%00"),
        ("reviewer", "/queue/?merchant=a%00b"),
        ("reviewer", "/merchants/?q=%00"),
        ("owner", "/claims/?q=%00"),
        ("reviewer", "/brands/?q=%00"),
    ],
)
def test_a_search_with_a_nul_is_a_400(world, client_for, who, url):
    answer = client_for(getattr(world, who)).get(url)
    assert answer.status_code == 400 and b"Null characters" in answer.content


def test_a_form_with_a_nul_is_a_400_and_writes_nothing(world, client_for):
    claim = claim_in_state(world, "rejected")
    answer = client_for(world.owner).post(f"/claims/{claim.pk}/do/appeal/", {"note": "nul \x00 byte"})
    assert answer.status_code == 400
    assert not Appeal.objects.exists()
    answer = client_for(world.reviewer).post(f"/merchants/{world.merchant.pk}/ban/", {"note": "a\x00"})
    assert answer.status_code == 400


def test_the_api_answers_for_itself(world, api):
    claim = claim_in_state(world, "rejected")
    answer = api(world.owner).post(
        f"/api/v1/claims/{claim.pk}/transitions/appeal/", {"note": "nul \x00"}, format="json"
    )
    assert answer.status_code == 400
