"""The state machine of a submitted form (DOMAIN.md §6).

Every form an owner submits (a period's progress, a monitoring form, a self-evaluation)
moves through the same states:

    action        by                         from                 to
    submit        owner/reviewer (own dept)  草稿 draft, 已退回     已提交 submitted
    withdraw      owner/reviewer (own dept)  已提交 submitted       草稿 draft
    dept_approve  reviewer (own dept)        已提交 submitted       部门已审核 dept_approved
    dept_return   reviewer (own dept)        已提交 submitted       已退回 returned   (comment)
    approve       finance                    部门已审核             已审定 approved
    return        finance                    部门已审核             已退回 returned   (comment)
    reopen        finance                    已审定 approved        已退回 returned   (reason)

Decisions taken where DOMAIN.md is silent:

- ``withdraw``: the department (owner or reviewer) may take a submitted form back to draft
  as long as the department reviewer has not acted on it yet. Once it is 部门已审核 only the
  finance bureau can send it back. Whether only the very person who submitted may withdraw
  is left to the service (it knows the submitter); the rule here is per role.
- ``reopen`` takes an approved form to 已退回 (not to 草稿): the finance bureau's reason is shown
  like a return comment and the form is editable again, then goes through the full review.
- a reviewer may approve a form they submitted themselves (small county departments often
  have one person in both roles); the history records who did what.
- finance acts on every department, so ``same_department`` is ignored for finance.
  ``admin`` never takes part in review.
- a comment (reason) is required for ``dept_return``, ``return`` and ``reopen``; whitespace
  alone does not count. Other actions accept an optional comment.
- only 草稿 and 已退回 are editable: a form under review is frozen so that what the reviewer
  approves is what was submitted; 已审定 is locked.

``next_state`` checks, in this order: known state/action/role, the state the action starts
from, the role, the department, the comment — so the message names the first thing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain import DomainError
from tracker.domain.vocab import (
    ACTION_LABELS,
    EDITABLE_STATES,
    ROLE_LABELS,
    STATE_LABELS,
    Action,
    Role,
    State,
)

# States, actions and roles live in tracker.domain.vocab; these names are kept as aliases.
STATES = DRAFT, SUBMITTED, DEPT_APPROVED, APPROVED, RETURNED = tuple(State)
ACTIONS = SUBMIT, WITHDRAW, DEPT_APPROVE, DEPT_RETURN, APPROVE, RETURN, REOPEN = tuple(Action)
ROLES = OWNER, REVIEWER, FINANCE, ADMIN = tuple(Role)


class WorkflowError(DomainError):
    """A transition the workflow does not allow; the message says why in Chinese."""


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: frozenset[str]
    to_state: str
    roles: frozenset[str]
    # True when the actor must belong to the form's department (ignored for finance).
    own_department: bool
    comment_required: bool


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            SUBMIT,
            frozenset({DRAFT, RETURNED}),
            SUBMITTED,
            frozenset({OWNER, REVIEWER}),
            True,
            False,
        ),
        Transition(
            WITHDRAW,
            frozenset({SUBMITTED}),
            DRAFT,
            frozenset({OWNER, REVIEWER}),
            True,
            False,
        ),
        Transition(
            DEPT_APPROVE,
            frozenset({SUBMITTED}),
            DEPT_APPROVED,
            frozenset({REVIEWER}),
            True,
            False,
        ),
        Transition(
            DEPT_RETURN,
            frozenset({SUBMITTED}),
            RETURNED,
            frozenset({REVIEWER}),
            True,
            True,
        ),
        Transition(
            APPROVE,
            frozenset({DEPT_APPROVED}),
            APPROVED,
            frozenset({FINANCE}),
            False,
            False,
        ),
        Transition(
            RETURN,
            frozenset({DEPT_APPROVED}),
            RETURNED,
            frozenset({FINANCE}),
            False,
            True,
        ),
        Transition(REOPEN, frozenset({APPROVED}), RETURNED, frozenset({FINANCE}), False, True),
    )
}


def _quote_labels(codes, labels) -> str:
    return "、".join(f"“{labels[c]}”" for c in sorted(codes, key=list(labels).index))


def next_state(
    state: str,
    action: str,
    *,
    role: str,
    same_department: bool,
    comment: str | None = None,
) -> str:
    """The state after ``action``, or WorkflowError saying why the action is not allowed."""
    if state not in STATE_LABELS:
        raise WorkflowError(f"未知的表单状态“{state}”")
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(f"未知的操作“{action}”")
    if role not in ROLE_LABELS:
        raise WorkflowError(f"未知的角色“{role}”")

    action_label = ACTION_LABELS[action]
    if state not in transition.from_states:
        raise WorkflowError(
            f"表单当前为“{STATE_LABELS[state]}”状态，不能“{action_label}”"
            f"（只有{_quote_labels(transition.from_states, STATE_LABELS)}状态的表单可以"
            f"“{action_label}”）"
        )
    if role not in transition.roles:
        raise WorkflowError(
            f"“{ROLE_LABELS[role]}”无权“{action_label}”此表单"
            f"（只有{_quote_labels(transition.roles, ROLE_LABELS)}可以操作）"
        )
    if transition.own_department and role != FINANCE and not same_department:
        raise WorkflowError(f"不能“{action_label}”其他部门的表单")
    if transition.comment_required and not (comment and comment.strip()):
        reason = "重新打开的原因" if action == REOPEN else "退回意见"
        raise WorkflowError(f"“{action_label}”必须填写{reason}")
    return transition.to_state


def allowed_actions(state: str, role: str, same_department: bool) -> list[str]:
    """Actions the user may take on a form in ``state`` (in ACTIONS order), for the UI.

    The comment is not considered: the UI asks for it when the action needs one.
    """
    allowed: list[str] = []
    for action in ACTIONS:
        try:
            next_state(state, action, role=role, same_department=same_department, comment="-")
        except WorkflowError:
            continue
        allowed.append(action)
    return allowed


def comment_required(action: str) -> bool:
    """True when the action needs a comment (return, reopen)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(f"未知的操作“{action}”")
    return transition.comment_required


def is_editable(state: str) -> bool:
    """Draft and returned forms can be edited; a form under review or approved cannot."""
    if state not in STATE_LABELS:
        raise WorkflowError(f"未知的表单状态“{state}”")
    return state in EDITABLE_STATES


def is_locked(state: str) -> bool:
    """An approved form is locked: only finance's reopen changes it."""
    if state not in STATE_LABELS:
        raise WorkflowError(f"未知的表单状态“{state}”")
    return state == APPROVED
