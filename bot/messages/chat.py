"""What people read in the chat groups and private chats: help, Q&A, pushes, quizzes, reports."""

# --- chat basics ---------------------------------------------------------------------------------
HELP_HEADER = "【农技助手使用说明】"
# Examples in replies come from the home (bot/chat/examples.py); these stand in when it has none.
EXAMPLE_QUESTION = "{keyword}有什么要注意的？"
EXAMPLE_FALLBACK_COURSE = "课程编号"
EXAMPLE_FALLBACK_KEYWORD = "关键词"
EXAMPLE_FALLBACK_TOPIC = "培训主题"
EXAMPLE_FALLBACK_GROUP = "群编号"
# {identity}: what the transport identifies people by (Capabilities.identity)
HELP_FOOTER = "身份以{identity}为准，昵称不作为身份依据。有问题直接 @我 也可以。"
ADMIN_ONLY = "“#{command}” 只有本群所属地区的管理员可以使用。"
ADMIN_ONLY_PRIVATE = "“#{command}” 只有管理员可以使用；如需开通，请联系本地区科协管理员。"
UNKNOWN_COMMAND = "没有 “#{command}” 这个指令，发送「#帮助」查看可用指令。"
HANDLER_FAILED = "抱歉，处理这条消息时出错了，已记录，请稍后再试。"
HELP_USAGE = "#帮助  查看本说明"
BINDING_REPORT = "【群绑定情况】账号 {account}：\n{lines}"
BINDING_UNBOUND = "未找到微信群：{name}（{group}），请确认群名称与配置一致"
BINDING_UNKNOWN = "未配置的微信群：{topic}（{room}）"

# --- what a transport allows (bot/transport/capabilities.py) ---------------------------
CAP_MENTION_ONLY = ("本群里机器人只看得到 @它 的消息：指令前先 @我，例如「@农技助手 #帮助」；"
                    "直接「@农技助手 你的问题」就是提问")
CAP_MEDIA_PRIVATE = "图片、视频和文件请私聊发给我（群里的图片我收不到），提问后发来的照片会转给专家"
CAP_NO_WELCOME = "{platform}智能机器人看不到有人进群，所以不发欢迎词"
CAP_STATS_MENTIONS = "企业微信群只统计 @机器人 的消息（机器人看不到其他发言）"
CAP_STATS_NOTE = "注：其中 {count} 个群：{note}"

# --- binding a WeCom chat: @bot #绑定 <group-id> (bot/chat/binding.py) -------------------
BIND_USAGE = "#绑定 <群编号>  把这个企业微信群绑定到配置里的群（管理员）"
BIND_HINT = "请写上配置里的群编号，例如「@农技助手 #绑定 {example}」"
BIND_UNKNOWN_GROUP = "配置里没有编号为 “{group}” 的群，请对照 groups.yaml 里的 id"
BIND_OTHER_ACCOUNT = ("群 “{group}” 由账号 {account} 负责，不归本机器人，"
                      "请在那个机器人所在的群里绑定")
BIND_NOT_ADMIN = "只有{region}（或上级地区）的管理员可以绑定群 “{name}”"
BIND_IN_PRIVATE = "请在要绑定的群里 @我 发送「#绑定 群编号」"
BIND_DONE = "已绑定：本群就是「{name}」（{group}），课程推送和答疑从现在起发到这里"
BIND_ALREADY = "本群已经绑定为「{name}」（{group}）"
BIND_MOVED = "已改绑：「{name}」（{group}）从此发到本群，原来的群不再收到它的消息"
BIND_TAKEN = "本群已经绑定为「{other}」（{other_id}）；一个群只能对应一个配置的群"
BINDING_WECOM_UNBOUND = ("企业微信群还没绑定：{name}（{group}），"
                         "请管理员在群里 @机器人 #绑定 {group}")
BINDING_WECOM_UNKNOWN = ("有人在一个未绑定的企业微信群（{room}）里 @了机器人；如果它是配置里的群，"
                         "请该地区管理员在群里 @机器人 #绑定 <群编号>")

