"""Asking: ``#问 …`` or @bot in a group makes a question, routes it, and tells the group who will
answer; a photo or video the asker sends right after is attached to it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot import messages as msg
from bot.chat.examples import examples_for, fill
from bot.chat.parse import clean
from bot.chat.turn import Turn
from bot.clock import naive_utc
from bot.core import events
from bot.core.messages import MessageKind, Target, TextOut
from bot.db.schema import Question
from bot.links import photos
from bot.qa import routing, store
from bot.qa.context import QaContext
from bot.qa.escalation import level_deadline
from bot.transport import capabilities

_LEADING_MENTIONS = re.compile(r"^(?:@\S+\s*)+")
_MEDIA = {MessageKind.IMAGE: "image", MessageKind.VIDEO: "video"}


def ask(ctx: QaContext, turn: Turn, args: str) -> None:
    """``#问 <text>``."""
    if turn.group is None:
        turn.reply(msg.QA_ASK_IN_GROUP)
        return
    text = clean(args)[:store.MAX_STORED_TEXT]
    if not text:
        turn.reply(fill(msg.QA_EMPTY_QUESTION, examples_for(turn.home, turn.group)),
                   mentions=(turn.sender,))
        return
    if store.by_message(turn.session, turn.account, turn.inbound.message_id) is not None:
        return  # the same message delivered again after a restart: asked once
    home, group, now = turn.home, turn.group, turn.now
    industry = ctx.classifier.classify(text).industry
    route = routing.choose(home, group.region, industry, routing.open_load(turn.session),
                           count=ctx.settings.experts_per_question)
    question = Question(
        account=turn.account, group_id=group.id, message_id=turn.inbound.message_id,
        asker_id=turn.sender, asker_name=clean(turn.inbound.sender_name)[:255] or turn.sender,
        text=text, industry=industry, region_id=route.region_id if route else group.region,
        status="open", attachments="[]", created_at=naive_utc(now),
        deadline_at=naive_utc(level_deadline(home, ctx.settings, route.region_id, now))
        if route else None,
    )
    turn.session.add(question)
    turn.session.flush()  # the database numbers it
    ref = store.qid(question)
    experts = route.experts if route else ()
    store.assign(turn.session, question, [e.id for e in experts],
                 route.region_id if route else group.region, "route", now)
    relay = msg.QA_RELAY.format(qid=ref, industry=store.industry_name(home, industry),
                                asker=question.asker_name, group=group.name, text=text,
                                attachments="")
    for expert in experts:
        turn.send(Target.contact(expert.id), TextOut(relay), purpose="relay", ref=ref)
    turn.record(events.QUESTION, ref=ref, detail={
        "industry": industry, "text": text, "experts": [e.id for e in experts],
        "deadline": question.deadline_at.isoformat() if question.deadline_at else None})
    label = store.industry_name(home, industry)
    if experts:
        names = "、".join(msg.QA_EXPERT_NAME.format(name=e.name) for e in experts)
        sitting = tuple(e.id for e in experts if routing.sits_in(e, group.region))
        if route is not None and route.region_id != group.region:
            # Nobody here can take it: say so, so the asker knows why it went to the city.
            text = msg.QA_RECEIVED_UP.format(
                qid=ref, industry=label, region=home.regions[group.region].name,
                above=home.regions[route.region_id].name, experts=names)
        else:
            text = msg.QA_RECEIVED.format(qid=ref, industry=label, experts=names)
        turn.reply(text, mentions=(turn.sender, *sitting), ref=ref)
    else:
        turn.reply(msg.QA_RECEIVED_NO_EXPERT.format(qid=ref, industry=label),
                   mentions=(turn.sender,), ref=ref)
    _suggest(ctx, turn, question)


