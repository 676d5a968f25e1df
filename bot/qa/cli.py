"""``agribot qa classify [--explain]``: how an admin checks a dictionary change, and how the
benchmark runs. Questions on standard input, one a line; for each, ``industry_id<TAB>question``
(``-`` when it would go to a general expert), and with ``--explain`` a third column with what
decided it: the dictionary's keywords, the model's strongest n-grams and its confidence.

It classifies as the running bot does: the home's keywords, the corpus's train part and the
database's labelled questions (``--no-db``: without them, e.g. before the first run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot import messages as msg
from bot.chat.parse import clean
from bot.config import Home
from bot.context import Context
from bot.db.engine import make_engine, session_factory
from bot.qa.classify import Classification, Classifier
from bot.qa.examples import GENERAL
from bot.qa.learning import Rebuilt, build

MODES = ("both", "keywords", "model")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``qa classify`` to the ``agribot`` command parser."""
    qa = commands.add_parser("qa", help="专家答疑 (questions and answers)")
    sub = qa.add_subparsers(dest="qa_command", required=True)
    classify = sub.add_parser("classify", parents=[common],
                              help="标准输入每行一个问题，输出 产业编号<Tab>问题",
                              description="标准输入每行一个问题，输出 产业编号<Tab>问题"
                                          "（- 表示转综合专家）")
    classify.add_argument("--explain", action="store_true",
                          help="加一列：起作用的关键词、特征和把握")
    classify.add_argument("--no-db", action="store_true",
                          help="不用数据库里已学到的问题，只用关键词表和语料")
    classify.set_defaults(handler=classify_command)


def classify_command(ctx: Context, args: argparse.Namespace) -> int:
    rebuilt = classifier_for(ctx.home, None if args.no_db else _database_url(ctx))
    print(msg.QA_CLASSIFY_BUILT.format(
        examples=rebuilt.classifier.examples, learnt=rebuilt.learnt,
        accuracy=100 * rebuilt.test.accuracy, total=rebuilt.test.total,
        general=100 * rebuilt.test.general_share), file=sys.stderr)
    write(classify_lines(rebuilt.classifier, sys.stdin, explain=args.explain), sys.stdout)
    return 0


def classifier_for(home: Home, db_url: str | None) -> Rebuilt:
    """The bot's classifier: with the database's labelled questions when ``db_url`` names a
    database that has them (a missing or empty one is no error: there is nothing learnt yet)."""
    if db_url is None:
        return build(home, None)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return build(home, session)
    except SQLAlchemyError:
        return build(home, None)  # not migrated yet: nothing learnt
    finally:
        engine.dispose()


def _database_url(ctx: Context) -> str | None:
    url = ctx.db_url or ctx.home.database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (
            not parsed.database or not Path(parsed.database).is_file()):
        return None  # never create a database just to read what it has learnt
    return url


def classify_lines(classifier: Classifier, lines: Iterable[str], *, explain: bool = False
                   ) -> Iterator[str]:
    """One output line per non-empty input line."""
    for line in lines:
        text = clean(line)
        if text:
            yield format_line(text, classifier.classify(text, explain=explain), explain=explain)


def format_line(text: str, result: Classification, *, explain: bool) -> str:
    shown = text.replace("\t", " ")
    line = f"{result.industry or GENERAL}\t{shown}"
    if not explain:
        return line
    parts = [msg.QA_EXPLAIN_DECIDED.format(how=msg.QA_EXPLAIN_HOW[result.decided_by],
                                           confidence=result.confidence)]
    if result.words:
        parts.append(msg.QA_EXPLAIN_KEYWORDS.format(words="、".join(result.words)))
    if result.features:
        grams = " ".join(f"{g}({v:.2f})" for g, v in result.features)
        parts.append(msg.QA_EXPLAIN_FEATURES.format(features=grams))
    return f"{line}\t{'；'.join(parts)}"


def write(lines: Iterable[str], out: TextIO) -> None:
    for line in lines:
        out.write(line + "\n")
