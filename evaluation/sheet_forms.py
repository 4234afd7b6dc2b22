"""Forms of the scoring-sheet pages: uploading a criteria file, correcting a sheet.

The correction form turns what an administrator typed into the changes that
``sheets.correct_sheet`` records; it never writes anything itself.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .sheet_file import (
    MAX_FILE_BYTES,
    MAX_POINTS,
    STAR_LEVELS,
    CriteriaFileRefused,
    read_criteria_file,
    too_large_message,
)
from .sheets import (
    REASON_MAX_LENGTH,
    correction_problems,
    failing_correction_refusal,
    problem_line,
)

# Rows offered to add options to a criterion printed without any.
ADD_ROWS = 3
REASON_LENGTH_MESSAGE = _(
    "Lý do chỉ được dài tối đa %(limit_value)d ký tự (đang có %(show_value)d); "
    "hãy ghi ngắn gọn."
)
POINTS_WIDGET = {
    "class": "form-control form-control-sm points-input",
    "min": 0,
    "style": "width: 4.5rem",
}


class CriteriaFileForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp tiêu chí (.json)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,application/json", "class": "form-control"}
        ),
    )
    edition = forms.CharField(
        label=_("Ấn bản phiếu chấm"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "26-2026"}
        ),
        help_text=_(
            "Chỉ dùng khi tệp không ghi căn cứ pháp lý; có căn cứ thì ấn bản đọc "
            "từ tệp (“26/2026/QĐ-TTg” là ấn bản 26-2026). Ấn bản là số và năm "
            "của quyết định, ví dụ 148-2023; ấn bản chưa quy định nào dùng phải "
            "được xác nhận trước khi ghi."
        ),
        error_messages={
            "max_length": _(
                "Ấn bản chỉ dài tối đa %(limit_value)d ký tự (đang có "
                "%(show_value)d), ví dụ 26-2026."
            )
        },
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_FILE_BYTES:
            # Refused before it is read: the check inside reads the whole file.
            self.add_error("file", too_large_message())
            return cleaned
        try:
            content = b"".join(upload.chunks())
            cleaned["criteria_file"] = read_criteria_file(
                content, name=upload.name, edition=cleaned.get("edition", "")
            )
        except CriteriaFileRefused as refusal:
            for message in refusal.messages:
                is_edition = message in refusal.edition_messages
                self.add_error("edition" if is_edition else "file", message)
        else:
            cleaned["content"] = content
        return cleaned


def _points_field(initial):
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_POINTS,
        initial=initial,
        widget=forms.NumberInput(attrs={**POINTS_WIDGET, "max": MAX_POINTS}),
    )


class SheetCorrectionForm(forms.Form):
    """Every criterion's maximum, every option's points, new options for the
    criteria printed without any, and a reason per criterion changed.

    ``nodes`` are the sheet's criteria (``views.sheet.Node``), depth first.
    After validation, ``changes`` holds the changes in printed order. A correction
    that would make a ``sheet`` passing its checks fail them is refused, each check
    that would fail at its criterion's maximum (a part's sum above the form).
    """

    def __init__(self, nodes, *args, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = nodes
        self.sheet = sheet
        self.changes = []
        star_choices = [("", "—")] + [(str(s), f"{s}★") for s in STAR_LEVELS]
        for node in nodes:
            criterion = node.criterion
            self.fields[f"m{criterion.pk}"] = _points_field(criterion.max_points)
            self.fields[f"r{criterion.pk}"] = forms.CharField(
                required=False,
                max_length=REASON_MAX_LENGTH,
                error_messages={"max_length": REASON_LENGTH_MESSAGE},
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "placeholder": _("Lý do (bắt buộc khi sửa tiêu chí này)"),
                    }
                ),
            )
            for option in node.options:
                self.fields[f"p{option.pk}"] = _points_field(option.points)
            if node.is_leaf and not node.options:
                for row in range(1, ADD_ROWS + 1):
                    prefix = f"a{criterion.pk}_{row}"
                    self.fields[f"{prefix}_text"] = forms.CharField(
                        required=False,
                        max_length=500,
                        widget=forms.TextInput(
                            attrs={
                                "class": "form-control form-control-sm",
                                "placeholder": _("Nội dung phương án"),
                            }
                        ),
                    )
                    self.fields[f"{prefix}_points"] = _points_field(None)
                    self.fields[f"{prefix}_stars"] = forms.ChoiceField(
                        required=False,
                        choices=star_choices,
                        widget=forms.Select(
                            attrs={"class": "form-select form-select-sm"}
                        ),
                    )

    def clean(self):
        cleaned = super().clean()
        changes = []
        for node in self.nodes:
            changes.extend(self._criterion_changes(node, cleaned))
        if not changes and not self.errors:
            raise forms.ValidationError(_("Chưa có thay đổi nào."))
        self.changes = changes
        if changes and not self.errors and self.sheet and self.sheet.is_valid:
            self._refuse_failing(changes)
        return cleaned

    def _refuse_failing(self, changes):
        """A sheet that passes its checks stays so: say which checks would fail."""
        try:
            problems = correction_problems(self.sheet, changes)
        except ValidationError as error:
            self.add_error(None, error)
            return
        if not problems:
            return
        self.add_error(None, failing_correction_refusal(self.sheet))
        fields = {node.criterion.code: f"m{node.criterion.pk}" for node in self.nodes}
        for problem in problems:
            if problem["criterion"] in fields:
                self.add_error(fields[problem["criterion"]], problem["message"])
            self.add_error(None, problem_line(problem))

    def _criterion_changes(self, node, cleaned):
        criterion = node.criterion
        code = criterion.code
        changes = []
        maximum = f"m{criterion.pk}"
        if maximum in cleaned:
            new = cleaned[maximum]
            if new is None and criterion.max_points is not None:
                self.add_error(maximum, _("Không để trống điểm tối đa."))
            elif new != criterion.max_points:
                changes.append({"criterion": code, "max_points": new})
        for option in node.options:
            name = f"p{option.pk}"
            if name not in cleaned:
                continue
            new = cleaned[name]
            if new is None and option.points is not None:
                self.add_error(name, _("Không xoá được điểm đã có; hãy ghi số điểm."))
            elif new is not None and new != option.points:
                changes.append(
                    {"criterion": code, "option": option.order, "points": new}
                )
        if node.is_leaf and not node.options:
            changes.extend(self._added_options(criterion, cleaned))

        reason = " ".join((cleaned.get(f"r{criterion.pk}") or "").split())
        # A reason refused (too long) is said so already, not as a missing one.
        if changes and not reason and f"r{criterion.pk}" not in self.errors:
            self.add_error(
                f"r{criterion.pk}",
                _("Cần ghi lý do cho thay đổi ở tiêu chí %(code)s.") % {"code": code},
            )
        return [{**change, "reason": reason} for change in changes]

    def _added_options(self, criterion, cleaned):
        added = []
        for row in range(1, ADD_ROWS + 1):
            prefix = f"a{criterion.pk}_{row}"
            text = " ".join((cleaned.get(f"{prefix}_text") or "").split())
            points = cleaned.get(f"{prefix}_points")
            stars = cleaned.get(f"{prefix}_stars")
            if not text and points is None:
                continue
            if not text:
                self.add_error(f"{prefix}_text", _("Cần ghi nội dung phương án."))
                continue
            if points is None:
                self.add_error(f"{prefix}_points", _("Cần ghi điểm của phương án."))
                continue
            added.append(
                {
                    "criterion": criterion.code,
                    "add_option": {
                        "text": text,
                        "points": points,
                        "min_for_stars": int(stars) if stars else None,
                    },
                }
            )
        return added


def proposal_initial(nodes, changes):
    """The correction form's initial values for proposed ``changes`` (the known
    corrections), so that an administrator reviews them before saving."""
    by_code = {node.criterion.code: node for node in nodes}
    initial = {}
    rows = {}
    for change in changes:
        node = by_code.get(change["criterion"])
        if node is None:
            continue
        pk = node.criterion.pk
        reasons = initial.get(f"r{pk}", "")
        if change["reason"] not in reasons:
            initial[f"r{pk}"] = f"{reasons} {change['reason']}".strip()
        if "option" in change:
            for option in node.options:
                if option.order == change["option"]:
                    initial[f"p{option.pk}"] = change["points"]
        elif "max_points" in change:
            initial[f"m{pk}"] = change["max_points"]
        elif "add_option" in change and not node.options:
            rows[pk] = rows.get(pk, 0) + 1
            if rows[pk] > ADD_ROWS:
                continue
            prefix = f"a{pk}_{rows[pk]}"
            added = change["add_option"]
            initial[f"{prefix}_text"] = added["text"]
            initial[f"{prefix}_points"] = added["points"]
            initial[f"{prefix}_stars"] = added.get("min_for_stars") or ""
    return initial
