from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("ho-so/", views.DossierList.as_view(), name="dossier-list"),
    path("ho-so/<int:pk>/", views.DossierDetail.as_view(), name="dossier-detail"),
    path("ho-so/<int:pk>/nop/", views.DossierSubmit.as_view(), name="dossier-submit"),
    path(
        "ho-so/<int:pk>/tra-lai/", views.DossierReturn.as_view(), name="dossier-return"
    ),
    path(
        "ho-so/<int:pk>/nop-lai/",
        views.DossierResubmit.as_view(),
        name="dossier-resubmit",
    ),
    path(
        "ho-so/<int:pk>/danh-gia-xa/",
        views.DossierAssess.as_view(),
        name="dossier-assess",
    ),
    path(
        "ho-so/<int:pk>/gui-len/", views.DossierSendUp.as_view(), name="dossier-send-up"
    ),
    path(
        "ho-so/<int:pk>/bo-san-pham/",
        views.DossierProductSet.as_view(),
        name="dossier-product-set",
    ),
    path(
        "san-pham/<int:pk>/bo-san-pham/",
        views.ProductSetConfirm.as_view(),
        name="product-set-confirm",
    ),
    path(
        "san-pham/<int:pk>/nhat-ky/",
        views.ProductHistory.as_view(),
        name="product-history",
    ),
    path(
        "ho-so/<int:pk>/tu-danh-gia/",
        views.DossierSelfAssessment.as_view(),
        name="dossier-self-assessment",
    ),
    path(
        "ho-so/<int:pk>/minh-chung/",
        views.DossierEvidence.as_view(),
        name="dossier-evidence",
    ),
    path(
        "ho-so/<int:pk>/minh-chung/<int:evidence_pk>/xoa/",
        views.DossierEvidenceRemove.as_view(),
        name="dossier-evidence-remove",
    ),
    path(
        "minh-chung/<int:pk>/tai-ve/",
        views.EvidenceDownload.as_view(),
        name="evidence-download",
    ),
    path("ho-so/<int:pk>/mau/", views.DossierSamples.as_view(), name="dossier-samples"),
    path(
        "ho-so/<int:pk>/ket-qua-bo/",
        views.DossierMinistryResult.as_view(),
        name="dossier-ministry-result",
    ),
    path("dot/", views.RoundList.as_view(), name="round-list"),
    path("dot/mo/", views.RoundCreate.as_view(), name="round-create"),
    path("dot/<int:pk>/", views.RoundDetail.as_view(), name="round-detail"),
    path("dot/<int:pk>/them/", views.RoundAddDossiers.as_view(), name="round-add"),
    path(
        "dot/<int:pk>/tinh-ket-qua/",
        views.RoundCompute.as_view(),
        name="round-compute",
    ),
    path("dot/<int:pk>/dong/", views.RoundClose.as_view(), name="round-close"),
    path("dot/<int:pk>/chuyen-cap/", views.RoundRefer.as_view(), name="round-refer"),
    path("dot/<int:pk>/cong-nhan/", views.RoundCertify.as_view(), name="round-certify"),
    path(
        "cham-diem/<int:pk>/",
        views.EvaluationScore.as_view(),
        name="evaluation-score",
    ),
    path(
        "cham-diem/<int:pk>/tu-van/",
        views.EvaluationPrecheck.as_view(),
        name="evaluation-precheck",
    ),
    path(
        "cham-diem/<int:pk>/loai-ho-so/",
        views.EvaluationReject.as_view(),
        name="evaluation-reject",
    ),
    path(
        "cham-diem/<int:pk>/xung-dot/",
        views.ConflictDeclare.as_view(),
        name="conflict-declare",
    ),
    path(
        "phieu/<int:pk>/",
        views.MemberScoreDetail.as_view(),
        name="member-score-detail",
    ),
    path(
        "phieu/<int:pk>/hieu-chinh/",
        views.MemberScoreCorrect.as_view(),
        name="score-correct",
    ),
    path("hoi-dong/", views.CouncilList.as_view(), name="council-list"),
    path("hoi-dong/them/", views.CouncilCreate.as_view(), name="council-create"),
    path("hoi-dong/<int:pk>/", views.CouncilDetail.as_view(), name="council-detail"),
    path(
        "hoi-dong/<int:pk>/thanh-vien/",
        views.CouncilAddMember.as_view(),
        name="council-add-member",
    ),
    path(
        "hoi-dong/<int:pk>/thanh-vien/<int:member_pk>/vai-tro/",
        views.CouncilMemberRole.as_view(),
        name="council-member-role",
    ),
    path(
        "hoi-dong/<int:pk>/thanh-vien/<int:member_pk>/xoa/",
        views.CouncilMemberRemove.as_view(),
        name="council-member-remove",
    ),
    path(
        "hoi-dong/<int:pk>/quyet-dinh/",
        views.CouncilDecision.as_view(),
        name="council-decision",
    ),
    path("giay-chung-nhan/", views.CertificateList.as_view(), name="certificate-list"),
    path(
        "giay-chung-nhan/<int:pk>/",
        views.CertificateDetail.as_view(),
        name="certificate-detail",
    ),
    path(
        "giay-chung-nhan/<int:pk>/thu-hoi/",
        views.CertificateRevoke.as_view(),
        name="certificate-revoke",
    ),
    path(
        "san-pham/<int:pk>/giay-chung-nhan-truoc/",
        views.EarlierCertificateRecord.as_view(),
        name="earlier-certificate-record",
    ),
    path(
        "ho-so/<int:pk>/thay-doi/",
        views.DossierChanges.as_view(),
        name="dossier-changes",
    ),
    path(
        "nam-chuong-trinh/",
        views.ProgrammeYearList.as_view(),
        name="programme-year-list",
    ),
    path(
        "nam-chuong-trinh/<int:pk>/mo-ho-so/",
        views.ProgrammeYearOpenDossiers.as_view(),
        name="programme-year-open-dossiers",
    ),
    path("phieu-cham/", views.ScoringSheetList.as_view(), name="sheet-list"),
    path("phieu-cham/nhap/", views.ScoringSheetImport.as_view(), name="sheet-import"),
    path(
        "phieu-cham/nhap/<str:token>/",
        views.ScoringSheetImportPreview.as_view(),
        name="sheet-import-preview",
    ),
    path(
        "phieu-cham/<int:pk>/", views.ScoringSheetDetail.as_view(), name="sheet-detail"
    ),
    path(
        "phieu-cham/<int:pk>/hieu-chinh/",
        views.ScoringSheetCorrect.as_view(),
        name="sheet-correct",
    ),
]
