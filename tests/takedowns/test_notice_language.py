import pytest
from django.core import mail

from core.errors import Forbidden
from core.models import Notice
from core.outbox import notice_deliver
from merchants.models import Merchant
from takedowns.services.bans import merchant_ban
from tests.lifecycle import claim_in_state

pytestmark = pytest.mark.django_db


def test_it_writes_each_notice_in_its_recipients_language(world):
    Merchant.objects.filter(pk=world.merchant.pk).update(language="zh-hans")
    world.brand.language = "en"
    world.brand.save()
    claim = claim_in_state(world, "taken_down")
    takedown = Notice.objects.get(claim_id=claim.pk, kind="takedown_notice")
    assert takedown.language == "zh-hans"
    assert Notice.objects.get(claim_id=claim.pk, kind="claim_succeeded").language == "en"
    notice_deliver(notice_id=takedown.pk)
    [message] = mail.outbox
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.subject + message.body), message.subject


def test_it_lets_only_reviewers_ban(world):
    for user in (world.compliance, world.owner, world.platform):
        with pytest.raises(Forbidden):
            merchant_ban(merchant=world.merchant, actor=world.actor(user), reason="no")
    merchant_ban(merchant=world.merchant, actor=world.actor(world.reviewer), reason="Repeat counterfeits")
    assert Merchant.objects.get(pk=world.merchant.pk).status == "banned"
