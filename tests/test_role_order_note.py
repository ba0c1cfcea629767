"""Catalogue Conventions, roles: a pack that uses both group manager and service manager
states that their order is an assumption (review of Kent and A&I, issue 10, item 10)."""

import pytest

from assess_rules import load_policy


@pytest.mark.parametrize("name", ["kent", "assessment_intervention"])
def test_pack_states_the_group_and_service_manager_order_as_an_assumption(name: str) -> None:
    policy = load_policy(name)
    ids = [role.id for role in policy.roles]
    assert ids.index("group_manager") < ids.index("service_manager")
    note = policy.calendar_settings.note or ""
    assert "group manager" in note
    assert "service manager" in note
    assert "assumption" in note
