from __future__ import annotations

import json

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from brands.models import Brand, IPRight

from . import batches, services
from .api_common import request_actor
from .errors import Forbidden, Invalid
from .models import (
    TRANSITION_NAMES,
    AuditEvent,
    Claim,
    ClaimBatch,
    ClaimEvent,
    CounterNotice,
    Evidence,
    InfringementType,
)
from .selectors import audit_events, batches_visible_to, claim_detail, claim_list


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ClaimEvent
        fields = ["id", "transition", "from_state", "to_state", "actor", "at", "note", "reason"]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "kind", "original_name", "sha256", "content_type", "size", "note", "created_at"]


class CounterNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CounterNotice
        fields = ["id", "reason", "statement", "filed_at", "restore_due_at", "legal_action_at", "outcome", "decided_at"]


class ClaimSerializer(serializers.ModelSerializer):
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    listing_url = serializers.CharField(source="listing.url", read_only=True)
    listing_ref = serializers.CharField(source="listing.platform_ref", read_only=True)
    merchant = serializers.IntegerField(source="listing.merchant_id", read_only=True)
    merchant_ref = serializers.CharField(source="listing.merchant.platform_ref", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id", "reference", "state", "brand", "brand_name", "ip_right", "listing", "listing_url", "listing_ref",
            "merchant", "merchant_ref", "batch", "infringement_type", "description", "good_faith", "accurate",
            "signature", "priority", "assignee", "due_at", "overdue", "submitted_at", "decided_at", "fast_tracked",
            "decision_reason", "decision_note", "info_request", "info_due_at", "taken_down_at", "reinstated_at",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    available_transitions = serializers.SerializerMethodField()
    events = ClaimEventSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    counter_notices = CounterNoticeSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = ClaimSerializer.Meta.fields + ["available_transitions", "events", "evidence", "counter_notices"]
        read_only_fields = fields

    def get_available_transitions(self, claim) -> list[str]:
        return services.available_transitions(claim, request_actor(self.context["request"]))


# The brand's evidence too: its file names and notes are the claimant's (the portal never shows them either).
MERCHANT_HIDDEN = {"signature", "good_faith", "accurate", "batch", "assignee", "decision_note", "info_request", "info_due_at",
                   "evidence"}


def _merchant_view(data: dict) -> dict:
    """A merchant never sees the claimant's signature or evidence, the reviewer's notes or who did what."""
    for key in MERCHANT_HIDDEN:
        data.pop(key, None)
    for event in data.get("events", []):
        event.pop("actor", None)
        event.pop("note", None)
    return data


def _require_filer(actor) -> None:
    """Reviewers, compliance, the marketplace, merchants and viewers never file: 403 before reading the body."""
    if not actor.filing_brand_ids:
        raise Forbidden("Only a brand's owners and authorised agents may file claims.")


class CallersBrandField(serializers.PrimaryKeyRelatedField):
    """A brand of the caller's. Any other id, existing or not, gets the same answer: ids of other tenants
    cannot be probed."""

    default_error_messages = {
        "does_not_exist": "No such brand.",
        "incorrect_type": "Give the brand's id (a number).",
    }

    def get_queryset(self):
        return Brand.objects.filter(pk__in=request_actor(self.context["request"]).brand_ids)


class CallersIPRightField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No such IP right.",
        "incorrect_type": "Give the IP right's id (a number).",
    }

    def get_queryset(self):
        return IPRight.objects.filter(brand_id__in=request_actor(self.context["request"]).brand_ids)


class ClaimCreateSerializer(serializers.Serializer):
    brand = CallersBrandField()
    ip_right = CallersIPRightField()
    listing = serializers.IntegerField(required=False, allow_null=True)
    listing_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    infringement_type = serializers.ChoiceField(choices=InfringementType.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    good_faith = serializers.BooleanField(required=False, default=False)
    accurate = serializers.BooleanField(required=False, default=False)
    signature = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs):
        actor = request_actor(self.context["request"])
        if attrs["brand"].pk not in actor.brand_ids:
            raise serializers.ValidationError({"brand": ["No such brand."]})
        if attrs["ip_right"].brand_id != attrs["brand"].pk:
            raise serializers.ValidationError({"ip_right": ["The IP right does not belong to this brand."]})
        if not attrs.get("listing") and not attrs.get("listing_url"):
            raise serializers.ValidationError({"listing": ["Give `listing` (id) or `listing_url`."]})
        return attrs


class TransitionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    good_faith = serializers.BooleanField(required=False, default=False)
    signature = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices, default=Evidence.Kind.IMAGE)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class LegalActionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class ClaimFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=Claim._meta.get_field("state").choices)
    # Bounded to the id column's range: a larger number would reach the database and fail there (a 500).
    merchant = filters.NumberFilter(field_name="listing__merchant_id", min_value=-(2**63), max_value=2**63 - 1)
    submitted_after = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    submitted_from = filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_to = filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")
    reference = filters.CharFilter()
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Claim
        fields = ["state", "brand", "merchant", "infringement_type", "ip_right", "batch", "assignee", "listing"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        from .models import OPEN

        overdue = Q(state__in=OPEN, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Claims: one per listing. `state` changes only through `transitions/{name}/`."""

    filterset_class = ClaimFilter

    def get_queryset(self):
        actor = request_actor(self.request)
        if self.action == "list":
            return claim_list(actor)
        return claim_detail(actor)

    def get_serializer_class(self):
        if self.action == "list":
            return ClaimSerializer
        if self.action == "create":
            return ClaimCreateSerializer
        return ClaimDetailSerializer

    def _detail(self, claim_id: int) -> dict:
        claim = claim_detail(request_actor(self.request)).get(pk=claim_id)
        return self._shape(ClaimDetailSerializer(claim, context={"request": self.request}).data)

    def _shape(self, data):
        """Claim by claim: a user who is a merchant and also a member of some brand sees another brand's claim
        on its listings as a merchant does."""
        actor = request_actor(self.request)
        if actor.sees_everything or data.get("brand") in actor.brand_ids:
            return data
        return _merchant_view(dict(data))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["results"] = [self._shape(dict(item)) for item in response.data["results"]]
        return response

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        return Response(self._shape(ClaimDetailSerializer(claim, context={"request": request}).data))

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimDetailSerializer})
    def create(self, request, *args, **kwargs):
        actor = request_actor(request)
        _require_filer(actor)
        body = ClaimCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        listing = services.listing_find(listing_id=data.pop("listing", None), listing_url=data.pop("listing_url", None))
        claim = services.claim_create(actor=actor, listing=listing, **data)
        return Response(self._detail(claim.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        claim = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.evidence_add(actor=request_actor(request), claim=claim, **body.validated_data)
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: ClaimDetailSerializer},
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=[*TRANSITION_NAMES])],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)",
            parser_classes=[JSONParser, FormParser, MultiPartParser])
    def transitions(self, request, pk=None, name=None):
        claim = self.get_object()  # 404 for a claim the caller cannot see
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.claim_transition(
            claim_id=claim.pk, name=name, actor=request_actor(request), note=data["note"], reason=data["reason"],
            data={"good_faith": data["good_faith"], "signature": data["signature"]},
        )
        return Response(self._detail(claim.pk))

    @extend_schema(request=LegalActionSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"], url_path="legal-action")
    def legal_action(self, request, pk=None):
        """The brand answers a counter-notice with proof of legal action: no automatic reinstatement."""
        claim = self.get_object()
        body = LegalActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.counter_notice_legal_action(actor=request_actor(request), claim=claim, note=body.validated_data["note"])
        return Response(self._detail(claim.pk))

    @extend_schema(
        request=inline_serializer("BulkClaims", {
            "brand": serializers.IntegerField(), "ip_right": serializers.IntegerField(),
            "infringement_type": serializers.CharField(), "description": serializers.CharField(required=False),
            "good_faith": serializers.BooleanField(), "accurate": serializers.BooleanField(),
            "signature": serializers.CharField(), "listing_urls": serializers.ListField(child=serializers.CharField(), required=False),
            "file": serializers.FileField(required=False),
        }),
        responses={201: "ClaimBatchSerializer", 202: "ClaimBatchSerializer"},
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def bulk(self, request):
        actor = request_actor(request)
        _require_filer(actor)
        body = BulkClaimSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("file"):
            rows = batches.batch_rows_from_csv(data["file"].read())
        else:
            rows = [{"listing_url": str(u).strip(), "infringement_type": "", "description": ""} for u in data["listing_urls"]]
        fields = {k: data[k] for k in ("infringement_type", "description", "good_faith", "accurate", "signature")}
        batch = batches.batch_create(actor=actor, brand=data["brand"], ip_right=data["ip_right"], fields=fields, rows=rows)
        code = status.HTTP_201_CREATED if batch.status == ClaimBatch.Status.DONE else status.HTTP_202_ACCEPTED
        return Response(ClaimBatchSerializer(batch).data, status=code)


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
            raise serializers.ValidationError({"listing_urls": ["Give listing_urls (a JSON list) or a CSV file."]})
        return attrs


class ClaimBatchSerializer(serializers.ModelSerializer):
    claims = serializers.SerializerMethodField()

    class Meta:
        model = ClaimBatch
        fields = ["id", "status", "total", "done", "errors", "brand", "ip_right", "created_at", "finished_at", "claims"]

    def get_claims(self, batch) -> int:
        return batch.claims.count()


class ClaimBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimBatchSerializer

    def get_queryset(self):
        return batches_visible_to(request_actor(self.request)).order_by("-created_at", "-pk")

    @extend_schema(request=EvidenceUploadSerializer, responses=inline_serializer("BatchEvidence", {"attached": serializers.IntegerField()}))
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        batch = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = batches.batch_add_evidence(actor=request_actor(request), batch=batch, **body.validated_data)
        return Response({"attached": count}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=inline_serializer("BatchSubmit", {
        "submitted": serializers.IntegerField(), "errors": serializers.ListField(child=serializers.DictField())}))
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        batch = self.get_object()
        return Response(batches.batch_submit(actor=request_actor(request), batch=batch))


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = AuditEvent
        fields = ["id", "action", "actor", "at", "object_type", "object_id", "brand", "merchant", "claim", "note", "data"]


class AuditEventFilter(filters.FilterSet):
    after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "brand", "merchant", "claim"]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every non-transition action (claim transitions are in each claim's `events`). Compliance and reviewers."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self):
        actor = request_actor(self.request)
        if not (actor.compliance or actor.reviewer):
            raise Forbidden("Only compliance officers and reviewers read the audit trail.")
        return audit_events(actor)


class TokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token"}`."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            raise Invalid("Unable to log in with the provided credentials.", code="authentication_failed")
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
