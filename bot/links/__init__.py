"""Tracked links: every pushed link goes out as ``<public base>/l/<code>`` and each open is an
anonymous event of the group it was pushed to."""
