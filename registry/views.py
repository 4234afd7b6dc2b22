"""Pages for people: the programme's figures, the lists, the details and the forms.

Every page reads through the ``visible_*`` functions of ``permissions``: an object
outside the user's area is not found (404), and a role that may only read is refused
(403) on the forms.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.edit import FormView

from ocop import audit
from ocop.paging import ForgivingPagination

from .enums import ProducerKind, RegistrationKind
from .filters import ProducerFilter, ProductFilter, RegistrationFilter
from .forms import ProducerForm, ProductForm, RegistrationForm
from .models import CommuneSuccession, District, Producer, Product, Registration
from .permissions import (
    is_council_member,
    is_province_wide,
    visible_producers,
    visible_products,
    visible_registrations,
)

PAGE_SIZE = 50


class HomeView(LoginRequiredMixin, TemplateView):
    """The counts a programme office reports, for one year, within the user's area."""

    template_name = "registry/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        registrations = visible_registrations(user)
        years = list(
            registrations.order_by("-year").values_list("year", flat=True).distinct()
        )
        year = self.chosen_year(years)
        context.update(years=years, year=year)
        if is_council_member(user):
            # What waits for them comes first: the sheets they still have to fill.
            from evaluation.permissions import evaluations_to_score

            context["to_score"] = list(evaluations_to_score(user))
        from evaluation.todo import TODO_SHOWN, dossiers_waiting_on, has_todo_panel

        if has_todo_panel(user):
            # What waits on a commune's or a district's officer, the overdue first.
            waiting = dossiers_waiting_on(user)
            context.update(
                to_do=waiting[:TODO_SHOWN], to_do_more=len(waiting) - TODO_SHOWN
            )
        if year is None:
            return context

        of_year = registrations.filter(year=year).order_by()
        counts = {
            "products": Count("product_id", distinct=True),
            "producers": Count("product__producer_id", distinct=True),
        }
        totals = of_year.aggregate(**counts)
        by_district = self.by_district(user, of_year, counts)
        by_producer_kind = [
            {"label": ProducerKind(row["producer_kind"]).label, **row}
            for row in of_year.values(producer_kind=F("product__producer__kind"))
            .annotate(**counts)
            .order_by("-products", "producer_kind")
        ]
        by_registration_kind = [
            {"label": RegistrationKind(row["kind"]).label, **row}
            for row in of_year.values("kind").annotate(**counts).order_by("kind")
        ]
        context.update(
            totals=totals,
            by_district=by_district,
            by_producer_kind=by_producer_kind,
            by_registration_kind=by_registration_kind,
            chart_data={
                "district": self.chart(by_district),
                "producer_kind": self.chart(by_producer_kind),
                "registration_kind": self.chart(by_registration_kind),
                "labels": {
                    "products": str(_("Sản phẩm")),
                    "producers": str(_("Chủ thể")),
                },
            },
        )
        return context

    def chosen_year(self, years):
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = None
        if year in years:
            return year
        return years[0] if years else None

    def by_district(self, user, of_year, counts):
        rows = {
            row["district_id"]: row
            for row in of_year.values("district_id").annotate(**counts)
        }
        # Every district of the province gets a row, those with nothing too.
        districts = (
            District.objects.filter(province_id=user.province_id)
            if is_province_wide(user) or is_council_member(user)
            else District.objects.filter(pk__in=[d for d in rows if d])
        )
        result = [
            {
                "id": district.pk,
                "label": district.name,
                "products": rows.get(district.pk, {}).get("products", 0),
                "producers": rows.get(district.pk, {}).get("producers", 0),
            }
            for district in districts.order_by("code")
        ]
        if None in rows:
            result.append({"id": None, "label": str(_("Chưa rõ huyện")), **rows[None]})
        return result

    @staticmethod
    def chart(rows):
        return {
            "labels": [str(row["label"]) for row in rows],
            "products": [row["products"] for row in rows],
            "producers": [row["producers"] for row in rows],
        }


class FilteredListView(ForgivingPagination, LoginRequiredMixin, ListView):
    """A list read through a filter set, 50 rows a page, sortable by its columns."""

    paginate_by = PAGE_SIZE
    filterset_class = None
    # (ordering key of the filter set's ``o``, column heading)
    columns = []

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=self.base_queryset(), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["columns"] = self.sort_columns()
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key not in ("o", "page")
        )
        return context

    def sort_columns(self):
        current = self.request.GET.get("o", "")
        columns = []
        for key, label in self.columns:
            if key is None:
                columns.append({"label": label})
                continue
            params = self.request.GET.copy()
            params.pop("page", None)
            params["o"] = f"-{key}" if current == key else key
            direction = (
                "asc" if current == key else "desc" if current == f"-{key}" else ""
            )
            columns.append(
                {"label": label, "url": "?" + params.urlencode(), "dir": direction}
            )
        return columns


