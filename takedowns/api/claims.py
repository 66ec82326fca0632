"""The claims API: list, detail, filing, transitions, evidence, legal action and bulk filing."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import is_row_id, request_actor
from core.errors import Forbidden, NotFound
from core.files import FILE_RESPONSES, file_response
from core.parsers import JSONParser
from takedowns.api.serializers import (
    BulkClaimSerializer,
    CallersIPRightField,
    ClaimBatchSerializer,
    ClaimCreatedSerializer,
    ClaimCreateSerializer,
    ClaimDetailSerializer,
    ClaimFilter,
    ClaimListSerializer,
    CounterNoticeEvidenceSerializer,
    CounterNoticeEvidenceUploadSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    LegalActionSerializer,
    TestPurchaseAttachSerializer,
    TransitionSerializer,
    list_row,
    list_values,
    with_overdue,
)
from takedowns.models import TRANSITIONS, ClaimBatch, brand_filer, transition_sources
from takedowns.selectors import (
    audience_of,
    claim_detail_for_api,
    claim_list,
    claim_shown_to,
    counter_evidence_visible_to,
    evidence_visible_to,
    genuine_purchase_warnings,
)
from takedowns.services.batches import batch_create, batch_rows_from_file
from takedowns.services.filing import (
    claim_create,
    counter_notice_evidence_add,
    evidence_add,
    filing_subjects,
)
from takedowns.services.test_purchases import test_purchase_attach
from takedowns.services.transitions import claim_transition, counter_notice_legal_action


def _transitions_description() -> str:
    """The endpoint's OpenAPI description, read from the graph declared on the model."""
    rows = [
        f"| `{name}` | {', '.join(transition_sources(name))} | {t.target} | "
        f"{' '.join((t.permission.__doc__ or '').split())} |"
        for name, t in TRANSITIONS.items()
    ]
    return "\n".join(
        [
            "Take a transition. 403: the caller's role may never take it on this claim; 409: not from the claim's "
            "current state (the body lists `available_transitions`); 400: unmet conditions, each in `errors`.",
            "",
            "| transition | from | to | who |",
            "|---|---|---|---|",
            *rows,
        ]
    )


TRANSITIONS_DESCRIPTION = _transitions_description()


def _require_filer(actor) -> None:
    """Reviewers, compliance, the marketplace, merchants and viewers never file: 403 before reading the body."""
    if not actor.filing_brand_ids:
        raise Forbidden("Only a brand's owners and authorised agents may file claims.")


class ClaimViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Claims: one per listing. `state` changes only through `transitions/{name}/`."""

    filterset_class = ClaimFilter

    def get_queryset(self):
        actor = request_actor(self.request)
        if self.action == "list":
            return claim_list(actor)
        return claim_detail_for_api(actor)

    def get_serializer_class(self):
        if self.action == "list":
            return ClaimListSerializer
        if self.action == "create":
            return ClaimCreateSerializer
        return ClaimDetailSerializer

    def _detail(self, claim_id: int) -> dict:
        claim = claim_detail_for_api(request_actor(self.request)).get(pk=claim_id)
        return self._shape(ClaimDetailSerializer(claim, context={"request": self.request}).data)

    def _shape(self, data):
        """Claim by claim, what the caller's audience may see (a user who is both a merchant and a member of
        some brand sees another brand's claim on its listings as a merchant does)."""
        audience = audience_of(
            request_actor(self.request),
            brand_id=data["brand"],
            merchant_id=data["merchant"],
            state=data["state"],
        )
        return claim_shown_to(audience, dict(data))

    @extend_schema(responses=ClaimListSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """The claims the caller may see, newest first, as `ClaimListSerializer` describes them; read as rows
        (`list_values`), each then shaped for the caller's audience."""
        page = self.paginate_queryset(list_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([self._shape(row) for row in with_overdue(page)])

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        return Response(self._shape(ClaimDetailSerializer(claim, context={"request": request}).data))

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimCreatedSerializer})
    def create(self, request, *args, **kwargs):
        """File a draft claim. The answer adds `warnings`: what the brand should know before it submits it
        (its own test purchase from this seller found the goods genuine)."""
        actor = request_actor(request)
        _require_filer(actor)
        body = ClaimCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        right, listing, genuine = filing_subjects(
            brand_ids=sorted(actor.brand_ids),
            ip_right_id=data.pop("ip_right"),
            listing_id=data.pop("listing", None),
            listing_url=data.pop("listing_url", None),
        )
        if right is None:
            raise ValidationError(
                {"ip_right": [CallersIPRightField.default_error_messages["does_not_exist"]]}
            )
        if right.brand_id != data.pop("brand"):
            raise ValidationError({"ip_right": ["The IP right does not belong to this brand."]})
        claim = claim_create(actor=actor, brand=right.brand, ip_right=right, listing=listing, **data)
        # The claim as the list shows it (no nested objects: a new draft has no events but its creation, no
        # evidence and no counter-notice); `GET claims/{id}/` gives the full detail.
        (row,) = with_overdue([list_row(claim)])
        answer = {**self._shape(row), "warnings": genuine_purchase_warnings(genuine)}
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(responses=FILE_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"evidence/(?P<evidence_id>[0-9]+)/file",
        url_name="evidence-file",
    )
    def evidence_file(self, request, pk=None, evidence_id=None):
        """An evidence file: staff and the claim's own brand only (never a merchant), as in the portal."""
        # The router lets any text through as the claim id; one that is not a number names no claim (404, as
        # `get_object()` answers), instead of failing in the query.
        item = (
            evidence_visible_to(request_actor(request)).filter(claim_id=pk, pk=evidence_id).first()
            if is_row_id(pk) and is_row_id(evidence_id)
            else None
        )
        if item is None:
            raise NotFound("No such evidence.")
        return file_response(item.file)

    @extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        claim = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = evidence_add(actor=request_actor(request), claim=claim, **body.validated_data)
        return Response(
            EvidenceSerializer(item, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=CounterNoticeEvidenceUploadSerializer, responses={201: CounterNoticeEvidenceSerializer}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="counter-notice-evidence",
        parser_classes=[MultiPartParser, FormParser],
    )
    def counter_notice_evidence(self, request, pk=None):
        """The merchant attaches a document to its pending counter-notice (multipart `file`): 403 for anyone
        else, 409 when no counter-notice waits for a decision."""
        claim = self.get_object()
        body = CounterNoticeEvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = counter_notice_evidence_add(
            actor=request_actor(request), claim=claim, file=body.validated_data["file"]
        )
        return Response(
            CounterNoticeEvidenceSerializer(item, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=FILE_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"counter-notice-evidence/(?P<evidence_id>[0-9]+)/file",
        url_name="counter-notice-evidence-file",
    )
    def counter_notice_evidence_file(self, request, pk=None, evidence_id=None):
        """A counter-notice document: the reviewers, the claim's brand and the merchant."""
        item = (
            counter_evidence_visible_to(request_actor(request))
            .filter(counter_notice__claim_id=pk, pk=evidence_id)
            .first()
            if is_row_id(pk) and is_row_id(evidence_id)
            else None
        )
        if item is None:
            raise NotFound("No such document.")
        return file_response(item.file)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: ClaimDetailSerializer},
        description=TRANSITIONS_DESCRIPTION,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=[*TRANSITIONS])],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<name>[a-z_]+)",
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )
    def transitions(self, request, pk=None, name=None):
        claim = self.get_object()  # 404 for a claim the caller cannot see
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        claim_transition(
            claim_id=claim.pk,
            name=name,
            actor=request_actor(request),
            note=data["note"],
            reason=data["reason"],
            data={"good_faith": data["good_faith"], "signature": data["signature"]},
        )
        return Response(self._detail(claim.pk))

    @extend_schema(request=TestPurchaseAttachSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"], url_path="test-purchases", url_name="test-purchases")
    def test_purchases(self, request, pk=None):
        """Attach one of the brand's test purchases from the claim's seller as evidence (`{"test_purchase":
        id}`), while evidence may be added: 403 for anyone but the brand's filers, 400 for another brand's
        purchase or another seller's, 409 once the claim is decided. A counterfeit verdict puts a claim waiting
        for a reviewer at high priority. Attaching twice changes nothing."""
        claim = self.get_object()
        actor = request_actor(request)
        if not brand_filer(claim, actor):  # before the body is read, as for every write of the brand's
            raise Forbidden("Only the brand's owners and authorised agents may attach test purchases.")
        body = TestPurchaseAttachSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        test_purchase_attach(actor=actor, claim=claim, purchase_id=body.validated_data["test_purchase"])
        return Response(self._detail(claim.pk))

    @extend_schema(request=LegalActionSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"], url_path="legal-action")
    def legal_action(self, request, pk=None):
        """The brand answers a counter-notice with proof of legal action: no automatic reinstatement."""
        claim = self.get_object()
        body = LegalActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        counter_notice_legal_action(
            actor=request_actor(request), claim=claim, note=body.validated_data["note"]
        )
        return Response(self._detail(claim.pk))

    @extend_schema(
        request=inline_serializer(
            "BulkClaims",
            {
                "brand": serializers.IntegerField(),
                "ip_right": serializers.IntegerField(),
                "infringement_type": serializers.CharField(),
                "description": serializers.CharField(required=False),
                "good_faith": serializers.BooleanField(),
                "accurate": serializers.BooleanField(),
                "signature": serializers.CharField(),
                "listing_urls": serializers.ListField(child=serializers.CharField(), required=False),
                "file": serializers.FileField(required=False),
                "evidence_zip": serializers.FileField(required=False),
            },
        ),
        responses={201: ClaimBatchSerializer, 202: ClaimBatchSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def bulk(self, request):
        actor = request_actor(request)
        _require_filer(actor)
        body = BulkClaimSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("file"):
            rows = batch_rows_from_file(data["file"])
        else:
            rows = [
                {"listing_url": str(u).strip(), "infringement_type": "", "description": "", "evidence": ""}
                for u in data["listing_urls"]
            ]
        fields = {
            k: data[k] for k in ("infringement_type", "description", "good_faith", "accurate", "signature")
        }
        batch = batch_create(
            actor=actor,
            brand=data["brand"],
            ip_right=data["ip_right"],
            fields=fields,
            rows=rows,
            evidence_archive=data.get("evidence_zip"),
        )
        code = status.HTTP_201_CREATED if batch.status == ClaimBatch.Status.DONE else status.HTTP_202_ACCEPTED
        return Response(ClaimBatchSerializer(batch).data, status=code)
