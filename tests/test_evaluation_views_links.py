"""Every link a page shows leads somewhere the person may go.

A season of 2023 is played through once (a district round closed, one product
certified by the district and one referred to an open province round), then each
role opens the evaluation pages it reaches from the menu and follows every link on
them: each must answer 200, never a 404 or a 403.
"""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole, DossierState
from evaluation.models import Council, CouncilMembership
from registry.enums import Role
from tests.evaluation_builders import Meeting, waiting_dossier
from tests.factories import TAM_DUONG, UserFactory, commune, district, province
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and not href.startswith(("#", "mailto:", "tel:")):
            self.hrefs.append(href)


def links_on(html, page_url):
    parser = Links()
    parser.feed(html)
    return [urljoin(page_url, href) for href in parser.hrefs]


class Season:
    """Tam Đường's 2023 season, half way through.

    - ``referred``: a Bình Lư product, 71 points at the district, referred and now
      in the province's open round;
    - ``certified``: a Thị trấn Tam Đường product, 57 points, certified 3 stars by
      the district;
    - the district council (``meeting.council``) has closed its round; its chair
      also sits on the province council, its other members do not.
    """

    def __init__(self):
        self.meeting = meeting = Meeting()
        officer = meeting.officer
        self.referred = meeting.dossier
        self.certified = waiting_dossier(
            officer,
            name="Du lịch sinh thái thác Tác Tình",
            commune_name="Thị trấn Tam Đường",
        )
        second = services.add_to_round(meeting.round, self.certified, officer)
        services.record_precheck(second, meeting.chair, "Đủ hồ sơ.")
        high = second_options(meeting.evaluation)
        low = second_options(second, low_parts=("C",))
        for member in meeting.scorers():
            services.submit_member_score(meeting.evaluation, member, high)
            services.submit_member_score(second, member, low)
        services.close_round(meeting.round, meeting.chair)
        services.refer_round(meeting.round, officer)
        services.certify(
            meeting.round,
            officer,
            decision_number="45/QĐ-UBND",
            decision_date=date(2023, 7, 10),
        )
        self.staff = UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)
        self.province_council = Council.objects.create(
            tier=meeting.programme.rulebook.tiers.get(order=3),
            province=province(),
            year=2023,
            name="Hội đồng OCOP tỉnh Lai Châu năm 2023",
        )
        province_chair = UserFactory(username="chutich.tinh", role=Role.COUNCIL_MEMBER)
        for user, role in [
            (province_chair, CouncilRole.CHAIR),
            (meeting.chair, CouncilRole.MEMBER),
        ]:
            CouncilMembership.objects.create(
                council=self.province_council, user=user, role=role
            )
        self.province_round = services.open_round(
            self.province_council.tier,
            self.staff,
            council=self.province_council,
            year=2023,
            name="Đợt tháng 7 năm 2023 – cấp tỉnh",
            closes_on=date(2023, 7, 31),
        )
        self.province_evaluation = services.add_to_round(
            self.province_round, self.referred, self.staff
        )
        self.commune_officer = UserFactory(
            username="xa.binhlu",
            role=Role.COMMUNE_OFFICER,
            district=district(TAM_DUONG),
            commune=commune("Xã Bình Lư", TAM_DUONG),
        )

    def users(self):
        chair, _vice, member = self.meeting.scorers()
        advisor = self.meeting.council.memberships.get(role=CouncilRole.ADVISOR).user
        return {
            "province staff": self.staff,
            "district officer": self.meeting.officer,
            "commune officer": self.commune_officer,
            "district chair, province member": chair,
            "district member": member,
            "district advisor": advisor,
        }


@pytest.fixture
def season(lai_chau):
    return Season()


