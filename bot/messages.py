"""Every sentence a person reads, in one place, so wording changes in one file.

Chinese first: county admins, technicians and experts read these. Configuration errors add the
English term in brackets because the keys they point at are English.
"""

# --- configuration files -----------------------------------------------------------------------
FILE_TOO_LARGE = "文件太大（超过 {limit} 字节），请拆分成多个文件 (file too large)"
NOT_UTF8 = "文件不是 UTF-8 编码，请用 UTF-8 另存 (not UTF-8)"
TAB_INDENT = "缩进里有制表符 Tab，请改用空格 (tab in indentation)"
DUPLICATE_KEY = "键 “{key}” 重复出现（第一次在第 {first} 行），只能写一次 (duplicate key)"
ALIAS_BOMB = "引用（& / *）展开后超过 {limit} 个节点，已拒绝 (alias expansion too large)"
TOO_DEEP = "嵌套层次太深 (nesting too deep)"
NOT_A_MAPPING = "文件内容应当是“键: 值”的映射 (expected a mapping)"
UNKNOWN_KEY = "未知的键 “{key}”，是否拼写错误？{meant} (unknown key)"
UNKNOWN_KEY_MEANT = "是不是要写 “{key}”？"
MISSING_KEY = "缺少必填项 “{key}” (missing key)"
DUPLICATE_ID = "编号 “{id}” 重复，已在 {first} 使用 (duplicate id)"
_REF_KINDS = {"region": "地区", "industry": "产业", "series": "系列", "group": "群", "item": "课程",
              "quiz": "题库"}
UNKNOWN_TIMEZONE = "未知的时区 “{zone}”，例如 Asia/Shanghai"


