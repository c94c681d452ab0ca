"""The demo data that `make run` loads: every role can log in and has something to look at."""

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from cases.models import Case, CaseStatus, Court
from cases.selectors import cases_visible_to
from demo.data import DEMO_LOGINS, DEMO_PASSWORD
from parties.models import CaseParticipant, Role
from tests import factories
from tests.conftest import SharedRows


def _seed() -> bool:
    # A transactional test's flush may have taken the rows the migrations seed.
    factories.jurisdiction("us-fed")
    factories.jurisdiction("cn")
    factories.deadline_rules()
    call_command("seed_demo", "--force")
    return True


SHARED_DEMO = SharedRows("demo", _seed)


@pytest.fixture
def _shared_demo(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> bool | None:
    """Seeding takes about 20 s: once a module, each test in a savepoint (tests/conftest.py)."""
    return SHARED_DEMO.for_test(request, django_db_blocker)


@pytest.fixture
def demo(_shared_demo: bool | None, db: Any) -> None:
    if _shared_demo is None:
        _seed()


# Tests without the shared demo first: the demo is then seeded once (tests/conftest.py).


def test_seed_refuses_without_debug(db: Any) -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Case.objects.exists()


@pytest.fixture
def fresh_demo(db: Any) -> None:
    """Seeded in the test's own transaction: its documents go to this test's storage."""
    _seed()


def test_demo_has_a_record_behind_every_wall(fresh_demo: None, document_storage: Any) -> None:
    """Notes behind each wall, stored documents, and discovery disclosed before the offers,
    which record it; the seed's writes are in the history as the command's."""
    from audit.models import AuditEvent
    from negotiations.models import Offer
    from records.models import Disclosure, Document, Note

    case = Case.objects.order_by("id").first()
    assert case is not None
    assert set(Note.objects.filter(case=case).values_list("visibility", flat=True)) == {
        "prosecution",
        "defense",
        "shared",
        "court",
    }
    for document in Document.objects.all():
        assert (document_storage / document.storage_name).read_bytes()[:4] in (
            b"%PDF",
            b"Witn",
            "证人".encode()[:4],
        )
    assert Disclosure.objects.filter(case=case).count() == 2
    first = Offer.objects.filter(case=case, sent_at__isnull=False).order_by("sent_at").first()
    assert first is not None and first.discovery_items_disclosed == 2
    seeded = AuditEvent.objects.filter(kind="note.created", case_id=case.pk)
    assert seeded.exists() and {e.via for e in seeded} == {"command"}


def test_demo_has_one_court_per_profile_and_about_twenty_cases(demo: None) -> None:
    assert sorted(Court.objects.values_list("jurisdiction__code", flat=True)) == ["cn", "us-fed"]
    assert 18 <= Case.objects.count() <= 25
    assert {"intake", "negotiating", "agreement", "plea_entered", "trial"} <= set(
        Case.objects.values_list("status", flat=True)
    )
    assert all(case.charges.exists() for case in Case.objects.all())
    assert all(c.closed_on for c in Case.objects.filter(status=CaseStatus.CLOSED))


def test_demo_us_court_sits_in_dc_and_counts_its_holidays(demo: None) -> None:
    """Fed. R. Crim. P. 45(a)(6)(C): the holidays of the state (here the District) where the
    court sits are legal holidays. D.C. Emancipation Day, Thursday 16 April 2026 (D.C. Code
    § 1-612.02), is not a court day of the demo's D.C. court."""
    from deadlines.computation import calendar_for_court

    court = Court.objects.select_related("jurisdiction").get(jurisdiction__code="us-fed")
    assert court.subdivision == "DC"
    assert not calendar_for_court(court).is_court_day(dt.date(2026, 4, 16))


def test_demo_has_a_user_for_every_role_who_can_log_in_and_see_cases(
    demo: None, client: Any
) -> None:
    kinds = set(User.objects.values_list("profile__role_kind", flat=True))
    assert set(Role.values) <= kinds
    for login in DEMO_LOGINS:
        assert client.login(username=login.username, password=DEMO_PASSWORD), login
        user = User.objects.get(username=login.username)
        if not user.is_superuser:
            assert cases_visible_to(user).exists(), login


def test_demo_defendant_sees_only_their_own_cases(demo: None) -> None:
    user = User.objects.get(username="defendant")
    own = set(CaseParticipant.objects.filter(defendant__user=user).values_list("case", flat=True))
    assert own
    assert set(cases_visible_to(user).values_list("pk", flat=True)) == own


def test_second_seed_changes_nothing(demo: None) -> None:
    before = (Case.objects.count(), User.objects.count(), CaseParticipant.objects.count())
    call_command("seed_demo", "--force")
    assert (Case.objects.count(), User.objects.count(), CaseParticipant.objects.count()) == before


def test_demo_negotiations_match_the_case_statuses(demo: None) -> None:
    from negotiations.models import AgreementStatus, Offer, OfferStatus, PleaAgreement

    # Every negotiating case has a live offer; the defendant's own case has three rounds.
    for case in Case.objects.filter(status=CaseStatus.NEGOTIATING):
        assert case.offers.filter(status=OfferStatus.SENT).count() == 1, case
    own = Case.objects.get(docket_number="1:26-cr-00101")
    assert own.offers.exclude(status=OfferStatus.DRAFT).count() == 5  # 3 rounds: P, D, P, D, P
    # Agreements: signed and submitted to the court for cases in agreement (a case moves to
    # "agreement" only when the court has it), accepted once the plea is entered.
    for case in Case.objects.filter(status=CaseStatus.AGREEMENT):
        assert case.agreements.get().status == AgreementStatus.SUBMITTED, case
    entered = PleaAgreement.objects.filter(status=AgreementStatus.COURT_ACCEPTED)
    assert entered.count() >= 3
    assert all(len(a.pdf_sha256) == 64 for a in PleaAgreement.objects.all())
    assert (
        Offer.objects.filter(status=OfferStatus.ACCEPTED).count() == PleaAgreement.objects.count()
    )


def test_demo_has_court_dates_for_every_open_case(demo: None) -> None:
    from deadlines.models import Alert, CourtClosure, Deadline, Hearing

    open_cases = Case.objects.filter(
        status__in=["intake", "negotiating", "agreement", "plea_entered", "trial"]
    )
    assert set(Hearing.objects.values_list("case", flat=True)) == set(
        open_cases.values_list("pk", flat=True)
    )
    assert CourtClosure.objects.count() == 2
    assert Deadline.objects.filter(rule__isnull=False).exists()
    assert Deadline.objects.filter(kind="discovery_due").exists()
    # Everyone on those cases is reminded before the dates.
    assert Alert.objects.filter(status="pending", hearing__isnull=False).exists()


def test_cn_demo_is_in_chinese_with_no_us_rule(demo: None) -> None:
    """The issue's demo: the CN courts, cases, statutes, offers, notes and deadlines in Chinese,
    and no US rule name (no "Rule 16") on a Chinese case."""
    from deadlines.models import CourtClosure, Courtroom, Deadline
    from negotiations.models import Offer
    from records.models import Disclosure, Document, Note

    chinese = re.compile(r"[\u4e00-\u9fff]")
    latin_word = re.compile(r"[A-Za-z]{3,}")
    court = Court.objects.get(jurisdiction__code="cn")
    cases = Case.objects.filter(court=court)
    texts = [court.name, court.organization.name if court.organization else ""]
    texts += [room.name for room in Courtroom.objects.filter(court=court)]
    texts += [c.reason for c in CourtClosure.objects.filter(court=court)]
    texts += [c.caption for c in cases]
    texts += [s.title for s in court.jurisdiction.statutes.all()]
    texts += [n.body for n in Note.objects.filter(case__in=cases)]
    texts += [d.title for d in Document.objects.filter(case__in=cases)]
    texts += [d.description for d in Disclosure.objects.filter(case__in=cases)]
    texts += [o.rationale for o in Offer.objects.filter(case__in=cases)]
    texts += [d.title for d in Deadline.objects.filter(case__in=cases)]
    texts += [d.citation for d in Deadline.objects.filter(case__in=cases) if d.citation]

    assert cases.count() >= 6
    assert all(chinese.search(text) for text in texts), [t for t in texts if not chinese.search(t)]
    assert [t for t in texts if latin_word.search(t)] == []
    assert not Deadline.objects.filter(case__in=cases, title__icontains="Rule").exists()
