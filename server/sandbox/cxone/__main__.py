"""The CXone sandbox from the command line.

python -m server.sandbox.cxone serve [--port 8101] [--db instance/cxone-sandbox.db]
python -m server.sandbox.cxone customer --channel sms --text "Can I move my delivery?"
python -m server.sandbox.cxone customer --contact 12 --text "Any news?"
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import requests
from werkzeug.serving import make_server

from server.sandbox.cxone import create_cxone_sandbox

DEFAULT_DB = Path(__file__).resolve().parents[3] / "instance" / "cxone-sandbox.db"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.sandbox.cxone")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8101)
    serve.add_argument("--db", type=Path, default=DEFAULT_DB)
    serve.add_argument("--heartbeat", type=float, default=30.0, help="Event Hub heartbeat, seconds")
    serve.add_argument("--token-ttl", type=int, default=3600, help="access token lifetime, seconds")
    serve.add_argument(
        "--bulk", type=int, default=0, help="benchmarks: this many more interactions"
    )
    serve.add_argument(
        "--bulk-queues", type=int, default=20, help="benchmarks: spread over this many queues"
    )
    serve.add_argument(
        "--bench-agents",
        type=int,
        default=0,
        help="benchmarks: this many more agents (user ids from 1001), spread over the bulk queues",
    )
    customer = commands.add_parser("customer", help="play a customer writing in")
    customer.add_argument("--url", default="http://127.0.0.1:8101")
    customer.add_argument(
        "--channel",
        default="chat",
        help="chat, email, facebook, instagram, sms, twitter, whatsapp or a channel id",
    )
    customer.add_argument("--contact", help="reply on this contact's thread instead")
    customer.add_argument("--text")
    customer.add_argument("--title", help="email subject")
    args = parser.parse_args(argv)

    if args.command == "serve":
        args.db.parent.mkdir(parents=True, exist_ok=True)
        app = create_cxone_sandbox(
            args.db, heartbeat_seconds=args.heartbeat, token_ttl_seconds=args.token_ttl
        )
        if args.bulk or args.bench_agents:
            from server.sandbox.cxone.seed import seed_bench_agents, seed_bulk

            store = app.extensions["cxone_sandbox"]["store"]
            queue_ids = seed_bulk(store, args.bulk, args.bulk_queues)
            seed_bench_agents(store, args.bench_agents, queue_ids)
        server = make_server(args.host, args.port, app, threaded=True)
        print(f"CXone sandbox listening on http://{args.host}:{server.server_port}", flush=True)
        server.serve_forever()
        return 0
    body = {"channel": args.channel, "text": args.text, "title": args.title}
    if args.contact:
        body = {"contact_id": args.contact, "text": args.text}
    answer = requests.post(f"{args.url}/sandbox/customer-messages", json=body, timeout=10)
    if answer.status_code != 201:
        print(f"sandbox refused: {answer.status_code} {answer.text}", file=sys.stderr)
        return 1
    contact = answer.json()["contact"]
    print(
        json.dumps(
            {"contact": contact["id"], "status": contact["status"], "channel": contact["channelId"]}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