# --- YAML and validation mistakes, one sentence each (bot/config/mistakes.py) ------------------
# Keyed by PyYAML's problem text (a key matches a problem that starts with it) and by pydantic's
# error type; ``{…}`` fields come from the error (``le``, ``min_length``, ``input``…), from the
# parser's marks (``open_line``: where the unclosed quote or bracket began) or the character.
YAML_MISTAKES: dict[str, str] = {
    # PyYAML / libyaml
    "mapping values are not allowed": ("这一行不能再出现 “键: 值”：冒号后面的值里又有 “: ”，"
                                       "或者缩进不对。值里含冒号时，请把整个值用英文引号括起来"),
    "could not find expected ':'": ("这里缺少英文冒号 “:”：每个键后面写 “: ” 再写值；请检查这一行"
                                    "和上一行"),
    "did not find expected '-' indicator": ("列表没有对齐：同一个列表里每一项的 “- ” 要从同一列"
                                            "开始"),
    "did not find expected key": ("缩进没有对齐：同一层的键要从同一列开始，下一层要多缩进两个"
                                  "空格"),
    "expected <block end>": ("缩进没有对齐：同一层的键要从同一列开始，下一层要多缩进两个"
                             "空格"),
    "block sequence entries are not allowed": ("这里不能写列表项 “- ”：请检查缩进，或上一行的键"
                                               "后面是否少了冒号"),
    "found unexpected end of stream": "第 {open_line} 行开始的引号一直没有结束，请补上配对的引号",
    "did not find expected ',' or ']'": ("第 {open_line} 行开始的方括号 “[” 没有用 “]” 结束，或者"
                                         "列表项之间少了英文逗号 “,”"),
    "did not find expected ',' or '}'": ("第 {open_line} 行开始的花括号 “{{” 没有用 “}}” 结束，或者"
                                         "各项之间少了英文逗号 “,”"),
    "found character that cannot start any token": ("“{char}” 不能写在值的开头；含这个字符的值"
                                                    "请整个用英文引号括起来"),
    "found undefined alias": ("“*” 开头在 YAML 里表示引用；值以 “*” 开头时请整个用英文引号"
                              "括起来"),
    "did not find expected alphabetic or numeric character": (
        "“&” 和 “*” 开头在 YAML 里有特殊含义；这样的值请整个用英文引号括起来"),
    "could not determine a constructor for the tag": ("“!” 开头在 YAML 里表示类型标签；值以 “!” "
                                                      "开头时请整个用英文引号括起来"),
    "but found another document": "一个文件里只能写一份内容：请删掉多出来的 “---” 分隔线",
    "found unknown escape character": ("双引号里的反斜杠 “\\” 被当成了转义符：请改用英文单引号，"
                                       "或写两个反斜杠"),
    "found a tab character": TAB_INDENT,
    "expected a comment or a line break": ("引号或括号结束以后，这一行不能再写别的内容；注释 “#” "
                                           "前面要有空格"),
    "did not find expected node content": "这里缺少值：冒号、逗号或 “- ” 后面应当有内容",
    "found unhashable key": "键只能是文字，不能是列表或映射",
    "found duplicate anchor": "同一个 “&名字” 定义了两次",
    # pydantic, by error type
    "string_type": "这里应当写文字（现在是 {input}）；数字、yes/no 当文字用时请加英文引号",
    "string_too_short": "不能为空",
    "string_too_long": "太长了：最多 {max_length} 个字",
    "string_pattern_mismatch": "写法不对：{pattern}（现在是 “{input}”）",
    "int_type": "这里应当写整数（现在是 {input}）",
    "int_parsing": "这里应当写整数（现在是 “{input}”）",
    "int_from_float": "这里应当写整数，不能有小数（现在是 {input}）",
    "float_type": "这里应当写数字（现在是 {input}）",
    "float_parsing": "这里应当写数字（现在是 “{input}”）",
    "bool_type": "这里只能写 true（是）或 false（否）",
    "bool_parsing": "这里只能写 true（是）或 false（否），现在是 “{input}”",
    "greater_than": "应当大于 {gt}（现在是 {input}）",
    "greater_than_equal": "不能小于 {ge}（现在是 {input}）",
    "less_than": "应当小于 {lt}（现在是 {input}）",
    "less_than_equal": "不能大于 {le}（现在是 {input}）",
    "too_short": "至少要写 {min_length} 项",
    "too_long": "最多只能写 {max_length} 项",
    "list_type": "这里应当是列表：每项单独一行以 “- ” 开头，或写成 [a, b]",
    "tuple_type": "这里应当是列表：每项单独一行以 “- ” 开头，或写成 [a, b]",
    "dict_type": "这里应当是“键: 值”的映射：在下一行多缩进两个空格，写出各项",
    "model_type": "这里应当是“键: 值”的映射：在下一行多缩进两个空格，写出各项",
    "model_attributes_type": "这里应当是“键: 值”的映射：在下一行多缩进两个空格，写出各项",
    "literal_error": "只能写 {expected}（现在是 “{input}”）",
    "enum": "只能写 {expected}（现在是 “{input}”）",
    "date_type": "日期写成 2026-03-01 这样的 年-月-日（现在是 {input}）",
    "date_parsing": "日期写成 2026-03-01 这样的 年-月-日（现在是 “{input}”）",
    "date_from_datetime_parsing": "日期写成 2026-03-01 这样的 年-月-日（现在是 “{input}”）",
    "date_from_datetime_inexact": "日期写成 2026-03-01 这样的 年-月-日（现在是 {input}）",
    "datetime_type": "时间写成 \"2026-12-01 19:30\" 这样的 年-月-日 时:分",
    "datetime_parsing": "时间写成 \"2026-12-01 19:30\" 这样的 年-月-日 时:分",
    "datetime_from_date_parsing": "时间写成 \"2026-12-01 19:30\" 这样的 年-月-日 时:分",
    "time_type": "时间写成 \"19:30\" 这样的 时:分（24 小时制）",
    "time_parsing": "时间写成 \"19:30\" 这样的 时:分（24 小时制）",
    "none_required": "这里不用写值",
    "finite_number": "这里应当写一个普通的数字",
}
YAML_MISTAKE_OTHER = "YAML 格式有误：请检查这一行和上一行的缩进、冒号和引号 (syntax error)"
VALUE_MISTAKE_OTHER = "这个值写得不对，请对照 README 里的说明和示例修改"
VALUE_OR = "；或者"  # joins what each alternative of one field expects (``day: 32``)
# what a pattern allows, said in words (string_pattern_mismatch)
PATTERN_WORDS: dict[str, str] = {
    r"^[a-z0-9][a-z0-9_-]*$": "编号只能用小写英文字母、数字、“-” 和 “_”，例如 jiutai-junior",
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$": "编号只能用英文字母、数字、“-” 和 “_”，例如 cs-001",
    r"^\S+$": "微信号里不能有空格",
    r"^[A-Z_][A-Z0-9_]*$": "环境变量名只能用大写英文字母、数字和 “_”，例如 AGRIBOT_WECOM_KEY",
    r"^https?://\S+$": "链接要以 http:// 或 https:// 开头，中间不能有空格",
}
BAD_DATE = "日期 “{value}” 不存在：{why}；请写成 2026-03-01 这样的真实日期 (invalid date)"
BAD_DATE_MONTH = "月份只能是 1 到 12"
BAD_DATE_DAY = "{year} 年 {month} 月只有 {days} 天"
BAD_VALUE = "无法读取 “{value}”；请把它用英文引号括起来当作文字 (unreadable value)"
FULLWIDTH = ("第 {line} 行用了中文{name} “{char}”，请改成英文{name} “{ascii}” "
             "(full-width punctuation)")
