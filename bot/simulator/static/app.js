// The simulator page: groups on the left, the chat in the middle, live through /api/events.
// Plain DOM, no framework and no build step; every text goes in through textContent.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token");
const TIERS = [["senior", "高级", "省科协"], ["intermediate", "中级", "市（州）科协"],
               ["junior", "初级", "县（市、区）科协"]];
const ROLE_LABEL = { admin: "管理员", expert: "专家", bot: "机器人", member: "农技师" };
const VIDEO = /\.(mp4|webm|ogv|mov|m4v)$/i;
const GAP_MS = 5 * 60 * 1000; // WeChat shows the time again after a pause this long

const state = {
  tz: "Asia/Shanghai", bots: new Map(), // bot id → {id, name}
  rooms: new Map(), people: new Map(),
  chats: new Map(), // key → {messages, unread, last}
  active: null, // {kind: "room"|"private", id}
  speaker: new Map(), // room id → the contact last chosen to speak there
};
const $ = (id) => document.getElementById(id);

// --- helpers ----------------------------------------------------------------------------------
function withToken(path) {
  if (!TOKEN) return path;
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
}
async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (TOKEN) headers["Authorization"] = "Bearer " + TOKEN;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({ error: "服务器没有返回内容" }));
  if (!resp.ok) throw new Error(data.error || "请求失败（" + resp.status + "）");
  return data;
}
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
function toast(text) {
  const box = $("toast");
  box.textContent = text; box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}
function hue(id) {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}
function avatar(id, name, role) {
  const node = el("div", "avatar", role === "bot" ? "助" : (name || "?").slice(-2));
  node.style.background = role === "bot" ? "#07c160" : `hsl(${hue(id)} 38% 58%)`;
  return node;
}
function roleTag(role) {
  return role === "member" ? null : el("span", "tag " + role, ROLE_LABEL[role]);
}
function fmtTime(iso, withDay) {
  const d = new Date(iso);
  const opts = { timeZone: state.tz, hour: "2-digit", minute: "2-digit", hour12: false };
  const day = (x) => x.toLocaleDateString("zh-CN", { timeZone: state.tz });
  if (withDay && day(d) !== day(new Date())) Object.assign(opts, { month: "numeric", day: "numeric" });
  return d.toLocaleString("zh-CN", opts);
}
function fmtSize(bytes) {
  if (!bytes) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0, n = bytes;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}
function preview(m) {
  if (!m) return "";
  if (m.type === "url") return "[链接] " + (m.title || m.url);
  if (m.type === "file" || m.type === "image") return "[文件] " + ((m.file && m.file.name) || m.text);
  const who = m.type === "system" || state.active?.kind === "private" ? "" : m.from_name + "：";
  return who + m.text;
}
const keyOf = (kind, id) => kind + ":" + id;
// A private chat is between a person and one bot: with several accounts, one chat per bot.
const privateId = (contact, bot) => contact + "|" + bot;
const splitPrivate = (id) => id.split("|");
function chatBots(person) {
  const first = [...state.bots.keys()][0];
  return person.bots && person.bots.length ? person.bots : (first ? [first] : []);
}
function chat(key) {
  if (!state.chats.has(key)) state.chats.set(key, { messages: null, unread: 0, last: null });
  return state.chats.get(key);
}

// --- sidebar ----------------------------------------------------------------------------------
function renderSidebar() {
  const filter = $("filter").value.trim();
  const groups = $("groups");
  groups.replaceChildren();
  for (const [tier, label, owner] of TIERS) {
    const rooms = [...state.rooms.values()].filter((r) => r.tier === tier &&
      (!filter || (r.topic + r.area + r.region_name).includes(filter)));
    if (!rooms.length) continue;
    const box = el("section", "tier");
    const head = el("div", "tier-head");
    head.append(el("b", "", label + "农技师群"), owner + "建 · " + rooms.length + " 个");
    box.append(head);
    let area = null;
    for (const room of rooms) {
      if (tier === "junior" && room.area !== area) { // county groups under their city
        area = room.area;
        box.append(el("div", "area-head", area));
      }
      box.append(item("room", room.id, room.topic, room.id));
    }
    groups.append(box);
  }
  const people = $("private");
  people.replaceChildren();
  for (const role of ["admin", "expert"]) {
    const list = [...state.people.values()].filter((p) => p.role === role &&
      (!filter || (p.name + p.region_name).includes(filter)));
    if (!list.length) continue;
    const box = el("section", "tier");
    box.append(el("div", "tier-head", ROLE_LABEL[role] + " · " + list.length + " 位"));
    for (const p of list) {
      for (const b of chatBots(p)) {
        const withBot = state.bots.size > 1 ? " · " + (state.bots.get(b)?.name || b) : "";
        box.append(item("private", privateId(p.id, b), p.name + " · " + p.region_name + withBot,
          p.id, role));
      }
    }
    people.append(box);
  }
}
function item(kind, id, title, avatarId, role) {
  const c = chat(keyOf(kind, id));
  const node = el("button", "item");
  node.type = "button";
  node.dataset.kind = kind; node.dataset.id = id;
  if (state.active && state.active.kind === kind && state.active.id === id) node.classList.add("active");
  const pic = kind === "room" ? el("div", "avatar", "群") : avatar(avatarId, title.split(" · ")[0], role);
  if (kind === "room") pic.style.background = `hsl(${hue(id)} 30% 62%)`;
  const body = el("div", "item-body");
  const top = el("div", "item-top");
  top.append(el("span", "item-name", title), el("span", "item-time", c.last ? fmtTime(c.last.ts, true) : ""));
  body.append(top, el("div", "item-last", preview(c.last)));
  node.append(pic, body);
  if (c.unread) node.append(el("span", "badge", c.unread > 99 ? "99+" : String(c.unread)));
  node.addEventListener("click", () => open(kind, id));
  return node;
}

