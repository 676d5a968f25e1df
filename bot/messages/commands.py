"""What the command line and the simulator say: the catalog, previews, running, the gateway."""

# --- the catalog on the command line --------------------------------------------------------------
CONTENT_NONE_FOUND = "没有找到匹配的课程"
GROUP_BOUND = "已绑定"
GROUP_UNBOUND = "未找到群"
GROUP_WECOM_UNBOUND = "待绑定：管理员在群里 @机器人 #绑定 {group}"
GROUP_BINDING_COMMAND = "#绑定（{by}）"
GROUP_BINDING_WECOM = "企业微信群 #绑定"
GROUPS_NOTES_HEADER = "说明："
CONTENT_UNKNOWN = "没有编号为 “{id}” 的课程"
EXAMPLE_LINK = "（示例链接，非真实课程）"

# --- schedule preview ---------------------------------------------------------------------------
PREVIEW_BAD_START = '--start 写成 "2026-12-01 00:00" (start as YYYY-MM-DD HH:MM)'
PREVIEW_NONE = "未来 {days} 天没有推送 (no pushes in the next {days} days)"
PREVIEW_TOTAL = "共 {count} 次推送 ({count} pushes)"
PREVIEW_PAUSED = "已暂停"
PREVIEW_EXHAUSTED = "已推完"
MINUTES = "（{minutes} 分钟）"


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
SIM_ERR_BAD_MENTIONS = "mentions 应是这个群里成员编号的列表，例如 [\"wxid_…\"]"
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
RUN_CONNECTING_WECOM = ("agribot 已启动：账号 {accounts}，{groups} 个群，通道 {transport}，正在连接"
                        "企业微信（连上后日志里会有 “企业微信智能机器人已连接”）。按 Ctrl-C 停止。")
RUN_NEEDS_SERVICE = ("通道 wechaty 需要网关：请设置环境变量 {token}（网关令牌），"
                     "以及 {endpoint}（网关地址，如 10.0.0.5:8788）")
RUN_UNKNOWN_ACCOUNT = "bot.yaml 中没有账号 “{account}”"
RUN_ACCOUNT_HELD = ("账号 {account} 已经由另一个进程在运行（主机 {host}，进程号 {pid}，"
                    "{since} 起），同一个账号只能运行一个 agribot run；请先停止那个进程")
RUN_ACCOUNT_LOST = ("账号 {account} 已被另一个进程（主机 {host}，进程号 {pid}）接管，"
                    "本进程停止发送并退出")

# --- the local puppet-service gateway (agribot gateway) ----------------------------------------
GATEWAY_NEEDS_TOKEN = ("网关需要一个令牌：请设置环境变量 WECHATY_PUPPET_SERVICE_TOKEN"
                       "（机器人用同一个变量连接），或用 --token 指定")
GATEWAY_READY = ("本地微信网关已启动：账号 {account}，gRPC 端口 {host}:{port}。"
                 "机器人这样连接：WECHATY_PUPPET_SERVICE_ENDPOINT={host}:{port} "
                 "agribot run --transport wechaty")
GATEWAY_SIMULATOR = "模拟器：在浏览器打开 {url} ，可以看到通过 gRPC 连接的机器人。"
GATEWAY_STOPPING = "网关正在停止……"

# --- the local WeCom 智能机器人 server (agribot wecom-fake) --------------------------------------
WECOM_FAKE_NO_ACCOUNT = ("bot.yaml 里没有走企业微信的账号：给一个账号写上 transport: wecom 和 "
                         "wecom: {bot_id_env: 变量名, secret_env: 变量名}")
WECOM_FAKE_NOT_WECOM = "账号 “{account}” 不走企业微信（没有 transport: wecom）"
WECOM_FAKE_NEEDS_ENV = ("请先设置环境变量 {names}（机器人 ID 和 Secret；agribot run 读同样的变量，"
                        "本地测试可以随便填，两边一致即可）")
WECOM_FAKE_READY = "本地企业微信长连接已启动：账号 {account}，地址 {url}。机器人这样连到这里："
WECOM_FAKE_EXPORTS = "  export {url_env}={url}\n  export {ca_env}={ca}"
WECOM_FAKE_SIMULATOR = ("模拟器：在浏览器打开 {url} 。群里只有 @机器人 的消息会送到机器人，"
                        "图片和文件只在私聊里送到。")
WECOM_FAKE_STOPPING = "本地企业微信正在停止……"
WECOM_FAKE_NO_MESSAGE = "没有这条消息"
WECOM_FAKE_NO_CONTACT = "没有这个人"
WECOM_FAKE_NOT_CONNECTED = "机器人没有连上，消息送不到"
WECHATY_BAD_TOKEN = ("账号 {account}：网关拒绝了令牌 (UNAUTHENTICATED)。请检查环境变量 "
                     "WECHATY_PUPPET_SERVICE_TOKEN；将按退避间隔重试，同样的错误不再重复记录")

# --- the event log against its anchor (agribot audit verify, report verify) ---------------------
AUDIT_BROKEN = "事件日志被改动: 第一个不符的事件 #{event_id}: {reason} (已核对 {checked} 条)"
AUDIT_OK = "事件日志完整: {checked} 条事件, 最新 #{head_id} {head_hash}"
AUDIT_ANCHOR_NOW = "锚点（请在库外留存，日后用 --anchor 核验）: {token}"
AUDIT_ANCHOR_OK = "与锚点一致: 锚点的链头 {head}… 仍在它记下的位置"
AUDIT_ANCHOR_BAD = "--anchor 应写成 “事件数:哈希”（如 1234:9f86d0…，64 位十六进制），或只写哈希"
ANCHOR_MISSING = ("事件日志比锚点少了 {missing} 条事件: 锚点记下 {events} 条、链头 {head}，"
                  "现在只剩 {kept} 条（最新的事件被删除了）")
ANCHOR_REPLACED = ("事件日志与锚点不符: 第 {events} 条事件的哈希是 {found}，锚点记下的是 {head}"
                   "（事件被改写过）")
ANCHOR_GONE = "事件日志里已没有锚点的链头 {head}（事件被删除或改写过）"

# --- WeCom 智能机器人 (bot/transport/wecom_adapter.py) ---------------------------------------
WECOM_MISSING_ENV = ("账号 {account} 走企业微信智能机器人，但环境变量 {env} 没有设置或为空；"
                     "请把企业微信后台「智能机器人 › API 模式 › 长连接」里的 {what} 放进 {env}")
WECOM_BAD_SECRET = ("账号 {account}：企业微信拒绝了 Bot ID / Secret（{code}）。请检查环境变量 "
                    "{bot_id_env} 和 {secret_env}；将按退避间隔重试（最长 {cap} 秒一次），"
                    "同样的错误不再重复记录")
WECOM_REPLACED = ("账号 {account}：另一个进程用同一个 Bot ID 连上了企业微信，本进程的连接已被"
                  "顶替；本进程不再重连（要换回本进程，请先停掉另一个再重启本进程）")
WECOM_READY = "账号 {account}：企业微信智能机器人已连接"
WECOM_NO_FILE = "（文件「{name}」无法通过企业微信智能机器人发送，请到电脑端查看）"
