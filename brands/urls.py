from django.urls import path

from brands import views

urlpatterns = [
    path("brands/new/", views.brand_new, name="brand-new"),
    path("brands/<int:pk>/members/", views.brand_members, name="brand-members"),
    path("brands/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="brand-member-remove"),
    path("brands/<int:pk>/edit/", views.brand_edit, name="brand-edit"),
    path("ip-rights/", views.ip_rights, name="ip-rights"),
    path("ip-rights/new/", views.ip_right_new, name="ip-right-new"),
    path("ip-rights/<int:pk>/certificate/", views.certificate, name="ip-right-certificate"),
    # reviewers
    path("verification/", views.verification_queue, name="verification-queue"),
    path("verification/ip-rights/<int:pk>/", views.ip_right_decide, name="ip-right-decide"),
    path("verification/agents/<int:pk>/", views.agent_verify, name="agent-verify"),
    path("verification/agents/<int:pk>/letter/", views.authorisation_letter, name="authorisation-letter"),
]
