"""Hosted databases, their users and grants against their records."""

from __future__ import annotations

from jopanel.agent.databases.v1 import databases_pb2 as db_pb

from gateway.agent import CALL_TIMEOUT_SECONDS, every_page
from gateway.reconcile.base import PAGE_SIZE, RunBase, later
from gateway.reconcile.report import Resource
from gateway.store import databases
from gateway.store import reconcile as records
from gateway.store.reconcile import RecordedDatabase, RecordedDatabaseUser


class DatabaseChecks(RunBase):
    async def databases(self) -> None:
        listed = await self.read("database", "every account's", None, self._system_databases())
        if listed is None:
            return
        system = {d.name: d.account for d in listed}
        found = await records.databases(self.pool)
        recorded = {d.name for d in found}
        self.checked["database"] = len(found) + len(set(system) - recorded)
        for database in found:
            if database.account in self.on_system:
                await self._database(database, database.name in system)
        for name in sorted(set(system) - recorded):
            self.drift("database", name, system[name], "exists, but has no record")

    async def _system_databases(self) -> list[db_pb.Database]:
        """Every account's databases, page by page (without their sizes)."""
        return await every_page(
            lambda token: self.agent.databases.ListDatabases(
                db_pb.ListDatabasesRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            ),
            lambda reply: reply.databases,
        )

    async def _system_database_users(self) -> list[db_pb.DatabaseUser]:
        return await every_page(
            lambda token: self.agent.databases.ListDatabaseUsers(
                db_pb.ListDatabaseUsersRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            ),
            lambda reply: reply.users,
        )

    async def _database(self, database: RecordedDatabase, exists: bool) -> None:
        name, account, status = database.name, database.account, database.status
        record_id = database.id
        seen = ("database", record_id, status)
        if status == "pending":
            if exists:
                await self._settle_pending("database", database, exists, "database")
            else:
                await self.create_again(
                    "database", (record_id, name, account), "pending, and it is missing",
                    later(
                        self.agent.databases.CreateDatabase,
                        db_pb.CreateDatabaseRequest(account=account, name=name),
                    ),
                    lambda: databases.set_status(self.pool, "database", record_id, "active"),
                    lambda: databases.delete(self.pool, "database", record_id),
                )  # fmt: skip
        elif status == "deleting":

            async def finish() -> None:
                await self.agent.databases.DeleteDatabase(
                    db_pb.DeleteDatabaseRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await databases.delete(self.pool, "database", record_id)

            await self.repair("database", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
        elif not exists:
            await self.repair(
                "database", name, account, "the database is missing",
                "created again, empty: what it held was not there",
                lambda: self.agent.databases.CreateDatabase(
                    db_pb.CreateDatabaseRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                ),
                seen,
            )  # fmt: skip

    async def _settle_pending(
        self,
        resource: Resource,
        record: RecordedDatabase | RecordedDatabaseUser,
        exists: bool,
        kind: str,
    ) -> None:
        """A hosted database's or user's pending record: active, or rolled back."""
        record_id, seen = record.id, (resource, record.id, "pending")
        name, account = record.name, record.account
        if exists:
            await self.repair(
                resource, name, account, "pending, and it exists",
                "marked active: the creation had got through",
                lambda: databases.set_status(self.pool, kind, record_id, "active"), seen,
            )  # fmt: skip
        else:
            # A user's password is not kept: rolled back, and deleted on the system too in
            # case its creation lands after this look.

            async def roll_back() -> None:
                await self.agent.databases.DeleteDatabaseUser(
                    db_pb.DeleteDatabaseUserRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await databases.delete(self.pool, kind, record_id)

            await self.repair(
                resource, name, account, "pending, and it is missing",
                "rolled back: the record is removed (its password is not kept)", roll_back, seen,
            )  # fmt: skip

    async def database_users(self) -> None:
        listed = await self.read(
            "database_user", "every account's", None, self._system_database_users()
        )
        if listed is None:
            return
        system = {u.name: u for u in listed}
        users = await records.database_users(self.pool)
        recorded = {u.name for u in users}
        self.checked["database_user"] = len(users) + len(set(system) - recorded)
        for user in users:
            if user.account in self.on_system:
                await self._database_user(user, system.get(user.name))
        for name in sorted(set(system) - recorded):
            self.drift("database_user", name, system[name].account, "exists, but has no record")

    async def _database_user(
        self, user: RecordedDatabaseUser, system: db_pb.DatabaseUser | None
    ) -> None:
        name, account, status = user.name, user.account, user.status
        seen = ("database_user", user.id, status)
        if status == "pending":
            await self._settle_pending("database_user", user, system is not None, "user")
        elif status == "deleting":

            async def finish() -> None:
                await self.agent.databases.DeleteDatabaseUser(
                    db_pb.DeleteDatabaseUserRequest(account=account, name=name),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                await databases.delete(self.pool, "user", user.id)

            await self.repair("database_user", name, account,
                              "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
        elif system is None:
            self.drift(
                "database_user", name, account,
                "the user is missing; its password is not kept, so set a new one to create it",
            )  # fmt: skip
        else:
            await self._grants(user, system)

    async def _grants(self, user: RecordedDatabaseUser, system: db_pb.DatabaseUser) -> None:
        """Grants follow the record both ways: access the panel does not show is taken back."""
        name, account = user.name, user.account
        seen = ("database_user", user.id, "active")
        wanted = user.granted
        have = set(system.databases)
        for database in sorted(wanted - have):
            grant = db_pb.GrantDatabaseAccessRequest(account=account, user=name, database=database)
            await self.repair(
                "database_user", name, account, f"no access to {database}, as recorded",
                f"access to {database} granted again",
                later(self.agent.databases.GrantDatabaseAccess, grant), seen,
            )  # fmt: skip
        for database in sorted(have - wanted):
            revoke = db_pb.RevokeDatabaseAccessRequest(
                account=account, user=name, database=database
            )
            await self.repair(
                "database_user", name, account, f"access to {database}, which is not recorded",
                f"access to {database} revoked (the data stays)",
                later(self.agent.databases.RevokeDatabaseAccess, revoke), seen,
            )  # fmt: skip
