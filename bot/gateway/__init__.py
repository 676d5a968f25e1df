"""A local wechaty puppet-service gateway: the local world over gRPC (``agribot gateway``)."""

from bot.gateway.server import DEFAULT_PORT, Gateway

__all__ = ["DEFAULT_PORT", "Gateway"]