class ProducerList(FilteredListView):
    template_name = "registry/producer_list.html"
    filterset_class = ProducerFilter
    columns = [
        ("name", _("Chủ thể")),
        ("kind", _("Loại hình")),
        (None, _("Người đại diện")),
        (None, _("Điện thoại")),
        ("district", _("Địa chỉ")),
        ("products", _("Số sản phẩm")),
    ]

    def base_queryset(self):
        user = self.request.user
        product_count = (
            visible_products(user)
            .filter(producer=OuterRef("pk"))
            .order_by()
            .values("producer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            visible_producers(user)
            .select_related("commune__district")
            .annotate(product_count=Coalesce(Subquery(product_count), 0))
        )


class ProductList(FilteredListView):
    template_name = "registry/product_list.html"
    filterset_class = ProductFilter
    columns = [
        ("name", _("Sản phẩm")),
        ("producer", _("Chủ thể")),
        ("product_set", _("Bộ sản phẩm")),
        ("district", _("Huyện đăng ký")),
        ("year", pgettext_lazy("programme year", "Năm")),
        (None, _("Hình thức")),
    ]

    def base_queryset(self):
        return visible_products(self.request.user).select_related(
            "producer", "product_set"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kinds = dict(RegistrationKind.choices)
        for product in context["object_list"]:
            product.shown_kind_label = kinds.get(product.shown_kind, "")
        return context


class RegistrationList(FilteredListView):
    template_name = "registry/registration_list.html"
    filterset_class = RegistrationFilter
    columns = [
        ("year", _("Năm")),
        ("product", _("Sản phẩm")),
        ("producer", _("Chủ thể")),
        ("district", _("Huyện đăng ký")),
        ("kind", _("Hình thức")),
        (None, _("Sao trước đó")),
    ]

    def base_queryset(self):
        return visible_registrations(self.request.user).select_related(
            "product__producer", "district", "commune"
        )


class ProducerDetail(LoginRequiredMixin, DetailView):
    template_name = "registry/producer_detail.html"
    context_object_name = "producer"

    def get_queryset(self):
        return visible_producers(self.request.user).select_related(
            "commune__district", "province"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, producer = self.request.user, self.object
        # A product in the user's area shows its whole history, whoever registered
        # it; only the registrations of the area can be edited.
        registrations = Registration.objects.select_related("district")
        context["products"] = (
            visible_products(user)
            .filter(producer=producer)
            .select_related("product_set")
            .prefetch_related(
                Prefetch("registrations", queryset=registrations.order_by("-year"))
            )
        )
        context["successions"] = successions_of(producer.commune)
        context["can_change"] = user.has_perm("registry.change_producer", producer)
        context["can_add_product"] = user.has_perm("registry.add_product")
        return context


class ProductDetail(LoginRequiredMixin, DetailView):
    template_name = "registry/product_detail.html"
    context_object_name = "product"

    def get_queryset(self):
        return visible_products(self.request.user).select_related(
            "producer__commune__district", "product_set"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, product = self.request.user, self.object
        # The product's whole history, whoever registered it; only the
        # registrations of the user's area can be edited.
        registrations = list(
            product.registrations.select_related(
                "district", "commune__district", "import_batch"
            ).order_by("-year")
        )
        can_register = user.has_perm("registry.add_registration")
        editable = (
            set(
                visible_registrations(user)
                .filter(product=product)
                .values_list("pk", flat=True)
            )
            if can_register
            else set()
        )
        for registration in registrations:
            registration.can_change = registration.pk in editable
        context["registrations"] = registrations
        context["successions"] = successions_of(product.producer.commune)
        context["can_change"] = user.has_perm("registry.change_product", product)
        context["can_register"] = can_register
        return context


def successions_of(commune):
    """Today's communes that an old commune went into on 1 July 2025."""
    if commune is None or commune.is_current:
        return []
    return CommuneSuccession.objects.filter(old=commune).select_related("new")


class RegistryFormView(LoginRequiredMixin, FormView):
    """Add or edit one object: permission first, then the form, then the audit entry.

    ``object`` is ``None`` when adding. The object to edit is looked up through the
    user's ``visible_*`` set, so one outside the area is a 404 before any check.
    """

    template_name = "registry/form.html"
    model = None
    permission = None
    object = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not request.user.has_perm(self.permission_name(), self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return None

    def permission_name(self):
        action = "change" if self.object else "add"
        return f"registry.{action}_{self.model._meta.model_name}"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["title"] = self.title()
        context["cancel_url"] = self.cancel_url()
        return context

    def cancel_url(self):
        if self.object:
            return self.object.get_absolute_url()
        return reverse(f"registry:{self.model._meta.model_name}-list")

    def form_valid(self, form):
        name = self.model._meta.model_name
        is_new = form.instance.pk is None
        before = {} if is_new else snapshot(self.model.objects.get(pk=form.instance.pk))
        with transaction.atomic():
            obj = self.save(form)
            after = snapshot(obj)
            changed = {
                field: [before.get(field), value]
                for field, value in after.items()
                if before.get(field) != value
            }
            audit.record(
                self.request.user,
                f"registry.{name}.{'created' if is_new else 'updated'}",
                obj,
                data={"changed": changed},
            )
        messages.success(self.request, self.success_message(obj, is_new))
        return redirect(self.success_url_for(obj))

    def save(self, form):
        return form.save()

    def success_url_for(self, obj):
        return obj.get_absolute_url()

    def success_message(self, obj, is_new):
        if is_new:
            return _("Đã thêm “%(name)s”.") % {"name": obj}
        return _("Đã lưu “%(name)s”.") % {"name": obj}


def snapshot(obj):
    """An object's editable fields as JSON-friendly values, for the audit entry."""
    return {
        field.attname: None
        if (value := getattr(obj, field.attname)) is None
        else str(value)
        for field in obj._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not field.auto_created
        and field.name not in ("created_at", "updated_at")
    }


class ProducerCreate(RegistryFormView):
    model = Producer
    form_class = ProducerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def title(self):
        return _("Thêm chủ thể")

    def save(self, form):
        producer = form.save(commit=False)
        if not producer.province_id:
            producer.province_id = (
                self.request.user.province_id or producer.commune.province_id
            )
        producer.save()
        return producer


class ProducerUpdate(ProducerCreate):
    def get_object(self):
        return get_object_or_404(
            visible_producers(self.request.user), pk=self.kwargs["pk"]
        )

    def title(self):
        return _("Sửa chủ thể: %(name)s") % {"name": self.object}


class ProductCreate(RegistryFormView):
    model = Product
    form_class = ProductForm

    def get_form_kwargs(self):
        producers = visible_producers(self.request.user)
        return {**super().get_form_kwargs(), "producers": producers}

    def get_initial(self):
        return {"producer": self.request.GET.get("producer")}

    def title(self):
        return _("Thêm sản phẩm")


class ProductUpdate(ProductCreate):
    def get_object(self):
        return get_object_or_404(
            visible_products(self.request.user), pk=self.kwargs["pk"]
        )

    def get_initial(self):
        # The form shows what is stored: an initial value would override it.
        return {}

    def title(self):
        return _("Sửa sản phẩm: %(name)s") % {"name": self.object}


class RegistrationCreate(RegistryFormView):
    """Register a product for a year; the product comes from the URL."""

    model = Registration
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.product = self.get_product()
        return super().dispatch(request, *args, **kwargs)

    def get_product(self):
        return get_object_or_404(
            visible_products(self.request.user), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "product": self.product,
        }

    def get_initial(self):
        user = self.request.user
        return {
            "year": datetime.date.today().year,
            "district": user.district_id,
            "commune": user.commune_id,
        }

    def title(self):
        return _("Đăng ký sản phẩm: %(name)s") % {"name": self.product}

    def cancel_url(self):
        return self.product.get_absolute_url()

    def save(self, form):
        registration = form.save(commit=False)
        registration.product = self.product
        registration.province_id = self.product.producer.province_id
        registration.save()
        return registration

    def success_url_for(self, obj):
        return self.product.get_absolute_url()


class RegistrationUpdate(RegistrationCreate):
    def get_object(self):
        return get_object_or_404(
            visible_registrations(self.request.user), pk=self.kwargs["pk"]
        )

    def get_product(self):
        registration = get_object_or_404(
            visible_registrations(self.request.user).select_related("product"),
            pk=self.kwargs["pk"],
        )
        return registration.product

    def get_initial(self):
        # The form shows what is stored: this year and the officer's own area,
        # the defaults of a new registration, would override it.
        return {}

    def title(self):
        return _("Sửa đăng ký: %(name)s") % {"name": self.object}