# --- WeCom group robot (bot/delivery/wecom.py) ---------------------------------------------------
WECOM_KEY_MISSING = (
    "群 “{group}” 配置了企业微信群机器人，但环境变量 {env} 没有设置或为空；"
    "请把机器人 webhook 地址中 key= 后面的值设置到 {env} 中 (environment variable not set)"
)

# --- outbox sender (bot/delivery/sender.py) ------------------------------------------------------
OUTBOX_DEAD_ALERT = (
    "【消息发送失败】发往「{target}」的一条{purpose}尝试 {attempts} 次仍未发出，已停止重试。\n"
    "原因：{error}\n请检查机器人微信号是否在线、是否还在该群里。"
)
OUTBOX_PURPOSES = {"push": "课程推送", "reply": "回复", "relay": "转达消息", "welcome": "欢迎词",
                   "alert": "提醒"}
OUTBOX_PURPOSE_OTHER = "消息"
OUTBOX_CONTACT_TARGET = "私聊 {contact}"
OUTBOX_UNBOUND = "机器人还没有找到这个群对应的微信群（群名称与配置不一致，或机器人不在群里）"
OUTBOX_UNKNOWN_GROUP = "配置中没有群 “{group}”（可能已被删除）"
OUTBOX_BAD_ROW = "待发消息内容无法识别：{error}"
OUTBOX_FILE_FELL_BACK = "文件未能发送（{error}），改为发送链接"

# --- schedules (bot/schedules) -------------------------------------------------------------------
SCHED_WRONG_FOLDER = ("地区 “{region}” 的日程文件应放在 {expected}，现在是 {actual} "
                      "(file should mirror the region tree)")
SCHED_GROUP_OUTSIDE = ("群 “{group}” 属于 {group_region}，不在本文件的地区 {region} 之内；"
                       "每个文件只能推送到本地区及下级地区的群 (group outside this file's region)")
SCHED_REGION_OUTSIDE = ("地区 “{target}” 不在本文件的地区 {region} 之内 "
                        "(region outside this file's region)")
SCHED_NO_GROUPS = "targets 没有选中任何群 (targets match no group)"
SCHED_ITEM_TIER = ("课程 “{item}” 适用于{tiers}，不适合{tier}群 “{group}” "
                   "(content not for this group's tier)")
SCHED_SERIES_TIER = ("系列 “{series}” 的第 {episode} 集 “{item}” 适用于{tiers}，"
                     "不适合{tier}群 “{group}” "
                     "(episode not for this group's tier)")
SCHED_MONTH_DAY = ("每月的哪一天写 1 到 31 的数字，或者写 last（月末）；现在是 “{value}” "
                   "(day of month)")
SCHED_ONE_WHEN = "when 里只能写一种：cron、weekly、daily、monthly、once 之一 (exactly one form)"
SCHED_ONE_WHAT = ("what 里只能写一种：item、series、pick、quiz 之一 "
                  "(exactly one of item, series, pick, quiz)")
SCHED_QUIZ_ONLY = "questions 和 window 只能和 quiz 一起写 (questions and window go with quiz)"
SCHED_QUIZ_WINDOW = ("答题时间 window 应在 1 分钟到 1 天之间，例如 \"30m\" "
                     "(window between 1m and 1d)")
SCHED_CRON_FIELDS = ("cron 表达式要有 5 段：分 时 日 月 星期，例如 \"30 19 * * 2\"（每周二 19:30）"
                     "，现在有 {count} 段 (cron needs 5 fields)")
SCHED_CRON_BAD = ("cron 表达式 “{expr}” 无法识别：第 {position} 段 “{field}” 不对，{name}应当是 "
                  "{allowed}；五段依次是 分 时 日 月 星期 (bad cron expression)")
# the five fields of a cron expression: name, what it allows (SCHED_CRON_BAD)
CRON_FIELDS = (("分钟", "0 到 59"), ("小时", "0 到 23"), ("日", "1 到 31"), ("月", "1 到 12"),
               ("星期", "0 到 7（0 和 7 都是周日）或 mon…sun"))
