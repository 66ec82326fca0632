"""The seller networks API (reviewers): which storefronts share identifiers, and how they fare."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from core.api import is_row_id, request_actor
from core.errors import Forbidden
from takedowns.selectors import network_detail, networks_for_review


class NetworkMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform_ref = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    ban_evasion = serializers.BooleanField()
    active_listings = serializers.IntegerField()
    active_strikes = serializers.IntegerField()
    claims_decided = serializers.IntegerField()
    claims_taken_down = serializers.IntegerField()


class NetworkLinkSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.CharField(), help_text="The kinds of identifier shared (never the values)."
    )
    merchants = serializers.ListField(child=serializers.IntegerField(), help_text="The members sharing it.")


class NetworkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    storefronts = serializers.IntegerField()
    active_listings = serializers.IntegerField()
    active_strikes = serializers.IntegerField()
    banned = serializers.IntegerField()
    ban_evasion = serializers.IntegerField(help_text="Members flagged for ban evasion.")
    claims_decided = serializers.IntegerField()
    claims_taken_down = serializers.IntegerField()
    takedown_rate = serializers.FloatField(allow_null=True, help_text="Taken down ÷ decided; null when none.")
    members = NetworkMemberSerializer(many=True)
    links = NetworkLinkSerializer(many=True)


class NetworkSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    storefronts = serializers.IntegerField()
    banned = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class NetworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Seller networks: merchants that share a contact, an account, an address or a company number,
    directly or through each other. Reviewers only."""

    serializer_class = NetworkSummarySerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        actor = request_actor(request)
        if not (actor.reviewer or actor.is_system):
            raise Forbidden("Only reviewers read seller networks.")

    def get_queryset(self):
        return networks_for_review()

    @extend_schema(responses=NetworkSerializer)
    def retrieve(self, request, pk=None):
        detail = network_detail(int(pk)) if is_row_id(pk) else None
        if detail is None:
            raise Http404
        return Response(NetworkSerializer(detail).data)