// --- the open chat ----------------------------------------------------------------------------
async function open(kind, id) {
  state.active = { kind, id };
  const key = keyOf(kind, id);
  const c = chat(key);
  c.unread = 0;
  $("welcome").hidden = true;
  $("conversation").hidden = false;
  renderHead();
  renderSidebar();
  if (c.messages === null) {
    $("messages").replaceChildren(el("div", "time-line", "正在加载…"));
    try { c.messages = await fetchMessages(kind, id, 0); } catch (e) { toast(e.message); return; }
  }
  renderMessages(true);
  $("text").focus();
}
function fetchMessages(kind, id, since) {
  if (kind === "room") return api("GET", "/api/rooms/" + encodeURIComponent(id) + "/messages?since=" + since);
  const [contact, bot] = splitPrivate(id);
  return api("GET", "/api/contacts/" + encodeURIComponent(contact) + "/messages?since=" + since +
    "&bot=" + encodeURIComponent(bot));
}
function renderHead() {
  const { kind, id } = state.active;
  const inRoom = kind === "room";
  if (inRoom) {
    const room = state.rooms.get(id);
    $("chat-title").textContent = room.topic + "（" + room.members.length + "）";
    $("chat-sub").textContent = [room.tier_label + "农技师群", room.region_name].join(" · ");
    fillSpeakers(room);
  } else {
    const [contact, botId] = splitPrivate(id);
    const p = state.people.get(contact);
    const bot = state.bots.get(botId);
    $("chat-title").textContent = bot ? bot.name : "机器人";
    $("chat-sub").textContent = "私聊 · 你正以 " + p.name + "（" + ROLE_LABEL[p.role] + "）的身份和机器人对话";
    $("speaker-fixed").textContent = "发言人：" + p.name + "（" + ROLE_LABEL[p.role] + "）";
  }
  $("speaker").parentElement.hidden = !inRoom;
  $("leave").hidden = !inRoom;
  $("invite").hidden = !inRoom;
  $("attach-label").hidden = !inRoom;  // members send files in groups; the API has no private upload
  $("speaker-fixed").hidden = inRoom;
}
function fillSpeakers(room) {
  const select = $("speaker");
  const keep = state.speaker.get(room.id) || select.value;
  select.replaceChildren();
  for (const role of ["member", "expert", "admin"]) {
    const people = room.members.filter((m) => m.role === role);
    if (!people.length) continue;
    const group = el("optgroup");
    group.label = ROLE_LABEL[role] + "（" + people.length + "）";
    for (const m of people) {
      const option = el("option", "", m.name + " · " + ROLE_LABEL[role]);
      option.value = m.id; option.dataset.role = role;
      group.append(option);
    }
    select.append(group);
  }
  if (room.members.some((m) => m.id === keep && m.role !== "bot")) select.value = keep;
}
function currentSpeaker() {
  return state.active.kind === "room" ? $("speaker").value : splitPrivate(state.active.id)[0];
}
function renderMessages(scroll) {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const c = chat(keyOf(state.active.kind, state.active.id));
  box.replaceChildren();
  let previous = null;
  for (const m of c.messages) {
    if (!previous || new Date(m.ts) - new Date(previous.ts) > GAP_MS) {
      box.append(el("div", "time-line", fmtTime(m.ts, true)));
    }
    box.append(renderMessage(m));
    previous = m;
  }
  if (!c.messages.length) box.append(el("div", "time-line", "还没有消息，说点什么吧"));
  if (scroll || nearBottom) box.scrollTop = box.scrollHeight;
}
function renderMessage(m) {
  if (m.type === "system") {
    const line = el("div", "system-line");
    line.append(el("span", "", m.text));
    return line;
  }
  const fromBot = state.bots.has(m.from);
  const role = fromBot ? "bot" : roleOf(m.from);
  const node = el("div", "msg");
  node.dataset.id = m.id;
  if (fromBot) node.classList.add("from-bot");
  if (m.from === currentSpeaker()) node.classList.add("mine");
  const main = el("div", "msg-main");
  const sender = el("div", "sender", m.from_name);
  const tag = roleTag(role);
  if (tag) sender.append(tag);
  if (state.active.kind === "room" || fromBot) main.append(sender);
  main.append(content(m));
  node.append(avatar(m.from, m.from_name, role), main);
  return node;
}
function roleOf(id) {
  if (state.active.kind === "room") {
    const member = state.rooms.get(state.active.id).members.find((x) => x.id === id);
    if (member) return member.role;
  }
  return state.people.get(id)?.role || "member";
}
function content(m) {
  if (m.type === "url") {
    const card = el("a", "card");
    card.href = m.url; card.target = "_blank"; card.rel = "noopener noreferrer";
    card.append(el("div", "card-title", m.title || m.url));
    const row = el("div", "card-row");
    row.append(el("div", "card-desc", m.description || m.url), el("div", "card-thumb", "▶"));
    let source = "";
    try { source = new URL(m.url).hostname; } catch (_) { source = "链接"; }
    card.append(row, el("div", "card-source", source));
    return card;
  }
  if (m.file && m.type === "image" && m.file.url) {
    const card = el("a", "card photo");
    card.href = withToken(m.file.url); card.target = "_blank";
    const img = el("img", "photo-img");
    img.src = withToken(m.file.url); img.alt = m.file.name;
    card.append(img);
    return card;
  }
  if (m.file) {
    const video = m.type === "video" || VIDEO.test(m.file.name);
    const card = el(m.file.url && !video ? "a" : "div", "card file" + (video ? " video" : ""));
    const row = el("div", "card-row");
    const text = el("div", "card-desc");
    text.append(el("div", "card-title", m.file.name), el("div", "file-size", fmtSize(m.file.size)));
    row.append(text, el("div", "card-thumb", video ? "▶" : "📄"));
    card.append(row, el("div", "card-source", video ? (m.file.url ? "视频 · 点击播放" : "视频") : "文件"));
    if (m.file.url && video) {
      card.classList.add("playable");
      card.addEventListener("click", () => play(m.file));
    } else if (m.file.url) {
      card.href = withToken(m.file.url); card.target = "_blank";
    }
    return card;
  }
  const bubble = el("div", "bubble");
  highlight(bubble, m.text, m.mention_names || []);
  return bubble;
}
function highlight(node, text, names) {
  // @name is highlighted for everyone mentioned and for any member's name written after an @.
  const known = new Set(names);
  if (state.active.kind === "room") for (const x of state.rooms.get(state.active.id).members) known.add(x.name);
  for (const b of state.bots.values()) known.add(b.name);
  const sorted = [...known].filter(Boolean).sort((a, b) => b.length - a.length);
  let rest = text;
  while (rest) {
    let best = -1, found = "";
    for (const name of sorted) {
      const at = rest.indexOf("@" + name);
      if (at >= 0 && (best < 0 || at < best)) { best = at; found = name; }
    }
    if (best < 0) { node.append(rest); return; }
    node.append(rest.slice(0, best), el("span", "at", "@" + found));
    rest = rest.slice(best + found.length + 1);
  }
}
function play(file) {
  $("player-title").textContent = file.name;
  const video = $("video");
  video.src = withToken(file.url);
  $("player").hidden = false;
  video.play().catch(() => {});
}

