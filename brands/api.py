from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from brands import services
from brands.models import Brand, BrandMembership, IPRight
from brands.selectors import brands_visible_to, ip_rights_visible_to
from core.api import request_actor
from core.errors import Forbidden, Invalid, NotFound
from core.files import FILE_RESPONSES, file_response
from core.parsers import JSONParser


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = [
            "id",
            "name",
            "website",
            "contact_email",
            "language",
            "trusted_flagger",
            "good_faith",
            "good_faith_since",
            "misuse_flagged_at",
            "suspended_until",
            "created_at",
        ]
        read_only_fields = [
            "trusted_flagger",
            "good_faith",
            "good_faith_since",
            "misuse_flagged_at",
            "suspended_until",
        ]
        extra_kwargs = {"name": {"validators": []}}


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = BrandMembership
        fields = ["id", "username", "role", "authorisation_verified", "created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=BrandMembership.Role.choices)
    authorisation_letter = serializers.FileField(required=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class SuspendSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365)
    note = serializers.CharField(max_length=5000)


class TrustedFlaggerSerializer(serializers.Serializer):
    trusted = serializers.BooleanField()
    designation = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class BrandViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Brands the caller belongs to (all of them for reviewers and compliance). The creator becomes owner."""

    serializer_class = BrandSerializer
    filterset_fields = ["good_faith", "trusted_flagger"]

    def get_queryset(self):
        return brands_visible_to(request_actor(self.request)).order_by("name")

    def perform_create(self, serializer):
        actor = request_actor(self.request)
        if actor.reviewer or actor.merchant_ids:
            raise Forbidden("Your role may not register brands.")
        serializer.instance = services.brand_create(actor=actor, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.brand_update(
            actor=request_actor(self.request), brand=serializer.instance, data=dict(serializer.validated_data)
        )

    def _brand(self, brand):
        return Response(BrandSerializer(Brand.objects.get(pk=brand.pk)).data)

    # GET lists every member, unpaginated; POST adds one and answers 201 with it.
    @extend_schema(methods=["GET"], responses=MembershipSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=MembershipCreateSerializer, responses={201: MembershipSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        pagination_class=None,
    )
    def members(self, request, pk=None):
        """The brand's owners, agents (with their authorisation letters) and viewers; owners add members."""
        brand = self.get_object()
        if request.method == "POST":
            body = MembershipCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            user = get_user_model().objects.filter(username=body.validated_data["username"]).first()
            if user is None:
                raise Invalid(
                    "No user with that username.",
                    code="user_not_found",
                    extra={"fields": {"username": ["Unknown user."]}},
                )
            membership = services.membership_add(
                actor=request_actor(request),
                brand=brand,
                user=user,
                role=body.validated_data["role"],
                authorisation_letter=body.validated_data.get("authorisation_letter"),
            )
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        memberships = brand.memberships.select_related("user").order_by("pk")
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>[0-9]+)")
    def remove_member(self, request, pk=None, membership_id=None):
        """An owner removes a member (the last owner stays)."""
        brand = self.get_object()
        membership = (
            BrandMembership.objects.filter(brand=brand, pk=membership_id)
            .select_related("user", "brand")
            .first()
        )
        if membership is None:
            raise NotFound("No such member.")
        services.membership_remove(actor=request_actor(request), membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=NoteSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"], url_path=r"members/(?P<membership_id>[0-9]+)/verify")
    def verify_member(self, request, pk=None, membership_id=None):
        """A reviewer verifies an agent's authorisation letter; only then may the agent file."""
        brand = self.get_object()
        membership = BrandMembership.objects.filter(brand=brand, pk=membership_id).first()
        if membership is None:
            raise NotFound("No such member.")
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.agent_authorisation_verify(
            actor=request_actor(request), membership=membership, note=body.validated_data["note"]
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=NoteSerializer, responses=BrandSerializer)
    @action(detail=True, methods=["post"])
    def warn(self, request, pk=None):
        """DSA Art. 23(3): the prior warning before a suspension for misuse."""
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        brand = services.brand_misuse_warn(
            actor=request_actor(request), brand=self.get_object(), note=body.validated_data["note"]
        )
        return self._brand(brand)

    @extend_schema(request=SuspendSerializer, responses=BrandSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        body = SuspendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        brand = services.brand_suspend(
            actor=request_actor(request), brand=self.get_object(), **body.validated_data
        )
        return self._brand(brand)

    @extend_schema(request=TrustedFlaggerSerializer, responses=BrandSerializer)
    @action(detail=True, methods=["post"], url_path="trusted-flagger")
    def trusted_flagger(self, request, pk=None):
        body = TrustedFlaggerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        brand = services.brand_trusted_flagger_set(
            actor=request_actor(request), brand=self.get_object(), **body.validated_data
        )
        return self._brand(brand)


class IPRightSerializer(serializers.ModelSerializer):
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all())
    classes = serializers.CharField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = IPRight
        fields = [
            "id",
            "brand",
            "kind",
            "mark",
            "registration_number",
            "office",
            "classes",
            "valid_from",
            "valid_until",
            "certificate",
            "status",
            "review_note",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = ["status", "review_note", "reviewed_at"]
        validators = []

    def to_internal_value(self, data):
        if hasattr(data, "getlist") and len(data.getlist("classes")) > 1:
            data = data.copy()
            data["classes"] = ",".join(data.getlist("classes"))
        elif isinstance(data, dict) and isinstance(data.get("classes"), list):
            data = {**data, "classes": ",".join(str(c) for c in data["classes"])}
        return super().to_internal_value(data)

    def to_representation(self, right):
        """`certificate` is the permission-checked download, not a media path: it works for whoever may
        read the right, with the same credentials as the rest of the API."""
        data = super().to_representation(right)
        request = self.context.get("request")
        if right.certificate and request is not None:
            data["certificate"] = request.build_absolute_uri(
                reverse("ip-right-certificate-file", kwargs={"pk": right.pk})
            )
        else:
            data["certificate"] = None
        return data

    def validate_brand(self, brand):
        actor = request_actor(self.context["request"])
        if brand.pk not in actor.brand_ids and not actor.sees_everything:
            raise serializers.ValidationError("No such brand.")
        return brand


class IPRightVerifySerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["verified", "rejected"])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class IPRightFilter(filters.FilterSet):
    # An id, not a choice among every brand: another tenant's brand filters to nothing, as an unknown one
    # does, instead of answering 400 and telling that it exists.
    brand = filters.NumberFilter(field_name="brand_id")

    class Meta:
        model = IPRight
        fields = ["brand", "status", "kind", "office"]


class IPRightViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """IP rights with certificates (multipart). Reviewers verify or reject them."""

    serializer_class = IPRightSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_class = IPRightFilter

    def get_queryset(self):
        return ip_rights_visible_to(request_actor(self.request)).order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        # Roles that may never register a right (reviewers, compliance, the marketplace, merchants, viewers)
        # are refused before their input is read.
        if not request_actor(request).filing_brand_ids:
            raise Forbidden("Only a brand's owners and authorised agents may register IP rights.")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        brand = data.pop("brand")
        certificate = data.pop("certificate", None)
        serializer.instance = services.ip_right_create(
            actor=request_actor(self.request), brand=brand, data=data, certificate=certificate
        )

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path="certificate", url_name="certificate-file")
    def certificate(self, request, pk=None):
        """The certificate file, for whoever may read the right; its type sniffed, never run."""
        right = self.get_object()
        if not right.certificate:
            raise NotFound("This IP right has no certificate.")
        return file_response(right.certificate)

    @extend_schema(request=IPRightVerifySerializer, responses=IPRightSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def verify(self, request, pk=None):
        right = self.get_object()
        body = IPRightVerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        right = services.ip_right_verify(actor=request_actor(request), ip_right=right, **body.validated_data)
        return Response(
            IPRightSerializer(right, context={"request": request}).data, status=status.HTTP_200_OK
        )