def _suggest(ctx: QaContext, turn: Turn, question: Question) -> None:
    """Offer the answer of a closely matching FAQ entry; the experts still get the question."""
    match = ctx.faq.search(question.text, min_similarity=ctx.settings.faq.min_similarity)
    if match is None or match.question_id == question.id:
        return
    limit = ctx.settings.faq.max_answer_chars
    answer = match.answer if len(match.answer) <= limit else match.answer[:limit] + "…"
    matched = store.qid_of(match.question_id)
    turn.reply(msg.QA_FAQ_SUGGEST.format(match=matched, answer=answer, qid=store.qid(question)),
               mentions=(turn.sender,), purpose="faq", ref=store.qid(question))
    turn.record(events.FAQ_HIT, ref=store.qid(question),
                detail={"matched": matched, "score": round(match.similarity, 4)})


def mention_fallback(ctx: QaContext, turn: Turn) -> bool:
    """@bot + text in a group is a question."""
    inbound = turn.inbound
    if not inbound.mentions_bot or turn.group is None or inbound.kind is not MessageKind.TEXT:
        return False
    text = clean(inbound.text)
    for account in turn.home.bot.accounts:  # "@农技助手" may sit anywhere in the line
        text = text.replace(f"@{account.name}", " ")
    ask(ctx, turn, _LEADING_MENTIONS.sub("", clean(text)))
    return True


def awaiting_attachment(ctx: QaContext, session: Session, sender: str, group_id: str | None,
                        now: datetime) -> Question | None:
    """The sender's question a photo or video sent now would belong to (asked in the group,
    or in any group for a photo sent privately, within the attachment window), if any."""
    window = timedelta(minutes=ctx.settings.attachment_window_minutes)
    return store.latest_of(session, sender, group_id, now - window)


def attachment_fallback(ctx: QaContext, turn: Turn) -> bool:
    """A photo or video from the asker shortly after the question belongs to it."""
    kind = _MEDIA.get(turn.inbound.kind)
    if kind is None:
        return False
    if turn.group is None and not private_media_only(turn):
        return False
    group_id = turn.group.id if turn.group is not None else None
    question = awaiting_attachment(ctx, turn.session, turn.sender, group_id, turn.now)
    if question is None:
        return False
    ref = store.qid(question)
    path = _kept(turn, question, kind)
    store.add_attachment(question, kind, turn.inbound.message_id, path)
    label = msg.QA_IMAGE if kind == "image" else msg.QA_VIDEO
    media = store.media_payload(kind, path)
    relay = msg.QA_ATTACHMENT_FORWARDED if media is not None else msg.QA_ATTACHMENT_RELAY
    note = relay.format(qid=ref, asker=question.asker_name, kind=label,
                        group=store.group_name(turn.home, question.group_id))
    for expert_id in dict.fromkeys(store.assigned(turn.session, question.id)):
        turn.send(Target.contact(expert_id), TextOut(note), purpose="relay", ref=ref)
        if media is not None:
            turn.send(Target.contact(expert_id), media, purpose="relay", ref=ref)
    turn.reply(msg.QA_ATTACHED.format(kind=label, qid=ref), mentions=(turn.sender,), ref=ref)
    return True


def private_media_only(turn: Turn) -> bool:
    """Whether photos reach the bot only in private chat on this turn's transport (WeCom):
    then a photo sent privately right after asking in a group belongs to that question."""
    caps = capabilities.of_account(turn.home, turn.account)
    return caps.private_media and not caps.room_media


def _kept(turn: Turn, question: Question, kind: str) -> str | None:
    """Where the photo is for its experts. A transport that sends no files (WeCom) gives the
    expert a link instead (bot/links/photos.py): the photo is kept under the data folder by
    its SHA-256, which the event records; elsewhere the transport's saved file goes as is."""
    saved = turn.inbound.media
    if not saved or not Path(saved).is_file() \
            or capabilities.of_account(turn.home, turn.account).files:
        return saved
    path, digest, size = photos.keep(turn.home.paths.data, Path(saved))
    turn.record(events.QUESTION_MEDIA, ref=store.qid(question), group_id=question.group_id,
                detail={
                    "kind": kind, "file": path.relative_to(turn.home.paths.data).as_posix(),
                    "size": size, "sha256": digest, "message": turn.inbound.message_id})
    return str(path)
