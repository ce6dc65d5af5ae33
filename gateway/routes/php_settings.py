"""PHP per site and per account: a PHP site's settings, an account's PHP-FPM pool limits.

An owner changes its own, within its plan's bounds (422 above one); an administrator any
account's, within the same bounds (the plan is where an administrator raises them).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.api import Access, Call, Operation, Owned, json_response
from gateway.models.php_settings import (
    PhpPool,
    PhpPoolUpdate,
    PhpSettings,
    PhpSettingsUpdate,
)
from gateway.services import accounts as accounts_service
from gateway.services import domains as domains_service
from gateway.services import php_settings as service
from gateway.store.accounts import AccountRecord
from gateway.store.domains import DomainRecord
from gateway.store.php_pools import PhpPoolRecord
from gateway.store.plans import PlanRecord
from gateway.validation import to_host_name


async def find_domain(call: Call) -> Owned | None:
    try:
        name = to_host_name(call.param("name"))
    except ValueError:
        return None
    domain = await domains_service.get(call.context, name)
    return Owned(domain.account, domain) if domain else None


async def find_account(call: Call) -> Owned | None:
    account = await accounts_service.get(call.context, call.param("name"))
    return Owned(account.name, account) if account else None


def _domain(call: Call[Any, Any]) -> DomainRecord:
    return call.found(DomainRecord, f"Domain '{call.param('name')}'")


def _account(call: Call[Any, Any]) -> AccountRecord:
    return call.found(AccountRecord, f"Account '{call.param('name')}'")


async def _settings(call: Call[Any, Any], domain: DomainRecord) -> web.Response:
    values = service.values_of(domain)
    bounds = await service.bounds(call.context, domain.account_id)
    return json_response(PhpSettings.model_validate({**values, "bounds": bounds}))


async def get_php_settings(call: Call) -> web.StreamResponse:
    return await _settings(call, _domain(call))


async def update_php_settings(call: Call[PhpSettingsUpdate]) -> web.StreamResponse:
    changes = call.body.model_dump(exclude_none=True)
    domain = await service.update_site(call.context, _domain(call), changes)
    return await _settings(call, domain)


def _pool(record: PhpPoolRecord, plan: PlanRecord) -> web.Response:
    return json_response(
        PhpPool(
            pm=record.pm,
            max_children=record.max_children,
            max_children_bound=service.children_bound(plan),
            open_basedir=plan.php_open_basedir,
            static_allowed=plan.php_static_pools,
        )
    )


async def get_php_pool(call: Call) -> web.StreamResponse:
    return _pool(*await service.pool_of(call.context, _account(call)))


async def update_php_pool(call: Call[PhpPoolUpdate]) -> web.StreamResponse:
    body = call.body
    return _pool(*await service.set_pool(call.context, _account(call), body.pm, body.max_children))


_SITE = "/api/v1/domains/{name}/php-settings"
_POOL = "/api/v1/accounts/{name}/php-pool"
operations = [
    Operation(
        "GET",
        _SITE,
        get_php_settings,
        "getPhpSettings",
        "A site's PHP settings as they apply (defaults filled in), with its plan's bounds",
        "domains",
        Access.SIGNED_IN,
        owner=find_domain,
        response=PhpSettings,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _SITE,
        update_php_settings,
        "updatePhpSettings",
        "Change a PHP site's settings (the others stay); 422 above the plan's bound or with a"
        " post size below the upload size; 409 for a site that is not PHP",
        "domains",
        Access.SIGNED_IN,
        owner=find_domain,
        body=PhpSettingsUpdate,
        response=PhpSettings,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        _POOL,
        get_php_pool,
        "getPhpPool",
        "An account's PHP-FPM pool limits (each PHP version it uses has a pool)",
        "accounts",
        Access.SIGNED_IN,
        owner=find_account,
        response=PhpPool,
        errors=(404,),
    ),
    Operation(
        "PATCH",
        _POOL,
        update_php_pool,
        "updatePhpPool",
        "Change an account's PHP-FPM pool limits (pm, max_children); 422 above the plan's bound",
        "accounts",
        Access.SIGNED_IN,
        owner=find_account,
        body=PhpPoolUpdate,
        response=PhpPool,
        errors=(404, 409),
    ),
]
