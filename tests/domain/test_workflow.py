"""The form workflow (DOMAIN.md §6), tested over the full cross product of
state × action × role × department × comment."""

from __future__ import annotations

import itertools

import pytest

from tracker.domain import DomainError
from tracker.domain.workflow import (
    ACTION_LABELS,
    ACTIONS,
    ROLE_LABELS,
    ROLES,
    STATE_LABELS,
    STATES,
    WorkflowError,
    allowed_actions,
    comment_required,
    is_editable,
    is_locked,
    next_state,
)

# Written out by hand, independently of workflow.TRANSITIONS:
# (state, action, role, same_department) → the new state. Everything else is forbidden.
ALLOWED = {
    # submit: owner or reviewer of the department, from draft or returned
    ("draft", "submit", "owner", True): "submitted",
    ("draft", "submit", "reviewer", True): "submitted",
    ("returned", "submit", "owner", True): "submitted",
    ("returned", "submit", "reviewer", True): "submitted",
    # withdraw: the department takes back a form the reviewer has not acted on yet
    ("submitted", "withdraw", "owner", True): "draft",
    ("submitted", "withdraw", "reviewer", True): "draft",
    # the department reviewer
    ("submitted", "dept_approve", "reviewer", True): "dept_approved",
    ("submitted", "dept_return", "reviewer", True): "returned",
    # the finance bureau, for every department
    ("dept_approved", "approve", "finance", True): "approved",
    ("dept_approved", "approve", "finance", False): "approved",
    ("dept_approved", "return", "finance", True): "returned",
    ("dept_approved", "return", "finance", False): "returned",
    ("approved", "reopen", "finance", True): "returned",
    ("approved", "reopen", "finance", False): "returned",
}
NEEDS_COMMENT = {"dept_return", "return", "reopen"}

COMBINATIONS = list(itertools.product(STATES, ACTIONS, ROLES, (True, False)))


def test_vocabulary():
    assert STATES == ("draft", "submitted", "dept_approved", "approved", "returned")
    assert [STATE_LABELS[s] for s in STATES] == [
        "草稿",
        "已提交",
        "部门已审核",
        "已审定",
        "已退回",
    ]
    assert set(ACTIONS) == {
        "submit",
        "withdraw",
        "dept_approve",
        "dept_return",
        "approve",
        "return",
        "reopen",
    }
    assert set(ACTION_LABELS) == set(ACTIONS)
    assert ROLES == ("owner", "reviewer", "finance", "admin")
    assert set(ROLE_LABELS) == set(ROLES)


def test_table_covers_the_cross_product():
    assert len(COMBINATIONS) == 5 * 7 * 4 * 2
    assert set(ALLOWED) <= set(COMBINATIONS)


@pytest.mark.parametrize(("state", "action", "role", "same_department"), COMBINATIONS)
def test_every_combination_with_comment(state, action, role, same_department):
    key = (state, action, role, same_department)
    if key in ALLOWED:
        assert (
            next_state(
                state,
                action,
                role=role,
                same_department=same_department,
                comment="请补充佐证材料",
            )
            == ALLOWED[key]
        )
    else:
        with pytest.raises(WorkflowError) as excinfo:
            next_state(
                state,
                action,
                role=role,
                same_department=same_department,
                comment="请补充佐证材料",
            )
        assert isinstance(excinfo.value, DomainError)
        assert excinfo.value.args[0]  # a message, in Chinese
        assert ACTION_LABELS[action] in str(excinfo.value)


@pytest.mark.parametrize("comment", [None, "", "   "])
@pytest.mark.parametrize(("state", "action", "role", "same_department"), COMBINATIONS)
def test_every_combination_without_comment(state, action, role, same_department, comment):
    key = (state, action, role, same_department)
    if key in ALLOWED and action not in NEEDS_COMMENT:
        assert (
            next_state(
                state,
                action,
                role=role,
                same_department=same_department,
                comment=comment,
            )
            == ALLOWED[key]
        )
    else:
        with pytest.raises(WorkflowError):
            next_state(
                state,
                action,
                role=role,
                same_department=same_department,
                comment=comment,
            )


@pytest.mark.parametrize(
    ("state", "role", "same_department"),
    list(itertools.product(STATES, ROLES, (True, False))),
)
def test_allowed_actions_matches_the_table(state, role, same_department):
    expected = [a for a in ACTIONS if (state, a, role, same_department) in ALLOWED]
    assert allowed_actions(state, role, same_department) == expected


