"""One sentence per kind of audit entry, as the history of a dossier or a council
reads it."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "evaluation.dossier.created": _("Lập hồ sơ"),
    "evaluation.dossier.self_assessed": _("Lưu phiếu tự đánh giá"),
    "evaluation.dossier.evidence_added": _("Thêm minh chứng"),
    "evaluation.dossier.evidence_removed": _("Xoá minh chứng"),
    "evaluation.dossier.samples_received": _("Ghi nhận mẫu sản phẩm"),
    "evaluation.dossier.submitted": _("Nộp hồ sơ lên xã"),
    "evaluation.dossier.returned": _("Trả lại hồ sơ để bổ sung"),
    "evaluation.dossier.resubmitted": _("Nộp lại hồ sơ"),
    "evaluation.dossier.assessed": _("Xã ghi đánh giá hồ sơ"),
    "evaluation.dossier.sent_up": _("Gửi hồ sơ lên cấp trên"),
    "evaluation.dossier.added_to_round": _("Đưa vào đợt đánh giá"),
    "evaluation.dossier.referred": _("Chuyển lên cấp trên"),
    "evaluation.dossier.certified": _("Được công nhận"),
    "evaluation.dossier.ended": _("Kết thúc, không được công nhận"),
    "evaluation.evaluation.prechecked": _("Tổ tư vấn báo cáo kiểm tra hồ sơ"),
    "evaluation.evaluation.rejected": _("Hồ sơ bị loại, không chấm điểm"),
    "evaluation.council.created": _("Thành lập hội đồng"),
    "evaluation.council.member_added": _("Thêm thành viên hội đồng"),
    "evaluation.council.member_removed": _("Xoá thành viên khỏi hội đồng"),
    "evaluation.council.role_changed": _("Đổi vai trò trong hội đồng"),
    "evaluation.council.decision_recorded": _("Ghi quyết định thành lập hội đồng"),
    "evaluation.conflict.declared": _("Thành viên khai xung đột lợi ích"),
    "evaluation.score.submitted": _("Thành viên nộp phiếu chấm"),
    "evaluation.score.corrected": _("Chủ tịch hiệu chỉnh phiếu chấm"),
    "evaluation.result.computed": _("Tính kết quả của hội đồng"),
    "evaluation.ministry_result.recorded": _("Ghi nhận kết quả của Bộ"),
    "evaluation.certificate.issued": _("Cấp giấy chứng nhận"),
    "evaluation.certificate.revoked": _("Thu hồi giấy chứng nhận"),
    "evaluation.certificate.expired": _("Giấy chứng nhận hết hiệu lực"),
    "evaluation.certificate.recorded": _(
        "Ghi nhận giấy chứng nhận cấp trước khi có phần mềm"
    ),
    "evaluation.dossier.follows_linked": _("Gắn hồ sơ với giấy chứng nhận trước"),
    "evaluation.dossier.changes_recorded": _("Ghi thay đổi từ lần đánh giá trước"),
    "evaluation.sheet.loaded": _("Nạp phiếu chấm từ tệp tiêu chí"),
    "evaluation.sheet.corrected": _("Hiệu chỉnh phiếu chấm thành phiên bản mới"),
    "registry.product.product_set_confirmed": _("Xác nhận bộ sản phẩm"),
    "evaluation.programme_year.opened": _("Mở năm chương trình"),
    "evaluation.programme_year.dossiers_opened": _(
        "Mở hồ sơ cho các đăng ký của năm chương trình"
    ),
    "evaluation.dossier.sheet_changed": _(
        "Chuyển sang phiếu chấm của bộ sản phẩm đã xác nhận"
    ),
    "evaluation.dossier.self_assessment_cleared": _(
        "Đổi bộ sản phẩm: xoá phiếu tự đánh giá trên phiếu cũ, chuyển sang phiếu "
        "chấm của bộ mới"
    ),
}


def sentence(action):
    """The Vietnamese sentence of an audit action, or the action itself."""
    return SENTENCES.get(action, action)
