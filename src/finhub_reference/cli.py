"""Command line: ``finhub-reference serve [--host H] [--port P] [--order-ttl-s S] [--fault NAME]... [--list-faults]``.

Once the server accepts connections it prints, on stdout and flushed, one ``FINHUB_NAME=value`` line per
profile §7.2 variable that points a suite at it, then ``# ready``. Everything else (logs) goes to stderr;
passwords, secrets and tokens are never logged. ``--port 0`` lets uvicorn bind a free port itself (so
TCP_NODELAY is set, stack-notes P1) and the real port is read back. SIGTERM and SIGINT stop the server
cleanly with exit status 0. Unknown faults or bad settings exit with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from typing import Sequence

from finhub_reference import faults
from finhub_reference.config import SETTINGS, Config, ConfigError, load_config

log = logging.getLogger("finhub_reference")
_CLI_ONLY = {"REF_FAULTS"}  # --fault replaces it


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every ``REF_*`` setting also has a flag (``REF_TENANT_B_ID`` -> ``--tenant-b-id``)."""
    parser = argparse.ArgumentParser(prog="finhub-reference", description="FinHub v2.1 B2C reference deployment")
    parser.add_argument("--list-faults", action="store_true", help="print NAME<TAB>RULE<TAB>description and exit")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind; 0 picks a free port (default 8000)")
    serve.add_argument("--fault", action="append", default=[], metavar="NAME",
                       help="enable a named fault (repeatable; also REF_FAULTS=a,b)")
    serve.add_argument("--list-faults", action="store_true", help="print the fault registry and exit")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    serve.add_argument("--access-log", action="store_true", help="log every request to stderr")
    for setting in SETTINGS:
        if setting.env not in _CLI_ONLY:
            serve.add_argument(setting.flag, dest=setting.env, default=None, metavar="VALUE",
                               help=f"{setting.help} (env {setting.env})")
    return parser


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses to reach the bound server."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def announce(config: Config, url: str) -> None:
    """Print the FINHUB_* lines and ``# ready`` to stdout, flushed."""
    lines = [f"{name}={value}" for name, value in config.announced(url)]
    sys.stdout.write("\n".join(lines) + "\n# ready\n")
    sys.stdout.flush()


def serve(config: Config, host: str, port: int, *, log_level: str = "info", access_log: bool = False) -> int:
    """Run uvicorn until SIGTERM/SIGINT; 0 on a clean stop, 1 if the server could not start."""
    import uvicorn

    from finhub_reference.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(config), host=host, port=port, log_config=None,
                                           log_level=log_level, access_log=access_log, lifespan="off"))
    # uvicorn re-raises a captured signal after its graceful shutdown; these no-op handlers absorb it.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            bound = server.servers[0].sockets[0].getsockname()[1]
            log.info("serving on %s with faults: %s", base_url(host, bound), ", ".join(sorted(config.faults)) or "none")
            announce(config, base_url(host, bound))
        await task

    try:
        asyncio.run(run())
    except SystemExit as exc:  # uvicorn exits this way when it cannot bind
        return exc.code if isinstance(exc.code, int) and exc.code else 1
    return 0 if server.started else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m finhub_reference`` and the ``finhub-reference`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_faults:
        print(faults.describe())
        return 0
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return 2
    overrides = {s.env: getattr(args, s.env) for s in SETTINGS
                 if s.env not in _CLI_ONLY and getattr(args, s.env) is not None}
    try:
        config = load_config(os.environ, overrides, faults=args.fault)
    except ConfigError as exc:
        print(f"finhub-reference: error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(config, args.host, args.port, log_level=args.log_level, access_log=args.access_log)
