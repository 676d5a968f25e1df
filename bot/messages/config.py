"""What an admin reads about the YAML files: problems, warnings, values written alike."""

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
WECOM_NEEDS_CREDENTIALS = ("transport: wecom 的账号要写 wecom: {bot_id_env: 变量名, secret_env: "
                           "变量名}，即存放 Bot ID 和 Secret 的环境变量名 (wecom credentials)")
WECOM_NEEDS_CREDENTIALS_OF = ("账号 {accounts} 走企业微信（transport: wecom），要写 wecom: "
                              "{{bot_id_env: 变量名, secret_env: 变量名}} (wecom credentials)")
WECOM_USERID_TWICE = ("企业微信 userid “{userid}” 已属于 {first}，同一个 userid 只能对应一个人 "
                      "(wecom_userid used twice)")


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
