"""Saved views of the queue: a reviewer's own named filters and sort; save, list, open, replace, delete."""

from core.roles import REVIEWER
from takedowns.models import QueueView
from takedowns.services.queue_views import MAX_VIEWS_PER_REVIEWER
from tests.factories import UserFactory


def test_it_saves_lists_and_opens_a_view(world, client_for):
    client = client_for(world.reviewer)
    response = client.post(
        "/queue/views/",
        {
            "name": "  Overdue Aurelia ",
            "query": f"overdue=1&brand={world.brand.pk}&sort=-sla&page=3&selected=1,2",
        },
        follow=True,
    )
    view = QueueView.objects.get(owner=world.reviewer)
    assert (view.name, view.query) == ("Overdue Aurelia", f"overdue=1&brand={world.brand.pk}&sort=-sla")
    assert response.redirect_chain[-1][0] == f"/queue/?{view.query}"
    page = response.content.decode()
    assert "View “Overdue Aurelia” saved." in page
    assert (
        f'<a href="/queue/?overdue=1&amp;brand={world.brand.pk}&amp;sort=-sla" aria-current="true">Overdue Aurelia</a>'
        in page
    )


def test_it_keeps_only_what_the_queue_reads(world, client_for):
    client_for(world.reviewer).post(
        "/queue/views/",
        {"name": "Odd", "query": "who=mine&evil=<script>&q=&state=submitted&next=//x.example"},
    )
    assert QueueView.objects.get().query == "who=mine&state=submitted"


def test_saving_again_under_a_name_replaces_that_view(world, client_for):
    client = client_for(world.reviewer)
    client.post("/queue/views/", {"name": "Mine", "query": "who=mine"})
    response = client.post("/queue/views/", {"name": "Mine", "query": "who=mine&sort=brand"}, follow=True)
    assert "View “Mine” updated." in response.content.decode()
    assert list(QueueView.objects.values_list("name", "query")) == [("Mine", "who=mine&sort=brand")]


def test_it_refuses_a_view_without_a_name_or_beyond_the_limit(world, client_for):
    client = client_for(world.reviewer)
    response = client.post("/queue/views/", {"name": "   ", "query": "who=mine"}, follow=True)
    assert "The view was not saved: Give the view a name." in response.content.decode()
    response = client.post("/queue/views/", {"name": "x" * 81, "query": ""}, follow=True)
    assert "The view was not saved: Ensure this value has at most 80 characters" in response.content.decode()
    response = client.post("/queue/views/", {"name": "Long", "query": "q=" + "y" * 1200}, follow=True)
    assert "The view was not saved: its filters are too long." in response.content.decode()
    assert not QueueView.objects.exists()
    QueueView.objects.bulk_create(
        QueueView(owner=world.reviewer, name=f"v{i}") for i in range(MAX_VIEWS_PER_REVIEWER)
    )
    response = client.post("/queue/views/", {"name": "one more"}, follow=True)
    assert (
        f"You have {MAX_VIEWS_PER_REVIEWER} saved views, the most there can be" in response.content.decode()
    )
    assert QueueView.objects.count() == MAX_VIEWS_PER_REVIEWER


def test_only_the_owner_sees_and_deletes_a_view(world, client_for):
    view = QueueView.objects.create(owner=world.second_reviewer, name="Theirs", query="who=mine")
    client = client_for(world.reviewer)
    assert "Theirs" not in client.get("/queue/").content.decode()
    assert client.post(f"/queue/views/{view.pk}/delete/").status_code == 404
    assert client.post("/queue/views/99999999/delete/").status_code == 404
    assert QueueView.objects.filter(pk=view.pk).exists()
    owner = client_for(world.second_reviewer)
    assert "Theirs" in owner.get("/queue/").content.decode()
    response = owner.post(f"/queue/views/{view.pk}/delete/", follow=True)
    assert "View “Theirs” deleted." in response.content.decode()
    assert not QueueView.objects.exists()
    assert owner.get(f"/queue/views/{view.pk}/delete/").status_code == 405


def test_saved_views_are_for_reviewers_only(world, client_for):
    view = QueueView.objects.create(owner=world.reviewer, name="Mine", query="who=mine")
    former = UserFactory(username="former", groups=[REVIEWER])
    QueueView.objects.create(owner=former, name="Kept", query="")
    former.groups.clear()  # no longer a reviewer: the views it saved are not reachable
    for user in (world.owner, world.compliance, world.platform, world.merchant_user, former):
        client = client_for(user)
        assert client.post("/queue/views/", {"name": "Sneaky", "query": "who=mine"}).status_code == 403
        assert client.post(f"/queue/views/{view.pk}/delete/").status_code == 403
    assert QueueView.objects.count() == 2
