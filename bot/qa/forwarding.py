"""``#转 Q-0042 中药材`` or ``#转 Q-0042 @专家``: an expert (or an admin of the question's region)
passes a misrouted question on.

To an industry (its Chinese name, its id, or a keyword of that industry alone), the question is
routed as a new question of that industry would be, from the asking group's region upwards; to
a person, it goes to that expert. Either way the asker is told in the group, the experts get the
question as they get a new one, its deadline starts again, and a ``question_forwarded`` event is
written. The industry it now has is a labelled example the classifier learns from at its next
rebuild (:func:`bot.qa.examples.from_database`), and the event is what the misroute rate in the
reports counts.
"""

from __future__ import annotations

from bot import messages as msg
from bot.chat.parse import clean, parse_question_id
from bot.chat.turn import Turn
from bot.clock import naive_utc
from bot.config import Home
from bot.config.models import Expert, Industry
from bot.core import events
from bot.core.messages import Target, TextOut
from bot.db.schema import Question
from bot.qa import routing, store
from bot.qa.context import QaContext
from bot.qa.escalation import level_deadline

_GENERAL_WORDS = frozenset({msg.QA_GENERAL, "综合专家", "-", "general"})
_MAX_SHOWN = 40  # how much of an unknown target is echoed back


def forward_command(ctx: QaContext, turn: Turn, args: str) -> None:
    """``#转 <Q-id> <产业|@专家>``."""
    at = () if turn.in_private else (turn.sender,)
    word, _, rest = clean(args).partition(" ")
    rest = rest.strip()
    if not word:
        turn.reply(msg.QA_FORWARD_HINT, mentions=at)
        return
    number = parse_question_id(word)
    question = store.get(turn.session, number, lock=True)
    if question is None:
        turn.reply(msg.QA_BAD_ID.format(word=word[:_MAX_SHOWN]), mentions=at)
        return
    ref = store.qid(question)
    if not _may_forward(turn, question):
        turn.reply(msg.QA_FORWARD_DENIED.format(identity=turn.identity), mentions=at)
        return
    if question.status == "closed":
        turn.reply(msg.QA_FORWARD_CLOSED.format(qid=ref), mentions=at)
        return
    if not rest:
        turn.reply(msg.QA_FORWARD_NO_TARGET.format(qid=ref), mentions=at)
        return
    person = _expert_named(turn, rest, question)
    if person is not None:
        _forward(ctx, turn, question, _industry_of(person, question), (person,))
        return
    if rest.lstrip("@＠") != rest:  # an @name that is no expert
        turn.reply(msg.QA_FORWARD_UNKNOWN_EXPERT.format(name=rest[:_MAX_SHOWN]), mentions=at)
        return
    if rest in _GENERAL_WORDS:
        _forward(ctx, turn, question, None, None)
        return
    industry = industry_named(turn.home, rest, ctx)
    if industry is None:
        names = "、".join(i.name for i in turn.home.industries.values())
        turn.reply(msg.QA_FORWARD_UNKNOWN_INDUSTRY.format(name=rest[:_MAX_SHOWN], names=names),
                   mentions=at)
        return
    if industry.id == question.industry:
        turn.reply(msg.QA_FORWARD_SAME.format(qid=ref, industry=industry.name), mentions=at)
        return
    _forward(ctx, turn, question, industry.id, None)


def industry_named(home: Home, text: str, ctx: QaContext | None = None) -> Industry | None:
    """The industry ``text`` names: its Chinese name, its id, or a keyword of one industry."""
    wanted = clean(text).strip("「」“”\"'")
    for industry in home.industries.values():
        if wanted in (industry.name, industry.id):
            return industry
    if ctx is not None:
        found = ctx.classifier.current.keywords.keyword_industry(wanted)
        if found is not None:
            return home.industries.get(found)
    return None


def _may_forward(turn: Turn, question: Question) -> bool:
    if turn.expert() is not None:
        return True
    group = turn.home.groups.get(question.group_id)
    return turn.is_admin(group.region if group else turn.home.province_id)


