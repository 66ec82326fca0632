"""Merchant identifiers: normalised, then kept only as keyed hashes (docs/intelligence.md).

The marketplace sends what it knows of a storefront's operator (contact e-mail, phone, payout account,
registered address, company number, shipping origin). We keep none of the values: each is normalised so that
trivial variations (case, spacing, punctuation, a phone written nationally) hash alike, then hashed with
HMAC-SHA256 under `IDENTIFIER_HASH_KEY`. Without the key a digest cannot be tested against a guess, and the
same value under two keys gives unrelated digests.

The two addresses share one family: a warehouse one storefront gives as its registered address and another
as its shipping origin links the two.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Invalid

KINDS = ("email", "phone", "payout_account", "address", "registration_number", "ship_from")

# Kinds whose values are compared with each other: an address is an address, whichever field it came in.
FAMILY = {"address": "address", "ship_from": "address"}

# Address words written several ways; each becomes one form before hashing.
ADDRESS_WORDS = {
    "street": "st",
    "str": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "building": "bldg",
    "floor": "fl",
    "room": "rm",
    "suite": "ste",
    "unit": "unit",
    "district": "dist",
    "apartment": "apt",
    "number": "no",
    "nr": "no",
}


def _text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def normalise_email(value: str) -> str:
    email = re.sub(r"\s+", "", _text(value))
    if not re.fullmatch(r"[^@]+@[^@]+\.[^@]+", email):
        raise ValueError(_("Not an e-mail address."))
    return email


def normalise_phone(value: str, country: str = "") -> str:
    """E.164 (`+8613800138000`); a national number needs the merchant's country."""
    try:
        number = phonenumbers.parse(value, (country or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(
            _("Not a phone number (give it with its country code, or set the country).")
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(_("Not a possible phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_address(value: str) -> str:
    """Lower case, punctuation gone, common words in one form, spaces collapsed: `12, Harbour Road` and
    `12 harbour rd.` are the same address."""
    words = re.sub(r"[^\w]+", " ", _text(value)).split()
    return " ".join(ADDRESS_WORDS.get(word, word) for word in words)


def normalise_code(value: str) -> str:
    """Account numbers and company numbers: letters and digits only, upper case (`GB 12-34` = `gb1234`)."""
    return re.sub(r"[^0-9A-Z]", "", _text(value).upper())


NORMALISERS: dict[str, Callable[[str, str], str]] = {
    "email": lambda value, country: normalise_email(value),
    "phone": normalise_phone,
    "payout_account": lambda value, country: normalise_code(value),
    "address": lambda value, country: normalise_address(value),
    "registration_number": lambda value, country: normalise_code(value),
    "ship_from": lambda value, country: normalise_address(value),
}


def identifier_digest(kind: str, value: str, *, country: str = "") -> str:
    """The keyed hash of one identifier after normalisation (hex). ValueError when it cannot be normalised."""
    normal = NORMALISERS[kind](value, country)
    if not normal:
        raise ValueError(_("Empty after normalisation."))
    message = f"{FAMILY.get(kind, kind)}:{normal}".encode()
    return hmac.new(settings.IDENTIFIER_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def identifier_digests(identifiers, *, country: str = "") -> dict[str, str | None]:
    """{kind: digest or None (cleared)} for the kinds sent; Invalid naming every bad key or value."""
    if not isinstance(identifiers, dict):
        raise Invalid(
            _("identifiers must be an object."), extra={"fields": {"identifiers": [_("Must be an object.")]}}
        )
    problems: dict[str, list[str]] = {}
    digests: dict[str, str | None] = {}
    for kind, value in identifiers.items():
        field = f"identifiers.{kind}"
        if kind not in KINDS:
            problems[field] = [_("Unknown identifier; use %(kinds)s.") % {"kinds": ", ".join(KINDS)}]
        elif value is None or value == "":
            digests[kind] = None
        elif not isinstance(value, str) or len(value) > 500 or "\x00" in value:
            problems[field] = [_("A text of at most 500 characters.")]
        else:
            try:
                digests[kind] = identifier_digest(kind, value, country=country)
            except ValueError as exc:
                problems[field] = [str(exc)]
    if problems:
        first = next(iter(problems))
        raise Invalid(f"{first}: {problems[first][0]}", extra={"fields": problems})
    return digests