FULLWIDTH_QUOTE = ("第 {line} 行用了中文引号「{char}」，请改成英文引号「{ascii}」 "
                   "(full-width punctuation)")
FULLWIDTH_ENUMERATION = ("第 {line} 行用了顿号 “、”，列表项之间请用英文逗号 “,” 分开 "
                         "(full-width punctuation)")
FULLWIDTH_SPACE = "第 {line} 行的缩进里有全角空格，请改成英文空格 (full-width space)"
COLON_NEEDS_SPACE = "第 {line} 行 “{key}:” 的冒号后面要加一个空格 (space after colon)"
UNKNOWN_INDUSTRY = "产业 “{ref}” 不存在；可以写的产业编号有：{choices} (unknown industry)"
AMBIGUOUS_INDUSTRY = ("产业名称 “{ref}” 对应不止一个产业（{choices}），请写产业编号 "
                      "(ambiguous industry)")


# --- values written alike in every file (bot/config/values.py) -----------------------------------
TIME_UNQUOTED = ("时间要加英文引号，写成 \"19:30\"；不加引号时 YAML 会把 19:30 读成数字 "
                 "(quote the time)")
TIME_FORMAT = "时间 “{value}” 应写成 \"19:30\" 这样的 时:分（24 小时制）(time as \"HH:MM\")"
WEEKDAY_UNKNOWN = ("不认识的星期 “{day}”，可写 一 二 三 四 五 六 日、周一、星期一 或 mon…sun "
                   "(unknown weekday)")


def unknown_ref(kind: str, ref: str) -> str:
    """``地区 “xx” 不存在 (unknown region)``: a reference to something no file defines."""
    return f"{_REF_KINDS.get(kind, kind)} “{ref}” 不存在 (unknown {kind})"
TIER_LEVEL = ("群级别 {tier} 与地区 “{region}” 的层级（{level}）不符："
              "省=senior，市=intermediate，县=junior")
EXPERT_TIER_LEVEL = "专家级别 {tier} 与地区 “{region}” 的层级（{level}）不符"
SERIES_GAP = "系列 “{series}” 的集数应从 1 连续编号，缺少第 {missing} 集 (episodes must be 1..n)"
SERIES_EMPTY = "系列 “{series}” 没有任何一集 (series has no episodes)"
SERIES_DUP_EPISODE = "系列 “{series}” 的第 {episode} 集重复 (duplicate episode)"
EPISODE_WITHOUT_SERIES = "写了 episode 就要同时写 series (episode needs series)"
SERIES_WITHOUT_EPISODE = "写了 series 就要同时写 episode (series needs episode)"
MEDIA_MISSING = "找不到媒体文件 “{file}”（应放在 content_library/media/ 下）(file not found)"
NEEDS_URL_OR_FILE = "课程至少要有 url 或 file 之一 (url or file required)"
ROOM_BINDING = "群需要 room_topic（群名称）或 room_id 之一来绑定微信群"
NO_ACCOUNT = "账号 “{id}” 没有在 bot.yaml 的 accounts 中定义 (unknown account)"
FILE_MISSING = "缺少文件 (file missing)"

