"""Seller networks: merchants that share an identifier digest, directly or through each other.

Kept incrementally. When a merchant's identifiers change, only the components that can have changed are
walked again: the merchant's own, the network it was in (which may split when the shared identifier goes)
and the networks of the merchants it now shares a digest with (which merge). Each component of two or more
keeps the network id most of its members already had, so ids are stable across merges and splits; a
component of one has no network; a network left with no members is deleted.

Every change runs under one advisory lock: two merchants updated at once could otherwise each see the
other's old network and both keep it. Updates of identifiers are rare next to reads, so one lock is cheap.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from merchants.identifiers import identifier_digests
from merchants.models import Merchant, MerchantIdentifier, Network

# The advisory lock for network maintenance (a fixed number unique to this use).
NETWORK_LOCK = 7_361_025


@dataclass
class EvasionFlag:
    """A merchant flagged just now: the banned merchant it links to, and the kinds of identifier it shares
    with that merchant (empty when the link runs through other storefronts)."""

    merchant_id: int
    evasion_of: int
    kinds: list[str]


@dataclass
class IdentifiersResult:
    """What recording a merchant's identifiers did: its network now, and who was flagged for ban evasion."""

    network_id: int | None
    flagged: list[EvasionFlag] = field(default_factory=list)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NETWORK_LOCK])


def merchant_identifiers_record(*, merchant: Merchant, identifiers: dict) -> IdentifiersResult:
    """Store the identifiers sent for a merchant (as digests; a kind sent empty or null is removed, a kind
    not sent is left as it was), then bring the networks around it up to date and flag ban evasion."""
    digests = identifier_digests(identifiers, country=merchant.country)
    with transaction.atomic():
        _lock()
        for kind, digest in digests.items():
            if digest is None:
                MerchantIdentifier.objects.filter(merchant=merchant, kind=kind).delete()
            else:
                MerchantIdentifier.objects.update_or_create(
                    merchant=merchant, kind=kind, defaults={"digest": digest}
                )
        flagged = _rederive(seeds={merchant.pk})
        merchant.refresh_from_db(fields=["network"])
        return IdentifiersResult(network_id=merchant.network_id, flagged=flagged)


def networks_refresh(*, seeds: set[int]) -> list[EvasionFlag]:
    """Re-derive the networks around `seeds` after identifiers were written some other way (a bulk load)."""
    with transaction.atomic():
        _lock()
        return _rederive(seeds=seeds)


def _rederive(*, seeds: set[int]) -> list[EvasionFlag]:
    """The networks around `seeds` again, then the ban-evasion flags they call for (under the lock)."""
    before = networks_recompute(seeds=seeds)
    return evasion_flag(seeds=seeds, before=before)


def _component(seed: int) -> set[int]:
    """Every merchant reachable from `seed` through shared digests (breadth first, one query pair a step)."""
    members, frontier = {seed}, {seed}
    while frontier:
        digests = MerchantIdentifier.objects.filter(merchant_id__in=frontier).values("digest")
        reached = set(
            MerchantIdentifier.objects.filter(digest__in=digests).values_list("merchant_id", flat=True)
        )
        frontier = reached - members
        members |= frontier
    return members


def networks_recompute(*, seeds: set[int]) -> dict[int, int | None]:
    """Re-derive the networks of the components that contain `seeds` or the networks the seeds were in.
    Call under the lock, in a transaction. Returns the network each merchant walked was in before."""
    before = dict(
        Merchant.objects.filter(pk__in=seeds, network__isnull=False).values_list("pk", "network_id")
    )
    old_networks = set(before.values())
    todo = set(seeds) | set(Merchant.objects.filter(network_id__in=old_networks).values_list("pk", flat=True))
    components: list[set[int]] = []
    seen: set[int] = set()
    for merchant_id in sorted(todo):
        if merchant_id not in seen:
            members = _component(merchant_id)
            seen |= members
            components.append(members)
    current: dict[int, int | None] = dict(
        Merchant.objects.filter(pk__in=seen).values_list("pk", "network_id")
    )
    touched = old_networks | {n for n in current.values() if n}
    kept: set[int] = set()
    now = timezone.now()
    # Largest first: the biggest part of a split keeps the network's id.
    for members in sorted(components, key=len, reverse=True):
        target: int | None = None
        if len(members) > 1:
            held = Counter(n for m in members if (n := current[m]) is not None and n not in kept)
            if held:
                chosen = min(held, key=lambda n: (-held[n], n))
                Network.objects.filter(pk=chosen).update(updated_at=now)
            else:
                chosen = Network.objects.create().pk
            kept.add(chosen)
            target = chosen
        moving = [m for m in members if current[m] != target]
        if moving:
            Merchant.objects.filter(pk__in=moving).update(network_id=target)
    Network.objects.filter(pk__in=touched - kept, members__isnull=True).delete()
    return current


def evasion_flag(*, seeds: set[int], before: dict[int, int | None]) -> list[EvasionFlag]:
    """Flag ban evasion after a change of identifiers: a merchant that is now in one network with a banned
    merchant it was not linked to before, when it is the merchant just created or updated (`seeds`) or a
    storefront opened after that ban (the banned merchant's own update may be what links it). Merchants that
    were in the network before the ban, or that an unrelated change swept in, are not flagged: the network
    page shows them. A flag stays set; `before` is what `networks_recompute` returns."""
    networks = {n for n in Merchant.objects.filter(pk__in=before).values_list("network_id", flat=True) if n}
    banned = list(Merchant.objects.filter(network_id__in=networks, status=Merchant.Status.BANNED))
    if not banned:
        return []
    candidates = Merchant.objects.filter(
        pk__in=before, network_id__in={b.network_id for b in banned}, ban_evasion=False
    ).exclude(status__in=(Merchant.Status.BANNED, Merchant.Status.BAN_PENDING))
    flagged = []
    now = timezone.now()
    for merchant in candidates:
        linked = [
            b
            for b in banned
            if b.network_id == merchant.network_id
            and not (before.get(merchant.pk) and before.get(merchant.pk) == before.get(b.pk))
            and (merchant.pk in seeds or (b.banned_at is not None and merchant.created_at > b.banned_at))
        ]
        if not linked:
            continue
        own = dict(MerchantIdentifier.objects.filter(merchant=merchant).values_list("digest", "kind"))
        shared = {
            b.pk: sorted(
                {
                    own[d]
                    for d in MerchantIdentifier.objects.filter(merchant=b, digest__in=own).values_list(
                        "digest", flat=True
                    )
                }
            )
            for b in linked
        }
        evasion_of = min(linked, key=lambda b: (-len(shared[b.pk]), b.pk)).pk
        Merchant.objects.filter(pk=merchant.pk).update(
            ban_evasion=True,
            evasion_of_id=evasion_of,
            evasion_kinds=shared[evasion_of],
            evasion_flagged_at=now,
        )
        flagged.append(EvasionFlag(merchant_id=merchant.pk, evasion_of=evasion_of, kinds=shared[evasion_of]))
    return flagged
