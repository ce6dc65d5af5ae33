"""Every object the application shares, behind a typed key. No globals."""

from __future__ import annotations

import aiomysql
from aiohttp import web

from gateway.agent import Agent
from gateway.auth.devices import DeviceCookies
from gateway.auth.sessions import SessionCache
from gateway.auth.throttle import LoginThrottle
from gateway.auth.tokens import TokenIssuer
from gateway.config import GatewayConfig
from gateway.principal import Principal
from gateway.reconcile import Reconciler
from gateway.services.jobs import JobRunner

CONFIG = web.AppKey("config", GatewayConfig)
DB = web.AppKey("db", aiomysql.Pool)
AGENT = web.AppKey("agent", Agent)
TOKENS = web.AppKey("tokens", TokenIssuer)
SESSIONS = web.AppKey("sessions", SessionCache)
THROTTLE = web.AppKey("throttle", LoginThrottle)
DEVICES = web.AppKey("devices", DeviceCookies)
RECONCILER = web.AppKey("reconciler", Reconciler)
JOBS = web.AppKey("jobs", JobRunner)
PRINCIPAL = web.RequestKey("principal", Principal)
