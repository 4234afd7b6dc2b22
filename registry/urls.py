from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
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