def key_pages(client, user):
    """The evaluation pages a user reaches: the lists, and every dossier, round and
    council they show, the scoring pages of the user's open rounds and the product
    pages' history."""
    lists = [
        reverse("evaluation:dossier-list"),
        reverse("evaluation:round-list"),
        reverse("evaluation:council-list"),
        reverse("evaluation:certificate-list"),
    ]
    pages = list(lists)
    for url in lists:
        response = client.get(url)
        assert response.status_code == 200, url
        for name in ("dossiers", "rounds", "councils"):
            for obj in response.context.get(name) or []:
                pages.append(reverse(f"evaluation:{name[:-1]}-detail", args=[obj.pk]))
    for url in list(pages):
        if "/ho-so/" in url and url.rstrip("/").split("/")[-1].isdigit():
            product = client.get(url).context["product"]
            pages.append(reverse("registry:product-detail", args=[product.pk]))
        if "/dot/" in url and url.rstrip("/").split("/")[-1].isdigit():
            response = client.get(url)
            if (
                response.context["is_scoring_member"]
                and response.context["round"].is_open
            ):
                pages.extend(
                    reverse("evaluation:evaluation-score", args=[e.pk])
                    for e in response.context["evaluations"]
                    if not e.my_conflict
                )
    return pages


def broken_links(client, pages):
    broken = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for url in links_on(response.content.decode(), page):
            parts = urlsplit(url)
            if parts.netloc and parts.netloc != "testserver":
                continue
            target = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
            if target.status_code != 200:
                broken.append((page, url, target.status_code))
            if target.streaming:
                # Reading a download to its end closes its file the way the test
                # client expects; response.close() would also close the database
                # connection of the test's transaction.
                b"".join(target.streaming_content)
    return broken


@pytest.mark.parametrize(
    "role",
    [
        "province staff",
        "district officer",
        "commune officer",
        "district chair, province member",
        "district member",
        "district advisor",
    ],
)
def test_every_link_on_the_evaluation_pages_opens_for_the_user(client, season, role):
    user = season.users()[role]
    client.force_login(user)

    pages = key_pages(client, user)
    broken = broken_links(client, pages)

    assert broken == []
    assert len(pages) > 4


def test_the_season_shows_each_role_the_objects_it_should(client, season):
    """The set-up the link test relies on: the dossiers and rounds each role sees."""
    season.referred.refresh_from_db()
    season.certified.refresh_from_db()
    seen = {}
    for role, user in season.users().items():
        client.force_login(user)
        dossiers = client.get(reverse("evaluation:dossier-list")).context["dossiers"]
        rounds = client.get(reverse("evaluation:round-list")).context["rounds"]
        seen[role] = (len(dossiers), len(rounds))

    assert season.referred.state == DossierState.IN_EVALUATION
    assert season.certified.state == DossierState.CERTIFIED
    assert seen == {
        "province staff": (2, 2),
        "district officer": (2, 1),
        "commune officer": (1, 0),
        "district chair, province member": (1, 2),
        "district member": (0, 1),
        "district advisor": (0, 1),
    }


def test_a_round_the_commune_cannot_open_is_named_without_a_link(client, season):
    client.force_login(season.commune_officer)

    page = client.get(reverse("evaluation:dossier-detail", args=[season.referred.pk]))

    content = page.content.decode()
    assert season.province_round.name in content
    assert reverse("evaluation:round-detail", args=[season.province_round.pk]) not in (
        content
    )


def test_a_certified_product_outside_the_commune_is_named_without_a_link(
    client, season
):
    product = season.certified.registration.product
    client.force_login(season.commune_officer)

    page = client.get(reverse("evaluation:certificate-list"))

    content = page.content.decode()
    assert product.name in content
    assert reverse("registry:product-detail", args=[product.pk]) not in content
    assert client.get(
        reverse("registry:product-detail", args=[product.pk])
    ).status_code == (404)


def test_a_closed_rounds_products_are_named_without_links_for_its_members(
    client, season
):
    _chair, _vice, member = season.meeting.scorers()
    client.force_login(member)

    page = client.get(
        reverse("evaluation:round-detail", args=[season.meeting.round.pk])
    )

    content = page.content.decode()
    for dossier in (season.referred, season.certified):
        assert dossier.registration.product.name in content
        assert reverse("evaluation:dossier-detail", args=[dossier.pk]) not in content
