"""Hour categories, and the rule that turns (group kind, role) into one."""

from __future__ import annotations

import enum

from app.store.models import GroupKind, Role


class Category(enum.StrEnum):
    INDIVIDUAL_SUPERVISION = "individual_supervision"
    GROUP_SUPERVISION = "group_supervision"
    PEER_CONSULTATION = "peer_consultation"
    PROVIDING_SUPERVISION = "providing_supervision"
    DIRECT_CLIENT_CONTACT = "direct_client_contact"
    INDIRECT_WORK = "indirect_work"
    OTHER_SUPERVISION = "other_supervision"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.INDIVIDUAL_SUPERVISION: "Individual supervision",
    Category.GROUP_SUPERVISION: "Group supervision",
    Category.PEER_CONSULTATION: "Peer consultation",
    Category.PROVIDING_SUPERVISION: "Providing supervision",
    Category.DIRECT_CLIENT_CONTACT: "Direct client contact",
    Category.INDIRECT_WORK: "Indirect work",
    Category.OTHER_SUPERVISION: "Other supervision",
}

#: categories a person logs by hand (everything else comes from attendance)
MANUAL_CATEGORIES: tuple[Category, ...] = (
    Category.DIRECT_CLIENT_CONTACT,
    Category.INDIRECT_WORK,
    Category.OTHER_SUPERVISION,
)

#: a stable display order (charts, reports)
ORDER: tuple[Category, ...] = tuple(Category)

#: fixed colours per category (charts, PDF); readable on light and dark backgrounds
CATEGORY_COLORS: dict[Category, str] = {
    Category.INDIVIDUAL_SUPERVISION: "#3b82f6",
    Category.GROUP_SUPERVISION: "#10b981",
    Category.PEER_CONSULTATION: "#f59e0b",
    Category.PROVIDING_SUPERVISION: "#8b5cf6",
    Category.DIRECT_CLIENT_CONTACT: "#ef4444",
    Category.INDIRECT_WORK: "#14b8a6",
    Category.OTHER_SUPERVISION: "#ec4899",
}


def category_for(kind: GroupKind | str, role: Role | str | None) -> Category:
    """The category of hours a member earns by attending a session of a group.

    - the supervisor of a supervision group *provides* supervision;
    - everyone else in an individual/group supervision receives that kind of supervision;
    - every role in a peer consultation group earns peer consultation, supervisors included
      (they are peers there).

    ``role`` is None when the member is no longer in the group: they are counted as
    receiving (a former supervisee keeps their supervision hours).
    """
    kind = GroupKind(kind)
    r = Role(role) if role is not None else None
    if kind is GroupKind.PEER_CONSULTATION:
        return Category.PEER_CONSULTATION
    if r is Role.SUPERVISOR:
        return Category.PROVIDING_SUPERVISION
    if kind is GroupKind.INDIVIDUAL_SUPERVISION:
        return Category.INDIVIDUAL_SUPERVISION
    return Category.GROUP_SUPERVISION


def parse_category(value: str) -> Category | None:
    try:
        return Category(value)
    except ValueError:
        return None