SCHED_AT_FORMAT = ("时间写成 \"2026-12-01 19:30\" 这样的 年-月-日 时:分 "
                   "(date and time as \"YYYY-MM-DD HH:MM\")")
SCHED_QUIET_FORMAT = ("免打扰时段写成 \"22:00-07:00\" 这样的 开始-结束 "
                      "(quiet hours as \"HH:MM-HH:MM\")")
SCHED_QUIET_EMPTY = "免打扰时段的开始和结束不能相同 (quiet hours start equals end)"
SCHED_GRACE_FORMAT = "补发期限写成 \"3h\"、\"90m\"、\"1d\" 或 0 (grace like \"3h\")"
SCHED_END_BEFORE_START = "结束日期 end 早于开始日期 start (end before start)"
SCHED_PLACEHOLDER = ("消息模板里的 {{{name}}} 不认识，可用 {allowed} "
                     "(unknown placeholder)")
SCHED_TEMPLATE_BAD = ("消息模板里的花括号没有配对：花括号只用于 {title} 这类占位符，"
                      "别处不要单独写 “{” 或 “}” (bad template)")
SCHED_REJECTED = ("【日程文件有错，未生效】{path}\n{problems}\n"
                  "在改正之前，这个文件仍按上一次正确的版本执行。")
SCHED_REJECTED_NEW = ("【日程文件有错，未生效】{path}\n{problems}\n"
                      "这个文件在改正之前不会执行。")
SCHED_DURATION = "{minutes} 分钟"
SCHED_DEFAULT_SPEAKER = "主讲：{speaker}"

# chat: #课程 #点播 #暂停推送 #恢复推送
COURSES_USAGE = "#课程 [关键词]  查看本群近期课程，或按关键词找课，如「#课程 {word}」"
REQUEST_USAGE = "#点播 <课程编号>  点播一门课程，如「#点播 {course}」"
PAUSE_USAGE = "#暂停推送  暂停本群的定时课程推送（管理员）"
RESUME_USAGE = "#恢复推送  恢复本群的定时课程推送（管理员）"
COURSES_UPCOMING = "【本群近期课程】"
COURSES_NONE_UPCOMING = "本群近 {days} 天没有安排课程推送。"
COURSES_PAUSED = "（本群课程推送已暂停）"
COURSES_FOUND = "【找到 {count} 门课程】发送「#点播 编号」即可收看："
COURSES_NOT_FOUND = "没有找到和 “{words}” 有关、适合本群的课程。"
COURSES_HINT = "发送「#课程 关键词」找课，如「#课程 {word}」；「#点播 编号」点播。"
REQUEST_NEEDS_ID = "请写上课程编号，如「#点播 {course}」；编号可用「#课程 关键词」查到。"
REQUEST_IN_GROUP = "请在工作群里点播课程。"
REQUEST_UNKNOWN = "没有编号为 “{id}” 的课程，可发送「#课程 关键词」查找。"
REQUEST_TIER = "课程 “{id}” 适用于{tiers}，不适合本群（{tier}）。"
REQUEST_LIMIT = "每人每天最多点播 {limit} 次，今天的次数已用完，明天再来吧。"
REQUEST_QUEUED = "已为您点播「{title}」，马上发到群里。"
PAUSE_WHICH = "请在要暂停的群里发送，或写上群编号，如「#暂停推送 {group}」。"
PAUSE_UNKNOWN_GROUP = "没有编号为 “{group}” 的群。"
PAUSE_NOT_YOURS = "群 “{group}” 不归您管理，只能暂停或恢复本地区的群。"
PAUSED_OK = "已暂停「{group}」的定时课程推送。发送「#恢复推送」恢复。"
PAUSED_ALREADY = "「{group}」的定时课程推送本来就是暂停的。"
RESUMED_OK = "已恢复「{group}」的定时课程推送。"
RESUMED_ALREADY = "「{group}」的定时课程推送没有暂停。"

