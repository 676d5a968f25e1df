"""The kinds of event in the log, and what each one's ``ref``, ``actor`` and ``detail`` hold.

Producers (chat, delivery, schedules, Q&A, training) write these; statistics read them. Adding a
kind means adding it here first. ``group_id`` is the configured group the event belongs to.
"""

from __future__ import annotations

# chat
MESSAGE = "message"  # actor sender; detail {kind, length[, text if bot.yaml opts in]}
COMMAND = "command"  # actor sender; ref command name; detail {text, kind}
JOIN = "join"  # actor the member who joined
LEAVE = "leave"  # actor the member who left
# actor a member already in the room when the bot first bound it: a member, not a newcomer
PRESENT = "present"
MEMBERSHIP = frozenset({JOIN, LEAVE, PRESENT})  # what members at end of day are folded from

# delivery (written by the sender when an outbox row ends)
PUSH_QUEUED = "push_queued"  # ref content id; detail {schedule, fire_time, key}
PUSH_SENT = "push_sent"  # ref content id; detail {key, schedule, members: room size at send time}
PUSH_FAILED = "push_failed"  # ref content id; detail {key, error, attempts}
# ref content id or None; detail {schedule, reason: quiet | missed | paused | exhausted}
PUSH_SKIPPED = "push_skipped"
DEAD_LETTER = "dead_letter"  # any purpose; ref outbox key; detail {purpose, error, attempts}
# a row a dead process left `sending`, taken over and sent again: it may already have reached
# the chat; ref outbox key; detail {key, purpose, claimed_by, claimed_at}
POSSIBLE_REPEAT = "possible_repeat"
# the send budget shared fairly (bot.delivery.fairness); actor the member whose command it was
# a command's replies held back by the per-member limit; ref command; detail {seconds, told}
REPLY_DEFERRED = "reply_deferred"
# a command's reply not queued: the same reply to the same place still waits; ref command
REPLY_DUPLICATE = "reply_duplicate"
# a reply dropped when claimed, past its use; ref outbox key; detail {purpose, waited_seconds}
REPLY_STALE = "reply_stale"

# questions and answers (ref "Q-0042")
QUESTION = "question"  # actor asker; detail {industry, text, experts: [ids], deadline}
ANSWER = "answer"  # actor expert; detail {text, first: bool, response_seconds}
ESCALATION = "escalation"  # detail {from_tier, to_tier, experts: [ids]}
CLOSED = "closed"  # actor who closed
FAQ_HIT = "faq_hit"  # ref the new question; detail {matched: "Q-0012", score}
FAQ_ADDED = "faq_added"  # ref question; actor expert
FAQ_REMOVED = "faq_removed"  # ref question; actor admin
# ref question; actor the expert or admin who said #转; detail {from_industry, to_industry,
# experts: [ids], to_person: bool}; the misroute rate counts these by from_industry
QUESTION_FORWARDED = "question_forwarded"
# a photo or video kept for a transport that sends no files (the expert gets a link to it);
# ref question; actor asker; detail {kind, file, size, sha256, message}
QUESTION_MEDIA = "question_media"

# activities: 培训, 讲座, 义诊 (ref "T-0007"; the kinds keep their first, training-only names)
# actor admin; detail {topic, kind, region, responsible, groups} (before 0006: {topic} only)
TRAINING_OPEN = "training_open"
TRAINING_CLOSE = "training_close"  # actor admin; detail {participants, kind, media}
CHECKIN = "checkin"  # actor member; ref activity; group_id where they checked in
# actor sender; ref activity; detail {kind: image|video, file, name, size, sha256, message}
ACTIVITY_MEDIA = "activity_media"
# the 报送 package sent upward; ref activity; detail {file, size, sha256, to: [admin ids]}
ACTIVITY_PACKAGE = "activity_package"

# knowledge quizzes (ref the round, "QZ-0003")
QUIZ_ASKED = "quiz_asked"  # detail {bank, question, seq, of, key}; when its message is sent
# a member's first answer to a round, right or wrong (two kinds, so each figure counts kinds);
# actor member; detail {bank, question, seq, of, choice}
QUIZ_RIGHT = "quiz_right"
QUIZ_WRONG = "quiz_wrong"
QUIZ_ANSWERS = frozenset({QUIZ_RIGHT, QUIZ_WRONG})
QUIZ_CLOSED = "quiz_closed"  # detail {bank, question, answer, answered, correct}

# tracked links: ref content id; detail {code, key}; never who opened it (no actor)
LINK_OPEN = "link_open"

# administration
BINDING = "binding"  # detail {bound, unbound, unknown}
CONFIG_REJECTED = "config_rejected"  # detail {path, problems}
PUSH_PAUSED = "push_paused"  # actor admin
PUSH_RESUMED = "push_resumed"  # actor admin
# the admin console (bot/console); actor the admin's contact id
CONSOLE_LINK = "console_link"  # a one-time sign-in link sent; ref the session's region
CONSOLE_SIGNIN = "console_signin"  # a link spent, a session opened; ref region
# a dead letter sent again from the console; ref outbox key; detail {key, purpose, attempts,
# error}: what it had when it died
DEAD_LETTER_RETRIED = "dead_letter_retried"
