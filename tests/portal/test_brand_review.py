from django.db import connection
from django.test.utils import CaptureQueriesContext

from brands.models import Brand
from core.models import AuditEvent
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state


def test_it_lists_brands_with_their_programme_status(world, client_for):
    Brand.objects.filter(pk=world.other_brand.pk).update(trusted_flagger=True)
    client = client_for(world.reviewer)
    page = client.get("/brands/").content.decode()
    assert "Aurelia" in page and "Northpeak" in page and "trusted flagger" in page
    filtered = client.get("/brands/?programme=trusted_flagger").content.decode()
    assert "Northpeak" in filtered and "Aurelia" not in filtered


def test_it_shows_programmes_accuracy_members_and_history(world, client_for):
    claim_in_state(world, "taken_down")
    claim_in_state(world, "rejected", listing=ListingFactory(merchant=world.merchant))
    Brand.objects.filter(pk=world.brand.pk).update(
        trusted_flagger=True, trusted_flagger_designation="DSC-IE 2024/17"
    )
    AuditEvent.objects.create(
        action="misuse_flagged",
        actor_label="system",
        object_type="brand",
        object_id=str(world.brand.pk),
        brand_id=world.brand.pk,
    )
    AuditEvent.objects.create(
        action="brand_suspended",
        actor_label="system",
        object_type="brand",
        object_id=str(world.other_brand.pk),
        brand_id=world.other_brand.pk,
    )
    page = client_for(world.reviewer).get(f"/brands/{world.brand.pk}/").content.decode()
    assert "DSC-IE 2024/17" in page and "50.0%" in page  # one of two decided claims taken down
    assert "misuse_flagged" in page and "brand_suspended" not in page  # only this brand's history
    assert "agent2" in page and "Warn brand" in page and "Suspend brand" in page


def test_it_warns_then_suspends(world, client_for):
    client = client_for(world.reviewer)
    response = client.post(
        f"/brands/{world.brand.pk}/do/suspend/", {"suspend-days": "30", "suspend-note": "x"}, follow=True
    )
    assert "Warn the brand before suspending it (DSA Art. 23(3))." in response.content.decode()
    assert Brand.objects.get(pk=world.brand.pk).suspended_until is None
    response = client.post(f"/brands/{world.brand.pk}/do/warn/", {"warn-note": ""}, follow=True)
    assert "Write the warning the brand will receive." in response.content.decode()
    client.post(f"/brands/{world.brand.pk}/do/warn/", {"warn-note": "Too many unfounded claims."})
    response = client.post(
        f"/brands/{world.brand.pk}/do/suspend/", {"suspend-days": "400", "suspend-note": "x"}, follow=True
    )
    assert "Suspend for 1 to 365 days." in response.content.decode()
    response = client.post(
        f"/brands/{world.brand.pk}/do/suspend/", {"suspend-days": "30", "suspend-note": "Misuse"}, follow=True
    )
    brand = Brand.objects.get(pk=world.brand.pk)
    assert brand.misuse_warned_at and brand.is_suspended()
    page = response.content.decode()
    assert "may not file claims until" in page and "misuse_warned" in page and "brand_suspended" in page


def test_it_marks_and_unmarks_a_trusted_flagger_and_recomputes(world, client_for):
    client = client_for(world.reviewer)
    client.post(f"/brands/{world.brand.pk}/do/trusted/", {"trusted-designation": "DSC-IE 2024/17"})
    brand = Brand.objects.get(pk=world.brand.pk)
    assert brand.trusted_flagger and brand.trusted_flagger_designation == "DSC-IE 2024/17"
    client.post(f"/brands/{world.brand.pk}/do/untrusted/")
    assert not Brand.objects.get(pk=world.brand.pk).trusted_flagger
    response = client.post(f"/brands/{world.brand.pk}/do/recompute/", follow=True)
    assert "Programme status recomputed" in response.content.decode()


def test_it_is_for_reviewers_and_compliance(world, client_for, nothing_written):
    assert client_for(world.compliance).get(f"/brands/{world.brand.pk}/").status_code == 200
    assert "Warn brand" not in client_for(world.compliance).get(f"/brands/{world.brand.pk}/").content.decode()
    compliance, owner = client_for(world.compliance), client_for(world.owner)
    with nothing_written():
        assert compliance.post(f"/brands/{world.brand.pk}/do/warn/", {"warn-note": "x"}).status_code == 403
        assert owner.post(f"/brands/{world.brand.pk}/do/warn/", {"warn-note": "x"}).status_code == 403
    assert client_for(world.other_owner).get(f"/brands/{world.brand.pk}/").status_code == 404
    assert client_for(world.merchant_user).get(f"/brands/{world.brand.pk}/").status_code == 403
    assert client_for(world.merchant_user).get("/brands/").status_code == 403
    assert Brand.objects.get(pk=world.brand.pk).misuse_warned_at is None


def test_the_brand_list_query_count_does_not_grow_with_brands(world, client_for):
    client = client_for(world.reviewer)
    with CaptureQueriesContext(connection) as few:
        client.get("/brands/")
    for n in range(5):
        Brand.objects.create(name=f"Extra {n}")
    with CaptureQueriesContext(connection) as more:
        client.get("/brands/")
    assert len(more) == len(few)


def test_the_history_shows_what_happened_in_words(world, client_for):
    from brands.services import brand_misuse_warn
    from core.roles import actor_for

    brand_misuse_warn(actor=actor_for(world.reviewer), brand=world.brand, note="Too many unfounded claims")
    client = client_for(world.reviewer)
    page = client.get(f"/brands/{world.brand.pk}/").content.decode()
    assert ">Warned for misuse<" in page and "<code>misuse_warned</code>" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "已发出滥用警告" in client.get(f"/brands/{world.brand.pk}/").content.decode()
