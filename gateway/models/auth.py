"""Sign-in on the wire: the login body and the session it starts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.models.me import Me


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="Compared without surrounding white space and in lowercase",
        ),
    ]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class Session(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int
    user: Me
