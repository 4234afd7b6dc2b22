"""A correction's reason has a sane length, at the field and in the service, and a
long one wraps where it shows."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.models import MemberScore, ScoreCorrection
from evaluation.sheets import sheet_spec
from tests.evaluation_builders import Meeting
from tests.test_evaluation_views import as_post, second_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(lai_chau):
    """A meeting whose member has submitted a sheet, and the lower sheet the chair
    corrects it to."""
    meeting = Meeting()
    member = meeting.scorers()[2]
    score = services.submit_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)
    )
    lower = second_options(meeting.evaluation, low_parts=("C",))
    return meeting, score, lower


def test_chair_correction_with_a_reason_over_1000_characters_is_refused(
    client, submitted
):
    meeting, score, lower = submitted
    spec = sheet_spec(meeting.evaluation.sheet)
    url = reverse("evaluation:score-correct", args=[score.pk])
    client.force_login(meeting.chair)
    page = client.get(url).content.decode()

    response = client.post(url, as_post(lower, spec, reason="Nhầm phần C. " * 185))

    assert re.search(r'<textarea [^>]*name="reason"[^>]* maxlength="1000"', page)
    assert response.status_code == 200
    assert re.findall(
        r'<div class="alert alert-danger" id="scoring-errors"><ul class="mb-0">'
        r"<li>(.*?)</li>",
        response.content.decode(),
    ) == ["Lý do chỉ được dài tối đa 1000 ký tự (đang có 2404); hãy ghi ngắn gọn."]
    assert ScoreCorrection.objects.count() == 0
    assert MemberScore.objects.get(pk=score.pk).total == 71


def test_correct_member_score_refuses_a_reason_over_1000_characters(submitted):
    meeting, score, lower = submitted

    with pytest.raises(ValidationError) as error:
        services.correct_member_score(score, meeting.chair, lower, reason="x" * 1001)

    assert error.value.message_dict == {
        "reason": [
            "Lý do chỉ được dài tối đa 1000 ký tự (đang có 1001); hãy ghi ngắn gọn."
        ]
    }


def test_long_correction_reason_wraps_on_the_round_page(client, submitted):
    meeting, score, lower = submitted
    reason = "Nhầm" * 250
    services.correct_member_score(score, meeting.chair, lower, reason=reason)
    # The chair sees the members' sheets once their own is in.
    services.submit_member_score(meeting.evaluation, meeting.chair, lower)
    client.force_login(meeting.chair)

    response = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert re.findall(
        r'<div class="score-correction small text-muted text-break">.*?'
        r'<span class="fst-italic correction-reason">Lý do: (\w+)</span>',
        content,
        re.S,
    ) == [reason]
