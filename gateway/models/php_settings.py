"""PHP on the wire: a site's PHP settings and an account's PHP-FPM pool limits, with the
bounds its plan sets (docs/web.md, PHP settings per site)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from jopanel_rules.web import PHP_MAX_CHILDREN_MAX, PHP_MAX_CHILDREN_MIN, PHP_SETTING_RANGES


def _range(setting: str) -> tuple[int, int]:
    low, high, _ = PHP_SETTING_RANGES[setting]
    return low, high


_MEMORY, _UPLOAD = _range("memory_limit_mb"), _range("upload_max_filesize_mb")
_POST, _SECONDS = _range("post_max_size_mb"), _range("max_execution_time_seconds")
_VARS = _range("max_input_vars")
ProcessManager = Literal["ondemand", "dynamic", "static"]


class PhpSettingsUpdate(BaseModel):
    """The settings to change; the others stay. The absolute ranges are the schema's (400);
    above the plan's bound, or a post size below the upload size, is 422."""

    model_config = ConfigDict(extra="forbid")

    memory_limit_mb: Annotated[int, Field(ge=_MEMORY[0], le=_MEMORY[1])] | None = None
    upload_max_filesize_mb: Annotated[int, Field(ge=_UPLOAD[0], le=_UPLOAD[1])] | None = None
    post_max_size_mb: Annotated[int, Field(ge=_POST[0], le=_POST[1])] | None = Field(
        default=None, description="At least upload_max_filesize_mb; nginx takes bodies this big"
    )
    max_execution_time_seconds: Annotated[int, Field(ge=_SECONDS[0], le=_SECONDS[1])] | None = None
    max_input_vars: Annotated[int, Field(ge=_VARS[0], le=_VARS[1])] | None = None
    display_errors: bool | None = Field(
        default=None, description="Show errors in pages (they always go to the PHP error log)"
    )


class PhpSettingsBounds(BaseModel):
    """The highest value the site's plan allows for each setting."""

    memory_limit_mb: int
    upload_max_filesize_mb: int
    post_max_size_mb: int
    max_execution_time_seconds: int
    max_input_vars: int


class PhpSettings(BaseModel):
    """A PHP site's settings as they apply (defaults filled in)."""

    memory_limit_mb: int
    upload_max_filesize_mb: int
    post_max_size_mb: int
    max_execution_time_seconds: int
    max_input_vars: int
    display_errors: bool
    bounds: PhpSettingsBounds


class PhpPoolUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pm: ProcessManager | None = Field(
        default=None,
        description="ondemand: workers start with requests, stop after 10 s idle; dynamic: one"
        " worker always waits; static: all max_children workers always run (only on a plan"
        " with php_static_pools, else 422)",
    )
    max_children: Annotated[int, Field(ge=PHP_MAX_CHILDREN_MIN, le=PHP_MAX_CHILDREN_MAX)] | None = (
        Field(default=None, description="The most requests each pool serves at once")
    )


class PhpPool(BaseModel):
    """An account's PHP-FPM pool limits, the same for each PHP version it uses."""

    pm: ProcessManager
    max_children: int
    max_children_bound: int = Field(description="The most the account's plan allows")
    open_basedir: bool = Field(
        description="Whether the scripts may open files only in the account's home, as the"
        " account's plan says (php_open_basedir)"
    )
    static_allowed: bool = Field(
        description="Whether the account's plan lets its pools be static (php_static_pools)"
    )
