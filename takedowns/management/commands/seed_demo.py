"""A believable world for the portal and the reports: brands and agents, hundreds of merchants and listings,
claims in every state over the last twelve months. Built through the services, then moved back in time."""

import io
import random
from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from brands.models import Brand, BrandMembership, IPRight
from core.chain import GENESIS, link_hash
from core.models import Notice
from core.roles import SYSTEM, actor_for, merchant_link_actor
from merchants.models import Listing, Merchant
from merchants.services.marketplace import listing_image_add
from merchants.services.networks import merchant_identifiers_record
from takedowns.management.photos import encoded, product_photo, receipt
from takedowns.models import (
    REVIEWABLE,
    Appeal,
    Claim,
    ClaimEvent,
    CounterNotice,
    CounterNoticeEvidence,
    Evidence,
    ListingCapture,
)
from takedowns.services.bans import merchant_ban
from takedowns.services.filing import claim_create, counter_notice_evidence_add, evidence_add
from takedowns.services.intelligence import merchant_record
from takedowns.services.test_purchases import test_purchase_attach, test_purchase_create
from takedowns.services.transitions import claim_enforce, claim_transition

PASSWORD = "demo-pass-2026"
BRANDS = [
    ("Aurelia Leather", "https://aurelia.example", "legal@aurelia.example", "AURELIA", "18", "EUIPO"),
    ("Northpeak Outdoor", "https://northpeak.example", "ip@northpeak.example", "NORTHPEAK", "25", "USPTO"),
    ("Sonora Audio", "https://sonora.example", "brand@sonora.example", "SONORA", "9", "CNIPA"),
    ("Kestrel Sports", "https://kestrel.example", "ipr@kestrel.example", "KESTREL", "28", "WIPO"),
]
COLOURS = ["black", "tan", "navy", "red", "white", "olive"]
COUNTRY_NAMES = ["China", "Turkey", "Poland", "Viet Nam", "Germany"]
PRODUCTS = [
    "handbag",
    "wallet",
    "belt",
    "jacket",
    "hiking boots",
    "backpack",
    "headphones",
    "earbuds",
    "speaker",
    "football shirt",
    "signed ball",
    "trainers",
    "sunglasses",
    "watch",
    "cap",
]
COUNTRIES = ["CN", "DE", "FR", "IT", "ES", "PL", "NL", "US", "GB", "TR", "VN", "IN"]


