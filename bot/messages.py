"""Every sentence a person reads, in one place, so wording changes in one file.

Chinese first: county admins, technicians and experts read these. Configuration errors add the
English term in brackets because the keys they point at are English.
"""

# --- configuration files -----------------------------------------------------------------------
FILE_TOO_LARGE = "文件太大（超过 {limit} 字节），请拆分成多个文件 (file too large)"
NOT_UTF8 = "文件不是 UTF-8 编码，请用 UTF-8 另存 (not UTF-8)"
TAB_INDENT = "缩进里有制表符 Tab，请改用空格 (tab in indentation)"
YAML_SYNTAX = "YAML 格式错误：{detail} (syntax error)"
DUPLICATE_KEY = "键 “{key}” 重复出现（第一次在第 {first} 行），只能写一次 (duplicate key)"
ALIAS_BOMB = "引用（& / *）展开后超过 {limit} 个节点，已拒绝 (alias expansion too large)"
TOO_DEEP = "嵌套层次太深 (nesting too deep)"
NOT_A_MAPPING = "文件内容应当是“键: 值”的映射 (expected a mapping)"
UNKNOWN_KEY = "未知的键 “{key}”，是否拼写错误？ (unknown key)"
MISSING_KEY = "缺少必填项 “{key}” (missing key)"
DUPLICATE_ID = "编号 “{id}” 重复，已在 {first} 使用 (duplicate id)"
UNKNOWN_REF = "{what} “{id}” 不存在 (unknown {kind})"
TIER_LEVEL = "群级别 {tier} 与地区 “{region}” 的层级（{level}）不符：省=senior，市=intermediate，县=junior"
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

# --- chat basics ---------------------------------------------------------------------------------
HELP_HEADER = "【农技助手使用说明】"
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