// --- acting -----------------------------------------------------------------------------------
async function send() {
  const text = $("text").value;
  if (!text.trim() || !state.active) return;
  const { kind, id } = state.active;
  const button = $("send");
  button.disabled = true;
  try {
    if (kind === "room") {
      await api("POST", "/api/rooms/" + encodeURIComponent(id) + "/messages",
        { from: $("speaker").value, text });
    } else {
      const [contact, bot] = splitPrivate(id);
      await api("POST", "/api/contacts/" + encodeURIComponent(contact) + "/messages", { text, bot });
    }
    $("text").value = "";
    await catchUp(kind, id);
  } catch (e) {
    toast(e.message);
  } finally {
    button.disabled = false;
    $("text").focus();
  }
}
// A photo, video or file from the chosen speaker: the API takes it as base64 in JSON.
async function attach() {
  const input = $("attach");
  const file = input.files && input.files[0];
  input.value = "";
  if (!file || !state.active || state.active.kind !== "room") return;
  try {
    const data = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
      reader.onerror = () => reject(new Error("读取文件失败"));
      reader.readAsDataURL(file);
    });
    const { id } = state.active;
    await api("POST", "/api/rooms/" + encodeURIComponent(id) + "/messages",
      { from: $("speaker").value, media: { name: file.name, base64: data } });
    await catchUp("room", id);
  } catch (e) { toast(e.message); }
}
async function catchUp(kind, id) {
  const c = chat(keyOf(kind, id));
  if (c.messages === null) return;
  const since = c.messages.length ? c.messages[c.messages.length - 1].id : 0;
  for (const m of await fetchMessages(kind, id, since)) add(kind, id, m);
}
async function invite(event) {
  event.preventDefault();
  const name = $("invite-name").value.trim();
  if (!name) return;
  const id = "wxid_sim_" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  try {
    await api("POST", "/api/rooms/" + encodeURIComponent(state.active.id) + "/members", { id, name });
    state.speaker.set(state.active.id, id);
    $("invite-dialog").close();
  } catch (e) { toast(e.message); }
}
async function leave() {
  const select = $("speaker");
  const name = select.selectedOptions[0]?.textContent.split(" · ")[0];
  if (!select.value || !confirm("让 " + name + " 退出本群？")) return;
  try {
    await api("DELETE", "/api/rooms/" + encodeURIComponent(state.active.id) + "/members/" +
      encodeURIComponent(select.value));
  } catch (e) { toast(e.message); }
}