# --- questions and answers (bot/qa) ------------------------------------------------------------
QA_ASK_USAGE = "#问 <问题>  向专家提问（也可以直接 @我 说出问题）"
QA_ANSWER_USAGE = "#答 <问题编号> <解答>  专家解答，如「#答 Q-0042 ……」"
QA_CLOSE_USAGE = "#解决 <问题编号>  提问人或管理员标记问题已解决"
QA_FAQ_ADD_USAGE = "#收录 <问题编号>  专家把已解答的问题收入常见问题库"
QA_FAQ_REMOVE_USAGE = "#删除收录 <问题编号>  管理员从常见问题库删除"
QA_EMPTY_QUESTION = "请把问题写在“#问”后面，例如：#问 {question}"
QA_ASK_IN_GROUP = "请在工作群里提问（#问 您的问题），专家解答后群里的朋友也能看到。"
QA_RECEIVED = "已收到您的问题 {qid}（{industry}），已转给{experts}解答，请稍候。"
QA_RECEIVED_UP = ("已收到您的问题 {qid}（{industry}），{region}暂时没有能解答的专家，"
                  "已直接转给{above}的{experts}解答，请稍候。")
QA_ESCALATED_NOTICE = ("您的问题 {qid} 超过 {hours} 小时{below}的专家还没有解答，"
                       "已转给{above}的{experts}，请稍候。")
QA_RECEIVED_NO_EXPERT = (
    "已收到您的问题 {qid}（{industry}），暂时没有对应的专家，已记录，管理员会尽快安排。")
QA_EXPERT_NAME = "{name}老师"
QA_GENERAL = "综合"
QA_HOW_TO_ANSWER = "回答请发送：#答 {qid} 您的解答（也可以直接引用本条消息回复）"
QA_RELAY = ("【新问题 {qid}】{industry}\n提问人：{asker}（{group}）\n{text}{attachments}\n\n"
            + QA_HOW_TO_ANSWER)
QA_RELAY_ESCALATED = ("【转来的问题 {qid}】{industry}\n"
                      "{below}的专家超过 {hours} 小时未解答，转请您解答。\n"
                      "提问人：{asker}（{group}）\n{text}{attachments}\n\n" + QA_HOW_TO_ANSWER)
QA_ATTACHMENTS = "\n附件：{items}（请在群里查看）"
QA_IMAGE = "图片"
QA_VIDEO = "视频"
QA_ATTACHMENT_COUNT = "{kind} {count} 个"
QA_ATTACHED = "已把{kind}附在问题 {qid} 中。"
QA_ATTACHMENT_RELAY = "【{qid} 补充】{asker} 补充了{kind}，请在「{group}」群里查看。"
QA_ATTACHMENT_FORWARDED = "【{qid} 补充】{asker} 在「{group}」补充了{kind}，见下一条。"
QA_FAQ_SUGGEST = "类似问题 {match} 的专家解答：{answer}\n（供参考，专家仍会解答您的问题 {qid}）"
QA_ANSWER_POST = "【专家解答 {qid}】\n「{asker}：{question}」\n—— {expert}：{text}"
QA_ANSWER_SENT = "已把您对 {qid} 的解答发到「{group}」。"
QA_ANSWER_HINT = "格式：#答 问题编号 解答内容，例如：#答 Q-0042 您的解答"
QA_EMPTY_ANSWER = "请在问题编号 {qid} 后面写上解答内容。"
QA_NOT_EXPERT = "只有登记的专家可以回答问题（以{identity}为准，不看昵称）。"
QA_BAD_ID = "没有找到问题 “{word}”，请核对编号（例如 Q-0042）。"
QA_CLOSE_HINT = "格式：#解决 问题编号，例如：#解决 Q-0042"
QA_CLOSE_DENIED = (
    "只有提问人或本地区管理员可以把 {qid} 标记为已解决（以{identity}为准，不看昵称）。")
