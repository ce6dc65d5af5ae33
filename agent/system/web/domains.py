"""Web domains: which account owns which hostname, and changes that go live in shared reloads.

The records live in the site files themselves (nginx_render.SITE_HEADER), so the live generation
is the whole state: read back at the first call after a start, switched atomically with the
configuration it describes. No second store can disagree with what nginx serves.

Every change is a small function applied to a copy of the registry (the sites and the hostnames
they claim). Changes queue up; a single worker (work.Batcher) takes all that are queued (after a
batch of several, once its callers are back) and applies them together: PHP-FPM pools
first, then one staged nginx generation, one `nginx -t`, one symlink switch and one reload. Each
caller's call returns once the reload that carries its change has taken effect. When `nginx -t`
refuses the batch, its changes are tried one at a time so only the offending one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import pwd
import time
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeAlias

from agent.config import AgentConfig
from agent.errors import (
    AgentError,
    AlreadyExists,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
)
from agent.system.accounts.users import Users
from agent.system.base.staging import check_batch
from agent.system.base.work import Batcher, Finisher, Pending
from agent.system.web import app_sockets, logrotate, nginx, webroots
from agent.system.web.nginx import NginxRejected, SiteTree, Staging
from agent.system.web.nginx_render import (
    Layout,
    Pool,
    pool_of,
    pool_sites,
    pool_variations,
    record_line,
    render_site,
    render_support,
    site_variations,
)
from agent.system.web.php_fpm import PhpPools, PhpSettings, PoolLimits
from agent.system.web.records import (
    Backend,
    Https,
    PhpBackend,
    ProxyBackend,
    Registry,
    Site,
    SocketBackend,
    from_json,
)
from agent.system.web.webroots import Owner
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.web import PhpVersion

logger = logging.getLogger(__name__)

# A change to the registry; returns the site as it now is (None when removed) or raises.
Change: TypeAlias = Callable[[Registry], Site | None]
_Pending: TypeAlias = Pending[Change, Site | None]
Outcome: TypeAlias = tuple[_Pending, Site | None]


@dataclasses.dataclass(frozen=True, eq=False)
class _LimitsChange:
    """An account's new pool limits (SetPhpPoolLimits), noted before the batch: it changes no
    site and writes the noted limits. It fails, and the limits are set back, when the batch's
    masters refuse them (WebDomains._add_pools)."""

    account: AccountName
    limits: PoolLimits
    previous: PoolLimits
    write: Callable[[], None]

    def __call__(self, registry: Registry) -> None:
        self.write()


class WebDomains:
    """The websites of every account. The agent holds one instance: one worker orders changes."""

    def __init__(self, config: AgentConfig, users: Users) -> None:
        self._layout = Layout.from_config(config)
        self._socket_root = config.app_socket_dir
        self._tree = SiteTree(self._layout, config.limits("web"))
        self._removal = config.limits("removal")  # rm of a site's files: a tree of any size
        self._pid_file = config.nginx_pid_file
        self._php = PhpPools(PhpSettings.from_config(config))
        self._users = users
        self._registry: Registry | None = None  # the live generation's records, once read
        self._stale: dict[str, str] = {}  # files the next generation rewrites (new template)
        self._loaded: int | None = None  # the generation nginx is known to run
        self._changes: Batcher[Change, Site | None] = Batcher(self._apply, "web")
        self._removing: set[AccountName] = set()  # accounts being deleted: no new sites
        self._finisher = Finisher()
        # The last batch's after-work (prepare_next): off the worker, so that the worker is
        # idle once every change is answered; the next batch waits for it before staging.
        self._after: asyncio.Task[None] | None = None
        # The pools' sites and variations of the last registries asked (no change alters a
        # registry once a batch holds it): at thousands of sites, each takes milliseconds.
        self._known: list[tuple[Registry, _Pools]] = []
        # The registry whose PHP pools' error_log links are known to be right (_link_error_logs).
        self._linked: Registry | None = None
        self.reloads = 0

    async def get(self, name: Hostname) -> Site:
        site = self._live().get(name)
        if site is None:
            raise NotFound(f"domain {name} does not exist")
        return site

    def holder(self, name: str) -> AccountName | None:
        """The account whose site serves the hostname, as the live generation says (names.py)."""
        return self._live().account_of(name)

    def held_below(self, name: str, account: AccountName) -> str | None:
        """A hostname another account's site serves below `name`, if any (names.py)."""
        return self._live().held_below(name, account)

    def held(self) -> Iterator[tuple[str, AccountName]]:
        """Every hostname served, with the account serving it (names.py)."""
        for site in self._live():
            for host in site.hostnames:
                yield host, site.account

    async def page(
        self, account: AccountName | None, after: str | None, limit: int
    ) -> tuple[list[Site], bool]:
        """Up to `limit` sites in name order after `after`, and whether more follow.

        A first page reads the live files again while no change is under way, so a site file
        removed by hand shows as a missing site (the gateway's reconcile creates it again)."""
        if after is None and self._changes.idle:
            self._registry = None
        chosen = sorted(
            (
                site
                for site in self._live()
                if (account is None or site.account == account)
                and (after is None or site.name > after)
            ),
            key=lambda site: site.name,
        )
        return chosen[:limit], len(chosen) > limit

    async def create(self, site: Site) -> Site:
        """Creates the site, or brings the account's existing site of that name to this spec."""
        return await self._finisher.run(self._create(site))

    async def update(
        self, name: Hostname, *, aliases: tuple[Hostname, ...] | None, backend: Backend | None
    ) -> Site:
        """Applies the given fields; None leaves a field as it is."""
        return await self._finisher.run(self._update(name, aliases, backend))

    async def set_suspended(self, name: Hostname, suspended: bool) -> Site:
        await self.get(name)
        change = functools.partial(_suspend, name, suspended)
        return _present(await self._finisher.run(self._changes.submit(change)))

    async def set_log_retention(self, name: Hostname, days: int) -> Site:
        await self.get(name)
        change = functools.partial(_set_log_retention, name, days)
        return _present(await self._finisher.run(self._changes.submit(change)))

    async def set_https(self, name: Hostname, account: AccountName, https: Https | None) -> Site:
        """Turns HTTPS on with an installed certificate, changes its settings, or (None) turns
        it off (CertificateService). Another account's site is NOT_FOUND, as a missing one."""
        change = functools.partial(_set_https, name, account, https)
        return _present(await self._finisher.run(self._changes.submit(change)))

    async def set_account_suspended(self, account: AccountName, suspended: bool) -> None:
        """Suspends every site of the account for its suspension (SuspendAccount), or resumes
        the sites that suspension suspended (UnsuspendAccount); a site suspended on its own
        stays suspended. Sites created while the account is suspended start suspended."""
        change = functools.partial(_suspend_account, account, suspended)
        await self._finisher.run(self._changes.submit(change))

    async def set_pool_limits(self, account: AccountName, limits: PoolLimits) -> None:
        """Records the account's pool limits and brings its pools to them, through the worker
        (pool files are written by one batch at a time)."""
        try:
            await self._users.get(account)
        except NotFound:
            raise FailedPrecondition(f"account {account} does not exist") from None
        except InvalidArgument as error:
            raise InvalidArgument("account", error.description) from None
        # Noted now, written by the first change of the batch, once for all the accounts noted
        # until then (a plan's change sends thousands). No site changes: the batch rewrites
        # the pool files whose text differs now.
        change = _LimitsChange(account, limits, self._php.limits.get(account), self._write_limits)
        self._php.limits.note(account, limits)
        await self._finisher.run(self._changes.submit(change))

    def _write_limits(self) -> None:
        try:
            self._php.limits.write()
        except OSError as error:
            raise Internal(f"could not write the PHP pool limits: {error}") from error

    def _limits_back(self, changes: Sequence[_LimitsChange]) -> None:
        """Sets back the limits of changes whose masters refused them, last first, where no
        later call changed them since: the next change of their masters must not bring them in
        (a plan's open_basedir taken away that failed and was taken back in the panel)."""
        limits = self._php.limits
        for change in reversed(changes):
            if limits.get(change.account) == change.limits:
                limits.note(change.account, change.previous)
        try:
            limits.write()
        except OSError as error:
            logger.error("could not write the PHP pool limits: %s", error)

    def pool_limits(self) -> dict[str, PoolLimits]:
        """The accounts whose pool limits differ from the default, and theirs."""
        return self._php.limits.recorded()

    async def delete(self, name: Hostname, *, delete_files: bool) -> None:
        """Stops serving the site; a missing one is fine."""
        await self._finisher.run(self._delete(name, delete_files))

    @contextlib.asynccontextmanager
    async def removal(self, account: AccountName) -> AsyncIterator[None]:
        """Takes every site of the account offline (AccountService, before deleting it), and
        refuses new ones until the account is gone. Its files go with its home."""
        self._removing.add(account)
        try:
            if any(site.account == account for site in self._live()):
                removed: list[Hostname] = []
                change = functools.partial(_remove_account, account, removed)
                await self._finisher.run(self._changes.submit(change))
                for name in removed:
                    webroots.remove_log_dir(self._layout.log_root, name)
                    self._layout.certificates.remove(name)
            yield
            # The account's processes are gone now: its socket folder goes with its home.
            app_sockets.remove_folder(self._socket_root, account)
            # A later account of the same name starts from the default limits.
            self._php.limits.set(account, None)
        finally:
            self._removing.discard(account)

    async def _create(self, site: Site) -> Site:
        _check_not_removing(site.account, self._removing)
        owner = await self._owner(site.account)
        registry = self._live()
        _check_owner(registry.get(site.name), site.account)
        registry.check_claims(site)  # fails early; the worker checks again, authoritatively
        self._prepare_backend(owner, site.backend)
        webroots.prepare_site(owner, site.name, self._layout.log_root)
        if isinstance(site.backend, PhpBackend):
            webroots.prepare_php_tmp(owner)
        if (await self._users.get(site.account)).suspended:
            site = dataclasses.replace(site, account_suspended=True)
        return _present(await self._changes.submit(functools.partial(_put, site, self._removing)))

    async def _update(
        self, name: Hostname, aliases: tuple[Hostname, ...] | None, backend: Backend | None
    ) -> Site:
        current = await self.get(name)
        if aliases is not None:
            self._live().check_claims(dataclasses.replace(current, aliases=aliases))
        if backend is not None:
            owner = await self._owner(current.account)
            self._prepare_backend(owner, backend)
            if isinstance(backend, PhpBackend):
                webroots.prepare_php_tmp(owner)
        change = functools.partial(_update_site, name, aliases, backend)
        return _present(await self._changes.submit(change))

    async def _delete(self, name: Hostname, delete_files: bool) -> None:
        site = self._live().get(name)
        if site is None:
            return
        owner = await self._existing_owner(site.account)
        if delete_files and owner is not None:
            webroots.check_removable(owner)  # before anything changes
        await self._changes.submit(functools.partial(_remove, name))
        webroots.remove_log_dir(self._layout.log_root, name)
        # Its keys, chains and tokens go with it: a later owner of the name starts clean.
        self._layout.certificates.remove(name)
        if delete_files and owner is not None:
            await webroots.remove_site(owner, name, self._removal)

    def _prepare_backend(self, owner: Owner, backend: Backend) -> None:
        """What a proxy backend needs before it goes live: the account's socket folder, or a
        port that no other user's program listens on (checked again at each change)."""
        if isinstance(backend, SocketBackend):
            path = backend.path
            app_sockets.prepare_folder(self._socket_root, owner, path, "domain.proxy.socket_path")
        elif isinstance(backend, ProxyBackend):
            app_sockets.check_port_free_for(backend.port, owner, "domain.proxy.port")

    async def _owner(self, account: AccountName) -> Owner:
        try:
            user = await self._users.get(account)
        except NotFound:
            raise FailedPrecondition(
                f"account {account} does not exist; create the account first"
            ) from None
        except InvalidArgument as error:
            raise InvalidArgument("domain.account", error.description) from None
        return Owner(account, user.uid, user.gid)

    async def _existing_owner(self, account: AccountName) -> Owner | None:
        """The owner, or None when the account is gone (its home went with it)."""
        try:
            return await self._owner(account)
        except (FailedPrecondition, InvalidArgument):
            return None

    def _live(self) -> Registry:
        if self._registry is None:
            self._tree.ensure_layout()
            self._registry, self._stale = self._load(self._tree.read_live())
        return self._registry

    def _load(self, texts: dict[str, str]) -> tuple[Registry, dict[str, str]]:
        """The records of the live files, and the files a new template or setting changes."""
        registry = Registry()
        stale: dict[str, str] = {}
        for filename, text in sorted(texts.items()):
            site = None if filename.startswith("_") else _parse(filename, text, self._socket_root)
            if site is None:
                continue
            try:
                registry.put(site)
            except AlreadyExists as error:
                logger.error("%s: left out: %s", filename, error.message)
                continue
        pools = _Pools.of(registry)
        self._known = [(registry, pools)]
        for site in registry:
            rendered = render_site(site, self._layout, site_variations(site, pools.variations))
            if rendered != texts[site.filename]:
                stale[site.filename] = rendered
        for filename, text in render_support(self._layout).items():
            if texts.get(filename) != text:
                stale[filename] = text
        return registry, stale

    async def _apply(self, batch: list[_Pending]) -> None:
        if self._after is not None:
            after, self._after = self._after, None
            await after
        live = self._live()
        candidate, outcomes = _replay(live, batch)
        candidate, outcomes = await self._add_pools(live, candidate, outcomes)
        await self._link_error_logs(live, candidate, before_reload=True)
        final, outcomes = await self._go_live(live, candidate, outcomes)
        await self._link_error_logs(live, final, before_reload=False)
        await self._prune_pools(final)
        await self._recycle_workers(live, final)
        if final is not live:  # the sites changed: their logs' rotation follows
            text = logrotate.render(final, self._layout.log_root, self._pid_file)
            await asyncio.to_thread(logrotate.write, text)
        for pending, result in outcomes:
            pending.succeed(result)
        self._after = asyncio.create_task(self._prepare_next())

    async def settled(self) -> None:
        """Returns once the last batch's after-work is done: another instance over the same
        tree (a test's restarted agent) would otherwise link the same next generation at once."""
        if self._after is not None:
            await asyncio.shield(self._after)

    async def _prepare_next(self) -> None:
        """After the answers: the file work that grows with the number of sites (nginx.py)."""
        try:
            await asyncio.to_thread(self._tree.prepare_next)
        except OSError as error:  # the next change stages from scratch, and says why it fails
            logger.error("could not prepare the next nginx generation: %s", error)

    async def _add_pools(
        self, live: Registry, candidate: Registry, outcomes: list[Outcome]
    ) -> tuple[Registry, list[Outcome]]:
        """Starts the PHP-FPM pools the batch needs before nginx sends requests to them."""
        try:
            await self._php.ensure(_wanted_pools(candidate))
        except AgentError as error:
            running = _wanted_pools(live)
            failing = [
                p
                for p, site in outcomes
                if _needs_new_pool(site, running) or isinstance(p.change, _LimitsChange)
            ]
            if not failing:
                logger.error("php-fpm: %s", error.message)
                return candidate, outcomes
            self._limits_back([p.change for p in failing if isinstance(p.change, _LimitsChange)])
            for pending in failing:
                pending.fail(error)
            return _replay(live, [p for p, _ in outcomes if p not in failing])
        return candidate, outcomes

    async def _prune_pools(self, final: Registry) -> None:
        """Stops the pools no site needs any more, once nginx no longer sends requests there."""
        try:
            await self._php.prune(_wanted_pools(final))
        except AgentError as error:
            logger.error("could not remove unused PHP-FPM pools: %s", error.message)
        try:
            await asyncio.to_thread(self._php.error_logs.keep_only, set(self._pools(final).sites))
        except OSError as error:
            logger.error("could not remove unused PHP error_log links: %s", error)

    async def _link_error_logs(self, live: Registry, new: Registry, *, before_reload: bool) -> None:
        """Points the error_log link of each pool of `new` that has one site at that site's log
        (php_fpm.ErrorLogLinks); a pool of more sites keeps its link (every request names its
        site's log), or gets one to its first site's.

        Before nginx reloads, a pool whose one live site sends no error_log keeps its link:
        its requests log through it until nginx serves `new`. Other pools (new ones, and pools
        whose live sites each send theirs) are linked before, so a site that will send none
        finds its link when nginx first sends it a request. Once the links are known to match
        the live sites, only the pools whose sites changed are looked at (at 5,000 pools, all
        of them take tens of milliseconds)."""
        links = self._php.error_logs
        was = self._pools(live).sites
        settled = self._linked is live
        if not settled:
            await asyncio.to_thread(links.load)
        targets = {}
        for pool, sites in self._pools(new).sites.items():
            before = was.get(pool)
            if settled and before == sites:  # the same site objects: compared by identity
                continue
            current = links.target(pool)
            if len(sites) > 1 and current is not None:
                continue
            target = webroots.php_error_log(sites[0].account, sites[0].name)
            if target == current:
                continue
            if before_reload and current is not None and before is not None and len(before) == 1:
                continue
            targets[pool] = target
        try:
            if targets:
                await asyncio.to_thread(links.set, targets)
        except OSError as error:
            logger.error("could not link PHP error logs: %s", error)
            self._linked = None  # every pool is looked at again with the next change
        else:
            if not before_reload:
                self._linked = new

    async def _recycle_workers(self, live: Registry, final: Registry) -> None:
        """A pool whose sites stopped sending a setting (none of them changes it any more)
        gets new workers: its old ones may hold a value a site sent before (pool_variations)."""
        if final is live:
            return
        before, after = self._variations(live), self._variations(final)
        for (account, version), varied in sorted(before.items()):
            kept = after.get((account, version))
            if kept is not None and not varied <= kept:
                try:
                    await self._php.recycle(account, version)
                except AgentError as error:
                    logger.error(
                        "could not renew %s's PHP %s workers: %s", account, version, error.message
                    )

    async def _go_live(
        self, live: Registry, candidate: Registry, outcomes: list[Outcome]
    ) -> tuple[Registry, list[Outcome]]:
        """Stages, checks and publishes the next generation, then reloads nginx.

        While nginx is known to run the live generation, `nginx -t` reads only the files the
        batch writes (nginx.py); a conflict only the whole set shows is refused by the master,
        and then the previous generation goes live again and the batch is checked once more,
        whole, so the change that caused it fails with nginx's reason (docs/web.md, Staging)."""
        whole = not self._runs_live()
        while True:
            final, outcomes, refused = await self._publish(live, candidate, outcomes, whole=whole)
            if refused is None:
                return final, outcomes
            if whole:  # even the whole check passed: a conflict outside the agent's files
                for pending, _ in outcomes:
                    pending.fail(refused)
                return live, []
            logger.warning("nginx's master refused a batch (%s); checking it whole", refused)
            candidate, whole = final, True

    def _runs_live(self) -> bool:
        """Whether nginx is known to run the live generation (so its files were checked)."""
        return self._loaded == self._tree.generation() and nginx.running(self._pid_file)

    async def _publish(
        self, live: Registry, candidate: Registry, outcomes: list[Outcome], *, whole: bool
    ) -> tuple[Registry, list[Outcome], nginx.ReloadRefused | None]:
        """The published sites and the changes they carry, or what the master refused (the
        previous generation live again)."""
        changes = {**self._stale, **self._changed_files(live, candidate)}
        if not changes:
            # Nothing new, but nginx may not run the live generation yet (a reload failed, or
            # the agent just started): a repeated request must still put its change live.
            if self._loaded != self._tree.generation():
                await self._reload(0, 0.0)
            return live, outcomes, None
        started = time.monotonic()
        # File work off the event loop: at thousands of sites it takes tens of milliseconds.
        staging = await asyncio.to_thread(self._tree.stage)
        try:
            final, outcomes = await self._check(
                staging, live, candidate, outcomes, changes, whole=whole
            )
        except BaseException:
            staging.discard()
            raise
        if final is live and not self._stale:
            staging.discard()  # every change was refused: nothing to publish
            return live, outcomes, None
        previous, stale = self._tree.generation(), self._stale
        await asyncio.to_thread(staging.publish)
        self._registry, self._stale = final, {}
        try:
            await self._reload(len(outcomes), time.monotonic() - started)
        except nginx.ReloadRefused as refused:
            # The master still runs the previous generation (reload checked its old workers
            # serve): its files go live again, byte for byte, and nothing of the batch stays.
            await asyncio.to_thread(self._tree.roll_back, previous, staging)
            self._registry, self._stale = live, stale
            return final, outcomes, refused
        return final, outcomes, None

    async def _check(
        self,
        staging: Staging,
        live: Registry,
        candidate: Registry,
        outcomes: list[Outcome],
        changes: dict[str, str | None],
        *,
        whole: bool,
    ) -> tuple[Registry, list[Outcome]]:
        """`nginx -t` of the batch, then of its changes one by one (staging.check_batch)."""
        await asyncio.to_thread(staging.write, changes)
        staged = candidate  # the sites the staged generation holds (with the stale files)

        async def check(registry: Registry) -> None:
            nonlocal staged
            if registry is not staged:
                await asyncio.to_thread(staging.write, self._changed_files(staged, registry))
                staged = registry
            await staging.check(whole=whole)

        final, kept = await check_batch(
            live,
            candidate,
            outcomes,
            apply=_apply_to_copy,
            check=check,
            rejected=NginxRejected,
            base_checked=not self._stale,
            noun="nginx",
        )
        if final is not staged:
            # One by one, the files staged last are those of the last change tried: when nginx
            # refused it, they still hold it. Stage what passed (checked when it was staged).
            await asyncio.to_thread(staging.write, self._changed_files(staged, final))
        return final, kept

    async def _reload(self, changes: int, check_seconds: float) -> None:
        started = time.monotonic()
        await nginx.reload(self._pid_file, self._tree.live)
        self._loaded = self._tree.generation()
        self.reloads += 1
        # One line per reload: the benchmark counts them and reads the numbers from here.
        logger.info(
            "nginx reload #%d: generation %d with %d change(s); staged and checked in %.0f ms, "
            "reloaded in %.0f ms",
            self.reloads,
            self._loaded,
            changes,
            check_seconds * 1000,
            (time.monotonic() - started) * 1000,
        )

    def _variations(self, registry: Registry) -> dict[Pool, frozenset[str]]:
        return self._pools(registry).variations

    def _pools(self, registry: Registry) -> _Pools:
        for known, pools in self._known:
            if known is registry:
                return pools
        pools = _Pools.of(registry)
        self._known = [(registry, pools), *self._known[:2]]
        return pools

    def _changed_files(self, base: Registry, new: Registry) -> dict[str, str | None]:
        """The files of the sites that changed, and of the sites whose pool sends other
        settings now (pool_variations)."""
        was, now = self._variations(base), self._variations(new)
        moved: set[Pool] = {pool for pool, varied in now.items() if was.get(pool) != varied}
        changed: dict[str, str | None] = {}
        for site in new:
            before = base.get(site.name)
            if (before is not site and before != site) or pool_of(site) in moved:
                changed[site.filename] = render_site(site, self._layout, site_variations(site, now))
        for site in base:
            if new.get(site.name) is None:
                changed[site.filename] = None
        return changed


