"""A tenant's database users hold at most `mariadb_user_connections` sessions at once, over the
socket and over TCP each: one tenant cannot take MariaDB's max_connections from the other
tenants and from the panel (sandbox only: the real agent and MariaDB)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pymysql
import pytest
import stack

from agent.config import AgentConfig
from agent.services import databases as databases_service
from tests.agent.databases.db_support import (
    PASSWORD,
    Login,
    MakeAccount,
    create_user,
    databases,
    make_account,
    root_sql,
)

if TYPE_CHECKING:
    from tests.agent.databases.db_support import Stub

__all__ = ["databases", "make_account"]  # fixtures, used by name

# ER_USER_LIMIT_REACHED: "User '...' has exceeded the 'max_user_connections' resource".
USER_LIMIT_REACHED = 1226


def connect(user: str, tcp_port: int | None = None) -> Any:
    where: dict[str, Any] = (
        {"host": "127.0.0.1", "port": tcp_port}
        if tcp_port is not None
        else {"unix_socket": stack.MARIADB_SOCKET}
    )
    return pymysql.connect(user=user, password=PASSWORD, connect_timeout=10, **where)


@contextmanager
def holding(user: str, count: int, tcp_port: int | None = None) -> Iterator[None]:
    sessions = []
    try:
        for _ in range(count):
            sessions.append(connect(user, tcp_port))
        yield
    finally:
        for session in sessions:
            session.close()


def refused(user: str, tcp_port: int | None = None) -> int:
    with pytest.raises(pymysql.err.OperationalError) as error:
        connect(user, tcp_port).close()
    return int(error.value.args[0])


def limits_of(user: str) -> list[str]:
    return root_sql(
        f"SELECT CONCAT(Host, ' ', max_user_connections) FROM mysql.user WHERE User = '{user}'"  # noqa: S608
        " ORDER BY Host"
    )


async def test_a_tenant_holding_its_connections_takes_none_from_the_others(
    databases: Stub, make_account: MakeAccount, agent_config: AgentConfig, mariadb: stack.MariaDB
) -> None:
    alice, bob = (await make_account()).name, (await make_account()).name
    for account in (alice, bob):
        await create_user(databases, account, f"{account}_app")
    limit = agent_config.mariadb_user_connections

    with holding(f"{alice}_app", limit):
        assert refused(f"{alice}_app") == USER_LIMIT_REACHED
        # Another tenant, the panel's root and alice's own other way in still connect.
        assert Login(f"{bob}_app", PASSWORD).ok("SELECT 1") == ["1"]
        assert root_sql("SELECT 1") == ["1"]
        with holding(f"{alice}_app", limit, tcp_port=mariadb.port):
            assert refused(f"{alice}_app", tcp_port=mariadb.port) == USER_LIMIT_REACHED
            assert Login(f"{bob}_app", PASSWORD, tcp_port=mariadb.port).ok("SELECT 1") == ["1"]
    # Hung up, alice connects again.
    assert Login(f"{alice}_app", PASSWORD).ok("SELECT 1") == ["1"]


async def test_the_limit_survives_a_password_change_and_comes_back_at_the_agents_start(
    databases: Stub, make_account: MakeAccount, agent_config: AgentConfig
) -> None:
    """A user whose limit was taken off by hand (or made before the limit) gets it back when
    the agent starts; a user made by hand, outside the panel, is not the agent's to change."""
    account = (await make_account()).name
    user, stranger = f"{account}_app", f"{account}_byhand"
    await create_user(databases, account, user)
    limit = agent_config.mariadb_user_connections
    assert limits_of(user) == [f"127.0.0.1 {limit}", f"localhost {limit}"]
    await create_user(databases, account, user, password=PASSWORD)  # a new password
    assert limits_of(user) == [f"127.0.0.1 {limit}", f"localhost {limit}"]
    for host in ("localhost", "127.0.0.1"):
        root_sql(f"ALTER USER '{user}'@'{host}' WITH MAX_USER_CONNECTIONS 0")
    root_sql(f"CREATE USER '{stranger}'@'localhost' IDENTIFIED BY 'by hand'")
    try:
        await databases_service.prepare(agent_config)

        assert limits_of(user) == [f"127.0.0.1 {limit}", f"localhost {limit}"]
        assert limits_of(stranger) == ["localhost 0"]
    finally:
        root_sql(f"DROP USER '{stranger}'@'localhost'")
