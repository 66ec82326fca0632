"""The queue's assignment: the bulk bar's "Assign", the claim's assign page, "Next unassigned", whose claims."""

from datetime import timedelta

from django.utils import timezone

from core.models import AuditEvent
from takedowns.models import Claim
from tests.factories import ListingFactory
from tests.lifecycle import claim_in_state


def test_it_assigns_the_selected_claims_to_a_colleague(world, client_for):
    claims = [claim_in_state(world, "submitted", listing=ListingFactory()) for _ in range(2)]
    response = client_for(world.reviewer).post(
        "/queue/assign/",
        {"claim": [c.pk for c in claims], "assignee": world.second_reviewer.pk, "back": "/queue/?sort=brand"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/queue/?sort=brand"
    assert "2 claims assigned to reviewer2." in response.content.decode()
    assert set(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("assignee", flat=True)) == {
        world.second_reviewer.pk
    }
    assert AuditEvent.objects.filter(action="claim_assign").count() == 2


def test_it_asks_for_a_reviewer_and_keeps_the_selection(world, client_for):
    claim = claim_in_state(world, "submitted")
    response = client_for(world.reviewer).post(
        "/queue/assign/", {"claim": [claim.pk], "assignee": "", "back": "/queue/"}, follow=True
    )
    page = response.content.decode()
    assert "Choose the reviewer to assign the selected claims to." in page
    assert response.redirect_chain[-1][0] == f"/queue/?selected={claim.pk}"
    assert f'value="{claim.pk}" checked' in page
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_it_refuses_someone_who_is_not_a_reviewer_once_in_plain_words(world, client_for):
    claims = [claim_in_state(world, "submitted", listing=ListingFactory()) for _ in range(3)]
    response = client_for(world.reviewer).post(
        "/queue/assign/", {"claim": [c.pk for c in claims], "assignee": world.owner.pk}, follow=True
    )
    page = response.content.decode()
    assert page.count("Claims can only be assigned to an active reviewer.") == 1
    assert not Claim.objects.filter(assignee__isnull=False).exists()
    for junk in ("abc", "99999999999999999999", "-1"):
        response = client_for(world.reviewer).post(
            "/queue/assign/", {"claim": [claims[0].pk], "assignee": junk}
        )
        assert response.status_code == 302


def test_it_sums_up_the_claims_it_could_not_assign_and_keeps_them_selected(world, client_for):
    open_claim = claim_in_state(world, "submitted")
    decided = claim_in_state(world, "rejected", listing=ListingFactory())
    response = client_for(world.reviewer).post(
        "/queue/assign/",
        {"claim": [open_claim.pk, decided.pk], "assignee": world.second_reviewer.pk, "back": "/queue/"},
        follow=True,
    )
    page = response.content.decode()
    assert "1 claim assigned to reviewer2." in page
    assert (
        f"1 claim was not assigned: “Assign” is not possible while the claim is “Rejected”. ({decided.reference})"
        in page
    )
    assert response.redirect_chain[-1][0] == f"/queue/?selected={decided.pk}"


def test_it_puts_claims_back_in_the_queue(world, client_for):
    claim = claim_in_state(world, "in_review")
    response = client_for(world.reviewer).post(
        "/queue/assign/", {"claim": [claim.pk], "assignee": "nobody"}, follow=True
    )
    assert "1 claim put back in the queue, assigned to nobody." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_assignment_is_for_reviewers_only(world, client_for):
    claim = claim_in_state(world, "submitted")
    for user in (world.owner, world.compliance, world.platform, world.merchant_user):
        client = client_for(user)
        assert client.post("/queue/assign/", {"claim": [claim.pk], "assignee": user.pk}).status_code == 403
        assert client.post("/queue/next/").status_code == 403
        assert client.get(f"/queue/claims/{claim.pk}/assign/").status_code == 403
        assert client.post(f"/queue/claims/{claim.pk}/assign/", {"assignee": user.pk}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_the_assign_page_gives_the_claim_to_a_colleague(world, client_for):
    claim = claim_in_state(world, "in_review")
    client = client_for(world.reviewer)
    page = client.get(f"/queue/claims/{claim.pk}/assign/").content.decode()
    assert "Assigned now to reviewer." in page and f'<option value="{world.second_reviewer.pk}">' in page
    assert f'<option value="{world.owner.pk}"' not in page  # only reviewers are offered
    response = client.post(
        f"/queue/claims/{claim.pk}/assign/", {"assignee": world.second_reviewer.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert f"{claim.reference} is now assigned to reviewer2." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).assignee == world.second_reviewer


def test_the_assign_page_says_what_is_wrong_without_failing(world, client_for):
    claim = claim_in_state(world, "rejected")
    client = client_for(world.reviewer)
    response = client.post(f"/queue/claims/{claim.pk}/assign/", {"assignee": world.owner.pk})
    assert response.status_code == 200
    assert "Claims can only be assigned to an active reviewer." in response.content.decode()
    response = client.post(f"/queue/claims/{claim.pk}/assign/", {"assignee": world.second_reviewer.pk})
    assert response.status_code == 200
    assert "is not possible while the claim is “Rejected”" in response.content.decode()
    assert client.get("/queue/claims/999999/assign/").status_code == 404
    assert Claim.objects.get(pk=claim.pk).assignee == world.reviewer


def test_next_unassigned_opens_the_claim_it_took(world, client_for):
    claim = claim_in_state(world, "submitted")
    response = client_for(world.second_reviewer).post("/queue/next/", follow=True)
    assert response.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert f"{claim.reference} is now assigned to you." in response.content.decode()
    claim.refresh_from_db()
    assert (claim.state, claim.assignee) == ("in_review", world.second_reviewer)
    response = client_for(world.reviewer).post("/queue/next/", follow=True)
    assert response.redirect_chain[-1][0] == "/queue/"
    assert "No unassigned claim is waiting" in response.content.decode()
    assert client_for(world.reviewer).get("/queue/next/").status_code == 405


def test_it_shows_mine_unassigned_or_everyone(world, client_for):
    mine = claim_in_state(world, "in_review")
    theirs = claim_in_state(world, "submitted", listing=ListingFactory(), assignee=world.second_reviewer)
    nobodys = claim_in_state(world, "submitted", listing=ListingFactory())
    Claim.objects.filter(pk=nobodys.pk).update(due_at=timezone.now() + timedelta(hours=1))
    client = client_for(world.reviewer)

    def shown(query):
        page = client.get(f"/queue/{query}").content.decode()
        return {c.reference for c in (mine, theirs, nobodys) if c.reference in page}

    assert shown("") == {mine.reference, theirs.reference, nobodys.reference}
    assert shown("?who=mine") == {mine.reference}
    assert shown("?who=unassigned") == {nobodys.reference}
    assert shown("?who=someone-else") == shown("")  # an unknown choice is everyone
    assert 'aria-current="true">Unassigned' in client.get("/queue/?who=unassigned").content.decode()
    # Each tab says how many it lists; a claim given to a colleague counts as theirs before its review starts.
    page = client.get("/queue/").content.decode()
    assert '>Assigned to me<span class="count">1</span>' in page
    assert '>Unassigned<span class="count">1</span>' in page
    colleague = client_for(world.second_reviewer).get("/queue/").content.decode()
    assert '>Assigned to me<span class="count">1</span>' in colleague
    assert ">Mine<" not in page  # one notion of "mine": the old tab's link still works as "Assigned to me"
    assert 'aria-current="true">Assigned to me' in client.get("/queue/?mine=1").content.decode()


def test_the_review_page_offers_the_assign_page_while_the_claim_is_open(world, client_for):
    open_claim = claim_in_state(world, "in_review")
    decided = claim_in_state(world, "rejected", listing=ListingFactory())
    client = client_for(world.reviewer)
    assert (
        f'href="/queue/claims/{open_claim.pk}/assign/"'
        in client.get(f"/claims/{open_claim.pk}/").content.decode()
    )
    assert "/assign/" not in client.get(f"/claims/{decided.pk}/").content.decode()


def test_the_queue_tools_speak_chinese(world, client_for):
    claim = claim_in_state(world, "submitted")
    client = client_for(world.reviewer)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/queue/").content.decode()
    for words in ("下一件未分配", "分配给我的", "未分配", "已保存的视图", "将所选投诉分配给", "保存视图"):
        assert words in page, words
    response = client.post(
        "/queue/assign/", {"claim": [claim.pk], "assignee": world.second_reviewer.pk}, follow=True
    )
    assert "已将 1 件投诉分配给 reviewer2。" in response.content.decode()
    response = client.post("/queue/next/", follow=True)
    assert "没有待分配的投诉" in response.content.decode()