QA_ALREADY_CLOSED = "问题 {qid} 已经标记为已解决。"
QA_CLOSED = "问题 {qid} 已标记为已解决，谢谢各位专家！"
QA_FAQ_HINT = "格式：#{command} 问题编号，例如：#{command} Q-0042"
QA_FAQ_ADD_DENIED = "只有专家可以把问题收入常见问题库。"
QA_FAQ_REMOVE_DENIED = "只有本地区管理员可以从常见问题库删除。"
QA_FAQ_NO_ANSWER = "问题 {qid} 还没有专家解答，不能收录。"
QA_FAQ_ADDED = "已把 {qid} 收入常见问题库，以后有类似问题会先推荐这条解答。"
QA_FAQ_REMOVED = "已把 {qid} 从常见问题库删除。"
QA_FAQ_NOT_IN = "问题 {qid} 不在常见问题库中。"
QA_REMINDER = ("【提醒】问题 {qid} 超过 {hours} 小时未解答，已转给{region}的专家{experts}。"
               "您仍可以回答：#答 {qid} 解答内容")
QA_REMINDER_TOP = "【提醒】问题 {qid} 超过 {hours} 小时未解答，请尽快回复：#答 {qid} 解答内容"
QA_FORWARD_USAGE = ("#转 <问题编号> <产业或@专家>  专家把分错的问题转给对口产业或专家，"
                    "如「#转 Q-0042 中药材」")
QA_FORWARD_HINT = "格式：#转 问题编号 产业名称（或 @专家），例如：#转 Q-0042 中药材"
QA_FORWARD_NO_TARGET = ("请写明把 {qid} 转给哪个产业或哪位专家，例如：#转 {qid} 中药材 "
                        "或 #转 {qid} @王老师")
QA_FORWARD_DENIED = "只有登记的专家或本地区管理员可以转问题（以{identity}为准，不看昵称）。"
QA_FORWARD_CLOSED = "问题 {qid} 已经解决，不用再转了。"
QA_FORWARD_UNKNOWN_INDUSTRY = "没有叫 “{name}” 的产业。可以转给：{names}，或写 @专家。"
QA_FORWARD_UNKNOWN_EXPERT = "没有找到专家 “{name}”，请 @ 登记的专家，或写产业名称。"
QA_FORWARD_SAME = "问题 {qid} 本来就是「{industry}」的问题，没有改动。"
QA_RELAY_FORWARDED = ("【转来的问题 {qid}】{industry}\n{by}把这个问题转给您解答。\n"
                      "提问人：{asker}（{group}）\n{text}{attachments}\n\n" + QA_HOW_TO_ANSWER)
QA_FORWARDED_ASKER = "您的问题 {qid} 已转到「{industry}」，由{experts}解答，请稍候。"
QA_FORWARDED_ASKER_NO_EXPERT = ("您的问题 {qid} 已转到「{industry}」，暂时没有对口专家，"
                                "管理员会尽快安排。")
QA_FORWARD_DONE = "已把 {qid} 转给{experts}（{industry}），提问人已收到通知。"
QA_CLASSIFY_BUILT = ("分类器：{examples} 条样例（其中 {learnt} 条从数据库学到），"
                     "固定测试集 {total} 条答对 {accuracy:.1f}%，转综合专家 {general:.1f}%")
QA_EXPLAIN_DECIDED = "{how}（模型把握 {confidence:.2f}）"
QA_EXPLAIN_HOW = {"keyword": "关键词决定", "model": "模型决定", "both": "关键词和模型一致",
                  "general": "分不出产业，转综合专家"}
QA_EXPLAIN_KEYWORDS = "关键词：{words}"
QA_EXPLAIN_FEATURES = "特征：{features}"
QA_HOURS_ORDER = "工作时间的 start 应早于 end"

# --- knowledge quizzes (bot/quiz) -----------------------------------------------------------------
QUIZ_UNKNOWN_TIER = ("级别 “{tier}” 不存在，可写 junior（初级）、intermediate（中级）、"
                     "senior（高级）(unknown tier)")
QUIZ_OPTION_LETTERS = ("选项要从 A 起连续编号，写 2 到 4 个：A、B、C、D；现在是 {found} "
                       "(options A–D)")
QUIZ_UNKNOWN_ANSWER = "答案 “{answer}” 不是本题的选项，可选 {letters} (answer is not an option)"
SCHED_QUIZ_TIER = "题库 “{bank}” 没有适合{tier}群 “{group}” 的题目 (no question for this tier)"
QUIZ_ASK = ("【知识竞赛】{title}（第 {seq}/{of} 题）\n{question}\n"
            "请在 {minutes} 分钟内直接回复选项字母，如 “B”，每人只算第一次作答。")
