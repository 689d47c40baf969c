"""python -m emulator --host 127.0.0.1 --port 8765 --seed demo"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from . import control
from .app import REQUEST_LOG_SIZE, Emulator
from .ratelimit import PRESETS
from .seeds import NAMED_SEEDS
from .server import EmulatorHTTPServer


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--domain",
        default="emulator.local",
        help="the tenant domain; the API audience is https://DOMAIN/api/v2/",
    )
    parser.add_argument(
        "--seed",
        default="demo",
        help=f"a named seed ({', '.join(NAMED_SEEDS)}) or a seed JSON file",
    )
    parser.add_argument("--rate-limits", default="enterprise", choices=sorted(PRESETS))
    parser.add_argument(
        "--member-removal-lag",
        type=float,
        default=5.0,
        help="seconds a removed member stays in the members list (Auth0: 5-10)",
    )
    parser.add_argument(
        "--request-log-size",
        type=_positive_int,
        default=REQUEST_LOG_SIZE,
        help="how many requests the log (GET /__emulator__/requests) keeps, the newest; "
        f"default {REQUEST_LOG_SIZE:,}",
    )
    parser.add_argument(
        "--signing-key", default=None, help="HS256 key for tokens (default: random per start)"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s emulator %(levelname)s %(message)s",
    )

    emulator = Emulator(
        domain=args.domain,
        signing_key=args.signing_key,
        rate_limits=args.rate_limits,
        member_removal_lag=args.member_removal_lag,
        request_log_size=args.request_log_size,
    )
    seed_path = Path(args.seed)
    seed = json.loads(seed_path.read_text()) if seed_path.suffix == ".json" else args.seed
    counts = control.load_seed(emulator, control.resolve_seed(seed))
    server = EmulatorHTTPServer((args.host, args.port), emulator)
    logging.getLogger("emulator").info(
        "Auth0 emulator for %s on %s (seed %s: %s; rate limits %s)",
        args.domain,
        server.url,
        args.seed,
        counts,
        args.rate_limits,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
