"""Scheduled course pushes from the YAML files county admins write (``schedules/``)."""
