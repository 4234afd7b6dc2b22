"""The product samples are received by the tier that scores the dossier, once the
commune has sent it up and until its council starts scoring; the commune does not
record them, and a dossier not yet sent up has none to record."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.models import Dossier
from registry.enums import Role
from tests.evaluation_builders import (
    Meeting,
    binh_lu_officer,
    draft_dossier,
)
from tests.factories import UserFactory
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

SAMPLES = {"samples_received": "6", "samples_received_on": "2023-05-02"}


@pytest.fixture
def meeting(lai_chau):
    """Submitted on 03/04/2023, in Tam Đường's open round, not scored yet."""
    return Meeting()


def post_samples(client, user, dossier, data=SAMPLES):
    client.force_login(user)
    return client.post(reverse("evaluation:dossier-samples", args=[dossier.pk]), data)


def samples(dossier):
    dossier = Dossier.objects.get(pk=dossier.pk)
    return dossier.samples_received, dossier.samples_received_on


def page(client, user, dossier):
    client.force_login(user)
    return client.get(reverse("evaluation:dossier-detail", args=[dossier.pk]))


def test_district_officer_records_samples_before_the_council_scores(client, meeting):
    response = post_samples(client, meeting.officer, meeting.dossier)

    assert response.status_code == 302
    assert samples(meeting.dossier) == (6, date(2023, 5, 2))


def test_samples_cannot_change_once_a_member_started_scoring(client, meeting):
    member = meeting.scorers()[1]
    services.save_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)[:3]
    )

    response = post_samples(client, meeting.officer, meeting.dossier)
    shown = page(client, meeting.officer, meeting.dossier)

    assert [str(m) for m in shown.context["messages"]] == [
        "Hội đồng đã bắt đầu chấm điểm hồ sơ nên không ghi nhận mẫu được nữa; hãy "
        "xem lại hồ sơ."
    ]
    assert response.status_code == 302
    assert samples(meeting.dossier) == (0, None)
    assert 'id="samples-form"' not in shown.content.decode()
    with pytest.raises(ValidationError) as error:
        services.record_samples(
            meeting.dossier, meeting.officer, count=6, received_on=date(2023, 5, 2)
        )
    assert error.value.messages == [
        "Hội đồng đã bắt đầu chấm điểm hồ sơ: số mẫu và ngày nhận mẫu không đổi "
        "được nữa."
    ]


def test_samples_cannot_change_once_the_round_is_closed(client, meeting):
    for member in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, member, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, meeting.chair)

    response = post_samples(client, meeting.officer, meeting.dossier)

    assert response.status_code == 302
    assert samples(meeting.dossier) == (0, None)


def test_commune_officer_does_not_record_samples(client, meeting):
    response = post_samples(client, binh_lu_officer(), meeting.dossier)
    shown = page(client, binh_lu_officer(), meeting.dossier)

    assert response.status_code == 403
    assert samples(meeting.dossier) == (0, None)
    assert 'id="samples-form"' not in shown.content.decode()


def test_province_staff_leave_a_district_councils_samples_to_the_district(
    client, meeting
):
    staff = UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)

    response = post_samples(client, staff, meeting.dossier)

    assert response.status_code == 403
    assert samples(meeting.dossier) == (0, None)


def test_no_samples_before_the_dossier_is_sent_up(client, meeting):
    draft = draft_dossier(meeting.officer)

    response = post_samples(
        client,
        meeting.officer,
        draft,
        {"samples_received": "100", "samples_received_on": "2023-01-01"},
    )
    shown = page(client, meeting.officer, draft)

    assert response.status_code == 403
    assert samples(draft) == (0, None)
    assert 'id="samples-form"' not in shown.content.decode()
    with pytest.raises(ValidationError):
        services.record_samples(
            draft, meeting.officer, count=5, received_on=date(2023, 5, 2)
        )
    assert samples(draft) == (0, None)


def test_district_page_offers_the_samples_form_while_they_may_change(client, meeting):
    shown = page(client, meeting.officer, meeting.dossier)

    assert 'id="samples-form"' in shown.content.decode()


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (
            date(2023, 4, 2),
            "Ngày nhận mẫu không được trước ngày nộp hồ sơ (03/04/2023).",
        ),
        (date(2023, 4, 3), None),
    ],
)
def test_samples_are_not_received_before_the_dossier_was_submitted(meeting, day, error):
    if error:
        with pytest.raises(ValidationError) as refused:
            services.record_samples(
                meeting.dossier, meeting.officer, count=5, received_on=day
            )
        assert refused.value.message_dict == {"samples_received_on": [error]}
        assert samples(meeting.dossier) == (0, None)
    else:
        services.record_samples(
            meeting.dossier, meeting.officer, count=5, received_on=day
        )
        assert samples(meeting.dossier) == (5, day)
