from django.urls import path

from takedowns.views import (
    account,
    batches,
    brand_review,
    claims,
    filing,
    home,
    merchant_link,
    merchants,
    queue,
    test_purchases,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("account/", account.account, name="account"),
    # brands: the list and the reviewer's brand page show claim figures
    path("brands/", brand_review.brands, name="brands"),
    path("brands/<int:pk>/", brand_review.brand_detail, name="brand"),
    path("brands/<int:pk>/do/<str:name>/", brand_review.brand_action, name="brand-action"),
    # claims
    path("claims/", claims.claims, name="claims"),
    path("claims/new/", filing.claim_new, name="claim-new"),
    path("claims/new/listing/", filing.claim_new_listing, name="claim-new-listing"),
    path("claims/bulk/", batches.bulk_new, name="bulk-new"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim"),
    path("claims/<int:pk>/evidence/", claims.claim_evidence, name="claim-evidence"),
    path("claims/<int:pk>/network/", claims.claim_network, name="claim-network"),
    path("claims/<int:pk>/do/<str:name>/", claims.claim_action, name="claim-action"),
    path(
        "claims/<int:pk>/counter-documents/", claims.claim_counter_documents, name="claim-counter-documents"
    ),
    path("evidence/<int:pk>/", claims.evidence_file, name="evidence-file"),
    path("listing-images/<int:pk>/", claims.listing_image_file, name="listing-image-file"),
    path("counter-documents/<int:pk>/", claims.counter_document, name="counter-document"),
    path("claims/<int:pk>/test-purchases/", test_purchases.claim_test_purchase, name="claim-test-purchase"),
    # test purchases: the brand's orders from sellers and their inspection
    path("test-purchases/", test_purchases.test_purchases, name="test-purchases"),
    path("test-purchases/new/", test_purchases.test_purchase_new, name="test-purchase-new"),
    path("test-purchases/<int:pk>/", test_purchases.test_purchase_detail, name="test-purchase"),
    path("test-purchases/photos/<int:pk>/", test_purchases.test_purchase_photo, name="test-purchase-photo"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch"),
    path("batches/<int:pk>/progress/", batches.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/evidence/", batches.batch_evidence, name="batch-evidence"),
    path("batches/<int:pk>/submit/", batches.batch_submit_page, name="batch-submit"),
    path("batches/<int:pk>/rows/<int:row>/fix/", batches.batch_row_fix_page, name="batch-row-fix"),
    path(
        "batches/<int:pk>/rows/<int:row>/discard/", batches.batch_row_discard_page, name="batch-row-discard"
    ),
    # reviewers
    path("queue/", queue.queue, name="queue"),
    path("queue/decide/", queue.queue_bulk, name="queue-bulk"),
    path("queue/assign/", queue.queue_assign, name="queue-assign"),
    path("queue/next/", queue.queue_next, name="queue-next"),
    path("queue/views/", queue.queue_view_save_view, name="queue-view-save"),
    path("queue/views/<int:pk>/delete/", queue.queue_view_delete_view, name="queue-view-delete"),
    path("queue/claims/<int:pk>/assign/", queue.claim_assign_page, name="claim-assign"),
    path("counter-notices/", queue.counter_notices, name="counter-notices"),
    path("queue/held/", merchants.held, name="held-decisions"),
    path("merchants/", merchants.merchants, name="merchants"),
    path("networks/", merchants.networks, name="networks"),
    path("networks/<int:pk>/", merchants.network, name="network"),
    path("merchants/<int:pk>/", merchants.merchant_detail, name="merchant"),
    path("merchants/<int:pk>/<str:name>/", merchants.merchant_action, name="merchant-action"),
    # merchants arriving from the takedown e-mail
    path("m/<str:token>/", merchant_link.merchant_claim, name="merchant-claim"),
    path("m/<str:token>/documents/", merchant_link.merchant_claim_documents, name="merchant-claim-documents"),
    path(
        "m/<str:token>/documents/<int:pk>/",
        merchant_link.merchant_claim_document,
        name="merchant-claim-document",
    ),
]
