"""Validation of every request field, as pure functions, one module per resource
(as protos/jopanel/agent/) and `common` for what they all share.

The agent trusts nothing the gateway sends: each value that reaches a file or an argv passed one
of these functions first. They raise InvalidArgument naming the field and saying what is valid,
and never echo the value (it may be hostile, or a password). The NewTypes they return mark a
value as validated, so mypy shows where an unchecked string would reach the system layer.
"""
