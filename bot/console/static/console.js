// 农技助手管理后台: one page, its tabs filled from /console/api/ (the server checks every region;
// the page only asks). Text is always set as text, never as HTML.
"use strict";

const CSRF = document.querySelector('meta[name="csrf"]').content;
const TABS = [["overview", "概览"], ["groups", "群"], ["questions", "问题"], ["schedule", "日程"],
              ["activities", "活动"], ["outbox", "发送"], ["report", "报表"]];
const FIGURES = [["active_members", "活跃人次"], ["questions", "提问"], ["answered", "已答"],
                 ["overdue", "超时未答"], ["answer_rate", "回答率%"],
                 ["median_response", "首次响应中位(分钟)"], ["pushes_sent", "推送"],
                 ["link_opens", "链接打开"], ["open_rate", "打开率%"], ["sessions", "培训场次"],
                 ["participants", "培训人数"], ["members_end", "成员"]];
const STATUS = {pending: "等待发送", sending: "发送中", sent: "已发送", dead: "已停止重试"};
const main = document.getElementById("main");
let me = null;
let region = "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(value) { return value === null || value === undefined || value === "" ? "—" : value; }

function table(headers, rows) {
  if (!rows.length) return el("p", {class: "muted"}, "（无）");
  return el("div", {class: "scroll"}, el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))))));
}

async function api(path, options) {
  const sep = path.includes("?") ? "&" : "?";
  const response = await fetch(`/console/api/${path}${sep}region=${encodeURIComponent(region)}`,
                               Object.assign({credentials: "same-origin"}, options || {}));
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function section(title, ...children) { return el("section", {}, el("h2", {}, title), children); }

// --- 概览 -----------------------------------------------------------------------------------------

function cards(id, period) {
  return el("div", {class: "cards", id: id}, FIGURES.map(([code, label]) =>
    el("div", {class: "card", "data-code": code}, el("div", {class: "label"}, label),
       el("div", {class: "value"}, show(period.figures[code])))));
}

function chart(daily) {
  // two bars a day: active members and questions, scaled to the month's highest
  const ns = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };
  const width = 640, height = 180, left = 34, bottom = 24, top = 24;
  const most = Math.max(1, ...daily.map((d) => Math.max(d.active_members, d.questions)));
  // a day's width as in a full month, so the 2nd of the month is not two giant bars
  const step = (width - left - 8) / Math.max(31, daily.length);
  const root = svg("svg", {viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
                           "aria-label": "本月每日活跃人次和提问数"});
  const y = (v) => height - bottom - (height - bottom - top) * v / most;
  root.append(svg("line", {x1: left, y1: y(0), x2: width, y2: y(0), stroke: "#9ab"}));
  for (const tick of [0, most]) {
    const label = svg("text", {x: left - 4, y: y(tick) + 4, "text-anchor": "end",
                               "font-size": 11, fill: "#5b6b7b"});
    label.textContent = tick;
    root.append(label);
  }
  daily.forEach((d, i) => {
    const x = left + i * step;
    const bar = Math.max(2, step * 0.4);
    for (const [value, colour, dx] of [[d.active_members, "#27ae60", 0],
                                       [d.questions, "#2980b9", bar]]) {
      const rect = svg("rect", {x: x + dx + 1, y: y(value), width: bar,
                                height: Math.max(0, y(0) - y(value)), fill: colour});
      const tip = svg("title", {});
      tip.textContent = `${d.day}：${colour === "#27ae60" ? "活跃人次" : "提问"} ${value}`;
      rect.append(tip);
      root.append(rect);
    }
    if (i % 5 === 0 || (i === daily.length - 1 && i % 5 >= 3)) {
      const label = svg("text", {x: x + step / 2, y: height - 6, "text-anchor": "middle",
                                 "font-size": 11, fill: "#5b6b7b"});
      label.textContent = d.day.slice(5);
      root.append(label);
    }
  });
  const legend = svg("text", {x: left, y: 14, "font-size": 12, fill: "#1f2d3d"});
  for (const [mark, colour, text] of [["■", "#27ae60", " 活跃人次  "], ["■", "#2980b9", " 提问"]]) {
    const square = svg("tspan", {fill: colour});
    square.textContent = mark;
    const label = svg("tspan", {});
    label.textContent = text;
    legend.append(square, label);
  }
  root.append(legend);
  return root;
}

