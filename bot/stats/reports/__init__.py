"""Report formats. Each lays out one :class:`bot.stats.figures.PeriodReport`; none computes."""
