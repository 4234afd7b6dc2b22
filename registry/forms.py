"""Forms to add and edit producers, products and registrations.

Each form is built for one user: the communes and districts it offers are those of
the user's area, so an officer cannot even post another district's unit.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .enums import (
    FIRST_PROGRAMME_YEAR,
    ProducerKind,
    RegistrationKind,
    Role,
    last_programme_year,
)
from .models import Commune, District, Producer, Product, Registration
from .text import clean, fold, normalise_phone

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
# What a typed phone may hold besides its digits: spaces, dots, dashes, brackets and
# the "+" of "+84".
PHONE_CHARACTERS = re.compile(r"^[\d\s.\-()+]*$")
DESCRIPTION_MAX_LENGTH = 5000


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.is_current:
            return _("%(name)s (từ 01/07/2025)") % {"name": obj.name}
        return f"{obj.name}, {obj.district.name}"


def communes_for(user):
    """The communes a user may place a producer or a registration in."""
    communes = Commune.objects.select_related("district").order_by(
        "is_current", "district__code", "name"
    )
    if user.role == Role.COMMUNE_OFFICER and not user.is_superuser:
        return communes.filter(pk=user.commune_id)
    if user.role == Role.DISTRICT_OFFICER and not user.is_superuser:
        return communes.filter(district_id=user.district_id)
    if user.province_id:
        return communes.filter(province_id=user.province_id)
    return communes


def districts_for(user):
    """The districts a user may register a product into."""
    if user.role == Role.DISTRICT_OFFICER and not user.is_superuser:
        return District.objects.filter(pk=user.district_id)
    if user.role == Role.COMMUNE_OFFICER and not user.is_superuser:
        return District.objects.filter(communes=user.commune_id)
    if user.province_id:
        return District.objects.filter(province_id=user.province_id)
    return District.objects.all()


class BootstrapMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` where an error is."""

    def style_fields(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        self.style_fields()


class ProducerForm(BootstrapMixin, forms.ModelForm):
    confirm_duplicate_phone = forms.BooleanField(
        label=_("Vẫn lưu: đây là một chủ thể khác dùng chung số điện thoại"),
        required=False,
    )

    class Meta:
        model = Producer
        fields = [
            "name",
            "kind",
            "is_branch",
            "representative",
            "phone",
            "address",
            "commune",
            "tax_code",
        ]
        field_classes = {"commune": CommuneChoiceField}
        error_messages = {
            "name": {"required": _("Nhập tên chủ thể.")},
            "kind": {"required": _("Chọn loại hình chủ thể.")},
            "commune": {
                "invalid_choice": _("Xã này không thuộc địa bàn của tài khoản.")
            },
        }
        help_texts = {
            "name": _(
                "Bắt buộc, trừ hộ kinh doanh: để trống thì hộ được đặt tên theo "
                "người đại diện («Hộ kinh doanh Nguyễn Văn A»)."
            ),
            "is_branch": _("Chi nhánh của một hợp tác xã hay doanh nghiệp."),
            "phone": _("Ví dụ 0912 345 678; dấu chấm và khoảng trắng được bỏ đi."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates = []
        self.fields["commune"].queryset = communes_for(user)
        self.fields["name"].required = False
        self.fields["commune"].required = user.role in (
            Role.DISTRICT_OFFICER,
            Role.COMMUNE_OFFICER,
        )
        self.style_fields()

    def clean_name(self):
        return clean(self.cleaned_data["name"])

    def clean_representative(self):
        return clean(self.cleaned_data["representative"])

    def clean_address(self):
        return clean(self.cleaned_data["address"])

    def clean_phone(self):
        typed = clean(self.cleaned_data["phone"])
        if not PHONE_CHARACTERS.match(typed) or (typed and not re.search(r"\d", typed)):
            raise ValidationError(
                _(
                    "Số điện thoại chỉ gồm chữ số (được có dấu chấm, dấu gạch, khoảng "
                    "trắng), ví dụ 0912 345 678."
                ),
                code="phone_not_digits",
            )
        phone = normalise_phone(typed)
        if phone and not (phone.startswith("0") and len(phone) in (10, 11)):
            raise ValidationError(
                _(
                    "Số điện thoại phải có 10 chữ số (di động) hoặc 11 chữ số "
                    "(cố định), bắt đầu bằng số 0."
                ),
                code="invalid_phone",
            )
        return phone

    def clean_tax_code(self):
        tax_code = clean(self.cleaned_data["tax_code"]).replace(" ", "")
        if tax_code and not TAX_CODE.match(tax_code):
            raise ValidationError(
                _(
                    "Mã số thuế gồm 10 chữ số; chi nhánh thêm dấu gạch và 3 chữ số "
                    "(ví dụ 6200123456-001)."
                ),
                code="invalid_tax_code",
            )
        return tax_code

    def clean(self):
        cleaned = super().clean()
        self.name_household(cleaned)
        self.refuse_a_second_of_the_name(cleaned)
        phone = cleaned.get("phone")
        if phone:
            others = Producer.objects.filter(
                phone=phone, province_id=self.province_id
            ).exclude(pk=self.instance.pk)
            self.duplicates = list(others.only("id", "name")[:5])
        if self.duplicates and not cleaned.get("confirm_duplicate_phone"):
            names = ", ".join(p.name for p in self.duplicates)
            self.add_error(
                "phone",
                ValidationError(
                    _(
                        "Số điện thoại này đã có ở chủ thể: %(names)s. Nếu đúng là một "
                        "chủ thể khác, đánh dấu ô “Vẫn lưu” rồi lưu lại."
                    ),
                    params={"names": names},
                    code="duplicate_phone",
                ),
            )
        return cleaned

    def name_household(self, cleaned):
        """A household business named only "Hộ kinh doanh" takes its
        representative's name, as the import names it."""
        name, representative = cleaned.get("name", ""), cleaned.get("representative")
        if cleaned.get("kind") != ProducerKind.HOUSEHOLD or not representative:
            if not name and "name" not in self.errors:
                self.add_error("name", _("Nhập tên chủ thể."))
            return
        if fold(name) in ("", "ho kinh doanh"):
            # A name is data, in the registry's language, whatever the page's.
            cleaned["name"] = f"Hộ kinh doanh {representative}"

    def refuse_a_second_of_the_name(self, cleaned):
        """A cooperative's or an enterprise's name is its own in the province: a
        second one of the name is the first typed again (a form sent twice, say).
        Two household businesses may share their owners' name, not their phone."""
        name = cleaned.get("name")
        if not name:
            return
        same = Producer.objects.filter(
            province_id=self.province_id, name_key=fold(name)
        ).exclude(pk=self.instance.pk)
        phone = cleaned.get("phone")
        if cleaned.get("kind") == ProducerKind.HOUSEHOLD and phone:
            same = same.filter(phone__in=("", phone))
        first = same.first()
        if first is not None:
            self.add_error(
                "name",
                ValidationError(
                    _(
                        "Tỉnh đã có chủ thể «%(name)s» (điện thoại %(phone)s); sửa "
                        "chủ thể đó thay vì thêm một chủ thể trùng tên."
                    ),
                    params={"name": first.name, "phone": first.phone or "—"},
                    code="duplicate_name",
                ),
            )

    @property
    def province_id(self):
        if self.instance.province_id:
            return self.instance.province_id
        return self.user.province_id


class ProductForm(BootstrapMixin, forms.ModelForm):
    """A product's producer, name, code and description.

    Not its product set: that is confirmed on the product's page, through the
    evaluation service that moves the product's open dossiers to the new set's sheet.
    """

    class Meta:
        model = Product
        fields = ["producer", "name", "code", "description"]
        error_messages = {
            "name": {"required": _("Nhập tên sản phẩm.")},
            "producer": {
                "required": _("Chọn chủ thể."),
                "invalid_choice": _("Chủ thể này không thuộc địa bàn của tài khoản."),
            },
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, producers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = producers
        description = self.fields["description"]
        description.validators.append(MaxLengthValidator(DESCRIPTION_MAX_LENGTH))
        description.widget.attrs["maxlength"] = DESCRIPTION_MAX_LENGTH
        self.style_fields()

    def clean_name(self):
        return clean(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        producer, name = cleaned.get("producer"), cleaned.get("name")
        if producer and name:
            same = Product.objects.filter(producer=producer, name__iexact=name)
            if same.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "name",
                    ValidationError(
                        _("Chủ thể này đã có một sản phẩm cùng tên."),
                        code="duplicate_product",
                    ),
                )
        return cleaned


class RegistrationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Registration
        fields = [
            "year",
            "kind",
            "district",
            "commune",
            "previous_stars",
            "previous_year",
        ]
        field_classes = {"commune": CommuneChoiceField}
        help_texts = {
            "commune": _(
                "Từ 01/07/2025 không còn cấp huyện: xã, phường tiếp nhận hồ sơ đăng ký."
            ),
            "previous_stars": _("Với đánh giá lại và nâng hạng: số sao đã đạt."),
        }
        error_messages = {
            "year": {"required": _("Nhập năm đăng ký.")},
            "kind": {"required": _("Chọn hình thức đăng ký.")},
            "district": {
                "invalid_choice": _(
                    "Cán bộ huyện chỉ đăng ký sản phẩm vào huyện của mình."
                )
            },
            "commune": {
                "invalid_choice": _("Xã này không thuộc địa bàn của tài khoản.")
            },
        }

    def __init__(self, *args, user, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.product = product
        self.fields["district"].queryset = districts_for(user)
        self.fields["commune"].queryset = communes_for(user)
        if user.role == Role.DISTRICT_OFFICER:
            self.fields["district"].required = True
            self.fields["district"].empty_label = None
        self.fields["year"].widget.attrs.update({"min": FIRST_PROGRAMME_YEAR})
        self.fields["previous_year"].widget.attrs.update({"min": FIRST_PROGRAMME_YEAR})
        if self.has_dossier:
            # The dossier was opened for this year, kind and area: they stay.
            for name in self.DOSSIER_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Hồ sơ đánh giá đã lập cho đăng ký này nên không đổi được."
                )
        self.style_fields()

    DOSSIER_FIELDS = ("year", "kind", "district", "commune")

    @property
    def has_dossier(self):
        # The evaluation app's dossier, through its reverse accessor.
        return self.instance.pk is not None and hasattr(self.instance, "dossier")

    def clean_previous_year(self):
        previous_year = self.cleaned_data["previous_year"]
        if previous_year is not None and previous_year < FIRST_PROGRAMME_YEAR:
            raise ValidationError(
                _(
                    "Chương trình OCOP bắt đầu năm %(first)s: năm đạt sao trước đó "
                    "không thể sớm hơn."
                ),
                params={"first": FIRST_PROGRAMME_YEAR},
                code="previous_year_out_of_range",
            )
        return previous_year

    def clean_year(self):
        year = self.cleaned_data["year"]
        last = last_programme_year()
        if not FIRST_PROGRAMME_YEAR <= year <= last:
            raise ValidationError(
                _("Năm đăng ký phải từ %(first)s đến %(last)s."),
                params={"first": FIRST_PROGRAMME_YEAR, "last": last},
                code="year_out_of_range",
            )
        same = Registration.objects.filter(product=self.product, year=year)
        if same.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Sản phẩm này đã đăng ký năm %(year)s."),
                params={"year": year},
                code="duplicate_registration",
            )
        return year

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        stars = cleaned.get("previous_stars")
        previous_year, year = cleaned.get("previous_year"), cleaned.get("year")
        district, commune = cleaned.get("district"), cleaned.get("commune")

        if kind == RegistrationKind.NEW and stars:
            self.add_error(
                "previous_stars",
                _("Sản phẩm đăng ký mới chưa có hạng sao trước đó."),
            )
        if kind in (RegistrationKind.RE_EVALUATION, RegistrationKind.UPGRADE):
            if not stars:
                self.add_error(
                    "previous_stars",
                    _("Đánh giá lại và nâng hạng cần hạng sao sản phẩm đã đạt."),
                )
            elif not 3 <= stars <= 5:
                self.add_error(
                    "previous_stars",
                    _(
                        "Chỉ sản phẩm đã đạt từ 3 đến 5 sao mới được đánh giá lại hay "
                        "nâng hạng."
                    ),
                )
            elif kind == RegistrationKind.UPGRADE and stars == 5:
                self.add_error(
                    "previous_stars", _("Sản phẩm 5 sao không thể nâng hạng thêm.")
                )
        if previous_year and year and previous_year >= year:
            self.add_error(
                "previous_year",
                _("Năm đạt sao trước đó phải trước năm đăng ký."),
            )
        if not (district or commune or self.errors.keys() & {"district", "commune"}):
            self.add_error("district", _("Chọn huyện hoặc xã đăng ký."))
        if (
            district
            and commune
            and not commune.is_current
            and commune.district_id != district.pk
        ):
            self.add_error("commune", _("Xã này không thuộc huyện đã chọn."))
        return cleaned
