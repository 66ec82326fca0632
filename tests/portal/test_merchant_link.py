from core.models import Notice
from takedowns.services.notices import merchant_link_token
from tests.lifecycle import claim_in_state


def _link_from_outbox(claim):
    notice = Notice.objects.filter(claim_id=claim.pk, kind="takedown_notice").first()
    return notice.payload["link"].replace("http://testserver", "")


def test_it_tells_the_merchant_what_was_removed_and_how_to_contest(world, client_for):
    claim = claim_in_state(world, "taken_down")
    page = client_for().get(_link_from_outbox(claim)).content.decode()
    for text in (
        claim.listing.title,
        "AURELIA",
        world.brand.contact_email,
        "How to contest it",
        "File counter-notice",
    ):
        assert text in page
    assert world.owner.email not in page  # nothing of the claimant but the brand's name and e-mail


def test_it_files_a_counter_notice_and_lists_every_missing_element(world, client_for):
    claim = claim_in_state(world, "taken_down")
    url = _link_from_outbox(claim)
    client = client_for()
    response = client.post(url, {"reason": "owner", "statement": ""})
    page = response.content.decode()
    assert "Explain in the statement" in page and "Sign the counter-notice" in page and "good faith" in page
    response = client.post(
        url,
        {
            "reason": "owner",
            "statement": "Bought from the distributor",
            "good_faith": "on",
            "signature": "Sam Seller",
        },
        follow=True,
    )
    claim.refresh_from_db()
    assert claim.state == "counter_noticed"
    assert b"Your counter-notice was filed" in response.content


def test_it_refuses_a_forged_link(world, client_for):
    claim = claim_in_state(world, "taken_down")
    token = merchant_link_token(claim)
    assert client_for().get(f"/m/{token[:-2]}xx/").status_code == 404


def test_it_chooses_no_reason_for_the_merchant_and_marks_what_is_required(world, client_for):
    claim = claim_in_state(world, "taken_down")
    page = client_for().get(_link_from_outbox(claim)).content.decode()
    form = page[page.index('id="cn-h"') :]
    assert '<option value="" selected>Choose…</option>' in form
    for name in ("reason", "statement", "signature", "good_faith"):
        field = form[form.index(f'name="{name}"') - 200 : form.index(f'name="{name}"') + 200]
        assert "required" in field, name
    assert form.count('<span aria-hidden="true">*</span>') >= 4


def test_it_offers_a_merchant_only_the_states_it_can_meet(world, client_for):
    page = client_for(world.merchant_user).get("/claims/").content.decode()
    select = page[page.index('id="f-state"') : page.index("</select>", page.index('id="f-state"'))]
    assert 'value="taken_down"' in select and 'value="reinstated"' in select
    assert 'value="draft"' not in select and 'value="withdrawn"' not in select
    owner = client_for(world.owner).get("/claims/").content.decode()
    assert 'value="draft"' in owner[owner.index('id="f-state"') :]
