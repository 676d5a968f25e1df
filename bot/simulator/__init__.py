"""The local simulator: a web page and an HTTP API over the local world (DESIGN.md §4, §6)."""

from bot.simulator.server import SimulatorServer

__all__ = ["SimulatorServer"]
