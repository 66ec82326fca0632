"""Normalisation and keyed hashing of merchant identifiers (merchants/identifiers.py)."""

import pytest

from core.errors import Invalid
from merchants.identifiers import (
    identifier_digest,
    identifier_digests,
    normalise_address,
    normalise_phone,
)


@pytest.mark.parametrize(
    "kind, a, b",
    [
        ("email", "Ops@Shop.Example ", "ops@shop.example"),
        ("phone", "+86 138 0013 8000", "+8613800138000"),
        ("phone", "(020) 7946 0958", "+44 20 7946 0958"),  # national, with the merchant's country GB
        ("payout_account", "GB29 NWBK 6016 1331 9268 19", "gb29nwbk60161331926819"),
        ("registration_number", "HRB-12 345", "hrb12345"),
        ("address", "12, Harbour Road, Floor 3", "12 harbour rd fl 3"),
        ("ship_from", "Unit 5, 88 Nathan Street", "unit 5 88 nathan st."),
    ],
)
def test_it_hashes_variants_of_one_value_alike(kind, a, b):
    assert identifier_digest(kind, a, country="GB") == identifier_digest(kind, b, country="GB")


def test_it_hashes_different_values_apart():
    assert identifier_digest("email", "a@shop.example") != identifier_digest("email", "b@shop.example")


def test_it_compares_a_registered_address_with_a_shipping_origin():
    assert identifier_digest("address", "1 Dock Road") == identifier_digest("ship_from", "1 dock rd")
    assert identifier_digest("email", "x@y.example") != identifier_digest("payout_account", "x@y.example")


def test_it_writes_phones_in_e164():
    assert normalise_phone("020 7946 0958", "GB") == "+442079460958"
    with pytest.raises(ValueError):
        normalise_phone("020 7946 0958", "")  # national number, no country: cannot be placed


def test_it_canonicalises_addresses():
    assert (
        normalise_address("  Room 1203, Tower B,\nNo. 8 Century AVENUE ")
        == "rm 1203 tower b no 8 century ave"
    )


def test_it_keys_the_hash(settings):
    before = identifier_digest("email", "ops@shop.example")
    assert "ops@shop.example" not in before and len(before) == 64
    settings.IDENTIFIER_HASH_KEY = "another-key"
    assert identifier_digest("email", "ops@shop.example") != before


def test_it_names_every_bad_identifier():
    with pytest.raises(Invalid) as caught:
        identifier_digests({"email": "a@b.example", "phone": "not a phone", "shoe_size": "42"})
    fields = caught.value.extra["fields"]
    assert set(fields) == {"identifiers.phone", "identifiers.shoe_size"}


def test_it_reads_an_empty_value_as_removal():
    assert identifier_digests({"email": "", "phone": None}) == {"email": None, "phone": None}