def _photo() -> bytes:
    """A small product photo drawn with Pillow: a whole image, as uploads must be."""
    image = Image.new("RGB", (160, 120), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, 120, 100), fill=(120, 72, 40), outline=(60, 36, 20), width=3)  # a handbag
    draw.arc((60, 10, 100, 50), start=180, end=360, fill=(60, 36, 20), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _photo()
INVOICE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # a stand-in for the distributor's invoice
# How the demo claims end up: (weight, list of transitions after submit)
PATHS = [
    (30, ["start_review", "approve"]),  # → taken_down
    (6, ["start_review", "approve", "counter_notice", "uphold"]),  # → taken_down again
    (4, ["start_review", "approve", "counter_notice", "reinstate"]),  # → reinstated
    (2, ["start_review", "approve", "counter_notice"]),  # → counter_noticed
    (2, ["start_review", "approve", "retract"]),  # → reinstated by retraction
    (10, ["start_review", "reject"]),  # → rejected
    (1, ["start_review", "request_info"]),  # → info_requested
    (2, ["start_review", "request_info", "expire"]),  # → rejected, no response
    (2, ["start_review", "reject", "appeal"]),  # → appealed, waiting for a second reviewer
    (1, ["start_review", "reject", "appeal", "appeal_grant"]),  # → taken_down on appeal
    (1, ["start_review", "reject", "appeal", "appeal_deny"]),  # → rejected for good
    (1, ["start_review", "request_info", "provide_info"]),  # → submitted again
    (1, []),  # → submitted
    (1, ["start_review"]),  # → in_review
    (3, ["withdraw"]),  # → withdrawn
]


# Decided as refused (a claim still waiting on an appeal is recent whatever its path, so it is left out).
REFUSED = {i for i, (_, path) in enumerate(PATHS) if path[-1:] in (["reject"], ["expire"])}


def _weights_at(weights: list[int], age_days: float) -> list[float]:
    """PATHS' weights for a claim filed `age_days` ago: a year ago a rejection was four times as likely as
    it is now."""
    refused = 1 + 3 * age_days / 360
    return [w * refused if i in REFUSED else w for i, w in enumerate(weights)]


class Command(BaseCommand):
    help = "Load demo data (idempotent: does nothing if the demo brands exist). Users share the password demo-pass-2026."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=600)
        parser.add_argument("--merchants", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, claims, merchants, seed, **options):
        if Brand.objects.filter(name=BRANDS[0][0]).exists():
            self.stdout.write("demo data already loaded")
            return
        rng = random.Random(seed)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        User = get_user_model()
        call_command(
            "add_user",
            "admin",
            password=PASSWORD,
            role="reviewer",
            superuser=True,
            email="admin@desk.example",
            stdout=open("/dev/null", "w"),
        )
        for name, role in [
            ("reviewer", "reviewer"),
            ("reviewer2", "reviewer"),
            ("compliance", "compliance"),
            ("platform", "platform"),
        ]:
            call_command(
                "add_user",
                name,
                password=PASSWORD,
                role=role,
                email=f"{name}@desk.example",
                stdout=open("/dev/null", "w"),
            )
        reviewers = [actor_for(User.objects.get(username=n)) for n in ("reviewer", "reviewer2")]

        brands, rights, filers = [], [], []
        for name, site, email, mark, classes, office in BRANDS:
            slug = name.split()[0].lower()
            call_command(
                "add_user",
                slug,
                password=PASSWORD,
                role="brand",
                brand=name,
                email=email,
                stdout=open("/dev/null", "w"),
            )
            brand = Brand.objects.get(name=name)
            Brand.objects.filter(pk=brand.pk).update(website=site, contact_email=email)
            right = IPRight.objects.create(
                brand=brand,
                kind="trademark",
                mark=mark,
                registration_number=f"{rng.randint(10**7, 10**8)}",
                office=office,
                classes=classes,
                valid_from=timezone.localdate() - timedelta(days=3000),
                valid_until=timezone.localdate() + timedelta(days=2000),
                status=IPRight.Status.VERIFIED,
                certificate=ContentFile(b"%PDF-1.4 demo certificate", name=f"{slug}-certificate.pdf"),
            )
            IPRight.objects.create(
                brand=brand,
                kind="design",
                mark=f"{mark} bag design",
                registration_number=f"D{rng.randint(10**5, 10**6)}",
                office="EUIPO",
                valid_until=timezone.localdate() + timedelta(days=900),
            )
            brands.append(brand)
            rights.append(right)
            filers.append(actor_for(User.objects.get(username=slug)))
        Brand.objects.filter(name="Kestrel Sports").update(
            trusted_flagger=True, trusted_flagger_designation="Coimisiún na Meán, 2025"
        )
        # An agent (law firm) acting for two brands, with verified letters.
        agent = User.objects.create_user("lawfirm", email="notices@lawfirm.example", password=PASSWORD)
        for brand in brands[:2]:
            BrandMembership.objects.create(
                user=agent,
                brand=brand,
                role="agent",
                authorisation_verified=True,
                authorisation_letter=ContentFile(b"%PDF-1.4 letter", name="authorisation.pdf"),
            )

        with transaction.atomic():
            merchant_rows = [
                Merchant(
                    platform_ref=f"M-{1000 + i}",
                    name=f"{rng.choice(['Lucky', 'Global', 'Star', 'Prime', 'Best', 'Golden', 'Urban'])} "
                    f"{rng.choice(['Trading', 'Outlet', 'Store', 'Deals', 'Bazaar', 'Goods'])} {i}",
                    email=f"seller{i}@merchant.example",
                    country=rng.choice(COUNTRIES),
                )
                for i in range(merchants)
            ]
            Merchant.objects.bulk_create(merchant_rows)
            all_merchants = list(Merchant.objects.all())
            listing_rows = []
            for i in range(merchants * 3):
                merchant = all_merchants[i % len(all_merchants)]
                product = rng.choice(PRODUCTS)
                mark = rng.choice(BRANDS)[3]
                listing_rows.append(
                    Listing(
                        platform_ref=f"L-{50000 + i}",
                        merchant=merchant,
                        url=f"https://market.example/item/{50000 + i}",
                        title=f"{mark} {product} {rng.choice(['original', 'new', '2026 model', 'best price', 'AAA quality'])}",
                        price=rng.randint(5, 400),
                        currency=rng.choice(["EUR", "USD", "CNY"]),
                        # What the marketplace sends beside the title (shown with the listing as filed).
                        attributes={
                            "brand": mark.title(),
                            "condition": "new" if i % 5 else "used",
                            "colour": COLOURS[i % len(COLOURS)],
                            "ships from": COUNTRY_NAMES[i % len(COUNTRY_NAMES)],
                        },
                    )
                )
            Listing.objects.bulk_create(listing_rows)
        merchant_user = User.objects.create_user(
            "merchant", email="seller0@merchant.example", password=PASSWORD
        )
        all_merchants[0].users.add(merchant_user)
        rings = _networks(all_merchants, rng)

        listings = list(Listing.objects.order_by("pk"))
        rng.shuffle(listings)
        weights = [w for w, _ in PATHS]
        now = timezone.now()
        made = 0
        marks = [b[3] for b in BRANDS]
        for listing in listings[:claims]:
            i = marks.index(listing.title.split()[0])  # the brand whose mark the listing carries files
            if not listing.images.exists():  # the marketplace's photo of it, captured with the claim
                listing_image_add(
                    listing=listing, file=ContentFile(_listing_photo(listing, rings), name="l.jpg")
                )
            filer = filers[i]
            claim = claim_create(
                actor=filer,
                brand=brands[i],
                ip_right=rights[i],
                listing=listing,
                infringement_type=rng.choice(["counterfeit"] * 6 + ["trademark", "design", "copyright"]),
                description=f"The listing sells a fake {listing.title.lower()}: logo placement, stitching and price do not match the genuine product.",
                good_faith=True,
                accurate=True,
                signature=f"{filer.user.first_name or filer.label.title()} Legal",
            )
            evidence_add(
                actor=filer,
                claim=claim,
                file=ContentFile(_listing_photo(listing, rings), name="listing-photo.jpg"),
                kind="image",
                note="Photo from the listing",
            )
            made += 1
            if made <= 5:
                continue  # a few drafts
            # The year tells a story: the brands learn what evidence convinces, so early filings are rejected
            # more often and the take-down rate rises month by month.
            age_days = rng.uniform(3, 360)
            path = rng.choices([p for _, p in PATHS], weights=_weights_at(weights, age_days))[0]
            claim_transition(
                claim_id=claim.pk, name="withdraw" if path == ["withdraw"] else "submit", actor=filer
            )
            reviewer = rng.choice(reviewers)
            for name in [] if path == ["withdraw"] else path:
                kwargs = {"actor": reviewer, "note": "", "reason": "", "data": None}
                if name in ("appeal_grant", "appeal_deny"):  # the reviewer who rejected does not decide
                    kwargs["actor"] = next(r for r in reviewers if r is not reviewer)
                    kwargs["note"] = (
                        "The test purchase report shows a fake hologram: the listing infringes."
                        if name == "appeal_grant"
                        else "The new photos show the genuine packaging; the rejection stands."
                    )
                    kwargs["reason"] = "not_infringing" if name == "appeal_deny" else ""
                elif name == "appeal":
                    kwargs["actor"] = filer
                    kwargs["note"] = "Our test purchase arrived with a fake hologram; the report is attached."
                    evidence_add(
                        actor=filer,
                        claim=claim,
                        file=ContentFile(PNG, name="test-purchase.png"),
                        kind="test_purchase",
                        note="What arrived from the test purchase",
                    )
                elif name in ("provide_info", "retract"):
                    kwargs["actor"] = filer
                    kwargs["note"] = "Test purchase receipt attached; the serial number is not ours."
                elif name == "expire":
                    kwargs["actor"] = SYSTEM
                    Claim.objects.filter(pk=claim.pk).update(info_due_at=now - timedelta(minutes=1))
                elif name == "request_info":
                    kwargs["note"] = "Please send a test purchase or a close-up of the logo."
                elif name == "reject":
                    kwargs["reason"] = rng.choice(
                        ["insufficient_evidence", "not_infringing", "no_rights", "duplicate"]
                    )
                    kwargs["note"] = "The photos do not show the mark."
                elif name == "counter_notice":
                    merchant = listing.merchant
                    kwargs["actor"] = (
                        actor_for(merchant_user)
                        if merchant.users.exists()
                        else merchant_link_actor(merchant.pk)
                    )
                    kwargs["reason"] = rng.choice(["owner", "authorized", "not_infringing"])
                    kwargs["note"] = (
                        "These are genuine goods bought from an authorised distributor; invoice available."
                    )
                    kwargs["data"] = {"good_faith": True, "signature": merchant.name}
                elif name == "uphold":
                    kwargs["note"] = "The invoice does not cover this model."
                elif name == "reinstate":
                    kwargs["note"] = "The invoice proves an authorised purchase."
                claim_transition(claim_id=claim.pk, name=name, **kwargs)
                if name in ("approve", "appeal_grant"):
                    claim_enforce(claim_id=claim.pk)  # what the worker does; a no-op if it already ran
                if name == "counter_notice" and rng.random() < 0.6:
                    counter_notice_evidence_add(
                        actor=kwargs["actor"],
                        claim=claim,
                        file=ContentFile(INVOICE, name="invoice-from-distributor.pdf"),
                    )
            # Claims still waiting for someone are recent (about a month of filings); decided ones spread over the year.
            waiting = Claim.objects.filter(pk=claim.pk, state__in=[*REVIEWABLE, "counter_noticed"]).exists()
            _move_back(claim.pk, timedelta(days=rng.uniform(0.05, 5) if waiting else age_days), rng)
        _held_ban(rng, reviewers[0])
        _ban_evasion(rng, reviewers[0], filers, brands, rights, rings)
        _test_purchases(filers, brands, rings)
        # Moving time back may leave due dates in the past: that is what an overdue queue looks like.
        Notice.objects.filter(status=Notice.Status.PENDING).update(status=Notice.Status.SENT, sent_at=now)
        self.stdout.write(
            f"demo data loaded: {len(brands)} brands, {merchants} merchants, {len(listing_rows)} listings, "
            f"{Claim.objects.count()} claims; users admin, reviewer, reviewer2, compliance, platform, aurelia, northpeak, "
            f"sonora, kestrel, lawfirm, merchant (password {PASSWORD})"
        )


