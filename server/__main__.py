"""Operations from the command line.

python -m server migrate                      # Heroku release phase
python -m server check-config                 # say what is wrong with the configuration
python -m server link-agent --org 00D… --user 005… --cxone-user 12345 [--no-transfer]
python -m server link-agents links.csv   # org,user,cxone_user[,can_transfer] per line
python -m server writes [--failed]        # Salesforce writes waiting or refused
python -m server writes --retry ID… | --retry --all-failed
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from server.canvas.ids import InvalidSalesforceId, to_18
from server.db import Database, upgrade
from server.settings import ConfigError, load_settings

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("check-config", help="validate the configuration and exit")
    link = commands.add_parser("link-agent", help="say which CXone user a Salesforce user works as")
    link.add_argument("--org", required=True, help="Salesforce org id (15 or 18 characters)")
    link.add_argument("--user", required=True, help="Salesforce user id (15 or 18 characters)")
    link.add_argument("--cxone-user", required=True, type=int, help="the CXone user id (a number)")
    link.add_argument("--no-transfer", action="store_true", help="this agent may not transfer")
    bulk = commands.add_parser("link-agents", help="link-agent for every row of a CSV file")
    bulk.add_argument("csv", type=Path, help="org,user,cxone_user[,can_transfer] per line")
    writes = commands.add_parser("writes", help="Salesforce writes waiting or failed")
    writes.add_argument("--failed", action="store_true", help="only those Salesforce refused")
    writes.add_argument("--retry", nargs="*", metavar="ID", help="send failed writes again")
    writes.add_argument("--all-failed", action="store_true", help="with --retry: every failed one")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(instance_path=INSTANCE)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check-config":
        print(f"configuration is valid ({settings.env} mode)")
        return 0
    upgrade(settings.database_url)
    if args.command == "migrate":
        print("database schema is up to date")
        return 0
    if args.command == "writes":
        return _writes(settings.database_url, args)
    if args.command == "link-agents":
        rows = _read_links(args.csv)
    else:
        rows = [(args.org, args.user, args.cxone_user, not args.no_transfer)]
    try:
        links = [(to_18(org), to_18(user), cxone, transfer) for org, user, cxone, transfer in rows]
    except InvalidSalesforceId as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from server.digital.models import AgentLink

    db = Database(settings.database_url)
    with db.transaction() as session:  # all or nothing
        for org_id, user_id, cxone_user, can_transfer in links:
            # One Salesforce user per CXone user: a new link replaces the old holder's.
            for stale in session.query(AgentLink).filter(AgentLink.cxone_user_id == cxone_user):
                session.delete(stale)
            session.flush()
            session.merge(
                AgentLink(
                    org_id=org_id,
                    user_id=user_id,
                    cxone_user_id=cxone_user,
                    can_transfer=can_transfer,
                )
            )
    db.dispose()
    for org_id, user_id, cxone_user, _ in links[:20]:
        print(f"linked Salesforce user {user_id} ({org_id}) to CXone user {cxone_user}")
    if len(links) > 20:
        print(f"… {len(links)} links in all")
    return 0


def _writes(database_url: str, args: argparse.Namespace) -> int:
    from server.salesforce import outbox

    db = Database(database_url)
    try:
        if args.retry is not None:
            if not args.retry and not args.all_failed:
                print("error: name the writes to retry, or pass --all-failed", file=sys.stderr)
                return 2
            count = outbox.retry(db, None if args.all_failed else args.retry)
            print(f"{count} failed write(s) will be sent again")
            return 0
        states = ("failed",) if args.failed else ("pending", "failed")
        found = outbox.unsettled(db, states=states)
        for write in found:
            record = write["record"]
            print(
                f"{write['id']}  {write['state']:<8} {record['type']}/{record['external_id']}"
                f"  attempts={write['attempts']}  {write['last_error'] or ''}"
            )
        print(f"{len(found)} write(s)")
        return 0
    finally:
        db.dispose()


def _read_links(path: Path) -> list[tuple[str, str, int, bool]]:
    """org,user,cxone_user[,can_transfer] per line; a first line whose cxone_user is not a
    number is a header.

    Raises: SystemExit naming the line when a row is malformed (nothing is written then)."""
    rows = []
    with path.open(newline="") as source:
        for number, row in enumerate(csv.reader(source), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or (number == 1 and len(cells) > 2 and not cells[2].isdigit()):
                continue
            if len(cells) < 3 or not cells[2].isdigit():
                raise SystemExit(f"{path}:{number}: expected org,user,cxone_user[,can_transfer]")
            transfer = len(cells) < 4 or cells[3].lower() not in ("false", "no", "0")
            rows.append((cells[0], cells[1], int(cells[2]), transfer))
    return rows


if __name__ == "__main__":
    sys.exit(main())