_QUIZ_ANSWER = "【答案揭晓】第 {seq}/{of} 题 正确答案：{answer}. {option}\n{explanation}\n"
QUIZ_CLOSED = _QUIZ_ANSWER + "本题 {answered} 人作答，{correct} 人答对。"
QUIZ_CLOSED_NOBODY = _QUIZ_ANSWER + "本题无人作答。"
QUIZ_FINISHED = "本轮知识竞赛结束，发送「#排行」查看本群和本地区的排行榜。"
QUIZ_RANK_USAGE = "#排行  知识竞赛排行榜（本群与本地区）"
QUIZ_RANK_GROUP = "【知识竞赛排行 · 本群】"
QUIZ_RANK_REGION = "【知识竞赛排行 · {region}】"
QUIZ_RANK_LINE = "{place}. {name}  答对 {correct} 题 / 答 {answered} 题"
QUIZ_RANK_EMPTY = "  还没有人答题。"
QUIZ_RANK_IN_GROUP = "排行榜要在工作群里查看。"
QUIZ_PREVIEW = "知识竞赛「{title}」{count} 题"

# --- tracked links (bot/links) ------------------------------------------------------------------
LINK_NOT_FOUND_TITLE = "链接无效"
LINK_NOT_FOUND = "这个链接不存在或已失效，请回到工作群里重新打开课程。"
# a photo for an expert on a transport that sends no files (bot/links/photos.py)
PHOTO_LINK = "[点击查看{kind}]({url})（{days} 天内有效）"
PHOTO_FILE = "文件"
PHOTO_NOT_FOUND_TITLE = "照片链接已失效"
PHOTO_NOT_FOUND = "这个照片链接不存在或已过期（链接 7 天内有效），请联系提问人重新发送照片。"
LINKS_NO_BASE = ("bot.yaml 没有设置 links.public_base（群友手机能打开的机器人地址），"
                 "本次推送的链接不做打开统计")

# --- statistics, training sessions and reports (bot/stats) ----------------------------------------
STATS_NO_CJK_FONT = ("找不到中文字体，图表里的汉字会显示成方框。agribot 自带的字体包 "
                     "noto-cjk-sans-otc 没有装上：请在 agribot 目录运行 "
                     ".venv/bin/pip install -e . 重新安装依赖后重试")
# activities (bot/activities): {kind} is 培训 / 讲座 / 义诊, {role} 负责人 or 主讲
ACTIVITY_OPENED = ("【{kind}开始】{topic}（{ref}）\n{role}：{responsible}\n"
                   "参加{kind}的群友请发送「#签到」。")
ACTIVITY_OPENED_ELSEWHERE = "（本场{kind}在{groups}同时进行，各群签到合并统计）"
ACTIVITY_ALREADY_OPEN = ("{where}已有进行中的{kind}「{topic}」（{ref}），"
                         "请先发送「#结束」结束它。")
ACTIVITY_NEEDS_TOPIC = "请写上{kind}主题，例如：{example}"
# {topic} is a course title of the home (bot/chat/examples.py), not a demo word
ACTIVITY_EXAMPLES = {"training": "#开始培训 {topic}", "lecture": "#开始讲座 {topic} @主讲专家",
                     "clinic": "#开始义诊 冬季常见病健康咨询"}
ACTIVITY_TOPIC_TOO_LONG = "主题太长了（{length} 个字），最多 {limit} 个字，请写短一些。"
LECTURE_NEEDS_SPEAKER = ("讲座要写明主讲专家：在主题后面 @ 专家，例如：#开始讲座 {topic} @专家名字"
                         "（专家不在群里时，也可以直接写 @专家名字）")
