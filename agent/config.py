"""The agent's configuration: a small TOML file, every key optional.

    socket_path = "/run/jopanel/agent.sock"   # absolute; the agent creates its directory
    gateway_group = "jopanel"                  # the group that may connect to the socket
    max_message_bytes = 4194304                # largest gRPC message sent or received

Unknown keys are refused, so a misspelt key fails loudly instead of being ignored.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

# sun_path holds 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH: Final = 107
_GROUP_PATTERN: Final = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_MIN_MESSAGE: Final = 1024
_MAX_MESSAGE: Final = 2**31 - 1  # gRPC keeps message limits in a signed 32-bit int


class ConfigError(Exception):
    """The configuration file is missing, malformed or holds an invalid value."""


@dataclass(frozen=True)
class AgentConfig:
    socket_path: Path = Path("/run/jopanel/agent.sock")
    gateway_group: str = "jopanel"
    max_message_bytes: int = 4 * 1024 * 1024

    def __post_init__(self) -> None:
        if not self.socket_path.is_absolute():
            raise ConfigError("socket_path: must be an absolute path")
        if len(bytes(self.socket_path)) > _MAX_SOCKET_PATH:
            raise ConfigError(f"socket_path: must be at most {_MAX_SOCKET_PATH} bytes")
        if not _GROUP_PATTERN.fullmatch(self.gateway_group):
            raise ConfigError("gateway_group: must be a group name")
        if not _MIN_MESSAGE <= self.max_message_bytes <= _MAX_MESSAGE:
            raise ConfigError(f"max_message_bytes: must be {_MIN_MESSAGE} to {_MAX_MESSAGE}")


def load_config(path: Path | None) -> AgentConfig:
    """Reads the configuration from `path`; None gives the defaults."""
    if path is None:
        return AgentConfig()
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    return AgentConfig(**_typed_values(data))


def _typed_values(data: dict[str, Any]) -> dict[str, Any]:
    known = {field.name for field in dataclasses.fields(AgentConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown keys: {', '.join(unknown)}")
    for key in ("socket_path", "gateway_group"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{key}: must be a string")
    size = data.get("max_message_bytes", 0)
    # bool is an int in Python, but `max_message_bytes = true` is a mistake.
    if not isinstance(size, int) or isinstance(size, bool):
        raise ConfigError("max_message_bytes: must be an integer")
    if "socket_path" in data:
        return {**data, "socket_path": Path(data["socket_path"])}
    return data