async function overview() {
  const data = await api("summary");
  const {week, month} = data.periods;
  return [
    section(`本周（${week.first} 至 ${week.last}）`, cards("week", week)),
    section(`本月（${month.first} 至 ${month.last}）`, cards("month", month),
            el("h3", {}, "本月每日"), chart(data.daily)),
    section("培训与目标（本月）", table(["地区", "类别", "场次", "目标场次", "每场人数", "未达标"],
      data.targets.map((t) => [t.region_name, t.kind, t.sessions, show(t.min_sessions),
                               t.participants.join("、") || "—",
                               el("span", {class: t.shortfalls.length ? "bad" : "ok"},
                                  t.shortfalls.join("；") || "达标")]))),
    el("p", {class: "muted"}, `数据截至事件 #${data.covers.event_id}`),
  ];
}

// --- 群、问题、活动 ----------------------------------------------------------------------------------

async function groups() {
  const rows = await api("groups");
  return section("群", table(["群", "级别", "地区", "账号", "绑定方式", "状态", "成员", "最近活跃"],
    rows.map((g) => [g.name, g.tier, g.region_name, g.account, g.binds_by,
                     el("span", {class: g.bound ? "ok" : "bad"}, g.bound ? "已绑定" : "未找到群"),
                     g.members, show(g.last_active)])));
}

async function questions() {
  const data = await api("questions");
  return [
    section(`未回答（${data.open.length}）`, table(["编号", "群", "问题", "产业", "专家", "已等(小时)", ""],
      data.open.map((q) => [q.id, q.group, q.text, q.industry, q.experts.join("、") || "—",
                            q.age_hours, el("span", {class: q.overdue ? "bad" : "muted"},
                                            q.overdue ? "超时" : `期限 ${show(q.deadline)}`)]))),
    section("已回答", table(["编号", "群", "问题", "解答"],
      data.answered.map((q) => [q.id, q.group, q.text,
        el("div", {}, q.answers.map((a) => el("div", {}, `${a.expert}：${a.text}`)))]))),
  ];
}

async function activities() {
  const rows = await api("activities");
  return section("活动", table(["编号", "类别", "主题", "群", "负责人", "开始", "结束", "签到人数"],
    rows.map((a) => [a.id, a.kind, a.topic, a.group, show(a.responsible), a.opened_at,
                     show(a.closed_at), el("span", {class: a.target && a.participants < a.target
                       ? "bad" : ""}, a.target ? `${a.participants} / ${a.target}` : a.participants)])));
}

// --- 日程 -----------------------------------------------------------------------------------------

async function schedule() {
  const data = await api("schedule?days=14");
  const days = data.days.map((d) => el("div", {class: "day"}, el("h3", {}, `${d.day} ${d.weekday}`),
    d.pushes.map((p) => el("div", {class: "push"}, el("strong", {}, p.time), ` ${p.group} · `,
      p.content || p.schedule, " ", el("span", {class: "muted"}, p.note || p.message)))));
  const files = data.files.map((f) => el("div", {class: "file"},
    el("span", {class: f.ok ? "ok" : "bad"}, f.ok ? "✓ " : "✗ "), f.path, " ",
    el("span", {class: "muted"}, f.region_name),
    f.ok ? null : el("pre", {class: "problems"}, f.problems.join("\n"))));
  return [section(`未来 ${data.window_days} 天的推送`, days.length ? days : el("p", {class: "muted"}, "（无）")),
          section("日程文件", files.length ? files : el("p", {class: "muted"}, "（无）"))];
}

// --- 发送 -----------------------------------------------------------------------------------------

