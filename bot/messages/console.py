"""What the admin console says (bot/console): ``#后台`` in chat, its sign-in pages, its API."""

# --- #后台 in private chat ---------------------------------------------------------------------
CONSOLE_USAGE = "#后台  私聊获取管理后台的登录链接（管理员）"
CONSOLE_LINK = (
    "【管理后台】{region}的登录链接（{minutes} 分钟内、{until} 前有效，只能用一次）：\n{url}\n"
    "请勿转发：打开后这台手机或电脑可查看本地区的数据一个工作日。"
)
CONSOLE_PRIVATE_ONLY = "管理后台的登录链接只在私聊里发：请私聊我发送「#后台」。"
CONSOLE_NOT_SERVED = ("这个机器人没有开启管理后台（启动时加 --console-port 才会开启），"
                      "请联系运维人员。")

# --- sign-in pages -------------------------------------------------------------------------------
CONSOLE_TITLE = "农技助手管理后台"
CONSOLE_SIGNED_IN = "登录成功，正在进入{region}管理后台……"
CONSOLE_ENTER = "进入管理后台"
CONSOLE_LINK_USED_TITLE = "登录链接已经用过了"
CONSOLE_LINK_USED = ("每个登录链接只能用一次。请在微信里私聊机器人重新发送「#后台」，"
                     "获取新的链接。")
CONSOLE_LINK_EXPIRED_TITLE = "登录链接已过期"
CONSOLE_LINK_EXPIRED = ("登录链接发出后 10 分钟内有效。请在微信里私聊机器人重新发送「#后台」，"
                        "获取新的链接。")
CONSOLE_LINK_UNKNOWN_TITLE = "登录链接无效"
CONSOLE_LINK_UNKNOWN = "这个链接不是有效的登录链接（可能复制不完整）。请私聊机器人发送「#后台」。"
CONSOLE_LINK_NOT_ADMIN_TITLE = "没有管理权限"
CONSOLE_LINK_NOT_ADMIN = "这个微信号已不是管理员，不能登录管理后台。"
CONSOLE_SIGN_IN_TITLE = "请先登录"
CONSOLE_SIGN_IN = ("管理后台不用密码：请在微信里私聊机器人发送「#后台」，"
                   "打开机器人回复的链接即可登录（登录后一个工作日内有效）。")
CONSOLE_SIGNED_OUT = "已退出管理后台。"

# --- the API -------------------------------------------------------------------------------------
CONSOLE_UNAUTHORIZED = "没有登录或登录已过期：请私聊机器人发送「#后台」重新登录"
CONSOLE_CSRF = "请求缺少有效的安全令牌（CSRF），请刷新页面后重试"
CONSOLE_ORIGIN = "请求来自其他网站，已拒绝"
CONSOLE_NO_REGION = "没有地区 “{region}”"
CONSOLE_FORBIDDEN_REGION = "{region}不在您管理的范围内：您只能查看{own}及下级地区"
CONSOLE_NO_OUTBOX_ROW = "没有这条待发消息（或它不属于您管理的地区）"
CONSOLE_NOT_DEAD = "只有发送失败、已停止重试的消息才能重新发送"
CONSOLE_BAD_PERIOD = "日期写成 2026-12-01 这样，结束不早于开始，最长十年"
CONSOLE_BAD_FORMAT = "报表格式只能是 {formats}"
CONSOLE_BAD_DAYS = "天数应是 1 到 {limit} 的整数"
CONSOLE_BAD_ID = "编号应是整数"
CONSOLE_NOT_FOUND = "没有这个页面"
CONSOLE_INTERNAL = "后台出错了，已记录，请稍后再试"
CONSOLE_PAYLOAD_UNREADABLE = "（内容无法识别）"
CONSOLE_PAYLOAD_LINK = "［链接］{title}"
CONSOLE_PAYLOAD_FILE = "［文件］{name}"
CONSOLE_NEEDS_LOOPBACK = ("管理后台要在 {host} 上对外提供服务，必须加 --console-public 明确允许；"
                          "只在本机使用时请绑定 127.0.0.1")
RUN_CONSOLE = "管理后台：{url}（管理员私聊机器人发送「#后台」获取登录链接）"
