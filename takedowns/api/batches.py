"""The claim-batches API: progress of a bulk filing, evidence for all its claims, submitting them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import request_actor
from takedowns.api.serializers import ClaimBatchSerializer, EvidenceUploadSerializer
from takedowns.selectors import batches_visible_to
from takedowns.services.batches import batch_add_evidence, batch_submit


class ClaimBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimBatchSerializer

    def get_queryset(self):
        return batches_visible_to(request_actor(self.request)).order_by("-created_at", "-pk")

    @extend_schema(
        request=EvidenceUploadSerializer,
        responses={201: inline_serializer("BatchEvidence", {"attached": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        batch = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = batch_add_evidence(actor=request_actor(request), batch=batch, **body.validated_data)
        return Response({"attached": count}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "BatchSubmit",
            {
                "submitted": serializers.IntegerField(),
                "errors": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        batch = self.get_object()
        return Response(batch_submit(actor=request_actor(request), batch=batch))
