"use strict";

// The page talks to the demo server through the browser's WebSocket API only.
// Query parameters connect at load, for links and screenshots:
// ?endpoint=/echo&send=hello&send=world&binary=1

const $ = (id) => document.getElementById(id);
let ws = null;

const statusNames = {
  1000: "normal closure", 1001: "going away", 1002: "protocol error",
  1003: "unsupported data", 1005: "no status received", 1006: "abnormal closure",
  1007: "invalid payload data", 1008: "policy violation", 1009: "message too big",
  1010: "mandatory extension", 1011: "internal error", 1012: "service restart",
  1013: "try again later", 1014: "bad gateway", 1015: "TLS handshake",
};

function endpoint() {
  return document.querySelector("input[name=endpoint]:checked").value;
}

function socketURL(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return scheme + "//" + location.host + path;
}

function timestamp(d) {
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
}

function log(kind, text) {
  const now = new Date();
  const li = document.createElement("li");
  li.className = kind;
  const time = document.createElement("time");
  time.dateTime = now.toISOString();
  time.textContent = timestamp(now);
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = kind;
  const body = document.createElement("span");
  body.className = "body";
  body.textContent = text;
  if (text === "") body.classList.add("empty");
  li.append(time, tag, body);
  $("log").append(li);
  li.scrollIntoView({ block: "nearest" });
}

function describeBinary(bytes) {
  const shown = Array.from(bytes.subarray(0, 48), (b) => b.toString(16).padStart(2, "0"));
  let s = `binary, ${bytes.length} byte${bytes.length === 1 ? "" : "s"}`;
  if (bytes.length > 0) s += ": " + shown.join(" ") + (bytes.length > 48 ? " …" : "");
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (text !== "") s += `  (as UTF-8: ${JSON.stringify(text)})`;
  } catch {
    // not UTF-8: the hex dump says it all
  }
  return s;
}

function describeClose(e) {
  const name = statusNames[e.code] ? ` (${statusNames[e.code]})` : "";
  const reason = e.reason ? JSON.stringify(e.reason) : "none";
  return `closed: code ${e.code}${name}, reason ${reason}, ${e.wasClean ? "clean" : "not clean"}`;
}

function update() {
  const state = ws ? ws.readyState : WebSocket.CLOSED;
  const open = state === WebSocket.OPEN;
  $("status").textContent = ["connecting", "open", "closing", "disconnected"][state];
  $("status").className = "state-" + state;
  $("connect").disabled = ws !== null;
  $("endpoints").disabled = ws !== null;
  $("message").disabled = !open;
  $("send").disabled = !open;
  $("close").disabled = !open;
  $("binary").disabled = !open || endpoint() !== "/echo";
  if ($("binary").disabled) $("binary").checked = false;
}

function connect(toSend = []) {
  const url = socketURL(endpoint());
  log("event", `connecting to ${url}`);
  const sock = new WebSocket(url);
  sock.binaryType = "arraybuffer";
  ws = sock;
  sock.onopen = () => {
    log("event", "open");
    update();
    $("message").focus();
    for (const m of toSend) send(m.text, m.binary);
  };
  sock.onmessage = (e) => {
    log("received", typeof e.data === "string" ? e.data : describeBinary(new Uint8Array(e.data)));
  };
  sock.onerror = () => log("error", "the browser reports an error (details follow in the close event)");
  sock.onclose = (e) => {
    log("event", describeClose(e));
    if (ws === sock) ws = null;
    update();
  };
  update();
}

function send(text, binary) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (binary) {
    const bytes = new TextEncoder().encode(text);
    ws.send(bytes);
    log("sent", describeBinary(bytes));
  } else {
    ws.send(text);
    log("sent", text);
  }
}

$("connect-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!ws) connect();
});

$("send-form").addEventListener("submit", (e) => {
  e.preventDefault();
  send($("message").value, $("binary").checked);
  $("message").value = "";
  $("message").focus();
});

$("close-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!ws) return;
  const code = Number($("code").value);
  const reason = $("reason").value;
  try {
    ws.close(code, reason);
    log("event", `closing: code ${code}, reason ${reason ? JSON.stringify(reason) : "none"}`);
  } catch (err) {
    log("error", `close(${code}) refused by the browser: ${err.message}`);
  }
  update();
});

$("clear").addEventListener("click", () => $("log").replaceChildren());

update();

const params = new URLSearchParams(location.search);
const wanted = document.querySelector(`input[name=endpoint][value="${CSS.escape(params.get("endpoint") || "")}"]`);
if (wanted) {
  wanted.checked = true;
  const binary = params.get("binary") === "1" && wanted.value === "/echo";
  connect(params.getAll("send").map((text) => ({ text, binary })));
}