# --- warnings of agribot check (bot/cli/check_warnings.py): printed, but check still passes ---
CHECK_WARNING = "{where}: 警告：{message}"
CHECK_WARNINGS_TOTAL = ("{count} 个警告（不影响检查结果，改不改由您决定）"
                        "({count} warnings, check passes)")
WARN_SERIES = "系列 “{series}”"
WARN_PICK = "按产业“{industry}”挑选的课程"
WARN_NOTHING_LEFT = ("日程 “{schedule}” 的{kind}已经没有可推的课程：从 {date} 起 {groups} "
                     "到点收不到课程。请在课程库里续上新的课程，或停用这个日程 "
                     "(nothing left to push)")
WARN_RUNS_OUT = ("日程 “{schedule}” 的{kind}在 {days} 天内就推完了：最后一次在 {last}，"
                 "从 {date} 起 {groups} 到点收不到课程。请在课程库里续上新的课程，"
                 "或给日程写上 end 结束日期 (runs out within {days} days)")
WARN_TEMPLATE_FIELD = ("消息模板用了 {{{field}}}，但课程 {items} 没有填写 {field}，"
                       "推送会读成 “{example}”；请给课程补上 {field}，或从模板里去掉 {{{field}}} "
                       "(placeholder without a value)")
WARN_FULL_WIDTH_BRACES = ("“｛{name}｝” 用的是中文花括号，不会被替换，会原样发到群里；"
                          "占位符要用英文花括号，写成 {{{name}}} (full-width braces)")
WARN_NOT_A_PLACEHOLDER = ("“{{{name}}}” 不是占位符，会原样发到群里；欢迎词里可用 {allowed} "
                          "(not a placeholder)")
WARN_AND_MORE = "{shown} 等 {count} 个"
WARN_KEYWORD_TWICE = ("关键词 “{keyword}” 同时写在产业 “{first}” 和 “{second}” 下；"
                      "分类时只算 “{first}”，请只保留一处 (keyword in two industries)")
WARN_USED_IN_KEYWORD = "它的关键词 “{keyword}”"
WARN_USED_IN_COURSE = "课程 {item} 的 “{text}”"
WARN_KEYWORD_GENERIC = ("关键词 “{keyword}”（{owner}）也用在“{other}”里（{where}），"
                        "它比“{other}”自己的词分量重：问 “{probe}” 会分到“{result}”而不是"
                        "“{other}”。请把它从“{owner}”删去，或改成更具体的词 "
                        "(generic keyword outweighs another industry's word)")
WARN_NO_EXPERT = ("产业 “{name}”（{industry}）全省没有一位专家负责，这类问题会直接转给综合专家；"
                  "请在 groups.yaml 的 experts 里给专家加上 {industry} (no expert for industry)")
WARN_NO_EXPERT_AT_ALL = ("产业 “{name}”（{industry}）全省没有一位专家负责，也没有综合专家"
                         "（general: true），这类问题没人接；请在 groups.yaml 的 experts 里"
                         "给专家加上 {industry} (no expert for industry)")

NO_DATABASE = ("还没有数据库（{url}）：机器人运行过（agribot run）或执行过 agribot db upgrade "
               "之后才有可查的记录 (no database yet)")

# --- the catalog on the command line --------------------------------------------------------------
CONTENT_NONE_FOUND = "没有找到匹配的课程"
GROUP_BOUND = "已绑定"
GROUP_UNBOUND = "未找到群"
CONTENT_UNKNOWN = "没有编号为 “{id}” 的课程"
EXAMPLE_LINK = "（示例链接，非真实课程）"

