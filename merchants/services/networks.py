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
class IdentifiersResult:
    """What recording a merchant's identifiers did: its network now, and whether it was flagged just now."""

    network_id: int | None
    newly_flagged: bool = False
    evasion_of: int | None = None
    kinds: list[str] = field(default_factory=list)


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
        networks_recompute(seeds={merchant.pk})
        return _flag_evasion(merchant)


def networks_refresh(*, seeds: set[int]) -> None:
    """Re-derive the networks around `seeds` after identifiers were written some other way (a bulk load)."""
    with transaction.atomic():
        _lock()
        networks_recompute(seeds=seeds)


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


def networks_recompute(*, seeds: set[int]) -> None:
    """Re-derive the networks of the components that contain `seeds` or the networks the seeds were in.
    Call under the lock, in a transaction."""
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
    current = dict(Merchant.objects.filter(pk__in=seen).values_list("pk", "network_id"))
    touched = old_networks | {n for n in current.values() if n}
    kept: set[int] = set()
    now = timezone.now()
    # Largest first: the biggest part of a split keeps the network's id.
    for members in sorted(components, key=len, reverse=True):
        if len(members) == 1:
            target = None
        else:
            held = Counter(current[m] for m in members if current[m] and current[m] not in kept)
            if held:
                target = min(held, key=lambda n: (-held[n], n))
                Network.objects.filter(pk=target).update(updated_at=now)
            else:
                target = Network.objects.create().pk
            kept.add(target)
        moving = [m for m in members if current[m] != target]
        if moving:
            Merchant.objects.filter(pk__in=moving).update(network_id=target)
    Network.objects.filter(pk__in=touched - kept, members__isnull=True).delete()


def _flag_evasion(merchant: Merchant) -> IdentifiersResult:
    """Flag `merchant` when its network holds a banned merchant: the storefront a banned operator opened
    again. Why is kept: the banned merchant nearest in the graph, and the kinds of identifier that link them."""
    merchant.refresh_from_db(fields=["network", "status", "ban_evasion"])
    result = IdentifiersResult(network_id=merchant.network_id)
    if merchant.network_id is None or merchant.status == Merchant.Status.BANNED:
        return result
    banned = list(
        Merchant.objects.filter(network_id=merchant.network_id, status=Merchant.Status.BANNED)
        .exclude(pk=merchant.pk)
        .values_list("pk", flat=True)
    )
    if not banned:
        return result
    own = dict(MerchantIdentifier.objects.filter(merchant=merchant).values_list("digest", "kind"))
    direct = Counter(
        MerchantIdentifier.objects.filter(merchant_id__in=banned, digest__in=own).values_list(
            "merchant_id", flat=True
        )
    )
    evasion_of = min(direct, key=lambda m: (-direct[m], m)) if direct else min(banned)
    shared = MerchantIdentifier.objects.filter(
        digest__in=own, merchant__network_id=merchant.network_id
    ).exclude(merchant=merchant)
    kinds = sorted({own[d] for d in shared.values_list("digest", flat=True)})
    result.evasion_of, result.kinds = evasion_of, kinds
    if not merchant.ban_evasion:
        Merchant.objects.filter(pk=merchant.pk).update(
            ban_evasion=True, evasion_of_id=evasion_of, evasion_kinds=kinds, evasion_flagged_at=timezone.now()
        )
        result.newly_flagged = True
    return result
