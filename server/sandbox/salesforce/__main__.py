"""`python -m server.sandbox.salesforce --port 8102`: run the Salesforce stand-in."""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from server.sandbox.salesforce import create_standin_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m server.sandbox.salesforce")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument(
        "--bench-users",
        type=int,
        default=0,
        help="load runs: this many more users, agent0000@bench.example and on (password demo)",
    )
    args = parser.parse_args()
    app = create_standin_app(bench_users=args.bench_users)
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"Salesforce stand-in listening on http://{args.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
