"""The scoring sheets: the list by edition, a sheet as printed with its versions, the
import of a criteria file, and the correction of a sheet.

Anyone signed in reads the sheets (``evaluation.view_sheets``); only administrators
import and correct them (``evaluation.manage_sheets``). An upload waits for its commit
in the file storage, under a name that holds its uploader, so that the preview and
the commit read the same file and no one else's.
"""

import json
import logging
import re
import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, FormView, ListView, View
from rules.contrib.views import PermissionRequiredMixin

from ..corrections import proposed_changes
from ..models import Rulebook, ScoringSheet
from ..sheet_file import CriteriaFileRefused, read_criteria_file
from ..sheet_forms import (
    ADD_ROWS,
    CriteriaFileForm,
    SheetCorrectionForm,
    proposal_initial,
)
from ..sheets import (
    correct_sheet,
    import_scoring_sheets,
    is_new_edition,
    new_edition_message,
    preview_digest,
    preview_scoring_sheets,
    scored_version,
    version_history,
)
from .common import apply_to_form, report_refusal
from .sheet import sheet_parts

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "sheet-imports"
UPLOAD_KEPT = timedelta(days=1)
TOKEN = re.compile(r"^[0-9a-f]{32}$")
VALIDITY = {"valid": True, "invalid": False}


class SheetViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous visitors go to the login page; a role without the permission
    gets a 403."""

    permission_required = "evaluation.view_sheets"


class SheetManageMixin(SheetViewMixin):
    permission_required = "evaluation.manage_sheets"


def rulebooks_by_edition():
    """``{edition: [rulebook, ...]}``: which rulebooks score on which sheets."""
    editions = {}
    for rulebook in Rulebook.objects.order_by("valid_from"):
        editions.setdefault(rulebook.sheet_edition, []).append(rulebook)
    return editions


class ScoringSheetList(SheetViewMixin, ListView):
    """The newest version of every product set's sheet, by edition, with its checks,
    the version councils score on and the rulebooks that score on it (three
    queries); ``versions=all`` lists the older versions too. The filter on the
    checks reads the newest version, and says so when it finds none but older
    versions would match (one query more)."""

    template_name = "evaluation/sheet_list.html"
    context_object_name = "sheets"

    def get_queryset(self):
        same_set = ScoringSheet.objects.filter(
            product_set_id=OuterRef("product_set_id"), edition=OuterRef("edition")
        )
        versions = (
            same_set.values("product_set_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        newest = same_set.order_by("-version").values("version")[:1]
        scored = (
            same_set.filter(is_valid=True).order_by("-version").values("version")[:1]
        )
        sheets = (
            ScoringSheet.objects.select_related("product_set")
            .annotate(
                version_count=Subquery(versions),
                newest_version=Subquery(newest),
                scored_version=Subquery(scored),
            )
            .order_by("edition", "product_set__number", "-version")
        )
        if not self.is_all_versions:
            sheets = sheets.filter(superseded_by__isnull=True)
        get = self.request.GET
        if get.get("edition"):
            sheets = sheets.filter(edition=get["edition"])
        if get.get("validity") in VALIDITY:
            sheets = sheets.filter(is_valid=VALIDITY[get["validity"]])
        return sheets

    @property
    def is_all_versions(self):
        return self.request.GET.get("versions") == "all"

    def _older_matching(self):
        """How many superseded versions the checks' filter would show, with the
        query that shows them."""
        get = self.request.GET
        older = ScoringSheet.objects.filter(
            superseded_by__isnull=False, is_valid=VALIDITY[get["validity"]]
        )
        if get.get("edition"):
            older = older.filter(edition=get["edition"])
        query = {key: get[key] for key in ("edition", "validity") if get.get(key)}
        return older.count(), urlencode({**query, "versions": "all"})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rulebooks = rulebooks_by_edition()
        editions = {}
        for sheet in context["sheets"]:
            editions.setdefault(sheet.edition, []).append(sheet)
        chosen = self.request.GET.get("edition", "")
        validity = self.request.GET.get("validity", "")
        older, all_versions_query = 0, ""
        if validity in VALIDITY and not self.is_all_versions and not editions:
            older, all_versions_query = self._older_matching()
        if not validity:
            # An edition a rulebook scores on, with no sheet loaded, is worth saying.
            for edition in rulebooks:
                if not chosen or edition == chosen:
                    editions.setdefault(edition, [])
        context.update(
            editions=[
                {
                    "edition": edition,
                    "sheets": sheets,
                    "rulebooks": rulebooks.get(edition, []),
                    "invalid": sum(1 for s in sheets if not s.is_valid),
                }
                for edition, sheets in sorted(editions.items())
            ],
            validity=validity if validity in VALIDITY else "",
            is_all_versions=self.is_all_versions,
            older_matching=older,
            all_versions_query=all_versions_query,
            edition_choices=sorted(
                set(ScoringSheet.objects.values_list("edition", flat=True).distinct())
                | set(rulebooks)
            ),
            can_manage=self.request.user.has_perm("evaluation.manage_sheets"),
        )
        return context


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _best(node):
    """The most a criterion can score, as ``sheets.check_sheet`` counts it."""
    if node.is_leaf:
        return max((o.points or 0 for o in node.options), default=0)
    bests = [_best(child) for child in node.children]
    return max(bests) if node.criterion.choose_one else sum(bests)


def printed_sheet(sheet):
    """The sheet's parts as the detail and correction pages show them: each node
    carries its problems, each part what its best options add up to."""
    parts = sheet_parts(sheet)
    problems = {}
    for problem in sheet.problems:
        problems.setdefault(problem["criterion"], []).append(problem["message"])
    nodes = []
    for part in parts:
        part["best"] = sum(_best(group) for group in part["groups"])
        part["adds_up"] = part["best"] == part["maximum"]
        for node in _walk(part["groups"]):
            node.problems = problems.get(node.criterion.code, [])
            nodes.append(node)
    return parts, nodes, problems.get("", [])


class ScoringSheetDetail(SheetViewMixin, DetailView):
    """One version of a sheet as printed, its checks and all its versions."""

    template_name = "evaluation/sheet_detail.html"
    context_object_name = "sheet"

    def get_queryset(self):
        return ScoringSheet.objects.select_related("product_set", "corrected_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sheet = self.object
        parts, _nodes, general = printed_sheet(sheet)
        history = version_history(sheet)
        newest = history[-1]
        context.update(
            parts=parts,
            general_problems=general,
            history=history,
            newest=newest,
            is_newest=newest.pk == sheet.pk,
            scored=scored_version(history),
            rulebooks=rulebooks_by_edition().get(sheet.edition, []),
            can_manage=self.request.user.has_perm("evaluation.manage_sheets"),
        )
        return context


# -- importing ---------------------------------------------------------------------


def _upload_name(user, token):
    return f"{UPLOAD_FOLDER}/{user.pk}-{token}.json"


def _forget_old_uploads():
    """Uploads never committed are dropped after a day."""
    try:
        _folders, names = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - UPLOAD_KEPT
    for name in names:
        path = f"{UPLOAD_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except OSError:
            logger.exception("Could not drop the old sheet upload %s", path)


def _read_upload(user, token):
    """The criteria file an administrator uploaded, or None if it is gone."""
    if not TOKEN.match(token):
        raise Http404
    name = _upload_name(user, token)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        envelope = json.loads(stored.read().decode("utf-8"))
    return read_criteria_file(
        envelope["content"].encode("utf-8"),
        name=envelope["name"],
        edition=envelope["edition"],
    )


class ScoringSheetImport(SheetManageMixin, FormView):
    """Upload a criteria file; its structure is checked before the preview."""

    template_name = "evaluation/sheet_import.html"
    form_class = CriteriaFileForm

    def form_valid(self, form):
        _forget_old_uploads()
        criteria_file = form.cleaned_data["criteria_file"]
        token = secrets.token_hex(16)
        envelope = {
            "name": criteria_file.name,
            "edition": form.cleaned_data.get("edition") or "",
            "content": form.cleaned_data["content"].decode("utf-8-sig"),
        }
        default_storage.save(
            _upload_name(self.request.user, token),
            ContentFile(json.dumps(envelope, ensure_ascii=False).encode("utf-8")),
        )
        logger.info(
            "Criteria file %s uploaded by %s for preview",
            criteria_file.name,
            self.request.user.username,
        )
        return redirect("evaluation:sheet-import-preview", token=token)


class ScoringSheetImportPreview(SheetManageMixin, View):
    """What the import would do to each sheet; a POST writes it, all or none."""

    template_name = "evaluation/sheet_import_preview.html"

    def get(self, request, token):
        criteria_file = self._criteria_file(request, token)
        if criteria_file is None:
            return redirect("evaluation:sheet-import")
        previews = preview_scoring_sheets(criteria_file)
        written = [p for p in previews if p.is_written]
        return TemplateResponse(
            request,
            self.template_name,
            {
                "criteria_file": criteria_file,
                "previews": previews,
                "digest": preview_digest(previews),
                "token": token,
                "counts": {
                    "new": sum(1 for p in previews if p.status == "new"),
                    "changed": sum(1 for p in previews if p.status == "changed"),
                    "unchanged": len(previews) - len(written),
                    "invalid": sum(1 for p in written if not p.is_valid),
                },
                "has_writes": bool(written),
                "rulebooks": rulebooks_by_edition().get(criteria_file.edition, []),
                "new_edition": (
                    new_edition_message(criteria_file.edition)
                    if is_new_edition(criteria_file)
                    else ""
                ),
            },
        )

    def post(self, request, token):
        criteria_file = self._criteria_file(request, token)
        if criteria_file is None:
            return redirect("evaluation:sheet-import")
        try:
            summary = import_scoring_sheets(
                criteria_file,
                actor=request.user,
                digest=request.POST.get("digest"),
                is_new_edition_ok=request.POST.get("new_edition") == "1",
            )
        except ValidationError as error:
            report_refusal(request, error)
            return redirect("evaluation:sheet-import-preview", token=token)
        default_storage.delete(_upload_name(request.user, token))
        if summary["created"]:
            messages.success(
                request,
                _(
                    "Đã nhập ấn bản %(edition)s từ tệp %(name)s: %(created)s phiếu mới "
                    "hoặc phiên bản mới, %(unchanged)s phiếu không đổi, %(invalid)s "
                    "phiếu không đạt kiểm tra."
                )
                % {
                    "edition": summary["edition"],
                    "name": criteria_file.name,
                    "created": len(summary["created"]),
                    "unchanged": len(summary["unchanged"]),
                    "invalid": len(summary["invalid"]),
                },
            )
        else:
            messages.info(
                request,
                _("Tệp đọc giống hệt các phiếu đã lưu; không có gì thay đổi."),
            )
        query = urlencode({"edition": summary["edition"]})
        return redirect(f"{reverse('evaluation:sheet-list')}?{query}")

    def _criteria_file(self, request, token):
        try:
            criteria_file = _read_upload(request.user, token)
        except CriteriaFileRefused as refusal:
            # Checked at upload; only a changed rule of reading lands here.
            for message in refusal.messages:
                messages.error(request, message)
            return None
        if criteria_file is None:
            messages.warning(
                request,
                _(
                    "Bản xem trước không còn (đã ghi hoặc quá một ngày); hãy tải "
                    "tệp lên lại."
                ),
            )
        return criteria_file


# -- correcting --------------------------------------------------------------------


class ScoringSheetCorrect(SheetManageMixin, View):
    """Correct the newest version of a sheet: points, maxima, missing options, each
    criterion changed with its reason; saving records a new version."""

    template_name = "evaluation/sheet_correct.html"

    def get(self, request, pk):
        sheet = self._sheet(request, pk)
        if sheet is None:
            return redirect("evaluation:sheet-detail", pk=pk)
        parts, nodes, general = printed_sheet(sheet)
        proposals = proposed_changes(sheet)
        initial = {}
        if proposals and request.GET.get("proposed"):
            initial = proposal_initial(nodes, proposals)
        form = SheetCorrectionForm(nodes, initial=initial, sheet=sheet)
        return self._render(request, sheet, form, parts, nodes, general, proposals)

    def post(self, request, pk):
        sheet = self._sheet(request, pk)
        if sheet is None:
            return redirect("evaluation:sheet-detail", pk=pk)
        parts, nodes, general = printed_sheet(sheet)
        form = SheetCorrectionForm(nodes, request.POST, sheet=sheet)
        if form.is_valid():
            try:
                corrected = correct_sheet(sheet, request.user, "", form.changes)
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                self._report(request, corrected)
                return redirect("evaluation:sheet-detail", pk=corrected.pk)
        proposals = proposed_changes(sheet)
        return self._render(
            request, sheet, form, parts, nodes, general, proposals, status=400
        )

    def _sheet(self, request, pk):
        sheet = get_object_or_404(
            ScoringSheet.objects.select_related("product_set", "corrected_by"), pk=pk
        )
        if ScoringSheet.objects.filter(supersedes=sheet).exists():
            messages.error(
                request,
                _(
                    "Phiếu này đã có phiên bản mới hơn; hãy hiệu chỉnh phiên bản mới "
                    "nhất."
                ),
            )
            return None
        return sheet

    def _report(self, request, corrected):
        if corrected.is_valid:
            messages.success(
                request,
                _(
                    "Đã ghi phiên bản %(version)s. Phiếu đạt kiểm tra và dùng được "
                    "để chấm điểm."
                )
                % {"version": corrected.version},
            )
        else:
            messages.warning(
                request,
                ngettext(
                    "Đã ghi phiên bản %(version)s. Phiếu còn %(count)s lỗi nên chưa "
                    "chấm được.",
                    "Đã ghi phiên bản %(version)s. Phiếu còn %(count)s lỗi nên chưa "
                    "chấm được.",
                    len(corrected.problems),
                )
                % {"version": corrected.version, "count": len(corrected.problems)},
            )

    def _render(
        self, request, sheet, form, parts, nodes, general, proposals, status=200
    ):
        for node in nodes:
            pk = node.criterion.pk
            node.max_field = form[f"m{pk}"]
            node.reason_field = form[f"r{pk}"]
            for option in node.options:
                option.field = form[f"p{option.pk}"]
            node.add_rows = []
            if node.is_leaf and not node.options:
                node.add_rows = [
                    (
                        form[f"a{pk}_{row}_text"],
                        form[f"a{pk}_{row}_points"],
                        form[f"a{pk}_{row}_stars"],
                    )
                    for row in range(1, ADD_ROWS + 1)
                ]
        return TemplateResponse(
            request,
            self.template_name,
            {
                "sheet": sheet,
                "form": form,
                "parts": parts,
                "general_problems": general,
                "has_proposals": bool(proposals),
                "rulebooks": rulebooks_by_edition().get(sheet.edition, []),
            },
            status=status,
        )