async function retry(id, button) {
  button.disabled = true;
  try {
    await api(`outbox/${id}/retry`, {method: "POST", headers: {"X-CSRF-Token": CSRF}});
    await open("outbox");
  } catch (error) {
    button.disabled = false;
    alert(error.message);
  }
}

async function outbox() {
  const data = await api("outbox");
  const row = (m) => [m.group, m.purpose, m.text, STATUS[m.status] || m.status, m.attempts];
  return [
    section(`发送失败（${data.dead.length}）`, table(["群", "类别", "内容", "状态", "次数", "原因", ""],
      data.dead.map((m) => [...row(m), m.error, el("button", {
        class: "retry", "data-id": m.id,
        onclick: (event) => retry(m.id, event.currentTarget)}, "重新发送")]))),
    section(`等待发送（${data.waiting.length}）`, table(["群", "类别", "内容", "状态", "次数", "计划"],
      data.waiting.map((m) => [...row(m), m.next_attempt_at]))),
    section("最近已发送", table(["群", "类别", "内容", "状态", "次数", "发送时间"],
      data.sent.map((m) => [...row(m), m.sent_at]))),
  ];
}

// --- 报表 -----------------------------------------------------------------------------------------

async function report(first, last) {
  const query = first && last ? `report?from=${first}&to=${last}` : "report";
  const data = await api(query);
  const from = el("input", {type: "date", value: data.first, id: "from"});
  const to = el("input", {type: "date", value: data.last, id: "to"});
  const reload = async () => render(await report(from.value, to.value));
  const labels = {xlsx: "Excel 工作调度统计表 (XLSX)", csv: "CSV", md: "Markdown", png: "图表 (PNG)"};
  return [
    section(`${data.region_name}统计报表`,
      el("p", {}, "从 ", from, " 到 ", to, " ", el("button", {onclick: reload}, "生成")),
      el("p", {id: "verify", class: data.verify.ok ? "ok" : "bad"},
         (data.verify.ok ? "✓ 核验通过：" : "✗ 核验未通过：") + data.verify.message),
      el("div", {class: "downloads"}, Object.entries(data.downloads).map(([fmt, url]) =>
        el("a", {class: "button", href: url, download: "", "data-format": fmt}, labels[fmt] || fmt)))),
    section("主要数字", table(["指标", "数值"], data.figures.map((f) => [f.header, show(f.value)]))),
    section("各地区", table(["地区", "群", "提问", "回答率%", "推送", "培训"],
      data.regions.map((r) => [r.name, r.groups, r.questions, show(r.answer_rate), r.pushes_sent,
                               r.sessions]))),
  ];
}

// --- the frame ------------------------------------------------------------------------------------

const VIEWS = {overview, groups, questions, schedule, activities, outbox, report};
let content = null;

function render(nodes) { content.replaceChildren(...[nodes].flat()); }

async function open(tab) {
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.dataset.tab === tab);
  }
  content.dataset.tab = tab;
  content.setAttribute("aria-busy", "true");
  try {
    render(await VIEWS[tab]());
  } catch (error) {
    render(el("section", {class: "bad"}, error.message));
  }
  content.setAttribute("aria-busy", "false");
  content.dataset.loaded = tab;
}

function current() {
  const tab = location.hash.slice(1);
  return VIEWS[tab] ? tab : "overview";
}

async function start() {
  const response = await fetch("/console/api/me", {credentials: "same-origin"});
  if (!response.ok) { location.reload(); return; }
  me = await response.json();
  region = me.region;
  const picker = el("select", {id: "region", onchange: () => { region = picker.value; open(current()); }},
    me.regions.map((r) => el("option", {value: r.id}, "　".repeat(r.depth) + r.name)));
  const nav = el("nav", {}, TABS.map(([id, label]) =>
    el("a", {href: `#${id}`, "data-tab": id, id: `tab-${id}`}, label)));
  content = el("div", {id: "content"});
  main.replaceChildren(el("p", {}, "地区：", picker), content);
  main.before(nav);
  window.addEventListener("hashchange", () => open(current()));
  await open(current());
}

start();
