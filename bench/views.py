"""The bare DRF baseline: a ModelSerializer and a ModelViewSet with DRF's own page-number pagination and JSON
renderer, behind the same authentication and throttles as the API (an API must authenticate). Nothing of
the domain: no tenancy, no rules, no audit."""

from rest_framework import pagination, renderers, serializers, viewsets

from bench.models import PlainClaim


class PlainClaimSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlainClaim
        fields = "__all__"


class PlainPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class PlainClaimViewSet(viewsets.ModelViewSet):
    queryset = PlainClaim.objects.all()
    serializer_class = PlainClaimSerializer
    pagination_class = PlainPagination
    renderer_classes = [renderers.JSONRenderer]
    filter_backends: list = []
