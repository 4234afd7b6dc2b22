"""The Django admin for the registry: every model, and .xlsx exports of producers and
products (django-import-export) for people who work in spreadsheets."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from .models import (
    Commune,
    CommuneSuccession,
    District,
    ImportBatch,
    Producer,
    Product,
    ProductSet,
    Province,
    Registration,
    User,
)


class VerboseResource(resources.ModelResource):
    """Column headings in the interface's words (the fields' verbose names)."""

    def get_export_headers(self, selected_fields=None):
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields()}
        headers = []
        for field in self.get_export_fields(selected_fields):
            model_field = model_fields.get(field.column_name)
            label = getattr(model_field, "verbose_name", field.column_name)
            headers.append(capfirst(str(label)))
        return headers


class ProducerResource(VerboseResource):
    kind = fields.Field(attribute="get_kind_display", column_name=_("Loại hình"))
    commune = fields.Field(attribute="commune__name", column_name=_("Xã"))
    district = fields.Field(attribute="commune__district__name", column_name=_("Huyện"))

    class Meta:
        model = Producer
        fields = (
            "id",
            "name",
            "kind",
            "is_branch",
            "representative",
            "phone",
            "address",
            "commune",
            "district",
            "tax_code",
        )
        export_order = fields


class ProductResource(VerboseResource):
    producer = fields.Field(attribute="producer__name", column_name=_("Chủ thể"))
    producer_phone = fields.Field(
        attribute="producer__phone", column_name=_("Điện thoại")
    )
    product_set = fields.Field(
        attribute="product_set__name", column_name=_("Bộ sản phẩm")
    )
    years = fields.Field(column_name=_("Năm đăng ký"))

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "producer",
            "producer_phone",
            "product_set",
            "code",
            "years",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("producer", "product_set").prefetch_related(
            "registrations"
        )

    def dehydrate_years(self, product):
        return ", ".join(str(r.year) for r in product.registrations.all())


class ExportAdmin(ExportMixin, admin.ModelAdmin):
    export_formats = [XLSX, CSV]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["name", "code"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "legacy_province_name"]
    list_filter = ["province"]
    search_fields = ["name", "code"]


class SuccessionInline(admin.TabularInline):
    model = CommuneSuccession
    fk_name = "old"
    extra = 0
    autocomplete_fields = ["new"]
    verbose_name = _("đơn vị kế thừa (từ 01/07/2025)")
    verbose_name_plural = verbose_name


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "district", "province", "is_current"]
    list_filter = ["is_current", "province", "district"]
    list_select_related = ["district", "province"]
    search_fields = ["name", "search_key", "code"]
    inlines = [SuccessionInline]


@admin.register(CommuneSuccession)
class CommuneSuccessionAdmin(admin.ModelAdmin):
    list_display = ["old", "new", "is_default"]
    list_select_related = ["old__district", "new"]
    autocomplete_fields = ["old", "new"]


@admin.register(User)
class OcopUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "district", "commune"]
    list_filter = ["role", "is_active", "province", "district"]
    list_select_related = ["district", "commune__district"]
    autocomplete_fields = ["district", "commune"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            _("Vai trò và địa bàn"),
            {"fields": ("role", "province", "district", "commune", "phone")},
        ),
    )


@admin.register(ProductSet)
class ProductSetAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "sector_name", "group_name", "is_tourism"]
    list_filter = ["sector_name", "is_tourism"]
    search_fields = ["name"]


@admin.register(Producer)
class ProducerAdmin(ExportAdmin):
    resource_classes = [ProducerResource]
    list_display = ["name", "kind", "representative", "phone", "commune"]
    list_filter = ["kind", "is_branch", "commune__district"]
    list_select_related = ["commune__district"]
    search_fields = ["name_key", "search_text", "phone"]
    autocomplete_fields = ["commune"]

    def get_search_results(self, request, queryset, search_term):
        from .text import fold

        return super().get_search_results(request, queryset, fold(search_term))


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["year", "kind", "district", "commune", "previous_stars", "previous_year"]
    autocomplete_fields = ["district", "commune"]


@admin.register(Product)
class ProductAdmin(ExportAdmin):
    resource_classes = [ProductResource]
    list_display = ["name", "producer", "product_set", "is_product_set_confirmed"]
    list_filter = ["is_product_set_confirmed", "product_set__sector_name"]
    list_select_related = ["producer", "product_set"]
    search_fields = ["name_key", "search_text"]
    autocomplete_fields = ["producer"]
    # The product set is confirmed on the product's page, through the evaluation's
    # service that moves its open dossiers to the new set's sheet.
    readonly_fields = ["product_set", "is_product_set_confirmed"]
    inlines = [RegistrationInline]

    def get_search_results(self, request, queryset, search_term):
        from .text import fold

        return super().get_search_results(request, queryset, fold(search_term))


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["product", "year", "kind", "district", "previous_stars"]
    list_filter = ["year", "kind", "district"]
    list_select_related = ["product", "district"]
    autocomplete_fields = ["product", "district", "commune"]
    search_fields = ["product__name_key"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "year", "status", "created_by", "created_at"]
    list_filter = ["status", "year"]
    readonly_fields = ["sha256", "size", "preview", "summary", "committed_at"]
