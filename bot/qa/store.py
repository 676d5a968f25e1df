"""Reading and writing the Q&A rows: questions, answers, assignments, FAQ entries."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.chat.parse import format_question_id
from bot.clock import naive_utc
from bot.config import Home
from bot.core.messages import FileOut, ImageOut, Payload
from bot.db.schema import Answer, Assignment, FaqEntry, Question

MAX_STORED_TEXT = 4000


def qid(question: Question) -> str:
    return format_question_id(question.id)


def get(session: Session, number: int | None, *, lock: bool = False) -> Question | None:
    if number is None:
        return None
    query = select(Question).where(Question.id == number)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def by_message(session: Session, account: str, message_id: str) -> Question | None:
    return session.scalars(select(Question).where(
        Question.account == account, Question.message_id == message_id)).first()


def latest_of(session: Session, asker: str, group_id: str | None, since: datetime
              ) -> Question | None:
    """The asker's newest question in the group (any group: ``None``) asked at or after
    ``since``."""
    where = [Question.asker_id == asker, Question.created_at >= naive_utc(since)]
    if group_id is not None:
        where.append(Question.group_id == group_id)
    return session.scalars(
        select(Question).where(*where).order_by(Question.id.desc()).limit(1)).first()


def assigned(session: Session, question_id: int) -> list[str]:
    """Every expert the question was given to, first routed first."""
    return list(session.scalars(select(Assignment.expert_id)
                                .where(Assignment.question_id == question_id)
                                .order_by(Assignment.id)))


def assign(session: Session, question: Question, expert_ids: list[str], region_id: str,
           reason: str, now: datetime) -> None:
    session.add_all(Assignment(question_id=question.id, expert_id=e, region_id=region_id,
                               reason=reason, assigned_at=naive_utc(now)) for e in expert_ids)


def answers(session: Session, question_id: int) -> list[Answer]:
    return list(session.scalars(select(Answer).where(Answer.question_id == question_id)
                                .order_by(Answer.id)))


def attachments(question: Question) -> list[dict[str, Any]]:
    try:
        found = json.loads(question.attachments or "[]")
    except ValueError:
        return []
    return found if isinstance(found, list) else []


def add_attachment(question: Question, kind: str, message_id: str, path: str | None) -> None:
    found = attachments(question)
    found.append({"kind": kind, "message_id": message_id, "path": path})
    question.attachments = json.dumps(found, ensure_ascii=False)


def media_payload(kind: str, path: str | None) -> Payload | None:
    """The photo or video itself, to send on to an expert (``None`` when it was not saved)."""
    if not path or not Path(path).is_file():
        return None
    name = Path(path).name
    return ImageOut(path, name) if kind == "image" else FileOut(path, name)


def attachment_payloads(question: Question) -> list[Payload]:
    found = (media_payload(str(a.get("kind")), a.get("path")) for a in attachments(question))
    return [p for p in found if p is not None]


def describe_attachments(question: Question) -> str:
    counts = Counter(a.get("kind") for a in attachments(question))
    names = {"image": msg.QA_IMAGE, "video": msg.QA_VIDEO}
    items = [msg.QA_ATTACHMENT_COUNT.format(kind=names.get(str(k), str(k)), count=n)
             for k, n in counts.items()]
    return msg.QA_ATTACHMENTS.format(items="、".join(items)) if items else ""


def industry_name(home: Home, industry: str | None) -> str:
    found = home.industries.get(industry) if industry else None
    return found.name if found else msg.QA_GENERAL


def group_name(home: Home, group_id: str) -> str:
    group = home.groups.get(group_id)
    return group.name if group else group_id


def expert_label(home: Home, expert_id: str) -> str:
    expert = home.experts.get(expert_id)
    if expert is None:
        return expert_id
    return f"{expert.name}（{expert.title}）" if expert.title else expert.name


def faq_answer(home: Home, session: Session, question_id: int) -> str:
    """Every answer to the question, each with its expert's name, as one FAQ answer."""
    lines = []
    for answer in answers(session, question_id):
        expert = home.experts.get(answer.expert_id)
        name = expert.name if expert else answer.expert_id
        lines.append(f"{name}：{answer.text}")
    return "\n".join(lines)


def save_faq(session: Session, question: Question, answer: str, added_by: str,
             now: datetime) -> None:
    session.merge(FaqEntry(question_id=question.id, question=question.text, answer=answer,
                           added_by=added_by, added_at=naive_utc(now)))


def qid_of(number: int) -> str:
    return format_question_id(number)