@dataclasses.dataclass(frozen=True)
class _Pools:
    """A registry's PHP pools: their sites, and the values their sites send (variations)."""

    sites: dict[Pool, list[Site]]
    variations: dict[Pool, frozenset[str]]

    @classmethod
    def of(cls, registry: Registry) -> _Pools:
        sites = pool_sites(registry)
        return cls(sites, pool_variations(sites))


def _apply_to_copy(registry: Registry, change: Change) -> tuple[Registry, Site | None]:
    trial = registry.copy()
    return trial, change(trial)


def _replay(base: Registry, pendings: Iterable[_Pending]) -> tuple[Registry, list[Outcome]]:
    """Applies the changes in order to a copy of `base`; the refused ones fail at once."""
    registry = base.copy()
    outcomes: list[Outcome] = []
    for pending in pendings:
        try:
            outcomes.append((pending, pending.change(registry)))
        except AgentError as error:
            pending.fail(error)
    return registry, outcomes


def _put(site: Site, removing: Collection[AccountName], registry: Registry) -> Site:
    _check_not_removing(site.account, removing)
    current = registry.get(site.name)
    _check_owner(current, site.account)
    if current is not None:  # a repeated create keeps what suspended the site, and its certificate
        site = dataclasses.replace(
            site,
            suspended=current.suspended,
            account_suspended=current.account_suspended,
            https=current.https,
        )
    registry.put(site)
    return site