# --- schedule preview ---------------------------------------------------------------------------
PREVIEW_BAD_START = '--start 写成 "2026-12-01 00:00" (start as YYYY-MM-DD HH:MM)'
PREVIEW_NONE = "未来 {days} 天没有推送 (no pushes in the next {days} days)"
PREVIEW_TOTAL = "共 {count} 次推送 ({count} pushes)"
PREVIEW_PAUSED = "已暂停"
PREVIEW_EXHAUSTED = "已推完"
MINUTES = "（{minutes} 分钟）"

# --- chat basics ---------------------------------------------------------------------------------
HELP_HEADER = "【农技助手使用说明】"
# Examples in replies come from the home (bot/chat/examples.py); these stand in when it has none.
EXAMPLE_QUESTION = "{keyword}有什么要注意的？"
EXAMPLE_FALLBACK_COURSE = "课程编号"
EXAMPLE_FALLBACK_KEYWORD = "关键词"
EXAMPLE_FALLBACK_TOPIC = "培训主题"
EXAMPLE_FALLBACK_GROUP = "群编号"
HELP_FOOTER = "身份以微信号为准，昵称不作为身份依据。有问题直接 @我 也可以。"
ADMIN_ONLY = "“#{command}” 只有本群所属地区的管理员可以使用。"
UNKNOWN_COMMAND = "没有 “#{command}” 这个指令，发送「#帮助」查看可用指令。"
HANDLER_FAILED = "抱歉，处理这条消息时出错了，已记录，请稍后再试。"
HELP_USAGE = "#帮助  查看本说明"
BINDING_REPORT = "【群绑定情况】账号 {account}：\n{lines}"
BINDING_UNBOUND = "未找到微信群：{name}（{group}），请确认群名称与配置一致"
BINDING_UNKNOWN = "未配置的微信群：{topic}（{room}）"

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
QA_NOT_EXPERT = "只有登记的专家可以回答问题（以微信号为准，不看昵称）。"
QA_BAD_ID = "没有找到问题 “{word}”，请核对编号（例如 Q-0042）。"
QA_CLOSE_HINT = "格式：#解决 问题编号，例如：#解决 Q-0042"
QA_CLOSE_DENIED = (
    "只有提问人或本地区管理员可以把 {qid} 标记为已解决（以微信号为准，不看昵称）。")
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
QA_FORWARD_DENIED = "只有登记的专家或本地区管理员可以转问题（以微信号为准，不看昵称）。"
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
REPORT_COVERS = "数据截至事件 #{event_id}（哈希 {event_hash}）"
REPORT_VERIFY_OK = "报表核验通过：事件 #{event_id} 的哈希一致，事件链完整（{checked} 条）"
REPORT_VERIFY_CHANGED = ("报表核验失败：事件 #{event_id} 的哈希已变"
                         "（报表记录 {recorded}，现为 {actual}）")
REPORT_VERIFY_BROKEN = "报表核验失败：事件链在 #{event_id} 处断开：{reason}"
REPORT_VERIFY_MISSING = "报表核验失败：事件 #{event_id} 不存在"
REPORT_NO_COVERAGE = "这个文件里没有找到报表的事件记录（不是 agribot 生成的报表？）"

# --- the local simulator's HTTP API (bot/simulator) ----------------------------------------------
SIM_NEEDS_TOKEN = ("模拟器要在 {host} 上对外提供服务，必须设置访问令牌（token）；"
                   "只在本机使用时请绑定 127.0.0.1")