def _expert_named(turn: Turn, text: str, question: Question) -> Expert | None:
    """The expert an ``@`` in the message names (by contact id when WeChat says who was
    mentioned; else by name, ``X老师`` too), nearest to the asking group first."""
    for contact in turn.inbound.mentions:
        if contact in turn.home.experts:
            return turn.home.experts[contact]
    name = text.lstrip("@＠").strip()
    suffix = msg.QA_EXPERT_NAME.format(name="")
    if suffix and name.endswith(suffix) and len(name) > len(suffix):
        name = name[:-len(suffix)]
    matches = [e for e in turn.home.experts.values() if e.name == name]
    if not matches:
        return None
    group = turn.home.groups.get(question.group_id)
    nearness = {r.id: n for n, r in enumerate(turn.home.ancestors(group.region))} if group else {}
    return min(matches, key=lambda e: (nearness.get(e.region, len(nearness)), e.id))


def _industry_of(expert: Expert, question: Question) -> str | None:
    """The industry a question handed to ``expert`` has: unchanged when the expert covers it,
    the expert's one industry when he has one, else unchanged (no label is guessed)."""
    if question.industry in expert.industries or len(expert.industries) != 1:
        return question.industry
    return expert.industries[0]


def _forward(ctx: QaContext, turn: Turn, question: Question, industry: str | None,
             chosen: tuple[Expert, ...] | None) -> None:
    home, now, ref = turn.home, turn.now, store.qid(question)
    group = home.groups.get(question.group_id)
    start = group.region if group else question.region_id
    if chosen is None:
        route = routing.choose(home, start, industry, routing.open_load(turn.session),
                               count=ctx.settings.experts_per_question)
        experts = route.experts if route else ()
        region = route.region_id if route else question.region_id
    else:
        experts, region = chosen, chosen[0].region
    before = question.industry
    question.industry = industry
    if experts:
        question.region_id = region
        if question.status == "open" and region in home.regions:
            question.deadline_at = naive_utc(level_deadline(home, ctx.settings, region, now))
        store.assign(turn.session, question, [e.id for e in experts], region, "forward", now)
    label = store.industry_name(home, industry)
    by = store.expert_label(home, turn.sender) if turn.expert() else _admin_name(home, turn.sender)
    relay = msg.QA_RELAY_FORWARDED.format(
        qid=ref, industry=label, by=by, asker=question.asker_name,
        group=store.group_name(home, question.group_id), text=question.text,
        attachments=store.describe_attachments(question))
    for expert in experts:
        turn.send(Target.contact(expert.id), TextOut(relay), purpose="relay", ref=ref)
        for media in store.attachment_payloads(question):
            turn.send(Target.contact(expert.id), media, purpose="relay", ref=ref)
    turn.record(events.QUESTION_FORWARDED, ref=ref, group_id=question.group_id, detail={
        "from_industry": before, "to_industry": industry, "experts": [e.id for e in experts],
        "to_person": chosen is not None})
    names = "、".join(msg.QA_EXPERT_NAME.format(name=e.name) for e in experts)
    if experts:
        told = msg.QA_FORWARDED_ASKER.format(qid=ref, industry=label, experts=names)
    else:
        told = msg.QA_FORWARDED_ASKER_NO_EXPERT.format(qid=ref, industry=label)
    sitting = tuple(e.id for e in experts if group and routing.sits_in(e, group.region))
    account = group.account if group else question.account
    turn.send(Target.group(question.group_id), TextOut(told, (question.asker_id, *sitting)),
              purpose="reply", ref=ref, account=account)
    if turn.group is None or turn.group.id != question.group_id:
        turn.reply(msg.QA_FORWARD_DONE.format(qid=ref, industry=label, experts=names or label),
                   ref=ref)


def _admin_name(home: Home, contact: str) -> str:
    for admin in home.admins:
        if admin.id == contact:
            return admin.name
    return contact
