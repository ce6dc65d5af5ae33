"""Who am I on the wire: the signed-in user, and for an owner its account, plan and usage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.models.accounts import Account, account_of
from gateway.models.plans import Plan, plan_of
from gateway.models.resellers import Reseller, reseller_of
from gateway.principal import Principal
from gateway.store.accounts import AccountRecord
from gateway.store.plans import PlanRecord
from gateway.store.resellers import ResellerRecord, Reserved
from gateway.validation import Password


class Me(BaseModel):
    id: int
    name: str
    role: Literal["admin", "reseller", "owner"]
    account: Account | None = Field(
        description="The owner's account; null for administrators and resellers"
    )
    reseller: Reseller | None = Field(
        default=None, description="A reseller's totals and what its accounts reserve of them"
    )
    plan: Plan | None = None
    usage: dict[str, int] | None = Field(
        default=None,
        description="What the account uses of each plan limit, by limit name; disk_quota_mb in"
        " MiB rounded up and inode_quota in files, both absent where the server does not"
        " enforce disk quotas",
    )


def me_of(
    principal: Principal,
    account: AccountRecord | None = None,
    plan: PlanRecord | None = None,
    usage: dict[str, int] | None = None,
    reseller: tuple[ResellerRecord, Reserved] | None = None,
) -> Me:
    return Me(
        id=principal.user_id,
        name=principal.name,
        role=principal.role.value,
        account=None if account is None else account_of(account),
        plan=None if plan is None else plan_of(plan),
        usage=usage,
        reseller=None if reseller is None else reseller_of(*reseller),
    )


class PasswordChange(BaseModel):
    """A new password for the signed-in user, confirmed by the panel password it has now."""

    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[
        str,
        Field(
            min_length=1,
            max_length=72,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="The panel password the user signs in with now (wrong answers count"
            " against the sign-in throttle)",
        ),
    ]
    new_password: Annotated[
        Password,
        Field(
            max_length=72,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="8 to 72 bytes, no control characters",
        ),
    ]
