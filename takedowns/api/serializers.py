"""What the claims API reads and writes. What each audience may see of a claim is decided in
`takedowns.selectors` (`claim_shown_to`), not here."""

from __future__ import annotations

import functools
import json

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brands.models import Brand, IPRight
from core.api import MAX_ROW_ID, request_actor
from takedowns import decisions
from takedowns.models import (
    REVIEWABLE,
    Appeal,
    Claim,
    ClaimBatch,
    ClaimEvent,
    CounterNotice,
    CounterNoticeEvidence,
    Evidence,
    InfringementType,
    ListingCapture,
    ListingCaptureImage,
    RejectReason,
    TestPurchase,
    TestPurchasePhoto,
)
from takedowns.selectors import (
    HIDDEN_EVENT_FIELDS_FROM_MERCHANT,
    HIDDEN_FROM_MERCHANT,
    STAFF_ONLY,
    Audience,
    claim_audience,
    evidence_for_merchant,
    image_matches,
    listing_capture_shown,
    may_read_counter_documents,
    network_listings_for_brand,
    priority_reasons,
)
from takedowns.services.batches import batch_error_detail
from takedowns.services.transitions import available_transitions


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ClaimEvent
        fields = ["id", "transition", "from_state", "to_state", "actor", "at", "note", "reason"]


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The file, for whoever may read this evidence.")

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "original_name",
            "sha256",
            "content_type",
            "size",
            "note",
            "created_at",
            "url",
        ]

    def get_url(self, item) -> str | None:
        request = self.context.get("request")
        path = reverse("claim-evidence-file", kwargs={"pk": item.claim_id, "evidence_id": item.pk})
        return request.build_absolute_uri(path) if request is not None else path


class CounterNoticeEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="The file, for the reviewers, the brand and the merchant."
    )

    class Meta:
        model = CounterNoticeEvidence
        fields = ["id", "original_name", "sha256", "content_type", "size", "created_at", "url"]

    def get_url(self, item) -> str:
        request = self.context.get("request")
        path = reverse(
            "claim-counter-notice-evidence-file",
            kwargs={"pk": item.counter_notice.claim_id, "evidence_id": item.pk},
        )
        return request.build_absolute_uri(path) if request is not None else path


