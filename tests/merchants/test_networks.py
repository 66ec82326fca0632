"""Seller networks kept incrementally as identifiers change (merchants/services/networks.py), and the
ban-evasion flag."""

import pytest

from merchants.models import Merchant, MerchantIdentifier, Network
from merchants.services.networks import merchant_identifiers_record
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def record(merchant, **identifiers):
    return merchant_identifiers_record(merchant=merchant, identifiers=identifiers)


def network_of(merchant):
    return Merchant.objects.get(pk=merchant.pk).network_id


def members(network_id):
    return set(Merchant.objects.filter(network_id=network_id).values_list("platform_ref", flat=True))


def test_it_leaves_a_merchant_that_shares_nothing_out_of_any_network():
    a = MerchantFactory()
    record(a, email="a@x.example")
    assert network_of(a) is None
    assert Network.objects.count() == 0


def test_it_joins_two_merchants_that_share_an_identifier():
    a, b = MerchantFactory(platform_ref="A"), MerchantFactory(platform_ref="B")
    record(a, email="ops@x.example", phone="+44 20 7946 0958")
    record(b, phone="+442079460958")
    assert network_of(a) == network_of(b) is not None
    assert members(network_of(a)) == {"A", "B"}


def test_it_joins_through_a_chain_of_different_identifiers():
    a, b, c = (MerchantFactory(platform_ref=r) for r in "ABC")
    record(a, email="one@x.example")
    record(b, email="one@x.example", payout_account="ACC-1")
    record(c, payout_account="acc 1")
    assert members(network_of(a)) == {"A", "B", "C"}


def test_it_merges_two_networks_into_the_larger_ones_id():
    a, b, c, d, e = (MerchantFactory(platform_ref=r) for r in "ABCDE")
    record(a, email="big@x.example")
    record(b, email="big@x.example")
    record(c, email="big@x.example")
    record(d, phone="+8613800138000")
    record(e, phone="+8613800138000")
    big, small = network_of(a), network_of(d)
    assert big != small
    record(e, registration_number="REG-9")  # e keeps its phone: still with d
    record(a, registration_number="reg 9")  # a and e now share a number: one network
    assert members(big) == {"A", "B", "C", "D", "E"}
    assert not Network.objects.filter(pk=small).exists()


def test_it_splits_a_network_when_the_shared_identifier_goes():
    a, b, c, d = (MerchantFactory(platform_ref=r) for r in "ABCD")
    record(a, email="a@x.example", address="1 Dock Road")
    record(b, address="1 dock rd", phone="+8613800138000")
    record(c, phone="+8613800138000", email="c@x.example")
    record(d, email="c@x.example")
    network = network_of(a)
    assert members(network) == {"A", "B", "C", "D"}
    record(b, phone=None)  # the bridge between {A, B} and {C, D} goes
    ab, cd = network_of(a), network_of(c)
    assert ab != cd and None not in (ab, cd)
    assert members(ab) == {"A", "B"} and members(cd) == {"C", "D"}
    assert network in (ab, cd)  # one part keeps the id
    record(a, address="")
    assert network_of(a) is None and network_of(b) is None  # a pair that shares nothing is no network
    assert members(cd) == {"C", "D"}


def test_it_is_the_same_whatever_order_the_merchants_arrive_in():
    refs = ["A", "B", "C", "D"]
    identifiers = {
        "A": {"email": "a@x.example"},
        "B": {"email": "a@x.example", "phone": "+8613800138000"},
        "C": {"phone": "+86 138 0013 8000"},
        "D": {"payout_account": "lonely"},
    }
    partitions = []
    for order in (refs, list(reversed(refs))):
        Merchant.objects.filter(platform_ref__in=refs).delete()
        merchants = {r: MerchantFactory(platform_ref=r) for r in order}
        for ref in order:
            record(merchants[ref], **identifiers[ref])
        groups = {}
        for ref in refs:
            groups.setdefault(network_of(merchants[ref]), set()).add(ref)
        partitions.append(sorted(sorted(g) for k, g in groups.items() if k is not None))
    assert partitions[0] == partitions[1] == [["A", "B", "C"]]


def test_it_flags_a_new_storefront_of_a_banned_merchant():
    banned = MerchantFactory(platform_ref="OLD", status=Merchant.Status.BANNED)
    record(banned, payout_account="DE89 3704 0044 0532 0130 00", email="boss@old.example")
    new = MerchantFactory(platform_ref="NEW")
    result = record(new, payout_account="de89370400440532013000", email="fresh@new.example")
    new.refresh_from_db()
    assert [f.merchant_id for f in result.flagged] == [new.pk] and new.ban_evasion
    assert new.evasion_of_id == banned.pk and new.evasion_kinds == ["payout_account"]
    again = record(new, phone="+8613800138000")
    assert not again.flagged  # flagged once


def test_it_does_not_flag_a_merchant_with_no_banned_neighbour():
    a, b = MerchantFactory(), MerchantFactory()
    record(a, email="same@x.example")
    assert not record(b, email="same@x.example").flagged
    b.refresh_from_db()
    assert not b.ban_evasion and b.evasion_of is None


def test_it_stores_no_identifier_value():
    a = MerchantFactory()
    record(a, email="secret@x.example", phone="+8613800138000", address="1 Secret Street")
    stored = " ".join(MerchantIdentifier.objects.values_list("digest", flat=True))
    for raw in ("secret", "8613800138000", "Secret Street", "secret st"):
        assert raw not in stored


def ban(merchant):
    from django.utils import timezone

    Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.BANNED, banned_at=timezone.now())


def test_it_does_not_flag_a_storefront_that_was_in_the_network_before_the_ban():
    p, q = MerchantFactory(platform_ref="P"), MerchantFactory(platform_ref="Q")
    record(p, phone="+44 20 7000 0002")
    record(q, phone="+442070000002")
    ban(p)
    assert not record(q, phone="+442070000002").flagged  # resent unchanged
    assert not record(q, email="q@x.example").flagged  # updated with something unrelated
    assert not Merchant.objects.get(pk=q.pk).ban_evasion


def test_it_names_only_the_kinds_shared_with_the_banned_merchant():
    banned, friend, x = (MerchantFactory(platform_ref=r) for r in ("P", "Y", "X"))
    record(banned, phone="+8613800138000")
    ban(banned)
    record(friend, email="shared@x.example")
    [flag] = record(x, email="shared@x.example", phone="+86 138 0013 8000").flagged
    assert flag.evasion_of == banned.pk and flag.kinds == ["phone"]
    # Linked only through another storefront: no kind is claimed to be shared with the banned merchant.
    z = MerchantFactory(platform_ref="Z")
    [flag] = record(z, email="shared@x.example").flagged
    assert flag.evasion_of == banned.pk and flag.kinds == []


def test_it_flags_a_storefront_opened_after_the_ban_when_the_banned_merchants_update_links_it():
    banned = MerchantFactory(platform_ref="P")
    record(banned, phone="+8613800138000")
    ban(banned)
    later = MerchantFactory(platform_ref="LATER")
    record(later, ship_from="Warehouse 4, 18 Harbour Road")
    assert not Merchant.objects.get(pk=later.pk).ban_evasion  # alone so far
    [flag] = record(banned, address="warehouse 4 18 harbour rd").flagged
    assert flag.merchant_id == later.pk and flag.kinds == ["ship_from"]
