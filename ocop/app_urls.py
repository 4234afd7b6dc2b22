from django.urls import path

from . import views

app_name = "ocop"

urlpatterns = [
    path("viec/<int:pk>/", views.JobDetail.as_view(), name="job-detail"),
    path("viec/<int:pk>/chay-lai/", views.JobRunAgain.as_view(), name="job-run-again"),
    path("tai-lieu/", views.DocumentList.as_view(), name="document-list"),
    path(
        "tai-lieu/<int:pk>/tai-ve/",
        views.DocumentDownload.as_view(),
        name="document-download",
    ),
    path("tai-lieu/tao/", views.DocumentJobStart.as_view(), name="document-job-start"),
    path(
        "giay-chung-nhan/<int:pk>/tao-pdf/",
        views.CertificateDocumentStart.as_view(),
        name="certificate-document-start",
    ),
    path("xac-minh/<str:token>/", views.Verification.as_view(), name="verify"),
]
