"""The merchants API: the marketplace's upserts, plus strikes and bans, which come from claims."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import request_actor
from core.errors import Forbidden
from merchants.models import Merchant
from merchants.selectors import merchants_visible_to
from merchants.services import may_write_marketplace_data, merchant_upsert
from takedowns.services.bans import merchant_ban, merchant_lift_ban


class MerchantSerializer(serializers.ModelSerializer):
    active_strikes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Merchant
        fields = [
            "id",
            "platform_ref",
            "name",
            "email",
            "country",
            "language",
            "status",
            "active_strikes",
            "banned_at",
            "created_at",
            "updated_at",
        ]


class MerchantPublicSerializer(MerchantSerializer):
    """What a brand sees of a merchant: no e-mail."""

    class Meta(MerchantSerializer.Meta):
        fields = [f for f in MerchantSerializer.Meta.fields if f != "email"]


class MerchantScopedSerializer(MerchantSerializer):
    """A merchant's users see their own merchant in full; any other merchant (which they see only because they
    are also members of a brand) as a brand does, without its e-mail."""

    def to_representation(self, merchant):
        data = super().to_representation(merchant)
        if merchant.pk not in self.context.get("own_merchant_ids", frozenset()):
            data.pop("email", None)
        return data


class MerchantWriteSerializer(serializers.Serializer):
    platform_ref = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    language = serializers.ChoiceField(choices=["en", "zh-hans"], required=False)


class BanSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="An older name for `reason`."
    )

    def validate(self, attrs):
        return {"reason": (attrs["reason"] or attrs["note"]).strip()}


class MerchantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merchants, created or updated by `platform_ref` (the marketplace's service account and reviewers)."""

    filterset_fields = ["status", "country", "platform_ref"]

    def get_queryset(self):
        now = timezone.now()
        return (
            merchants_visible_to(request_actor(self.request))
            .annotate(
                active_strikes=Count(
                    "strikes", filter=Q(strikes__revoked_at__isnull=True, strikes__expires_at__gt=now)
                )
            )
            .order_by("name", "pk")
        )

    def get_serializer_class(self):
        actor = request_actor(self.request)
        if actor.sees_everything or actor.platform:
            return MerchantSerializer
        if actor.merchant_ids:
            return MerchantScopedSerializer
        return MerchantPublicSerializer

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "own_merchant_ids": request_actor(self.request).merchant_ids,
        }

    def _annotated(self, merchant):
        return self.get_queryset().get(pk=merchant.pk)

    # Create or update by `platform_ref`: 201 when the merchant is new, 200 when it was updated.
    @extend_schema(
        request=MerchantWriteSerializer, responses={201: MerchantSerializer, 200: MerchantSerializer}
    )
    def create(self, request):
        actor = request_actor(request)
        if not may_write_marketplace_data(actor):
            raise Forbidden("Only the marketplace's service account and reviewers write merchants.")
        body = MerchantWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merchant, created = merchant_upsert(data=body.validated_data)
        return Response(
            MerchantSerializer(self._annotated(merchant)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=BanSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="ban")
    def ban(self, request, pk=None):
        actor = request_actor(request)
        merchant = self.get_object()
        if not actor.reviewer:
            raise Forbidden("Only reviewers ban merchants.")
        body = BanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merchant_ban(merchant=merchant, actor=actor, reason=body.validated_data["reason"])
        return Response(MerchantSerializer(self._annotated(merchant)).data)

    @extend_schema(request=BanSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="lift-ban")
    def lift_ban(self, request, pk=None):
        merchant = self.get_object()
        body = BanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merchant_lift_ban(merchant=merchant, actor=request_actor(request), note=body.validated_data["reason"])
        return Response(MerchantSerializer(self._annotated(merchant)).data)
