"""Catalogue Conventions, roles: a pack that uses both group manager and service manager
states that their order is an assumption (review of Kent and A&I, issue 10, item 10), in
the roles note its page shows."""

import pytest

from assess_rules import bundled_policies, load_policy
from assess_rules.reporting import pack_markdown


@pytest.mark.parametrize("name", bundled_policies())
def test_pack_states_the_group_and_service_manager_order_as_an_assumption(name: str) -> None:
    policy = load_policy(name)
    ids = [role.id for role in policy.roles]
    if not {"group_manager", "service_manager"} <= set(ids):
        pytest.skip("the pack does not use both roles")
    assert ids.index("group_manager") < ids.index("service_manager")
    note = " ".join((policy.roles_note or "").split())
    assert "group manager below service manager" in note
    assert "assumption" in note
    assert note[:60] in " ".join(pack_markdown(policy).split())
