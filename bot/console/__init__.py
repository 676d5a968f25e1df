"""The admin console: each admin signs in from chat (``#后台``) and sees their region.

``auth`` (links, sessions, CSRF), ``chat`` (the command), ``scope`` (what a session may see),
``views`` and ``sending``, ``schedule``, ``reports`` (what the pages show, read through the
bot's database runner), ``web`` (the routes under ``/console/``), ``server`` (its own port when
no simulator serves it), ``pages`` and ``static/`` (the page itself, no build step).
"""
