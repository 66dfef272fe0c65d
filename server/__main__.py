"""Operations from the command line.

python -m server migrate                      # Heroku release phase
python -m server check-config                 # say what is wrong with the configuration
python -m server link-agent --org 00D… --user 005… --cxone-user 12345 [--no-transfer]
"""

from __future__ import annotations

import argparse
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
    try:
        org_id, user_id = to_18(args.org), to_18(args.user)
    except InvalidSalesforceId as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from server.digital.models import AgentLink

    db = Database(settings.database_url)
    with db.transaction() as session:
        for stale in session.query(AgentLink).filter(AgentLink.cxone_user_id == args.cxone_user):
            session.delete(stale)
        session.flush()
        session.merge(
            AgentLink(
                org_id=org_id,
                user_id=user_id,
                cxone_user_id=args.cxone_user,
                can_transfer=not args.no_transfer,
            )
        )
    db.dispose()
    print(f"linked Salesforce user {user_id} ({org_id}) to CXone user {args.cxone_user}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
