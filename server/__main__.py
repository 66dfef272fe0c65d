"""`python -m server migrate` (Heroku release phase) and `python -m server check-config`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.db import upgrade
from server.settings import ConfigError, load_settings

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server")
    parser.add_argument("command", choices=["migrate", "check-config"])
    args = parser.parse_args(argv)
    try:
        settings = load_settings(instance_path=INSTANCE)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        upgrade(settings.database_url)
        print("database schema is up to date")
    else:
        print(f"configuration is valid ({settings.env} mode)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
