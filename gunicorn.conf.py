"""gunicorn settings shared by the Procfile and the local run command (read from the CWD).

-k gevent -w 1: Flask-SocketIO cannot share a client's session between workers, so scale with
processes (dynos) behind sticky sessions and REDIS_URL, never with -w.
"""

import gc
import logging
import os
import resource

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
worker_class = "gevent"
workers = 1
# A hard cap per worker: at this many open sockets gunicorn silently stops accepting anything,
# health checks and /canvas included. 1000 (the default) is far too low for agents' sockets.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "4000"))
# Open sockets make shutdown wait the whole graceful timeout; Heroku kills after 30 s anyway.
graceful_timeout = 10
timeout = 30
# Several instances side by side (tests, benchmarks) would collide on $HOME/.gunicorn.
control_socket_disable = True
accesslog = None  # the app logs one line per request, with its request id
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):  # noqa: ANN001, ARG001
    """Each socket is a file descriptor: raise the soft limit and warn when it is below the cap."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections + 256
    if soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        soft = new_soft
    if soft < wanted:
        logging.getLogger("gunicorn.error").warning(
            "file-descriptor limit %s is below worker_connections %s", soft, worker_connections
        )


def post_worker_init(worker):  # noqa: ANN001, ARG001
    """Move everything the app built at start-up out of the collector's sight. A full garbage
    collection pauses every socket of the worker while it walks all objects: with 500 agents
    connected it took 60-100 ms, and the relay's p99 in bench/relay.py showed it; frozen, it
    walks only what was made since (28-66 ms measured)."""
    gc.collect()
    gc.freeze()
