"""A case counts as changed when anything on it changes: docket systems poll `updated_at__gte`."""

from cases import party_services
from cases.models import Case
from parties.models import Role
from tests.conftest import World


def test_adding_and_ending_a_participant_marks_the_case_changed(world: World) -> None:
    """Docket systems poll with updated_at__gte: a change of parties must show up there."""
    clerk = world.user(Role.COURT_STAFF)
    before = Case.objects.get(pk=world.case.pk).updated_at
    participant = party_services.participant_add(
        case=world.case, by=clerk, role=Role.DUTY_LAWYER, user=world.strangers[Role.DUTY_LAWYER]
    )
    after_add = Case.objects.get(pk=world.case.pk).updated_at
    assert after_add > before
    party_services.participant_end(participant=participant, by=clerk)
    assert Case.objects.get(pk=world.case.pk).updated_at > after_add