class CounterNoticeSerializer(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField(
        help_text="The merchant's documents: for reviewers, the claim's brand and the merchant; empty otherwise."
    )

    class Meta:
        model = CounterNotice
        fields = [
            "id",
            "reason",
            "statement",
            "filed_at",
            "restore_due_at",
            "legal_action_at",
            "outcome",
            "decided_at",
            "evidence",
        ]

    @extend_schema_field(CounterNoticeEvidenceSerializer(many=True))
    def get_evidence(self, counter):
        request = self.context.get("request")
        if request is None or not may_read_counter_documents(request_actor(request), counter.claim):
            return []
        return CounterNoticeEvidenceSerializer(counter.evidence.all(), many=True, context=self.context).data


class AppealSerializer(serializers.ModelSerializer):
    rejected_reason = serializers.ChoiceField(choices=RejectReason.choices, allow_blank=True, read_only=True)
    reason = serializers.ChoiceField(choices=RejectReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "statement",
            "filed_at",
            "rejected_at",
            "rejected_reason",
            "outcome",
            "decided_at",
            "reason",
            "note",
        ]


class DecisionSerializer(serializers.Serializer):
    """`takedowns.decisions`: the decision explained to the caller's side (brand or merchant)."""

    decision = serializers.CharField()
    ground = serializers.CharField(
        help_text="A reject reason code, an infringement type, or a reinstatement ground."
    )
    ground_kind = serializers.ChoiceField(choices=["reason", "infringement", "counter_notice"])
    automated = serializers.BooleanField()
    contest = serializers.ChoiceField(choices=["appeal", "counter_notice", "court", "pending", "none"])
    contest_by = serializers.DateField(allow_null=True)


class ClaimSerializer(serializers.ModelSerializer):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    listing_url = serializers.CharField(source="listing.url", read_only=True)
    listing_ref = serializers.CharField(source="listing.platform_ref", read_only=True)
    merchant = serializers.IntegerField(source="listing.merchant_id", read_only=True)
    merchant_ref = serializers.CharField(source="listing.merchant.platform_ref", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    # Blank until the claim is decided: declared so that the schema admits "" beside the reason codes.
    decision_reason = serializers.ChoiceField(choices=RejectReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "reference",
            "state",
            "brand",
            "brand_name",
            "ip_right",
            "listing",
            "listing_url",
            "listing_ref",
            "merchant",
            "merchant_ref",
            "batch",
            "infringement_type",
            "description",
            "good_faith",
            "accurate",
            "signature",
            "priority",
            "assignee",
            "due_at",
            "overdue",
            "submitted_at",
            "decided_at",
            "fast_tracked",
            "decision_reason",
            "decision_note",
            "info_request",
            "info_due_at",
            "taken_down_at",
            "reinstated_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ClaimListSerializer(ClaimSerializer):
    """What a list needs of each claim (docs/scaling.md): the long texts, declarations and the reviewer's
    notes stay in the detail. The list is read with `.values()` (`list_rows`), not through this serializer,
    which describes it for the schema."""

    class Meta(ClaimSerializer.Meta):
        fields = [
            f
            for f in ClaimSerializer.Meta.fields
            if f
            not in (
                "description",
                "good_faith",
                "accurate",
                "signature",
                "decision_note",
                "info_request",
                "info_due_at",
            )
        ]
        read_only_fields = fields


def list_values(queryset):
    """The claims as `ClaimListSerializer` describes them, read as rows (`.values()`): one query, no model
    instances, no per-field Python (the renderer formats the dates). `overdue` is added by `with_overdue`."""
    own, joined = _list_columns()
    rows = queryset.values(*own, **{name: F(path) for name, path in joined.items()})
    rows.count_from = queryset  # what the paginator counts: the claims, without the joins of the columns
    return rows


def list_row(claim) -> dict:
    """One claim as `list_values` reads it, taken from the instance and the objects loaded with it (its
    brand, listing and the listing's merchant): the answer to filing a claim, without reading it back."""
    own, joined = _list_columns()
    row = {name: getattr(claim, claim._meta.get_field(name).attname) for name in own}
    for name, path in joined.items():
        value = claim
        for part in path.split("__"):
            value = getattr(value, part) if value is not None else None
        row[name] = value
    return row


@functools.cache
def _list_columns() -> tuple[list[str], dict[str, str]]:
    """The claim's own columns and the joined ones (name → path) of `ClaimListSerializer`, worked out once:
    building the serializer's fields took longer than the query."""
    own, joined = [], {}
    for name, field in ClaimListSerializer().fields.items():
        if name == "overdue":
            continue
        if field.source == name:  # a column of the claim (a foreign key reads as its id)
            own.append(name)
        else:
            joined[name] = field.source.replace(".", "__")
    return own, joined


def with_overdue(rows) -> list[dict]:
    now = timezone.now()
    for row in rows:
        row["overdue"] = row["state"] in REVIEWABLE and row["due_at"] is not None and row["due_at"] < now
    return list(rows)


class ImageMatchSerializer(serializers.Serializer):
    claim = serializers.IntegerField(allow_null=True, help_text="Another claim whose evidence has the photo.")
    listing = serializers.IntegerField(allow_null=True, help_text="The listing that shows it.")
    distance = serializers.IntegerField(help_text="Bits of 64 in which the two perceptual hashes differ.")


class SellerNetworkSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Staff only.")
    storefronts = serializers.IntegerField()
    matching_listings = serializers.IntegerField(
        help_text="Active listings of the other storefronts whose titles carry one of the brand's marks."
    )


class TestPurchasePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The photo, for whoever may read the test purchase.")

    class Meta:
        model = TestPurchasePhoto
        fields = ["id", "original_name", "sha256", "content_type", "size", "created_at", "url"]

    def get_url(self, photo) -> str:
        request = self.context.get("request")
        path = reverse("test-purchase-photo-file", kwargs={"pk": photo.purchase_id, "photo_id": photo.pk})
        return request.build_absolute_uri(path) if request is not None else path


class AttachedTestPurchaseSerializer(serializers.ModelSerializer):
    """A test purchase as a claim shows it: the order, the verdict and the photos of what arrived."""

    photos = TestPurchasePhotoSerializer(many=True, read_only=True)

    class Meta:
        model = TestPurchase
        fields = ["id", "order_ref", "ordered_on", "amount", "currency", "verdict", "photos"]
        read_only_fields = fields


class TestPurchaseSerializer(serializers.ModelSerializer):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    listing_url = serializers.CharField(source="listing.url", read_only=True)
    merchant_ref = serializers.CharField(source="merchant.platform_ref", read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    photos = TestPurchasePhotoSerializer(many=True, read_only=True)
    claims = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The claims it is attached to as evidence."
    )

    class Meta:
        model = TestPurchase
        fields = [
            "id",
            "brand",
            "brand_name",
            "listing",
            "listing_url",
            "merchant",
            "merchant_ref",
            "merchant_name",
            "order_ref",
            "ordered_on",
            "amount",
            "currency",
            "verdict",
            "notes",
            "photos",
            "claims",
            "created_at",
        ]
        read_only_fields = fields

    __test__ = False  # a serializer, not a pytest class


class CodeDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class ListingCaptureImageSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="image.pk", help_text="The listing photo's id.")
    sha256 = serializers.CharField(source="image.sha256")
    content_type = serializers.CharField(source="image.content_type")
    size = serializers.IntegerField(source="image.size")
    url = serializers.SerializerMethodField(help_text="The photo, for whoever may read the listing.")

    class Meta:
        model = ListingCaptureImage
        fields = ["position", "id", "sha256", "content_type", "size", "url"]

    def get_url(self, pinned) -> str:
        request = self.context.get("request")
        path = reverse(
            "listing-image-file", kwargs={"pk": pinned.image.listing_id, "image_id": pinned.image_id}
        )
        return request.build_absolute_uri(path) if request is not None else path


class ListingCaptureSerializer(serializers.ModelSerializer):
    images = ListingCaptureImageSerializer(many=True, read_only=True)

    class Meta:
        model = ListingCapture
        fields = [
            "captured_at",
            "platform_ref",
            "url",
            "title",
            "price",
            "currency",
            "seller_name",
            "seller_ref",
            "attributes",
            "images",
        ]
        read_only_fields = fields


class EvidenceListedSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='A neutral name: "Image 2", "PDF document 1", "Text document 1".')
    kind = serializers.CharField(help_text="The kind of evidence, as the reader's language says it.")
    added = serializers.DateTimeField()


class ClaimDetailSerializer(ClaimSerializer):
    evidence_summary = serializers.SerializerMethodField(
        help_text="The brand's evidence listed without personal data (no file, name, note or uploader): what "
        "the merchant sees of it; every audience gets it."
    )
    listing_capture = serializers.SerializerMethodField(
        help_text="The listing as it was when the claim was filed: its fields, attributes and photos, "
        "unchanged by later edits. Null for claims filed before captures existed."
    )
    available_transitions = serializers.SerializerMethodField()
    events = ClaimEventSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    counter_notices = CounterNoticeSerializer(many=True, read_only=True)
    appeal = serializers.SerializerMethodField(help_text="The brand's appeal of a rejection; null when none.")
    decision = serializers.SerializerMethodField(
        help_text="The decision explained to the caller's side: what, on which ground, by a person or "
        "automatically, how to contest it and by when. Null before a decision."
    )
    image_matches = serializers.SerializerMethodField(
        help_text="Staff only: near matches of the claim's evidence photos in other claims and listings."
    )
    seller_network = serializers.SerializerMethodField(
        help_text="The seller's network (storefronts sharing its identifiers) as counts; null when none. "
        "Not shown to the merchant."
    )
    test_purchases = AttachedTestPurchaseSerializer(
        many=True,
        read_only=True,
        help_text="The brand's test purchases attached as evidence. Not shown to the merchant.",
    )
    priority_reasons = serializers.SerializerMethodField(
        help_text="Staff only: why the claim is at high priority, each `{code, detail}`; empty at normal priority."
    )

    class Meta(ClaimSerializer.Meta):
        fields = ClaimSerializer.Meta.fields + [
            "available_transitions",
            "events",
            "evidence",
            "counter_notices",
            "appeal",
            "decision",
            "image_matches",
            "seller_network",
            "test_purchases",
            "priority_reasons",
            "listing_capture",
            "evidence_summary",
        ]
        read_only_fields = fields

    @extend_schema_field(EvidenceListedSerializer(many=True))
    def get_evidence_summary(self, claim):
        return EvidenceListedSerializer(evidence_for_merchant(claim), many=True).data

    @extend_schema_field(ListingCaptureSerializer(allow_null=True))
    def get_listing_capture(self, claim):
        capture = listing_capture_shown(claim)
        return ListingCaptureSerializer(capture, context=self.context).data if capture is not None else None

    def _audience(self, claim):
        return claim_audience(request_actor(self.context["request"]), claim)

    @extend_schema_field(ImageMatchSerializer(many=True))
    def get_image_matches(self, claim):
        if self._audience(claim) != Audience.STAFF:
            return []
        return ImageMatchSerializer(image_matches(claim), many=True).data

    @extend_schema_field(SellerNetworkSerializer(allow_null=True))
    def get_seller_network(self, claim):
        audience = self._audience(claim)
        if audience not in (Audience.STAFF, Audience.BRAND):
            return None
        seen = network_listings_for_brand(claim)
        if seen is None:
            return None
        data = {"storefronts": seen["storefronts"], "matching_listings": seen["listings"].count()}
        if audience == Audience.STAFF:
            data["id"] = claim.listing.merchant.network_id
        return data

    @extend_schema_field(CodeDetailSerializer(many=True))
    def get_priority_reasons(self, claim):
        if self._audience(claim) != Audience.STAFF:
            return []
        return priority_reasons(claim)

    def get_available_transitions(self, claim) -> list[str]:
        return available_transitions(claim, request_actor(self.context["request"]))

    @extend_schema_field(AppealSerializer(allow_null=True))
    def get_appeal(self, claim):
        appeal = claim.appeal_record
        return AppealSerializer(appeal).data if appeal is not None else None

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, claim):
        audience = claim_audience(request_actor(self.context["request"]), claim)
        return decisions.for_merchant(claim) if audience == Audience.MERCHANT else decisions.for_brand(claim)


