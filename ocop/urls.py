from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("registry.urls")),
    path("", include("ocop.app_urls")),
    path("danh-gia/", include("evaluation.urls")),
    path("xuc-tien/", include("promotion.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("quan-tri/", admin.site.urls),
]

# Uploaded and generated files are never served by path, not even with DEBUG on:
# each is downloaded through a view that checks who may see it (ocop.downloads).