SIM_ERR_BAD_JSON = "请求内容不是合法的 JSON"
SIM_ERR_NOT_OBJECT = "请求内容应是一个 JSON 对象，例如 {\"from\": \"…\", \"text\": \"…\"}"
SIM_ERR_FIELD_TYPE = "缺少字段 “{field}”，或它不是字符串"
SIM_ERR_TEXT_EMPTY = "消息内容不能为空"
SIM_ERR_TEXT_TOO_LONG = "消息太长了：最多 {limit} 个字"
SIM_ERR_NO_ROOM = "没有这个群：{room}"
SIM_ERR_NO_CONTACT = "没有这个人：{contact}"
SIM_ERR_NOT_MEMBER = "{name} 不在这个群里"
SIM_ERR_ALREADY_MEMBER = "{name} 已经在群里了"
SIM_ERR_BOT_SENDER = "不能以机器人的身份发言或进出群"
SIM_ERR_NO_BOT = "没有这个机器人：{bot}；这里的机器人有：{bots}"
SIM_ERR_BAD_SINCE = "since 应是不小于 0 的整数（最后看到的消息编号）"
SIM_ERR_BAD_ID = "编号只能由字母、数字和 _ - . @ 组成，最多 64 个字符"
SIM_ERR_NAME = "新成员需要名字，最多 {limit} 个字"
SIM_ERR_UNAUTHORIZED = "需要访问令牌：请打开机器人启动时给出的带 token 的链接"
SIM_ERR_NO_MEDIA = "没有这个文件"
SIM_ERR_MEDIA_SHAPE = ("media 应写成 {\"name\": \"照片.jpg\", \"base64\": \"…\"}："
                       "文件名和 base64 编码的内容都是字符串")
SIM_ERR_MEDIA_NAME = "文件名不能为空，最多 {limit} 个字"
SIM_ERR_MEDIA_KIND = "不支持这种文件（扩展名 {suffix}）；可以发送的有：{known}"
SIM_ERR_MEDIA_BASE64 = "文件内容不是合法的 base64 编码"
SIM_ERR_MEDIA_EMPTY = "文件是空的"
SIM_ERR_MEDIA_TOO_LARGE = "文件太大了：最多 {limit} MB"
SIM_ERR_TEXT_OR_MEDIA = "一条消息要么是文字（text），要么是文件（media），不能两样都有"
SIM_ERR_NOT_FOUND = "没有这个地址"
SIM_ERR_METHOD = "这个地址不支持这种请求方式"
SIM_ERR_TOO_LARGE = "请求内容太大"
SIM_ERR_INTERNAL = "模拟器内部出错，详情请看机器人的日志"

# --- running -------------------------------------------------------------------------------------
RUN_READY = "agribot 已就绪：账号 {accounts}，{groups} 个群，通道 {transport}。按 Ctrl-C 停止。"
RUN_SIMULATOR = "模拟器：在浏览器打开 {url} ，选一个县级群，以技术员身份发送「#帮助」试试。"
RUN_STOPPING = "正在停止：发送中的消息发完后退出……"
RUN_CONNECTING = ("agribot 已启动：账号 {accounts}，{groups} 个群，通道 {transport}，正在连接网关"
                  "（连上后日志里会有 “ready as …”）。按 Ctrl-C 停止。")
RUN_NEEDS_SERVICE = ("通道 wechaty 需要网关：请设置环境变量 {token}（网关令牌），"
                     "以及 {endpoint}（网关地址，如 10.0.0.5:8788）")
RUN_UNKNOWN_ACCOUNT = "bot.yaml 中没有账号 “{account}”"

# --- the local puppet-service gateway (agribot gateway) ----------------------------------------
GATEWAY_NEEDS_TOKEN = ("网关需要一个令牌：请设置环境变量 WECHATY_PUPPET_SERVICE_TOKEN"
                       "（机器人用同一个变量连接），或用 --token 指定")
GATEWAY_READY = ("本地微信网关已启动：账号 {account}，gRPC 端口 {host}:{port}。"
                 "机器人这样连接：WECHATY_PUPPET_SERVICE_ENDPOINT={host}:{port} "
                 "agribot run --transport wechaty")
GATEWAY_SIMULATOR = "模拟器：在浏览器打开 {url} ，可以看到通过 gRPC 连接的机器人。"
GATEWAY_STOPPING = "网关正在停止……"
WECHATY_BAD_TOKEN = ("账号 {account}：网关拒绝了令牌 (UNAUTHENTICATED)。请检查环境变量 "
                     "WECHATY_PUPPET_SERVICE_TOKEN；将按退避间隔重试，同样的错误不再重复记录")
