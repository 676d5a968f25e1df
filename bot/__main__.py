"""``python -m bot`` is the same as the ``agribot`` command."""

from bot.cli.main import main

raise SystemExit(main())