// --- live updates -----------------------------------------------------------------------------
function add(kind, id, m) {
  const c = chat(keyOf(kind, id));
  if (c.messages !== null) {
    if (c.messages.some((x) => x.id === m.id)) return;
    c.messages.push(m);
  }
  if (!c.last || m.id > c.last.id) c.last = m;
  const isOpen = state.active && state.active.kind === kind && state.active.id === id;
  if (isOpen) renderMessages(false);
  else c.unread += 1;
  renderSidebar();
}
function onEvent(event) {
  const data = JSON.parse(event.data);
  if (data.kind === "message") add("room", data.room_id, data.message);
  else if (data.kind === "private") {
    const p = state.people.get(data.contact_id);
    if (!p) return; // a technician's private chat: the page lists admins and experts only
    if (!chatBots(p).includes(data.bot)) p.bots = [...chatBots(p), data.bot]; // a relay from another bot
    add("private", privateId(data.contact_id, data.bot), data.message);
  }
  else if (data.kind === "members" || data.kind === "topic") {
    const room = state.rooms.get(data.room_id);
    if (!room) return;
    if (data.members) room.members = data.members;
    if (data.topic) room.topic = data.topic;
    if (state.active?.kind === "room" && state.active.id === room.id) renderHead();
    renderSidebar();
  }
}
function connect() {
  const source = new EventSource(withToken("/api/events"));
  source.onmessage = onEvent;
  source.onopen = async () => {
    setStatus("ok", "已连接 · 实时更新");
    if (state.active) await catchUp(state.active.kind, state.active.id).catch(() => {});
  };
  source.onerror = () => setStatus("down", "连接中断，正在重连…");
}
function setStatus(kind, text) {
  $("status").dataset.state = kind;
  $("status").textContent = text;
}

// --- start ------------------------------------------------------------------------------------
async function start() {
  try {
    const [info, rooms, people] = await Promise.all([
      api("GET", "/api/info"), api("GET", "/api/rooms"), api("GET", "/api/contacts")]);
    state.tz = info.timezone;
    for (const b of info.bots) state.bots.set(b.id, b);
    for (const r of rooms) { state.rooms.set(r.id, r); chat(keyOf("room", r.id)).last = r.last_message; }
    for (const p of people) state.people.set(p.id, p);
  } catch (e) {
    setStatus("down", e.message);
    return;
  }
  renderSidebar();
  connect();
}

document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
  $("groups").hidden = tab.dataset.tab !== "groups";
  $("private").hidden = tab.dataset.tab !== "private";
  document.querySelector(".lists").scrollTop = 0;
}));
$("filter").addEventListener("input", renderSidebar);
$("send").addEventListener("click", send);
$("attach").addEventListener("change", attach);
$("text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
});
$("speaker").addEventListener("change", () => {
  state.speaker.set(state.active.id, $("speaker").value);
  renderMessages(false);
});
$("chips").addEventListener("click", (e) => {
  const text = e.target.dataset?.text;
  if (text) { $("text").value = text; $("text").focus(); }
});
$("invite").addEventListener("click", () => { $("invite-name").value = ""; $("invite-dialog").showModal(); });
$("invite-cancel").addEventListener("click", () => $("invite-dialog").close());
$("invite-form").addEventListener("submit", invite);
$("leave").addEventListener("click", leave);
$("player-close").addEventListener("click", () => { $("video").pause(); $("player").hidden = true; });
start();
