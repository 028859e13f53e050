"""Core commands: demo, groups, members."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path
from typing import Any

from app.cli.common import open_db, print_json
from app.errors import ConsultoryError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo",
        help="build the demo practice in its own, clearly marked data directory",
        description=(
            "Build a realistic synthetic practice (groups, 30+ members, years of sessions, "
            "attendance and de-identified notes) in a separate demo data directory. Open it "
            "with 'consultory --demo'."
        ),
    )
    demo.add_argument("--years", type=int, default=3, help="years of history (default 3)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--force", action="store_true", help="replace an existing demo directory")
    demo.set_defaults(func=_demo)

    groups = sub.add_parser("groups", help="list or add consultation/supervision groups")
    gsub = groups.add_subparsers(dest="groups_command", metavar="ACTION", required=True)
    gl = gsub.add_parser("list", help="list groups")
    gl.add_argument("--json", action="store_true", help="print JSON")
    gl.add_argument("--archived", action="store_true", help="include archived groups")
    gl.set_defaults(func=_groups_list)
    ga = gsub.add_parser("add", help="add a group")
    ga.add_argument("name")
    ga.add_argument(
        "--kind",
        default="peer_consultation",
        choices=["peer_consultation", "group_supervision", "individual_supervision"],
    )
    ga.add_argument("--description", default="")
    ga.set_defaults(func=_groups_add)

    members = sub.add_parser("members", help="list or add members")
    msub = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    ml = msub.add_parser("list", help="list members")
    ml.add_argument("--json", action="store_true", help="print JSON")
    ml.add_argument("--group", metavar="NAME", help="only members of this group")
    ml.add_argument("--archived", action="store_true", help="include archived members")
    ml.set_defaults(func=_members_list)
    ma = msub.add_parser("add", help="add a member")
    ma.add_argument("name")
    ma.add_argument("--credential", default="")
    ma.add_argument("--email", default="")
    ma.add_argument("--timezone", default="UTC", help="IANA zone, e.g. America/New_York")
    ma.add_argument("--group", metavar="NAME", help="add to this group")
    ma.add_argument("--role", default="peer", help="role in --group (default peer)")
    ma.set_defaults(func=_members_add)
    mleave = msub.add_parser("leave", help="record a member's leave (absent from rotations)")
    mleave.add_argument("name")
    mleave.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    mleave.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    mleave.add_argument("--note", default="")
    mleave.set_defaults(func=_members_leave)


def _plain(obj: Any) -> dict[str, Any]:
    d = dataclasses.asdict(obj)
    for k, v in d.items():
        if isinstance(v, tuple):
            d[k] = list(v)
    return d


def _demo(args: argparse.Namespace) -> int:
    from app.demo import build_demo
    from app.paths import default_demo_dir, is_demo_dir

    if not 1 <= args.years <= 30:
        raise ConsultoryError("--years must be between 1 and 30.")
    target = Path(args.data_dir) if args.data_dir else default_demo_dir()
    if target.exists() and any(target.iterdir()):
        if not is_demo_dir(target):
            raise ConsultoryError(
                f"{target} holds data that is not a demo practice; refusing to touch it."
            )
        if not args.force:
            print(f"A demo practice already exists in {target} (use --force to rebuild it).")
            return 0
        shutil.rmtree(target)
    stats = build_demo(target, years=args.years, seed=args.seed)
    print(
        f"Demo practice built in {target}: {stats.groups} groups, {stats.members} members, "
        f"{stats.occurrences} past sessions, {stats.attendance} attendance records, "
        f"{stats.notes} notes. Open it with: consultory --demo"
    )
    return 0


def _groups_list(args: argparse.Namespace) -> int:
    from app.services import practice

    db = open_db(args)
    groups = practice.list_groups(db, include_archived=args.archived)
    if args.json:
        print_json([_plain(g) for g in groups])
    elif not groups:
        print("No groups yet. Add one with: consultory groups add NAME")
    else:
        for g in groups:
            flag = " (archived)" if g.archived else ""
            print(f"{g.name}{flag}\t{g.kind.label}\t{g.member_count} members")
    return 0


def _groups_add(args: argparse.Namespace) -> int:
    from app.services import practice

    g = practice.create_group(open_db(args), args.name, args.kind, args.description)
    print(f"Added group #{g.id}: {g.name}")
    return 0


def _members_list(args: argparse.Namespace) -> int:
    from app.services import practice

    db = open_db(args)
    gid = practice.find_group(db, args.group).id if args.group else None
    members = practice.list_members(db, include_archived=args.archived, group_id=gid)
    if args.json:
        print_json([_plain(m) for m in members])
    elif not members:
        print("No members yet. Add one with: consultory members add NAME")
    else:
        for m in members:
            me = " (me)" if m.is_me else ""
            print(f"{m.display_name}{me}\t{m.credential}\t{m.timezone}\t{', '.join(m.group_names)}")
    return 0


def _members_add(args: argparse.Namespace) -> int:
    from app.services import practice

    db = open_db(args)
    group = practice.find_group(db, args.group) if args.group else None
    m = practice.create_member(
        db, args.name, credential=args.credential, email=args.email, timezone=args.timezone
    )
    if group is not None:
        practice.set_role(db, group.id, m.id, args.role)
    print(f"Added member #{m.id}: {m.display_name}")
    return 0


def _members_leave(args: argparse.Namespace) -> int:
    from app.cli.common import parse_date
    from app.services import practice

    start = parse_date(args.start, "from")
    end = parse_date(args.end, "to")
    db = open_db(args)
    m = practice.find_member(db, args.name)
    practice.add_leave(db, m.id, start, end, args.note)
    print(f"Leave recorded for {m.display_name}: {start} to {end}")
    return 0
