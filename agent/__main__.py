"""jopanel-agent: the root agent, serving gRPC on a Unix socket.

    jopanel-agent [--config /etc/jopanel/agent.toml]

Exits 0 after SIGTERM or SIGINT, 1 when it cannot start (the log says why).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from agent.config import ConfigError, load_config
from agent.daemon import StartupError, serve

logger = logging.getLogger("agent")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jopanel-agent", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="TOML configuration file (default: built in)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(serve(load_config(args.config)))
    except (ConfigError, StartupError) as error:
        logger.error("cannot start: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
