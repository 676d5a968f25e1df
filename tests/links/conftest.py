"""The quiz package's fixtures (the whole bot behind its simulator; schedule-less homes) serve
the link tests too."""

from tests.quiz.conftest import api, bot, clock, home, home_dir  # noqa: F401