def _update_site(
    name: Hostname,
    aliases: tuple[Hostname, ...] | None,
    backend: Backend | None,
    registry: Registry,
) -> Site:
    current = _require(registry, name)
    changed = dataclasses.replace(
        current,
        aliases=current.aliases if aliases is None else aliases,
        backend=current.backend if backend is None else backend,
    )
    registry.put(changed)
    return changed


def _set_log_retention(name: Hostname, days: int, registry: Registry) -> Site:
    changed = dataclasses.replace(_require(registry, name), log_retention_days=days)
    registry.put(changed)
    return changed


def _suspend(name: Hostname, suspended: bool, registry: Registry) -> Site:
    changed = dataclasses.replace(_require(registry, name), suspended=suspended)
    registry.put(changed)
    return changed


def _set_https(
    name: Hostname, account: AccountName, https: Https | None, registry: Registry
) -> Site:
    current = registry.get(name)
    if current is None or current.account != account:
        raise NotFound(f"account {account} has no website {name}")
    changed = dataclasses.replace(current, https=https)
    registry.put(changed)
    return changed


def _suspend_account(account: AccountName, suspended: bool, registry: Registry) -> None:
    """Sets the account's suspension on every site of the account, as the registry holds them
    when the change applies; each site's own suspension stays as it is."""
    for site in list(registry):
        if site.account == account and site.account_suspended != suspended:
            registry.put(dataclasses.replace(site, account_suspended=suspended))


