"""Reading and validating a home's YAML files."""

from bot.config.home import Home, HomePaths, Region, load_home
from bot.config.problems import ConfigError, Problem

__all__ = ["ConfigError", "Home", "HomePaths", "Problem", "Region", "load_home"]