class ClaimCreatedSerializer(ClaimListSerializer):
    """The answer to filing a claim: the claim as the list shows it, and what the brand should know before it
    submits it."""

    warnings = CodeDetailSerializer(
        many=True,
        read_only=True,
        help_text="Each `{code, detail}`: `genuine_test_purchase` when the brand's own test purchase from this "
        "seller found the goods genuine. Empty when there is nothing to say.",
    )

    class Meta(ClaimListSerializer.Meta):
        fields = ClaimListSerializer.Meta.fields + ["warnings"]
        read_only_fields = fields


class _MerchantViewOfClaim(OpenApiSerializerExtension):
    """A merchant reads a claim without what it may never see (`takedowns.selectors.claim_shown_to`): in the
    schema those keys are optional, not required."""

    target_class = "takedowns.api.serializers.ClaimSerializer"
    match_subclasses = True  # ClaimDetailSerializer too
    hidden = HIDDEN_FROM_MERCHANT | STAFF_ONLY

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        required = [name for name in schema.get("required", []) if name not in self.hidden]
        if required:
            schema["required"] = required
        return schema


class _MerchantViewOfClaimEvent(_MerchantViewOfClaim):
    target_class = "takedowns.api.serializers.ClaimEventSerializer"
    match_subclasses = False
    hidden = HIDDEN_EVENT_FIELDS_FROM_MERCHANT