def _remove(name: Hostname, registry: Registry) -> None:
    registry.remove(name)


def _remove_account(account: AccountName, removed: list[Hostname], registry: Registry) -> None:
    """Removes every site of the account, as the registry holds them when the change applies."""
    removed.clear()  # a replay (one-by-one checking) starts over
    for site in list(registry):
        if site.account == account:
            registry.remove(site.name)
            removed.append(site.name)


def _check_not_removing(account: AccountName, removing: Collection[AccountName]) -> None:
    if account in removing:
        raise FailedPrecondition(f"account {account} is being deleted")


def _require(registry: Registry, name: str) -> Site:
    site = registry.get(name)
    if site is None:
        raise NotFound(f"domain {name} does not exist")
    return site


def _check_owner(current: Site | None, account: AccountName) -> None:
    if current is not None and current.account != account:
        raise AlreadyExists(f"domain {current.name} belongs to another account")


def _present(site: Site | None) -> Site:
    if site is None:
        raise Internal("the domain vanished while it was being changed")
    return site


def _wanted_pools(registry: Registry) -> dict[PhpVersion, set[AccountName]]:
    """The pools the sites need: one per (account, PHP version), for accounts that exist."""
    users = {entry.pw_name for entry in pwd.getpwall()}
    wanted: dict[PhpVersion, set[AccountName]] = {}
    for site in registry:
        if isinstance(site.backend, PhpBackend) and site.account in users:
            wanted.setdefault(site.backend.version, set()).add(site.account)
    return wanted


def _needs_new_pool(site: Site | None, running: dict[PhpVersion, set[AccountName]]) -> bool:
    if site is None or not isinstance(site.backend, PhpBackend):
        return False
    return site.account not in running.get(site.backend.version, set())


def _parse(filename: str, text: str, socket_root: Path) -> Site | None:
    """The record a site file carries; files the agent did not write are left out (and kept)."""
    line = record_line(text)
    if line is None:
        logger.warning("%s has no JoPanel record; it is kept but not managed", filename)
        return None
    try:
        site = from_json(line, str(socket_root))
    except (ValueError, KeyError, TypeError) as error:
        logger.error("%s: unreadable record (%s); it is kept but not managed", filename, error)
        return None
    if site.filename != filename:
        logger.error("%s holds the record of %s; it is kept but not managed", filename, site.name)
        return None
    return site


@functools.cache
def web_domains(config: AgentConfig) -> WebDomains:
    """The one WebDomains of the agent: WebDomainService and AccountService (which takes an
    account's sites offline before deleting it) share its registry and its worker."""
    return WebDomains(config, Users(config=config))
