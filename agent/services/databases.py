"""DatabaseService: hosted MariaDB databases and users of accounts (system/databases/hosted.py).

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes. Every name must start with the
request's account and "_"; whether the account really owns it is the system layer's question.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import grpc.aio
from jopanel.agent.databases.v1 import databases_pb2, databases_pb2_grpc

from agent.config import AgentConfig
from agent.errors import InvalidArgument
from agent.system.databases.hosted import Database, DatabaseUser, HostedDatabases, hosted_databases
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators import databases as databases_validators

logger = logging.getLogger(__name__)

SERVICE_NAME: Final[str] = databases_pb2.DESCRIPTOR.services_by_name["DatabaseService"].full_name

_UPDATE_PATHS: Final = frozenset({"password"})

Context = grpc.aio.ServicerContext[Any, Any]


class DatabaseServicer(databases_pb2_grpc.DatabaseServiceServicer):
    def __init__(self, databases: HostedDatabases) -> None:
        self._databases = databases

    async def ListDatabases(
        self, request: databases_pb2.ListDatabasesRequest, context: Context
    ) -> databases_pb2.ListDatabasesResponse:
        account = accounts_validators.account_filter(request.account)
        if request.names:
            if account is None:
                raise InvalidArgument("account", "give the account whose databases are named")
            if request.page_size or request.page_token:
                raise InvalidArgument("names", "give names, or page_size and page_token: not both")
            names = databases_validators.database_names(request.names, account)
            found = await self._databases.named_databases(
                account, names, with_size=request.with_size
            )
            return databases_pb2.ListDatabasesResponse(databases=[_database(db) for db in found])
        size = common_validators.page_size(request.page_size)
        after = common_validators.page_token(request.page_token, databases_validators.NAME_KEY)
        found, more = await self._databases.databases_page(
            account, after, size, with_size=request.with_size
        )
        return databases_pb2.ListDatabasesResponse(
            databases=[_database(db) for db in found],
            next_page_token=common_validators.encode_page_token(more) if more else "",
        )

    async def CreateDatabase(
        self, request: databases_pb2.CreateDatabaseRequest, context: Context
    ) -> databases_pb2.CreateDatabaseResponse:
        account = accounts_validators.account_name(request.account, "account")
        name = databases_validators.database_name(request.name, account)
        database = await self._databases.create_database(account, name)
        return databases_pb2.CreateDatabaseResponse(database=_database(database))

    async def DeleteDatabase(
        self, request: databases_pb2.DeleteDatabaseRequest, context: Context
    ) -> databases_pb2.DeleteDatabaseResponse:
        account = accounts_validators.account_name(request.account, "account")
        await self._databases.delete_database(
            account, databases_validators.database_name(request.name, account)
        )
        return databases_pb2.DeleteDatabaseResponse()

    async def ListDatabaseUsers(
        self, request: databases_pb2.ListDatabaseUsersRequest, context: Context
    ) -> databases_pb2.ListDatabaseUsersResponse:
        account = accounts_validators.account_filter(request.account)
        size = common_validators.page_size(request.page_size)
        after = common_validators.page_token(request.page_token, databases_validators.NAME_KEY)
        found, more = await self._databases.users_page(account, after, size)
        return databases_pb2.ListDatabaseUsersResponse(
            users=[_user(user) for user in found],
            next_page_token=common_validators.encode_page_token(more) if more else "",
        )

    async def CreateDatabaseUser(
        self, request: databases_pb2.CreateDatabaseUserRequest, context: Context
    ) -> databases_pb2.CreateDatabaseUserResponse:
        account = accounts_validators.account_name(request.account, "account")
        name = databases_validators.database_user_name(request.name, account)
        password = databases_validators.database_password(request.password)
        user = await self._databases.create_user(account, name, password)
        return databases_pb2.CreateDatabaseUserResponse(user=_user(user))

    async def UpdateDatabaseUser(
        self, request: databases_pb2.UpdateDatabaseUserRequest, context: Context
    ) -> databases_pb2.UpdateDatabaseUserResponse:
        account = accounts_validators.account_name(request.account, "account")
        name = databases_validators.database_user_name(request.name, account)
        # "password" is the only path, and the mask must name it.
        common_validators.field_mask(request.update_mask.paths, _UPDATE_PATHS, "update_mask")
        password = databases_validators.database_password(request.password)
        user = await self._databases.set_password(account, name, password)
        return databases_pb2.UpdateDatabaseUserResponse(user=_user(user))

    async def DeleteDatabaseUser(
        self, request: databases_pb2.DeleteDatabaseUserRequest, context: Context
    ) -> databases_pb2.DeleteDatabaseUserResponse:
        account = accounts_validators.account_name(request.account, "account")
        await self._databases.delete_user(
            account, databases_validators.database_user_name(request.name, account)
        )
        return databases_pb2.DeleteDatabaseUserResponse()

    async def GrantDatabaseAccess(
        self, request: databases_pb2.GrantDatabaseAccessRequest, context: Context
    ) -> databases_pb2.GrantDatabaseAccessResponse:
        account = accounts_validators.account_name(request.account, "account")
        user = databases_validators.database_user_name(request.user, account, "user")
        database = databases_validators.database_name(request.database, account, "database")
        granted = await self._databases.grant(account, user, database)
        return databases_pb2.GrantDatabaseAccessResponse(user=_user(granted))

    async def RevokeDatabaseAccess(
        self, request: databases_pb2.RevokeDatabaseAccessRequest, context: Context
    ) -> databases_pb2.RevokeDatabaseAccessResponse:
        account = accounts_validators.account_name(request.account, "account")
        user = databases_validators.database_user_name(request.user, account, "user")
        database = databases_validators.database_name(request.database, account, "database")
        revoked = await self._databases.revoke(account, user, database)
        return databases_pb2.RevokeDatabaseAccessResponse(user=_user(revoked))


async def prepare(config: AgentConfig) -> None:
    """Every tenant user has the configured connection limit before the first request (users
    made before it, or under another setting: docs/databases.md)."""
    changed = await hosted_databases(config).limit_connections()
    if changed:
        logger.info(
            "MAX_USER_CONNECTIONS %d given to %d user@host",
            config.mariadb_user_connections,
            changed,
        )


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = DatabaseServicer(hosted_databases(config))
    databases_pb2_grpc.add_DatabaseServiceServicer_to_server(servicer, server)


def _database(database: Database) -> databases_pb2.Database:
    return databases_pb2.Database(
        name=database.name, account=database.account, size_bytes=database.size_bytes
    )


def _user(user: DatabaseUser) -> databases_pb2.DatabaseUser:
    return databases_pb2.DatabaseUser(
        name=user.name, account=user.account, databases=list(user.databases)
    )