# --- intelligence: two seller networks, a banned operator's new storefront, test purchases ----------------
def _networks(merchants, rng) -> dict[int, int]:
    """Every merchant's identifiers as the marketplace sends them (all different), except two rings: four
    storefronts paid into one account, and three shipping from one warehouse under one company. Returns each
    ring merchant's photo seed: a ring reuses its product photos."""
    merchants = sorted(merchants, key=lambda m: m.pk)
    ring_payout, ring_warehouse = merchants[1:5], merchants[5:8]
    photo_seed = {}
    for n, merchant in enumerate(merchants):
        identifiers = {
            "email": f"owner{n}@seller-mail.example",
            "phone": f"+86 138 {n:04d} {rng.randint(1000, 9999)}",
            "payout_account": f"CN{rng.randint(10**15, 10**16)}",
            "address": f"{rng.randint(1, 300)} {rng.choice(['Century', 'Harbour', 'Nathan', 'Market'])} Road, unit {n}",
        }
        if merchant in ring_payout:
            identifiers["payout_account"] = "CN 6222 0212 3456 7890 12"
            photo_seed[merchant.pk] = 7001
        if merchant in ring_warehouse:
            identifiers["ship_from"] = "Warehouse 4, 18 Harbour Road, Shenzhen"
            identifiers["registration_number"] = "91440300-MA5F" if merchant != ring_warehouse[-1] else ""
            photo_seed[merchant.pk] = 7002
        merchant_identifiers_record(merchant=merchant, identifiers=identifiers)
    for listing in Listing.objects.filter(merchant_id__in=photo_seed, merchant__in=ring_payout):
        # The payout ring sells fake AURELIA goods only.
        listing.title = "AURELIA " + listing.title.split(" ", 1)[1]
        listing.save(update_fields=["title"])
    for listing in Listing.objects.filter(merchant_id__in=photo_seed):
        # The marketplace sends each listing's photo: the ring's listings show the same photo, resized.
        listing_image_add(
            listing=listing, file=ContentFile(_listing_photo(listing, photo_seed), name="l.jpg")
        )
    return photo_seed


