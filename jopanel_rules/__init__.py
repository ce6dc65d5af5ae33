"""The rules that both sides of the socket check: one copy, imported by the gateway and the agent.

Standard library only, so the gateway (never root) and the agent (root) can both import it
without either depending on the other's packages. The gateway checks these rules to give a
person an early, per-field 400 before it records anything; the agent checks them again itself,
as if the gateway were compromised. A rule written here changes on both sides at once, so the
two cannot drift (they had: 71 reserved account names in the gateway, 124 in the agent).

One module per resource, as protos/jopanel/agent/: accounts, hostnames (web and DNS), web,
databases, cron, files (the file manager's paths).
"""


class RuleError(ValueError):
    """A value a shared rule refuses. Its text says what is valid, never the value, and names no
    field: each side names its own (the agent's InvalidArgument, the gateway's 400)."""
