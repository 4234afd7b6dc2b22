from django.urls import path

from . import views, views_import

app_name = "registry"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("nhap/", views_import.ImportList.as_view(), name="import-list"),
    path("nhap/tai-len/", views_import.ImportUpload.as_view(), name="import-upload"),
    path("nhap/<int:pk>/", views_import.ImportDetail.as_view(), name="import-detail"),
    path(
        "nhap/<int:pk>/tien-do/",
        views_import.ImportProgress.as_view(),
        name="import-progress",
    ),
    path(
        "nhap/<int:pk>/ghi/", views_import.ImportCommit.as_view(), name="import-commit"
    ),
    path("chu-the/", views.ProducerList.as_view(), name="producer-list"),
    path("chu-the/them/", views.ProducerCreate.as_view(), name="producer-create"),
    path("chu-the/<int:pk>/", views.ProducerDetail.as_view(), name="producer-detail"),
    path(
        "chu-the/<int:pk>/sua/", views.ProducerUpdate.as_view(), name="producer-update"
    ),
    path("san-pham/", views.ProductList.as_view(), name="product-list"),
    path("san-pham/them/", views.ProductCreate.as_view(), name="product-create"),
    path("san-pham/<int:pk>/", views.ProductDetail.as_view(), name="product-detail"),
    path(
        "san-pham/<int:pk>/sua/", views.ProductUpdate.as_view(), name="product-update"
    ),
    path(
        "san-pham/<int:pk>/dang-ky/",
        views.RegistrationCreate.as_view(),
        name="registration-create",
    ),
    path("dang-ky/", views.RegistrationList.as_view(), name="registration-list"),
    path(
        "dang-ky/<int:pk>/sua/",
        views.RegistrationUpdate.as_view(),
        name="registration-update",
    ),
]