LECTURE_ONE_SPEAKER = "一场讲座只写一位主讲专家，现在写了 {count} 位：{names}。请只 @ 一位。"
ACTIVITY_IN_GROUP_ONLY = "培训、讲座和义诊要在工作群里开始、结束和签到。"
ACTIVITY_NONE_OPEN = "本群现在没有进行中的培训、讲座或义诊。"
ACTIVITY_SUMMARY = ("【{kind}结束】{topic}（{ref}）\n{role}：{responsible}\n"
                    "签到 {participants} 人{target}\n留存照片 {images} 张、视频 {videos} 个")
ACTIVITY_TARGET_MET = "（目标每场不少于 {target} 人，已达到）"
ACTIVITY_TARGET_SHORT = "（目标每场不少于 {target} 人，还差 {missing} 人）"
ACTIVITY_SENT_UP = "活动报送材料已私聊发给{region}的管理员{names}。"
ACTIVITY_NOBODY_ABOVE = ("没有找到上级地区的管理员，报送材料未发送；"
                         "可用 agribot activity export 导出。")
ACTIVITY_PACKAGE_NOTE = ("【活动报送】{place}{kind}「{topic}」（{ref}）已结束："
                         "{role} {responsible}，签到 {participants} 人，"
                         "照片 {images} 张、视频 {videos} 个。"
                         "附件是照片视频、签到表和活动简报。")
ACTIVITY_ROLE = {"lecture": "主讲", "training": "负责人", "clinic": "负责人"}
ACTIVITY_BRIEF_TITLE = "活动简报：{topic}"
ACTIVITY_LIST_EMPTY = "还没有任何培训、讲座或义诊。"
ACTIVITY_UNKNOWN = "没有编号为 {id} 的活动（用 agribot activity list 查看）"
ACTIVITY_EXPORTED = "已导出 {ref} 的报送材料：{path}（照片视频 {media} 个，签到 {participants} 人）"
ACTIVITY_FILE_MISSING = "影像文件 {name} 已不在存档文件夹里，导出的材料中没有它"
ACTIVITY_STILL_OPEN = "（活动尚未结束，导出的是到现在为止的材料）"
CHECKIN_DONE = "签到成功：{topic}，您是第 {number} 位。"
CHECKIN_AGAIN = "您已签到（{topic}），无需重复签到。"
STATS_NOT_ADMIN = "“#统计” 只有管理员可以使用。"
STATS_WEEK_TITLE = "【本周统计】{region} {first}–{last}"
STATS_WEEK_BODY = (
    "群 {groups} 个，成员 {members} 人（入 {joins} / 退 {leaves}）\n"
    "消息 {messages} 条，活跃 {active} 人次\n"
    "推送 {pushes_sent} 次（失败 {pushes_failed}），课程 {courses} 个\n"
    "提问 {questions}，已答 {answered}（按时 {in_time}），回答率 {rate}\n"
    "首次响应中位数 {median}\n"
    "培训 {sessions} 场，签到 {checkins} 人次"
)
STATS_WEEKLY_TITLE = "【每周统计】{region} {first}–{last}"
REPORT_COVERS = "数据截至事件 #{event_id}（共 {event_id} 条事件，链头哈希 {event_hash}）"
REPORT_VERIFY_OK = "报表核验通过：事件 #{event_id} 的哈希一致，事件链完整（{checked} 条）"
REPORT_VERIFY_CHANGED = ("报表核验失败：事件 #{event_id} 的哈希已变"
                         "（报表记录 {recorded}，现为 {actual}）")
REPORT_VERIFY_BROKEN = "报表核验失败：事件链在 #{event_id} 处断开：{reason}"
REPORT_VERIFY_FAILED = "报表核验失败：{why}"
REPORT_NO_COVERAGE = "这个文件里没有找到报表的事件记录（不是 agribot 生成的报表？）"

# --- the send budget shared fairly (bot/delivery/fairness.py) ------------------------------------
REPLY_LATER = ("您在「{place}」发的指令较多，机器人每分钟最多回复您 {limit} 条，"
               "其余的稍后回复；重复的指令只回复一次。")
REPLY_LATER_PRIVATE = "私聊"
OUTBOX_STALE = "排队 {minutes} 分钟仍未发出，已过时，不再发送"
