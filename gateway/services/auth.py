"""Sign-in: checking a password under the throttle, and the refresh token families that keep a
session (gateway/store/refresh_tokens.py: rotating, replay-detecting).

No caller is signed in yet for sign-in and refresh, so those flows take what they need
(SignIn) instead of a Context; a signed-in user changing its own password takes both. The
routes turn what they return into tokens and cookies.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiomysql

from gateway.auth.passwords import check_password, hash_password
from gateway.auth.throttle import LoginThrottle
from gateway.context import Context
from gateway.principal import Principal, Role
from gateway.problems import Problem, field_error, forbidden, unauthorized
from gateway.store import refresh_tokens, users
from gateway.store.users import Credentials
from gateway.validation import canonical_user_name

# bcrypt reads 72 bytes; no JoPanel password is longer, so a longer one is refused unread.
MAX_PASSWORD_BYTES = 72


@dataclass(frozen=True)
class SignIn:
    db: aiomysql.Pool
    throttle: LoginThrottle
    bcrypt_rounds: int
    refresh_ttl_seconds: int


@dataclass(frozen=True)
class Started:
    """A session begun or renewed: whose it is, and its next refresh token."""

    creds: Credentials
    refresh_token: str

    @property
    def principal(self) -> Principal:
        return users.principal(self.creds)


def user_name(username: str, password: str) -> str:
    """The one spelling of the name signing in (what the throttle counts is what the lookup
    finds); 400 for a name no user can have or a password no user can have."""
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise field_error("password", "longer than 72 bytes; no JoPanel password is that long")
    name = canonical_user_name(username)
    if name is None:
        raise field_error("username", "no user has a name like this")
    return name


async def login(
    sign_in: SignIn, name: str, password: str, *, client: str, device: str | None
) -> Started:
    throttle = sign_in.throttle
    wait = throttle.retry_after(name, client, device)
    if wait:
        raise _too_many(wait)
    creds = await users.credentials_by_name(sign_in.db, name)
    known = creds.password_hash if creds else None
    if not await check_password(password, known, sign_in.bcrypt_rounds):
        throttle.failed(name, client, device)
        raise unauthorized("The user name or password is wrong.")
    assert creds is not None, "check_password fails without a hash"
    throttle.succeeded(name, device)
    if not creds.may_sign_in:
        who = "reseller" if creds.role is Role.RESELLER else "account"
        raise Problem(403, "Forbidden", f"This {who} is suspended.")
    token = await refresh_tokens.start_family(
        sign_in.db, creds.user_id, creds.token_version, sign_in.refresh_ttl_seconds
    )
    return Started(creds, token)


async def refresh(sign_in: SignIn, token: str) -> Started:
    """The session of a refresh token, renewed; 401 when it has ended (a replayed token ends
    its whole family, a password change or suspension every session of the user)."""
    if not token:
        raise unauthorized("No session to renew.")
    try:
        rotation = await refresh_tokens.rotate(sign_in.db, token, sign_in.refresh_ttl_seconds)
    except refresh_tokens.RefreshRefused as exc:
        raise _ended_session() from exc
    creds = await users.credentials_by_id(sign_in.db, rotation.user_id)
    if creds is None or not creds.may_sign_in or creds.token_version != rotation.token_version:
        raise _ended_session()
    return Started(creds, rotation.token)


async def logout(db: aiomysql.Pool, token: str) -> None:
    """The family of the presented token ends, whatever state the token is in."""
    if token:
        await refresh_tokens.revoke_token_family(db, token)


async def confirm_password(ctx: Context, sign_in: SignIn, password: str) -> Credentials:
    """The caller's credentials, once `password` is shown to be its panel password now.

    Wrong answers spend the sign-in budget of the caller's name, so a stolen access token buys
    no more guesses at the password than the sign-in form gives: 429 once it is spent, for
    this and for signing in; 403 for a wrong password (not 401, which tells a client its
    session has ended). Only the name's budget: the token pins the name, so the address's
    (which stops one address guessing at many names) adds nothing here, and there is no device
    cookie (it is sent to the login route only).
    """
    names = sign_in.throttle.names
    wait = names.retry_after(ctx.me.name)
    if wait:
        raise _too_many(wait)
    creds = await users.credentials_by_id(sign_in.db, ctx.me.user_id)
    known = creds.password_hash if creds else None
    if creds is None or not await check_password(password, known, sign_in.bcrypt_rounds):
        names.fail(ctx.me.name)
        raise forbidden("The current password is wrong.")
    names.forgive(ctx.me.name)
    return creds


async def change_password(ctx: Context, sign_in: SignIn, current: str, new: str) -> Started:
    """The caller's new panel password, and the one session it keeps.

    Every session of the user ends (the token version moves on, so every access token and
    refresh family made before fails), the one asking included; it gets a new session in the
    answer instead, so the person who changed the password stays signed in on this device
    and nowhere else (docs/accounts.md, Own passwords).
    """
    async with ctx.audited("user.password", ctx.me.name):
        creds = await confirm_password(ctx, sign_in, current)
        password_hash = await hash_password(new, sign_in.bcrypt_rounds)
        await users.set_password(sign_in.db, creds.user_id, password_hash)
        renewed = await users.credentials_by_id(sign_in.db, creds.user_id)
        if renewed is None or not renewed.may_sign_in:
            raise _ended_session()
        token = await refresh_tokens.start_family(
            sign_in.db, renewed.user_id, renewed.token_version, sign_in.refresh_ttl_seconds
        )
    return Started(renewed, token)


def _too_many(wait: int) -> Problem:
    return Problem(
        429,
        "Too many requests",
        f"Too many failed sign-ins; try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


def _ended_session() -> Problem:
    return unauthorized("The session has ended; sign in again.")
