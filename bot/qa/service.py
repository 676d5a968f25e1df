"""Wiring the Q&A feature into the app: build it once at start, then register its commands and
fallbacks on the router and call its escalation tick from a periodic job.

    qa = QaService.build(home, sessions)          # home.qa, the classifier, the FAQ index
    qa.install(router)                            # #问 #答 #解决 #收录 #删除收录 #转 + fallbacks
    with sessions.begin() as session:             # every minute or so, with the app's clock
        qa.escalate_due(session, clock.now())
    if qa.relearn_due(clock.now()):               # every few minutes: true once a night
        qa.relearn(qa.learnt(session))            # read in a session, fit off the event loop
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot import messages as msg
from bot.chat.router import CommandSpec, Fallback, Router
from bot.chat.turn import Turn
from bot.config import Home
from bot.config.settings import QaSettings
from bot.qa import answering, asking, escalation, faq, forwarding, learning
from bot.qa.context import QaContext
from bot.qa.examples import Example
from bot.qa.faq import FaqIndex
from bot.qa.learning import LiveClassifier


@dataclass(frozen=True)
class QaService:
    home: Home
    context: QaContext

    @classmethod
    def build(cls, home: Home, sessions: sessionmaker[Session],
              settings: QaSettings | None = None) -> QaService:
        """Take the settings from the home (``qa.yaml``, read by ``load_home``), build
        the classifier from the home's industries, the corpus and the database's labelled
        questions, and fill the FAQ index from the database."""
        with sessions() as session:
            learnt, index = cls.stored(session, home)
        return cls.assemble(home, sessions, learnt, index, settings)

    @staticmethod
    def stored(session: Session, home: Home) -> tuple[list[Example], FaqIndex]:
        """What the feature keeps in the database: the examples it learnt and the FAQ index (a
        read, for the database worker)."""
        index = FaqIndex()
        faq.load(session, index)
        return learning.learnt_examples(home, session), index

    @classmethod
    def assemble(cls, home: Home, sessions: sessionmaker[Session], learnt: Sequence[Example],
                 index: FaqIndex, settings: QaSettings | None = None) -> QaService:
        """The service from what :meth:`stored` read: a second or more of CPU (the classifier),
        no database, so the app runs it in a thread and the database worker stays free."""
        classifier = LiveClassifier(home, sessions, learnt)
        return cls(home, QaContext(settings or home.qa, classifier, index))

    def commands(self) -> list[CommandSpec]:
        return commands(self.context)

    def fallbacks(self) -> list[Fallback]:
        return fallbacks(self.context)

    def install(self, router: Router) -> None:
        router.add(*self.commands())
        for fallback in self.fallbacks():
            router.add_fallback(fallback)

    def awaits_attachment(self, session: Session, sender: str, group_id: str | None,
                          now: datetime) -> bool:
        """Whether a photo or video from ``sender`` now would be attached to a question (so
        the transport should keep the file)."""
        return asking.awaiting_attachment(self.context, session, sender, group_id, now) \
            is not None

    def relearn_due(self, now: datetime) -> bool:
        """Whether the classifier's nightly rebuild is due (then counted as done)."""
        return self.context.classifier.due(now)

    def learnt(self, session: Session) -> list[Example]:
        """What the database has taught the classifier (a short read)."""
        return learning.learnt_examples(self.home, session)

    def relearn(self, learnt: Sequence[Example]) -> None:
        """Rebuild the classifier from ``learnt`` and the corpus: seconds of CPU, no database."""
        self.context.classifier.rebuild(learnt)

    def escalate_due(self, session: Session, now: datetime, *, account: str | None = None
                     ) -> int:
        return escalation.escalate_due(session, self.home, now,
                                       settings=self.context.settings, account=account)


def _bind(handler: Callable[[QaContext, Turn, str], None], ctx: QaContext
          ) -> Callable[[Turn, str], None]:
    def run(turn: Turn, args: str) -> None:
        handler(ctx, turn, args)

    return run


def commands(ctx: QaContext) -> list[CommandSpec]:
    """The Q&A chat commands. Permissions are checked inside each handler (an expert, the asker,
    an admin of the question's region), not with ``admin_only``, because they depend on the
    question rather than on the room the command is said in."""
    return [
        CommandSpec("问", _bind(asking.ask, ctx), msg.QA_ASK_USAGE),
        CommandSpec("答", _bind(answering.answer_command, ctx), msg.QA_ANSWER_USAGE),
        CommandSpec("解决", _bind(answering.close_command, ctx), msg.QA_CLOSE_USAGE),
        CommandSpec("收录", _bind(answering.faq_add_command, ctx), msg.QA_FAQ_ADD_USAGE),
        CommandSpec("删除收录", _bind(answering.faq_remove_command, ctx),
                    msg.QA_FAQ_REMOVE_USAGE),
        CommandSpec("转", _bind(forwarding.forward_command, ctx), msg.QA_FORWARD_USAGE),
    ]


def fallbacks(ctx: QaContext) -> list[Fallback]:
    """For messages that are not commands, in this order: a photo or video following a
    question, an expert's quote-reply to a relay, an @bot question."""
    def attachment(turn: Turn) -> bool:
        return asking.attachment_fallback(ctx, turn)

    def quote(turn: Turn) -> bool:
        return answering.quote_fallback(ctx, turn)

    def mention(turn: Turn) -> bool:
        return asking.mention_fallback(ctx, turn)

    return [attachment, quote, mention]
