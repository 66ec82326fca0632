"""The merchants API: the marketplace's upserts, plus strikes and bans, which come from claims."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import request_actor
from core.errors import Forbidden
from merchants.models import Merchant
from merchants.selectors import merchants_visible_to
from merchants.services.marketplace import may_write_marketplace_data
from takedowns.models import BanHold
from takedowns.services.bans import ban_hold_decide, merchant_ban, merchant_lift_ban
from takedowns.services.intelligence import merchant_record


class BanHoldSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_label")

    class Meta:
        model = BanHold
        fields = ["id", "action", "reason", "why_held", "requested_by", "requested_at", "active_listings"]


class EvasionSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(source="evasion_of_id", allow_null=True)
    kinds = serializers.ListField(source="evasion_kinds", child=serializers.CharField())
    flagged_at = serializers.DateTimeField(source="evasion_flagged_at")


class MerchantSerializer(serializers.ModelSerializer):
    active_strikes = serializers.IntegerField(read_only=True)
    network = serializers.IntegerField(
        source="network_id", read_only=True, allow_null=True, help_text="The seller network, or null."
    )
    ban_evasion_reason = serializers.SerializerMethodField(
        help_text="Why the merchant is flagged: the banned merchant it links to and the kinds of identifier "
        "they share (never the values). Null when not flagged."
    )
    held_decision = serializers.SerializerMethodField(
        help_text="A ban, or the lifting of one, waiting for a second reviewer; null when none is held."
    )

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
            "network",
            "ban_evasion",
            "ban_evasion_reason",
            "held_decision",
            "banned_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(EvasionSerializer(allow_null=True))
    def get_ban_evasion_reason(self, merchant):
        return EvasionSerializer(merchant).data if merchant.ban_evasion else None

    @extend_schema_field(BanHoldSerializer(allow_null=True))
    def get_held_decision(self, merchant):
        held = pending_hold(merchant)
        return BanHoldSerializer(held).data if held else None


# The platform's deliberation and intelligence: never shown to brands or to the merchant itself (a network or a
# suspicion of ban evasion would tell them of other merchants' identifiers).
PLATFORM_ONLY = ("held_decision", "network", "ban_evasion", "ban_evasion_reason")


def status_shown(merchant) -> str:
    """The status a brand or the merchant itself reads: while a ban waits for a second reviewer, the status
    before it. Nobody outside the platform is told of a ban that may still be declined."""
    if merchant.status != Merchant.Status.BAN_PENDING:
        return merchant.status
    held = pending_hold(merchant)
    return held.previous_status if held else Merchant.Status.ACTIVE


def pending_hold(merchant) -> BanHold | None:
    """The merchant's held decision, through the viewset's prefetch (`pending_holds`) when it has one."""
    held = getattr(merchant, "pending_holds", None)
    if held is None:
        held = list(merchant.ban_holds.filter(status=BanHold.Status.PENDING))
    return held[0] if held else None


class MerchantPublicSerializer(MerchantSerializer):
    """What a brand sees of a merchant: no e-mail, nothing of the platform's internal deliberation."""

    class Meta(MerchantSerializer.Meta):
        fields = [f for f in MerchantSerializer.Meta.fields if f not in ("email", *PLATFORM_ONLY)]

    def to_representation(self, merchant):
        data = super().to_representation(merchant)
        data["status"] = status_shown(merchant)
        return data


class MerchantScopedSerializer(MerchantSerializer):
    """A merchant's users see their own merchant in full; any other merchant (which they see only because they
    are also members of a brand) as a brand does, without its e-mail. Never the platform's deliberation."""

    class Meta(MerchantSerializer.Meta):
        fields = [f for f in MerchantSerializer.Meta.fields if f not in PLATFORM_ONLY]

    def to_representation(self, merchant):
        data = super().to_representation(merchant)
        data["status"] = status_shown(merchant)
        if merchant.pk not in self.context.get("own_merchant_ids", frozenset()):
            data.pop("email", None)
        return data


class MerchantWriteSerializer(serializers.Serializer):
    platform_ref = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    language = serializers.ChoiceField(choices=["en", "zh-hans"], required=False)
    identifiers = serializers.JSONField(
        required=False,
        help_text="What the marketplace knows of the operator: an object with any of email, phone, "
        "payout_account, address, registration_number, ship_from (each a text of at most 500 characters; null "
        "or empty removes it; a key not sent is left as it was). Stored only as keyed hashes, never returned.",
    )


class BanSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="An older name for `reason`."
    )

    def validate(self, attrs):
        return {"reason": (attrs["reason"] or attrs["note"]).strip()}


class HoldDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required to decline."
    )


class MerchantFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Merchant.Status.choices, method="filter_status")

    class Meta:
        model = Merchant
        fields = ["status", "country", "platform_ref"]

    def filter_status(self, queryset, name, value):
        """By the status the caller reads (`status_shown`): outside the platform a held ban is not a status."""
        actor = request_actor(self.request)
        if actor.sees_everything or actor.platform:
            return queryset.filter(status=value)
        held_from = BanHold.objects.filter(
            merchant=OuterRef("pk"), status=BanHold.Status.PENDING, previous_status=value
        )
        return queryset.filter(
            (Q(status=value) & ~Q(status=Merchant.Status.BAN_PENDING))
            | (Q(status=Merchant.Status.BAN_PENDING) & Exists(held_from))
        )


class MerchantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merchants, created or updated by `platform_ref` (the marketplace's service account and reviewers)."""

    filterset_class = MerchantFilter

    def get_queryset(self):
        now = timezone.now()
        return (
            merchants_visible_to(request_actor(self.request))
            .annotate(
                active_strikes=Count(
                    "strikes", filter=Q(strikes__revoked_at__isnull=True, strikes__expires_at__gt=now)
                )
            )
            .prefetch_related(
                Prefetch(
                    "ban_holds",
                    queryset=BanHold.objects.filter(status=BanHold.Status.PENDING),
                    to_attr="pending_holds",
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
        merchant, created = merchant_record(actor=actor, data=body.validated_data)
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

    def _decide_hold(self, request, *, action: str, confirm: bool):
        merchant = self.get_object()
        body = HoldDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ban_hold_decide(
            merchant=merchant,
            actor=request_actor(request),
            action=action,
            confirm=confirm,
            note=body.validated_data["note"],
        )
        return Response(MerchantSerializer(self._annotated(merchant)).data)

    @extend_schema(request=HoldDecisionSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-ban")
    def confirm_ban(self, request, pk=None):
        """A second reviewer confirms a held ban: the listings are removed now. 403 for the reviewer who asked."""
        return self._decide_hold(request, action=BanHold.Action.BAN, confirm=True)

    @extend_schema(request=HoldDecisionSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="decline-ban")
    def decline_ban(self, request, pk=None):
        """A second reviewer declines a held ban (`note` required): the merchant's status is as before."""
        return self._decide_hold(request, action=BanHold.Action.BAN, confirm=False)

    @extend_schema(request=HoldDecisionSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-lift-ban")
    def confirm_lift_ban(self, request, pk=None):
        """A second reviewer confirms the lifting of a heavy ban."""
        return self._decide_hold(request, action=BanHold.Action.LIFT, confirm=True)

    @extend_schema(request=HoldDecisionSerializer, responses=MerchantSerializer)
    @action(detail=True, methods=["post"], url_path="decline-lift-ban")
    def decline_lift_ban(self, request, pk=None):
        """A second reviewer declines the lifting of a heavy ban (`note` required): the ban stays."""
        return self._decide_hold(request, action=BanHold.Action.LIFT, confirm=False)
