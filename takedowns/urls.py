from django.contrib.auth import views as auth_views
from django.urls import path

from brands import views as brand_views
from merchants import views as merchant_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # account
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/", views.account, name="account"),
    # brands
    path("dashboard/", views.dashboard, name="dashboard"),
    path("brands/", brand_views.brands, name="brands"),
    path("brands/new/", brand_views.brand_new, name="brand-new"),
    path("brands/<int:pk>/", brand_views.brand_detail, name="brand"),
    path("brands/<int:pk>/members/", brand_views.brand_members, name="brand-members"),
    path("brands/<int:pk>/members/<int:member_pk>/remove/", brand_views.member_remove, name="brand-member-remove"),
    path("brands/<int:pk>/edit/", brand_views.brand_edit, name="brand-edit"),
    path("brands/<int:pk>/do/<str:name>/", brand_views.brand_action, name="brand-action"),
    path("ip-rights/", brand_views.ip_rights, name="ip-rights"),
    path("ip-rights/new/", brand_views.ip_right_new, name="ip-right-new"),
    path("ip-rights/<int:pk>/certificate/", brand_views.certificate, name="ip-right-certificate"),
    path("claims/", views.claims, name="claims"),
    path("claims/new/", views.claim_new, name="claim-new"),
    path("claims/bulk/", views.bulk_new, name="bulk-new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/evidence/", views.claim_evidence, name="claim-evidence"),
    path("claims/<int:pk>/do/<str:name>/", views.claim_action, name="claim-action"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/evidence/", views.batch_evidence, name="batch-evidence"),
    path("batches/<int:pk>/submit/", views.batch_submit, name="batch-submit"),
    # reviewers
    path("queue/", views.queue, name="queue"),
    path("queue/decide/", views.queue_bulk, name="queue-bulk"),
    path("counter-notices/", views.counter_notices, name="counter-notices"),
    path("verification/", brand_views.verification_queue, name="verification-queue"),
    path("verification/ip-rights/<int:pk>/", brand_views.ip_right_decide, name="ip-right-decide"),
    path("verification/agents/<int:pk>/", brand_views.agent_verify, name="agent-verify"),
    path("verification/agents/<int:pk>/letter/", brand_views.authorisation_letter, name="authorisation-letter"),
    path("merchants/", merchant_views.merchants, name="merchants"),
    path("merchants/<int:pk>/", merchant_views.merchant_detail, name="merchant"),
    path("merchants/<int:pk>/<str:name>/", merchant_views.merchant_action, name="merchant-action"),
    # compliance
    path("reports/", views.reports, name="reports"),
    path("audit/", views.audit_trail, name="audit"),
    # merchants arriving from the takedown e-mail
    path("m/<str:token>/", views.merchant_claim, name="merchant-claim"),
]