@extend_schema_field(OpenApiTypes.INT)
class CallersBrandField(serializers.PrimaryKeyRelatedField):
    """A brand of the caller's. Any other id, existing or not, gets the same answer: ids of other tenants
    cannot be probed."""

    default_error_messages = {
        "does_not_exist": "No such brand.",
        "incorrect_type": "Give the brand's id (a number).",
    }

    def get_queryset(self):
        return Brand.objects.filter(pk__in=request_actor(self.context["request"]).brand_ids)


@extend_schema_field(OpenApiTypes.INT)
class CallersBrandIdField(serializers.Field):
    """`CallersBrandField` answered from the caller's brand ids, without reading the brand: for a body that
    reads the brand with something else (a claim: with its IP right)."""

    default_error_messages = CallersBrandField.default_error_messages

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type")
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type")
        if pk not in request_actor(self.context["request"]).brand_ids:
            self.fail("does_not_exist")
        return pk

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.INT)
class CallersIPRightField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No such IP right.",
        "incorrect_type": "Give the IP right's id (a number).",
    }

    def get_queryset(self):
        return IPRight.objects.filter(
            brand_id__in=request_actor(self.context["request"]).brand_ids
        ).select_related("brand")


class ClaimCreateSerializer(serializers.Serializer):
    """The body of filing a claim. The IP right and the listing are ids (or the listing's URL) here; the view
    reads both at once (`filing_subjects`) and answers for either as a field error."""

    brand = CallersBrandIdField()
    ip_right = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ROW_ID,
        error_messages={"invalid": CallersIPRightField.default_error_messages["incorrect_type"]},
        help_text="One of the brand's IP rights.",
    )
    listing = serializers.IntegerField(required=False, allow_null=True)
    listing_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    infringement_type = serializers.ChoiceField(choices=InfringementType.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    good_faith = serializers.BooleanField(required=False, default=False)
    accurate = serializers.BooleanField(required=False, default=False)
    signature = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs):
        if not attrs.get("listing") and not attrs.get("listing_url"):
            raise serializers.ValidationError({"listing": ["Give `listing` (id) or `listing_url`."]})
        return attrs