@pytest.mark.parametrize(
    ("state", "action", "role", "same_department", "comment", "message"),
    [
        # wrong state
        (
            "approved",
            "submit",
            "owner",
            True,
            None,
            "表单当前为“已审定”状态，不能“提交”",
        ),
        (
            "submitted",
            "submit",
            "owner",
            True,
            None,
            "只有“草稿”、“已退回”状态的表单可以“提交”",
        ),
        ("dept_approved", "withdraw", "owner", True, None, "不能“撤回”"),
        (
            "draft",
            "approve",
            "finance",
            False,
            None,
            "只有“部门已审核”状态的表单可以“审定”",
        ),
        (
            "returned",
            "reopen",
            "finance",
            False,
            "理由",
            "只有“已审定”状态的表单可以“重新打开”",
        ),
        # wrong role
        ("draft", "submit", "finance", True, None, "“财政局绩效科”无权“提交”此表单"),
        (
            "draft",
            "submit",
            "admin",
            True,
            None,
            "只有“项目填报人”、“部门审核人”可以操作",
        ),
        (
            "submitted",
            "dept_approve",
            "owner",
            True,
            None,
            "“项目填报人”无权“部门审核通过”此表单",
        ),
        (
            "submitted",
            "dept_approve",
            "finance",
            False,
            None,
            "只有“部门审核人”可以操作",
        ),
        (
            "dept_approved",
            "approve",
            "reviewer",
            True,
            None,
            "只有“财政局绩效科”可以操作",
        ),
        (
            "approved",
            "reopen",
            "admin",
            False,
            "理由",
            "“系统管理员”无权“重新打开”此表单",
        ),
        # other department
        ("draft", "submit", "owner", False, None, "不能“提交”其他部门的表单"),
        (
            "submitted",
            "dept_approve",
            "reviewer",
            False,
            None,
            "不能“部门审核通过”其他部门的表单",
        ),
        (
            "submitted",
            "dept_return",
            "reviewer",
            False,
            "请修改",
            "不能“部门退回”其他部门的表单",
        ),
        # missing comment
        (
            "submitted",
            "dept_return",
            "reviewer",
            True,
            None,
            "“部门退回”必须填写退回意见",
        ),
        ("dept_approved", "return", "finance", False, " ", "“退回”必须填写退回意见"),
        (
            "approved",
            "reopen",
            "finance",
            False,
            "",
            "“重新打开”必须填写重新打开的原因",
        ),
    ],
)
def test_messages_say_what_is_wrong(state, action, role, same_department, comment, message):
    with pytest.raises(WorkflowError, match=message):
        next_state(state, action, role=role, same_department=same_department, comment=comment)


@pytest.mark.parametrize(
    ("state", "action", "role", "message"),
    [
        ("closed", "submit", "owner", "未知的表单状态“closed”"),
        ("draft", "delete", "owner", "未知的操作“delete”"),
        ("draft", "submit", "guest", "未知的角色“guest”"),
    ],
)
def test_unknown_values_are_rejected(state, action, role, message):
    with pytest.raises(WorkflowError, match=message):
        next_state(state, action, role=role, same_department=True, comment="x")


@pytest.mark.parametrize(
    ("state", "editable", "locked"),
    [
        ("draft", True, False),
        ("returned", True, False),
        ("submitted", False, False),
        ("dept_approved", False, False),
        ("approved", False, True),
    ],
)
def test_editable_and_locked(state, editable, locked):
    assert is_editable(state) is editable
    assert is_locked(state) is locked


@pytest.mark.parametrize("func", [is_editable, is_locked])
def test_state_checks_reject_unknown_state(func):
    with pytest.raises(WorkflowError):
        func("archived")


@pytest.mark.parametrize(("action", "required"), [(a, a in NEEDS_COMMENT) for a in ACTIONS])
def test_comment_required(action, required):
    assert comment_required(action) is required


def test_comment_required_unknown_action():
    with pytest.raises(WorkflowError):
        comment_required("delete")


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        # the happy path
        (
            [("submit", "owner"), ("dept_approve", "reviewer"), ("approve", "finance")],
            "approved",
        ),
        # returned by the department, corrected, resubmitted
        (
            [
                ("submit", "owner"),
                ("dept_return", "reviewer"),
                ("submit", "owner"),
                ("dept_approve", "reviewer"),
                ("approve", "finance"),
            ],
            "approved",
        ),
        # returned by finance goes back through the department reviewer
        (
            [
                ("submit", "owner"),
                ("dept_approve", "reviewer"),
                ("return", "finance"),
                ("submit", "owner"),
            ],
            "submitted",
        ),
        # reopened after approval
        (
            [
                ("submit", "reviewer"),
                ("dept_approve", "reviewer"),
                ("approve", "finance"),
                ("reopen", "finance"),
            ],
            "returned",
        ),
        # withdrawn before review
        (
            [("submit", "owner"), ("withdraw", "owner"), ("submit", "owner")],
            "submitted",
        ),
    ],
)
def test_paths(steps, final):
    state = "draft"
    for action, role in steps:
        state = next_state(state, action, role=role, same_department=role != "finance", comment="意见")
    assert state == final
