from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from takedowns.api_common import request_actor
from takedowns.errors import DomainError, Forbidden, Invalid
from takedowns.selectors import listings_visible_to, merchants_visible_to

from . import services
from .models import Listing, Merchant


def _may_write(actor) -> bool:
    return actor.platform or actor.reviewer


class MerchantSerializer(serializers.ModelSerializer):
    active_strikes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Merchant
        fields = ["id", "platform_ref", "name", "email", "country", "language", "status", "active_strikes", "banned_at",
                  "created_at", "updated_at"]


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
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MerchantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merchants, created or updated by `platform_ref` (the marketplace's service account and reviewers)."""

    filterset_fields = ["status", "country", "platform_ref"]

    def get_queryset(self):
        now = timezone.now()
        return merchants_visible_to(request_actor(self.request)).annotate(
            active_strikes=Count("strikes", filter=Q(strikes__revoked_at__isnull=True, strikes__expires_at__gt=now))
        ).order_by("name", "pk")

    def get_serializer_class(self):
        actor = request_actor(self.request)
        if actor.sees_everything or actor.platform:
            return MerchantSerializer
        if actor.merchant_ids:
            return MerchantScopedSerializer
        return MerchantPublicSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "own_merchant_ids": request_actor(self.request).merchant_ids}

    def _annotated(self, merchant):
        return self.get_queryset().get(pk=merchant.pk)

    @extend_schema(request=MerchantWriteSerializer, responses=MerchantSerializer)
    def create(self, request):
        actor = request_actor(request)
        if not _may_write(actor):
            raise Forbidden("Only the marketplace's service account and reviewers write merchants.")
        body = MerchantWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merchant, created = services.merchant_upsert(data=body.validated_data)
        return Response(MerchantSerializer(self._annotated(merchant)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=BanSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="ban")
    def ban(self, request, pk=None):
        actor = request_actor(request)
        merchant = self.get_object()
        if not actor.reviewer:
            raise Forbidden("Only reviewers ban merchants.")
        body = BanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.merchant_ban(merchant=merchant, actor=actor, reason=body.validated_data["note"] or "banned by a reviewer")
        return Response(MerchantSerializer(self._annotated(merchant)).data)

    @extend_schema(request=BanSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="lift-ban")
    def lift_ban(self, request, pk=None):
        merchant = self.get_object()
        body = BanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.merchant_lift_ban(merchant=merchant, actor=request_actor(request), note=body.validated_data["note"])
        return Response(MerchantSerializer(self._annotated(merchant)).data)


class ListingSerializer(serializers.ModelSerializer):
    merchant_ref = serializers.CharField(source="merchant.platform_ref", read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "platform_ref", "merchant", "merchant_ref", "url", "title", "price", "currency", "status", "removed_at", "created_at", "updated_at"]


class ListingWriteSerializer(serializers.Serializer):
    platform_ref = serializers.CharField(max_length=100)
    merchant_ref = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=300)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Listings, created or updated by `platform_ref`; `?url=` finds the listing a claim is about."""

    serializer_class = ListingSerializer
    filterset_fields = ["status", "merchant", "url", "platform_ref"]

    def get_queryset(self):
        return listings_visible_to(request_actor(self.request)).order_by("-created_at", "-pk")

    @extend_schema(request=ListingWriteSerializer, responses=ListingSerializer)
    def create(self, request):
        if not _may_write(request_actor(request)):
            raise Forbidden("Only the marketplace's service account and reviewers write listings.")
        body = ListingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        listing, created = services.listing_upsert(data=body.validated_data)
        return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=ListingWriteSerializer(many=True), responses=None)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """A JSON list of listings → one result per item, in order; one bad item does not stop the rest."""
        if not _may_write(request_actor(request)):
            raise Forbidden("Only the marketplace's service account and reviewers write listings.")
        items = request.data.get("listings") if isinstance(request.data, dict) else request.data
        if not isinstance(items, list):
            raise Invalid("Send a JSON list of listings.", code="list_required")
        if len(items) > 1000:
            raise Invalid("At most 1,000 listings per request.", code="too_many")
        results = []
        for index, item in enumerate(items):
            body = ListingWriteSerializer(data=item if isinstance(item, dict) else {})
            if not body.is_valid():
                results.append({"index": index, "status": "error", "errors": body.errors})
                continue
            try:
                listing, created = services.listing_upsert(data=body.validated_data)
            except DomainError as exc:
                results.append({"index": index, "status": "error", "detail": exc.detail, "errors": exc.extra.get("fields", {})})
                continue
            results.append({"index": index, "status": "created" if created else "updated", "id": listing.pk,
                            "platform_ref": listing.platform_ref})
        failed = sum(1 for r in results if r["status"] == "error")
        return Response({"results": results, "created": sum(1 for r in results if r["status"] == "created"),
                         "updated": sum(1 for r in results if r["status"] == "updated"), "failed": failed},
                        status=status.HTTP_200_OK)