class TestPurchaseCreateSerializer(serializers.Serializer):
    """Multipart: the order, its inspection and the photos (`photos`, one or more image files)."""

    brand = CallersBrandField()
    listing = serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID, help_text="The listing's id.")
    order_ref = serializers.CharField(max_length=100, help_text="The seller's order reference.")
    ordered_on = serializers.DateField(help_text="The day the order was placed (YYYY-MM-DD).")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, help_text="Amount paid.")
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$",
        max_length=3,
        help_text="Three-letter currency code, such as EUR.",
        error_messages={"invalid": "Give the currency as a three-letter code, such as EUR."},
    )
    verdict = serializers.ChoiceField(choices=TestPurchase.Verdict.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    photos = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        max_length=20,
        help_text="Photos of what arrived: JPEG, PNG, GIF or WebP, one file per part.",
    )

    __test__ = False  # a serializer, not a pytest class


class TestPurchaseAttachSerializer(serializers.Serializer):
    test_purchase = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ROW_ID,
        help_text="One of the brand's test purchases from the claim's seller.",
    )

    __test__ = False


class TransitionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    good_faith = serializers.BooleanField(required=False, default=False)
    signature = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CounterNoticeEvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An invoice, licence or authorisation letter: PDF or image.")


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices, default=Evidence.Kind.IMAGE)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class LegalActionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


def _id_filter(field_name: str) -> filters.NumberFilter:
    """A filter by id that only narrows what the caller already sees: any id, another tenant's or one that
    does not exist, answers alike (an empty list), never a 400 that would tell which ids exist. Bounded to
    the id column's range: a larger number would reach the database and fail there."""
    return filters.NumberFilter(field_name=field_name, min_value=-MAX_ROW_ID - 1, max_value=MAX_ROW_ID)


class ClaimFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=Claim._meta.get_field("state").choices)
    brand = _id_filter("brand_id")
    merchant = _id_filter("listing__merchant_id")
    ip_right = _id_filter("ip_right_id")
    batch = _id_filter("batch_id")
    assignee = _id_filter("assignee_id")
    listing = _id_filter("listing_id")
    submitted_after = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    submitted_from = filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_to = filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")
    reference = filters.CharFilter()
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Claim
        fields = [
            "state",
            "brand",
            "merchant",
            "infringement_type",
            "ip_right",
            "batch",
            "assignee",
            "listing",
        ]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(state__in=REVIEWABLE, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class BulkClaimSerializer(serializers.Serializer):
    brand = CallersBrandField()
    ip_right = CallersIPRightField()
    infringement_type = serializers.ChoiceField(choices=InfringementType.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    good_faith = serializers.BooleanField(required=False, default=False)
    accurate = serializers.BooleanField(required=False, default=False)
    signature = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    listing_urls = serializers.JSONField(required=False)
    file = serializers.FileField(required=False)
    evidence_zip = serializers.FileField(required=False)

    def validate_listing_urls(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError("Must be a JSON list of URLs.") from exc
        if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
            raise serializers.ValidationError("Must be a JSON list of URLs.")
        return value

    def validate(self, attrs):
        actor = request_actor(self.context["request"])
        if attrs["brand"].pk not in actor.brand_ids:
            raise serializers.ValidationError({"brand": ["No such brand."]})
        if not attrs.get("file") and not attrs.get("listing_urls"):
            raise serializers.ValidationError(
                {"listing_urls": ["Give listing_urls (a JSON list) or a CSV file."]}
            )
        return attrs


class ClaimBatchSerializer(serializers.ModelSerializer):
    claims = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ClaimBatch
        fields = [
            "id",
            "status",
            "total",
            "done",
            "errors",
            "brand",
            "ip_right",
            "created_at",
            "finished_at",
            "claims",
        ]

    def get_claims(self, batch) -> int:
        return batch.claims.count()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_errors(self, batch) -> list[dict]:
        """Each row that did not become a claim: `row` (from 1), `detail` in the reader's language, `code`,
        `problems` (codes and parameters), the row's `values`, and `discarded` once the brand set it aside."""
        return [
            {
                "row": error.get("row"),
                "detail": batch_error_detail(error),
                "code": (error.get("problems") or [{}])[0].get("code", ""),
                "problems": error.get("problems", []),
                "values": error.get("values", {}),
                "claim": error.get("claim", ""),
                "discarded": bool(error.get("discarded")),
            }
            for error in batch.errors
        ]