def _listing_photo(listing, rings: dict[int, int]) -> bytes:
    mark = listing.title.split()[0]
    seed = rings.get(listing.merchant_id, listing.pk)
    width = 320 if seed == listing.pk else 240 + (listing.pk % 5) * 40  # a reused photo comes in many sizes
    return encoded(product_photo(seed, (width, width * 3 // 4), label=mark), quality=80)


def _ban_evasion(rng, reviewer, filers, brands, rights, rings) -> None:
    """A seller banned for counterfeits opens a new storefront with the same payout account and photos:
    it is flagged when the marketplace sends it, and claims against it go to the front of the queue."""
    banned = Merchant.objects.create(
        platform_ref="M-9100", name="Shenzhen Brand Outlet", email="sales@sz-outlet.example", country="CN"
    )
    merchant_identifiers_record(
        merchant=banned,
        identifiers={"payout_account": "CN 9558 8012 0000 4321", "phone": "+86 755 8888 1234"},
    )
    merchant_ban(merchant=banned, actor=reviewer, reason="Three counterfeit takedowns within a year.")
    fresh, _created = merchant_record(
        actor=SYSTEM,
        data={
            "platform_ref": "M-9101",
            "name": "Fresh Start Trading",
            "email": "hello@fresh-start.example",
            "country": "CN",
            "identifiers": {"payout_account": "cn9558801200004321", "email": "new.owner@fresh-start.example"},
        },
    )
    for n in range(3):
        listing = Listing.objects.create(
            platform_ref=f"L-{91000 + n}",
            merchant=fresh,
            url=f"https://market.example/item/{91000 + n}",
            title=f"AURELIA {['handbag', 'wallet', 'belt'][n]} outlet sale",
            price=rng.randint(20, 60),
            currency="EUR",
            attributes={"brand": "Aurelia", "condition": "new", "colour": COLOURS[n], "ships from": "China"},
        )
        photo = encoded(product_photo(7001, (400, 300), label="AURELIA"))  # the ring's photo, again
        listing_image_add(listing=listing, file=ContentFile(photo, name="l.jpg"))
        claim = claim_create(
            actor=filers[0],
            brand=brands[0],
            ip_right=rights[0],
            listing=listing,
            infringement_type="counterfeit",
            description="Same photos and payout account as a seller banned for counterfeit AURELIA goods.",
            good_faith=True,
            accurate=True,
            signature="Aurelia Legal",
        )
        evidence_add(
            actor=filers[0],
            claim=claim,
            file=ContentFile(photo, name="listing.jpg"),
        )
        claim_transition(claim_id=claim.pk, name="submit", actor=filers[0])


def _test_purchases(filers, brands, rings) -> None:
    """Aurelia's test buys: a counterfeit from the payout ring (attached to a claim waiting for review), a
    genuine one from an authorised reseller, and one still inconclusive."""
    today = timezone.localdate()
    ring_listings = Listing.objects.filter(merchant_id__in=rings, title__startswith="AURELIA").order_by("pk")
    waiting = Claim.objects.filter(brand=brands[0], listing__in=ring_listings, state__in=REVIEWABLE).first()
    if waiting is None:  # file one, so that the counterfeit verdict has a claim to back
        unclaimed = ring_listings.exclude(claims__brand=brands[0]).first()
        if unclaimed is not None:
            waiting = claim_create(
                actor=filers[0],
                brand=brands[0],
                ip_right=IPRight.objects.get(brand=brands[0], kind="trademark"),
                listing=unclaimed,
                infringement_type="counterfeit",
                description="A ring of storefronts selling the same fake AURELIA goods.",
                good_faith=True,
                accurate=True,
                signature="Aurelia Legal",
            )
            evidence_add(
                actor=filers[0],
                claim=waiting,
                file=ContentFile(_listing_photo(unclaimed, rings), name="listing.jpg"),
            )
            claim_transition(claim_id=waiting.pk, name="submit", actor=filers[0])
    ring_listing = waiting.listing if waiting is not None else ring_listings.first()
    other = Listing.objects.exclude(merchant_id__in=rings).filter(title__startswith="AURELIA").order_by("pk")
    for n, (listing, verdict, note) in enumerate(
        [
            (ring_listing, "counterfeit", "Stitching 6 per cm (genuine: 9); no serial; hologram missing."),
            (other[0], "genuine", "Serial AU-2291-77 checks out: an authorised reseller's stock."),
            (other[1], "inconclusive", "Packaging genuine, contents not: asked the factory to compare."),
        ]
    ):
        if listing is None:
            continue
        purchase = test_purchase_create(
            actor=filers[0],
            brand=brands[0],
            listing=listing,
            order_ref=f"AUR-TB-{2026_0400 + n}",
            ordered_on=today - timedelta(days=20 - n * 5),
            amount=listing.price or 50,
            currency=listing.currency or "EUR",
            verdict=verdict,
            notes=note,
            photos=[
                ContentFile(
                    encoded(product_photo(listing.pk + 50_000, (480, 360), label="AURELIA")), "parcel.jpg"
                ),
                ContentFile(
                    encoded(
                        receipt(
                            n,
                            [
                                "ORDER " + f"AUR-TB-{2026_0400 + n}",
                                listing.title[:30],
                                f"{listing.price} {listing.currency}",
                            ],
                        )
                    ),
                    "receipt.jpg",
                ),
            ],
        )
        waiting = Claim.objects.filter(
            listing=listing, brand=brands[0], state__in=[*REVIEWABLE, "draft"]
        ).first()
        if verdict == "counterfeit" and waiting is not None:
            test_purchase_attach(actor=filers[0], claim=waiting, purchase_id=purchase.pk)


def _held_ban(rng, reviewer) -> None:
    """A big seller whose ban waits for a second reviewer: the "Held for second approval" tab shows it."""
    merchant = Merchant.objects.create(
        platform_ref="M-9000", name="Mega Deals Warehouse", email="ops@megadeals.example", country="CN"
    )
    Listing.objects.bulk_create(
        Listing(
            platform_ref=f"L-{90000 + i}",
            merchant=merchant,
            url=f"https://market.example/item/{90000 + i}",
            title=f"{rng.choice(BRANDS)[3]} {rng.choice(PRODUCTS)} factory price",
            price=rng.randint(5, 60),
            currency="USD",
        )
        for i in range(settings.BAN_SECOND_APPROVAL_LISTINGS + 10)
    )
    merchant_ban(
        merchant=merchant,
        actor=reviewer,
        reason="The same counterfeit photos across dozens of listings; a network of storefronts.",
    )


def _move_back(claim_id: int, delta: timedelta, rng) -> None:
    """Shift a claim's whole history back in time, spreading its steps over hours so durations are real.
    Each due date moves with the step that set it."""
    events = list(ClaimEvent.objects.filter(claim_id=claim_id).order_by("created_at", "pk"))
    offsets, total = {}, timedelta(0)
    for event in events:
        total += (
            timedelta(hours=rng.uniform(0.5, 30))
            if event.transition not in ("create", "enforce")
            else timedelta(minutes=rng.uniform(1, 20))
        )
        offsets[event.pk] = total
    shift_start = delta + total  # the last step lands `delta` ago: never in the future
    shift = {}
    # Demo data only: the history was just written "now" and is moved back in time, so the append-only
    # guard is lifted for these rows, and their hash chain is written again for the new times.
    previous, first = GENESIS, events[0].created_at  # before the loop moves the first event
    with pgtrigger.ignore("takedowns.ClaimEvent:claim_event_append_only"):
        for event in events:
            shift[event.transition] = offsets[event.pk] - shift_start - (event.created_at - first)
            event.created_at = event.created_at + shift[event.transition]
            event.prev_hash, event.hash = previous, link_hash(previous, event.chained_fields())
            ClaimEvent.objects.filter(pk=event.pk).update(
                created_at=event.created_at, prev_hash=event.prev_hash, hash=event.hash
            )
            previous = event.hash
    at = {e.transition: e.created_at for e in events}
    claim = Claim.objects.get(pk=claim_id)
    fields = {"created_at": at["create"]}
    for field, transitions in [
        ("submitted_at", ["submit"]),
        ("taken_down_at", ["enforce"]),
        ("reinstated_at", ["reinstate", "retract"]),
        ("decided_at", ["appeal_grant", "approve", "reject", "expire"]),
    ]:
        if getattr(claim, field):
            fields[field] = next(at[t] for t in transitions if t in at)
    for field, transitions in [
        ("due_at", ["appeal", "provide_info", "submit"]),
        ("info_due_at", ["request_info"]),
    ]:
        if getattr(claim, field):
            fields[field] = getattr(claim, field) + next(shift[t] for t in transitions if t in shift)
    Claim.objects.filter(pk=claim_id).update(**fields)
    Evidence.objects.filter(claim_id=claim_id).update(created_at=at["create"])  # filed with the claim
    ListingCapture.objects.filter(claim_id=claim_id).update(captured_at=at["create"])
    for counter in CounterNotice.objects.filter(claim_id=claim_id):
        CounterNotice.objects.filter(pk=counter.pk).update(
            filed_at=at["counter_notice"],
            restore_due_at=counter.restore_due_at + shift["counter_notice"],
            decided_at=at.get("uphold", at.get("reinstate")) if counter.decided_at else None,
        )
        CounterNoticeEvidence.objects.filter(counter_notice=counter).update(created_at=at["counter_notice"])
    Appeal.objects.filter(claim_id=claim_id).update(
        filed_at=at.get("appeal"),
        rejected_at=at.get("reject"),
        decided_at=at.get("appeal_grant", at.get("appeal_deny")),
    )
