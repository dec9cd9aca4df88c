#include "tools/diagram/diagram_html.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string_view>

namespace zsim::tools::diagram {
namespace {

using nlohmann::ordered_json;

struct KindColour {
  std::string_view kind;
  std::string_view colour;
};

constexpr std::array kKnownColours{
    KindColour{"request", "#1f77b4"}, KindColour{"reply", "#2ca02c"},   KindColour{"watch", "#17becf"},
    KindColour{"connect", "#7f7f7f"}, KindColour{"ping", "#b8b8b8"},    KindColour{"vote", "#ff7f0e"},
    KindColour{"PROPOSAL", "#9467bd"}, KindColour{"ACK", "#e377c2"},    KindColour{"COMMIT", "#8c564b"},
    KindColour{"INFORM", "#bcbd22"},  KindColour{"sync", "#b35900"},    KindColour{"forward", "#393b79"},
    KindColour{"data", "#333333"},
};
constexpr std::array<std::string_view, 6> kSpareColours{"#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d",
                                                        "#31a354"};

// The page: {{MODEL}} is replaced by the JSON (with "</" escaped).
constexpr std::string_view kPage = R"ZSIMHTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{TITLE}}</title>
<style>
body { font: 13px/1.35 system-ui, sans-serif; margin: 0; color: #222; background: #fff; }
header { padding: 8px 12px; border-bottom: 1px solid #ddd; }
h1 { font-size: 16px; margin: 0 0 4px 0; }
.verdict { display: inline-block; padding: 1px 8px; border-radius: 3px; color: #fff; font-weight: bold; }
.verdict.ok { background: #2a8a2a; } .verdict.bad { background: #c0262d; }
pre.message { margin: 4px 0 0 0; white-space: pre-wrap; font-size: 12px; color: #7a1010; max-height: 6em; overflow: auto; }
#controls { padding: 6px 12px; border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; }
#controls fieldset { border: 1px solid #ddd; padding: 2px 6px; margin: 0; }
#controls legend { font-size: 11px; color: #666; }
#controls label { margin-right: 6px; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: middle; }
input.t { width: 7em; }
#wrap { position: relative; overflow-x: auto; }
#tip { position: fixed; pointer-events: none; background: #fffff0; border: 1px solid #999; padding: 4px 6px;
       font: 12px monospace; white-space: pre-wrap; max-width: 640px; display: none; z-index: 5; }
#zsim-summary { display: none; }
</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<div><span id="verdict" class="verdict"></span> <span id="stats"></span></div>
<pre id="message" class="message"></pre>
</header>
<div id="controls">
<fieldset><legend>time window (s)</legend>
from <input id="t0" class="t" type="number" step="0.001"> to <input id="t1" class="t" type="number" step="0.001">
<button id="apply">show</button> <button id="focus">focus</button> <button id="all">whole run</button>
<button id="zin">zoom in</button> <button id="zout">zoom out</button></fieldset>
<fieldset id="hostbox"><legend>hosts</legend></fieldset>
<fieldset id="kindbox"><legend>message kinds</legend></fieldset>
<fieldset><legend>show</legend><label><input type="checkbox" id="showops" checked>operations</label>
<label><input type="checkbox" id="showevents">host events</label></fieldset>
<fieldset><legend>operations</legend><span class="swatch" style="background:#3c9a3c"></span>ok
<span class="swatch" style="background:#d64541"></span>failed <span class="swatch" style="background:#e0a800"></span>unknown;
outlined: <span style="color:#1f4e8a">witness</span>, <span style="color:#d000d0">stuck</span>,
<b style="color:#c0262d">first violation</b></fieldset>
</div>
<div id="wrap"><canvas id="cv"></canvas></div>
<div id="tip"></div>
<div id="zsim-summary" data-status="not-run" data-errors="0"></div>
<script type="application/json" id="model">{{MODEL}}</script>
<script>
"use strict";
(function () {
const summary = document.getElementById("zsim-summary");
const errors = [];
window.addEventListener("error", function (e) {
  errors.push(String(e.message));
  summary.setAttribute("data-errors", String(errors.length));
  summary.setAttribute("data-error-text", errors.join(" | "));
});
const M = JSON.parse(document.getElementById("model").textContent);
const NS = 1e9;
const GUTTER = 130, TOP = 34, BOTTOM = 16, COL_MIN = 90;
const KIND_COLOUR = {};
M.kinds.forEach(function (k) { KIND_COLOUR[k[0]] = k[1]; });
const hostOn = M.hosts.map(function () { return true; });
const kindOn = {};
M.kinds.forEach(function (k) { kindOn[k[0]] = true; });
let t0 = M.focus[0], t1 = M.focus[1];
let hit = [];

function fmtT(ns) { return (ns / NS).toFixed(6) + "s"; }
function esc(s) { return String(s); }

document.title = M.title;
document.getElementById("title").textContent = M.title;
const vEl = document.getElementById("verdict");
vEl.textContent = M.verdict === "ok" ? "ok" : "FAILED: " + M.verdict;
vEl.className = "verdict " + (M.verdict === "ok" ? "ok" : "bad");
document.getElementById("message").textContent = M.message;
document.getElementById("stats").textContent =
  M.hosts.length + " hosts, " + M.messages.length + " messages, " + M.ops.length + " operations, " +
  M.bands.length + " partitions, run of " + fmtT(M.end_ns);

// Down intervals per host: from a crash to the next start/restart.
const down = M.hosts.map(function () { return []; });
(function () {
  const open = {};
  M.marks.forEach(function (mk) {
    if (mk[3] === "crash") { if (open[mk[0]] === undefined) open[mk[0]] = mk[1]; }
    else if ((mk[3] === "restart" || mk[3] === "start") && open[mk[0]] !== undefined) {
      down[mk[0]].push([open[mk[0]], mk[1]]); delete open[mk[0]];
    }
  });
  Object.keys(open).forEach(function (h) { down[h].push([open[h], M.end_ns]); });
})();

function checkbox(parent, text, colour, on, change) {
  const l = document.createElement("label");
  const c = document.createElement("input");
  c.type = "checkbox"; c.checked = on;
  c.addEventListener("change", function () { change(c.checked); draw(); });
  l.appendChild(c);
  if (colour) { const s = document.createElement("span"); s.className = "swatch"; s.style.background = colour; l.appendChild(s); }
  l.appendChild(document.createTextNode(text));
  parent.appendChild(l);
}
M.hosts.forEach(function (h, i) {
  checkbox(document.getElementById("hostbox"), h[0], null, true, function (v) { hostOn[i] = v; });
});
M.kinds.forEach(function (k) {
  checkbox(document.getElementById("kindbox"), k[0], k[1], true, function (v) { kindOn[k[0]] = v; });
});
["showops", "showevents"].forEach(function (id) { document.getElementById(id).addEventListener("change", draw); });

function setWindow(a, b) {
  a = Math.max(0, Math.min(a, M.end_ns)); b = Math.max(a + 1000, Math.min(b, M.end_ns));
  t0 = a; t1 = b; draw();
}
document.getElementById("apply").onclick = function () {
  setWindow(parseFloat(document.getElementById("t0").value) * NS, parseFloat(document.getElementById("t1").value) * NS);
};
document.getElementById("focus").onclick = function () { setWindow(M.focus[0], M.focus[1]); };
document.getElementById("all").onclick = function () { setWindow(0, M.end_ns); };
function zoom(f, at) {
  const c = at === undefined ? (t0 + t1) / 2 : at;
  setWindow(c - (c - t0) * f, c + (t1 - c) * f);
}
document.getElementById("zin").onclick = function () { zoom(0.5); };
document.getElementById("zout").onclick = function () { zoom(2); };

const cv = document.getElementById("cv");
const ctx = cv.getContext("2d");
let W = 0, H = 0, cols = [];

function y(t) { return TOP + (t - t0) / (t1 - t0) * (H - TOP - BOTTOM); }
function tAt(py) { return t0 + (py - TOP) / (H - TOP - BOTTOM) * (t1 - t0); }
function visible(a, b) { return b >= t0 && a <= t1; }

function layout() {
  const shown = [];
  hostOn.forEach(function (on, i) { if (on) shown.push(i); });
  const avail = Math.max(document.documentElement.clientWidth - 4, 600);
  const colW = Math.max(COL_MIN, (avail - GUTTER) / Math.max(1, shown.length));
  W = Math.round(GUTTER + colW * shown.length);
  H = Math.max(500, window.innerHeight - document.getElementById("wrap").getBoundingClientRect().top - 4, 700);
  cols = M.hosts.map(function () { return -1; });
  shown.forEach(function (h, k) { cols[h] = GUTTER + colW * (k + 0.5); });
  const dpr = window.devicePixelRatio || 1;
  cv.width = Math.round(W * dpr); cv.height = Math.round(H * dpr);
  cv.style.width = W + "px"; cv.style.height = H + "px";
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
}

function cross(x, yy, r) {
  ctx.beginPath(); ctx.moveTo(x - r, yy - r); ctx.lineTo(x + r, yy + r);
  ctx.moveTo(x + r, yy - r); ctx.lineTo(x - r, yy + r); ctx.stroke();
}
function arrowHead(x0, y0, x1, y1) {
  const a = Math.atan2(y1 - y0, x1 - x0), r = 7;
  ctx.beginPath(); ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - r * Math.cos(a - 0.4), y1 - r * Math.sin(a - 0.4));
  ctx.lineTo(x1 - r * Math.cos(a + 0.4), y1 - r * Math.sin(a + 0.4));
  ctx.closePath(); ctx.fill();
}

function drawAxis() {
  ctx.fillStyle = "#666"; ctx.font = "11px sans-serif"; ctx.textAlign = "right";
  const span = t1 - t0;
  let step = Math.pow(10, Math.floor(Math.log10(span / 8)));
  if (span / step > 16) step *= 5; else if (span / step > 8) step *= 2;
  ctx.strokeStyle = "#eee"; ctx.lineWidth = 1;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const yy = y(t);
    ctx.beginPath(); ctx.moveTo(GUTTER - 4, yy); ctx.lineTo(W, yy); ctx.stroke();
    ctx.fillText((t / NS).toFixed(step >= 1e8 ? 1 : step >= 1e6 ? 3 : 6) + "s", GUTTER - 6, yy + 4);
  }
}

function drawBands() {
  M.bands.forEach(function (b) {
    if (!visible(b[0], b[1])) return;
    const ya = Math.max(TOP, y(b[0])), yb = Math.min(H - BOTTOM, y(b[1]));
    ctx.fillStyle = "rgba(255, 170, 0, 0.13)"; ctx.fillRect(GUTTER, ya, W - GUTTER, Math.max(2, yb - ya));
    ctx.fillStyle = "#a06000"; ctx.font = "11px sans-serif"; ctx.textAlign = "left";
    ctx.fillText(b[2], GUTTER + 4, ya + 12);
    hit.push({kind: "rect", x0: GUTTER, x1: GUTTER + 8 + ctx.measureText(b[2]).width, y0: ya, y1: ya + 14, prio: 1,
              text: b[2] + "\nfrom " + fmtT(b[0]) + " to " + fmtT(b[1]) + "\n" + b[3]});
  });
}

function drawTicks() {
  ctx.font = "10px sans-serif"; ctx.textAlign = "left";
  M.ticks.forEach(function (tk) {
    if (tk[0] < t0 || tk[0] > t1) return;
    const yy = y(tk[0]);
    ctx.strokeStyle = tk[1].indexOf("FAIL") === 0 ? "#c0262d" : "#a06000"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(2, yy); ctx.lineTo(GUTTER - 50, yy); ctx.stroke();
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(tk[1].length > 15 ? tk[1].slice(0, 14) + "…" : tk[1], 2, yy - 2);
    hit.push({kind: "rect", x0: 0, x1: GUTTER - 48, y0: yy - 10, y1: yy + 3, prio: 2,
              text: fmtT(tk[0]) + " " + tk[1] + "\n" + tk[2]});
  });
}

function drawLifelines() {
  ctx.font = "bold 12px sans-serif"; ctx.textAlign = "center";
  M.hosts.forEach(function (h, i) {
    const x = cols[i]; if (x < 0) return;
    ctx.fillStyle = h[1] === "client" ? "#1f4e8a" : h[1] === "observer" ? "#6b4e16" : "#222";
    ctx.fillText(h[0], x, 14);
    ctx.font = "10px sans-serif"; ctx.fillStyle = "#888"; ctx.fillText(h[1], x, 26); ctx.font = "bold 12px sans-serif";
    // The line, broken while the host is down (dashed) or paused (a gap).
    let segs = [[t0, t1, "up"]];
    function cut(a, b, how) {
      const out = [];
      segs.forEach(function (s) {
        if (s[2] !== "up" || b <= s[0] || a >= s[1]) { out.push(s); return; }
        if (a > s[0]) out.push([s[0], a, "up"]);
        out.push([Math.max(a, s[0]), Math.min(b, s[1]), how]);
        if (b < s[1]) out.push([b, s[1], "up"]);
      });
      segs = out;
    }
    down[i].forEach(function (d) { cut(d[0], d[1], "down"); });
    M.marks.forEach(function (mk) { if (mk[0] === i && mk[3] === "pause") cut(mk[1], mk[2], "pause"); });
    segs.forEach(function (s) {
      if (s[2] === "pause") return;
      ctx.strokeStyle = s[2] === "down" ? "#d99" : "#999"; ctx.lineWidth = s[2] === "down" ? 1 : 1.5;
      ctx.setLineDash(s[2] === "down" ? [3, 4] : []);
      ctx.beginPath(); ctx.moveTo(x, y(s[0])); ctx.lineTo(x, y(s[1])); ctx.stroke();
    });
    ctx.setLineDash([]);
  });
}

function drawMarks(showEvents) {
  ctx.font = "11px sans-serif"; ctx.textAlign = "left";
  M.marks.forEach(function (mk) {
    const x = cols[mk[0]]; if (x < 0) return;
    if (!visible(mk[1], mk[2])) return;
    const yy = y(mk[1]);
    let text = mk[4] + " at " + fmtT(mk[1]) + "\n" + mk[5];
    if (mk[3] === "event") {
      if (!showEvents) return;
      ctx.fillStyle = "#777"; ctx.fillRect(x - 2, yy - 1, 4, 2);
    } else if (mk[3] === "crash") {
      ctx.strokeStyle = "#c0262d"; ctx.lineWidth = 3; cross(x, yy, 7);
      ctx.fillStyle = "#c0262d"; ctx.fillText(mk[4], x + 9, yy + 4);
    } else if (mk[3] === "restart" || mk[3] === "start") {
      ctx.fillStyle = "#2a8a2a";
      ctx.beginPath(); ctx.moveTo(x - 6, yy + 5); ctx.lineTo(x + 6, yy + 5); ctx.lineTo(x, yy - 5); ctx.closePath(); ctx.fill();
      if (mk[3] === "restart") ctx.fillText("restart", x + 9, yy + 4);
    } else if (mk[3] === "pause") {
      const yb = y(mk[2]);
      ctx.strokeStyle = "#6a3d9a"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x - 6, yy); ctx.lineTo(x + 6, yy); ctx.moveTo(x - 6, yb); ctx.lineTo(x + 6, yb); ctx.stroke();
      ctx.fillStyle = "#6a3d9a"; ctx.fillText(mk[4], x + 9, yy + 12);
      text = mk[4] + " from " + fmtT(mk[1]) + " to " + fmtT(mk[2]) + "\n" + mk[5];
    } else if (mk[3] === "clock") {
      ctx.strokeStyle = "#0b7a75"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(x, yy, 6, 0, 2 * Math.PI); ctx.moveTo(x, yy); ctx.lineTo(x, yy - 4); ctx.lineTo(x + 3, yy); ctx.stroke();
      ctx.fillStyle = "#0b7a75"; ctx.fillText(mk[4], x + 9, yy + 4);
    }
    hit.push({kind: "rect", x0: x - 7, x1: x + 7, y0: yy - 7, y1: yy + 7, prio: 3, text: text});
  });
}

function drawMessages() {
  let arrows = 0, dropped = 0;
  ctx.lineWidth = 1.2;
  for (let k = 0; k < M.messages.length; ++k) {
    const m = M.messages[k];
    const xa = cols[m[0]], xb = cols[m[1]];
    if (xa < 0 || xb < 0 || !kindOn[M.kinds[m[5]][0]]) continue;
    if (!visible(m[2], m[3])) continue;
    const colour = M.kinds[m[5]][1];
    ctx.strokeStyle = colour; ctx.fillStyle = colour;
    ctx.setLineDash(m[10] ? [5, 3] : []);
    const ya = y(m[2]);
    let xe = xb, ye = y(m[3]);
    if (m[4] === 1) {  // dropped: stops short of the receiver, where the drop happened
      xe = xa + (xb - xa) * (m[3] > m[2] ? 0.6 : 0.3);
      if (m[3] === m[2]) ye = ya + 4;
    }
    ctx.beginPath(); ctx.moveTo(xa, ya); ctx.lineTo(xe, ye); ctx.stroke();
    ctx.setLineDash([]);
    if (m[4] === 0) arrowHead(xa, ya, xe, ye);
    else if (m[4] === 1) { ctx.lineWidth = 2; ctx.strokeStyle = "#c0262d"; cross(xe, ye, 4); ctx.lineWidth = 1.2; ++dropped; }
    else { ctx.fillText("…", xe + 2, ye); }
    if (m[10]) { ctx.font = "10px sans-serif"; ctx.fillText("dup", (xa + xe) / 2 + 3, (ya + ye) / 2); }
    ++arrows;
    const ends = ["delivered at " + fmtT(m[3]), "DROPPED at " + fmtT(m[3]) + " (" + m[7] + ")", "still in flight at the end"];
    hit.push({kind: "seg", x0: xa, y0: ya, x1: xe, y1: ye, prio: 4,
              text: M.kinds[m[5]][0] + ": " + m[6] + "\n" + M.hosts[m[0]][0] + " -> " + M.hosts[m[1]][0] + "  " +
                    m[8] + " bytes" + (m[9] ? " (datagram)" : "") + (m[10] ? " DUPLICATE" : "") +
                    "\nsent at " + fmtT(m[2]) + ", " + ends[m[4]] + "\n" + m[11]});
  }
  return [arrows, dropped];
}

function opName(o) {
  const out = o[7] !== "ok" ? o[7] : o[6] === "nil" ? "ok" : o[6];
  return M.hosts[o[0]][0] + " " + o[4] + " " + o[5] + " -> " + out;
}

function drawOps() {
  let n = 0, highlighted = "";
  const colours = {ok: "#3c9a3c", fail: "#d64541", info: "#e0a800"};
  M.ops.forEach(function (o) {
    const x = cols[o[0]]; if (x < 0) return;
    const end = o[3] < 0 ? M.end_ns : o[3];
    if (!visible(o[2], end)) return;
    const ya = Math.max(TOP, y(o[2])), yb = Math.min(H - BOTTOM, Math.max(y(end), y(o[2]) + 2));
    ctx.fillStyle = colours[o[7]] || "#999"; ctx.globalAlpha = 0.75;
    ctx.fillRect(x - 5, ya, 10, Math.max(2, yb - ya)); ctx.globalAlpha = 1;
    if (o[8] & 7) {
      ctx.strokeStyle = (o[8] & 4) ? "#c0262d" : (o[8] & 2) ? "#d000d0" : "#1f4e8a";
      ctx.lineWidth = (o[8] & 4) ? 4 : (o[8] & 2) ? 2 : 0.75;
      ctx.strokeRect(x - 7, ya - 2, 14, Math.max(4, yb - ya + 4));
    }
    if (o[8] & 4) {
      highlighted = opName(o);
      ctx.fillStyle = "#c0262d"; ctx.font = "bold 12px sans-serif"; ctx.textAlign = "left";
      ctx.fillText("first violating op: " + highlighted, x + 10, ya + 12);
    }
    ++n;
    const flags = (o[8] & 4) ? "\nFIRST VIOLATING OPERATION" : (o[8] & 2) ? "\ncould not be ordered (stuck)" :
                  (o[8] & 1) ? "\nin the witness (ordered before the violation)" : "";
    hit.push({kind: "rect", x0: x - 6, x1: x + 6, y0: ya, y1: Math.max(yb, ya + 3), prio: 5,
              text: opName(o) + "  [" + o[7] + "]\nprocess " + o[1] + ", called " + fmtT(o[2]) +
                    (o[3] < 0 ? ", never returned" : ", returned " + fmtT(o[3])) + flags});
  });
  return [n, highlighted];
}

function draw() {
  hit = [];
  layout();
  ctx.clearRect(0, 0, W, H);
  document.getElementById("t0").value = (t0 / NS).toFixed(6);
  document.getElementById("t1").value = (t1 / NS).toFixed(6);
  drawAxis(); drawBands(); drawLifelines();
  const showEvents = document.getElementById("showevents").checked;
  drawMarks(showEvents);
  const counts = drawMessages();
  const ops = document.getElementById("showops").checked ? drawOps() : [0, ""];
  drawTicks();
  const lifelines = cols.filter(function (x) { return x >= 0; }).length;
  const a = {"data-status": "drawn", "data-lifelines": lifelines, "data-arrows": counts[0], "data-dropped": counts[1],
             "data-ops": ops[0], "data-highlighted": ops[1], "data-verdict": M.verdict,
             "data-window": (t0 / NS).toFixed(6) + ".." + (t1 / NS).toFixed(6), "data-messages": M.messages.length};
  Object.keys(a).forEach(function (k) { summary.setAttribute(k, String(a[k])); });
}

function segDist(h, px, py) {
  const dx = h.x1 - h.x0, dy = h.y1 - h.y0, L = dx * dx + dy * dy;
  let u = L === 0 ? 0 : ((px - h.x0) * dx + (py - h.y0) * dy) / L;
  u = Math.max(0, Math.min(1, u));
  const ex = h.x0 + u * dx - px, ey = h.y0 + u * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}
const tip = document.getElementById("tip");
cv.addEventListener("mousemove", function (ev) {
  const r = cv.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
  let best = null, bestD = 6, bestP = -1;
  hit.forEach(function (h) {
    let d;
    if (h.kind === "seg") d = segDist(h, px, py);
    else d = (px >= h.x0 && px <= h.x1 && py >= h.y0 && py <= h.y1) ? 0 : 99;
    if (d < bestD || (d === bestD && h.prio > bestP)) { best = h; bestD = d; bestP = h.prio; }
  });
  if (!best) { tip.style.display = "none"; return; }
  tip.textContent = best.text + "\n(t = " + fmtT(tAt(py)) + ")";
  tip.style.display = "block";
  tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 660) + "px";
  tip.style.top = (ev.clientY + 14) + "px";
});
cv.addEventListener("mouseleave", function () { tip.style.display = "none"; });
cv.addEventListener("wheel", function (ev) {
  ev.preventDefault();
  const r = cv.getBoundingClientRect();
  zoom(ev.deltaY > 0 ? 1.25 : 0.8, tAt(ev.clientY - r.top));
}, {passive: false});
let drag = null;
cv.addEventListener("mousedown", function (ev) { drag = {y: ev.clientY, t0: t0, t1: t1}; });
window.addEventListener("mouseup", function () { drag = null; });
window.addEventListener("mousemove", function (ev) {
  if (!drag) return;
  const dt = (ev.clientY - drag.y) / (H - TOP - BOTTOM) * (drag.t1 - drag.t0);
  if (Math.abs(ev.clientY - drag.y) > 2) setWindow(drag.t0 - dt, drag.t1 - dt);
});
window.addEventListener("resize", draw);
draw();
})();
</script>
</body>
</html>
)ZSIMHTML";

std::string escape_html(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out;
}

void replace_once(std::string& page, std::string_view key, const std::string& value) {
  const std::size_t at = page.find(key);
  if (at != std::string::npos) page.replace(at, key.size(), value);
}

}  // namespace

std::string kind_colour(const std::string& kind, std::size_t index) {
  for (const KindColour& k : kKnownColours) {
    if (k.kind == kind) return std::string(k.colour);
  }
  return std::string(kSpareColours[index % kSpareColours.size()]);
}

std::string model_json(const DiagramModel& m) {
  ordered_json j;
  j["title"] = "zsim run --scenario " + m.scenario + " --seed " + m.seed;
  j["scenario"] = m.scenario;
  j["seed"] = m.seed;
  j["verdict"] = m.verdict;
  j["message"] = m.message;
  j["fail_ns"] = m.fail_ns;
  j["moment_ns"] = m.moment_ns;
  j["end_ns"] = m.end_ns;
  j["focus"] = {m.focus_start_ns, m.focus_end_ns};
  j["hosts"] = ordered_json::array();
  for (const DiagramHost& h : m.hosts) j["hosts"].push_back({h.name, h.role});
  j["kinds"] = ordered_json::array();
  std::map<std::string, std::size_t> kind_index;
  for (std::size_t i = 0; i < m.kinds.size(); ++i) {
    kind_index[m.kinds[i]] = i;
    j["kinds"].push_back({m.kinds[i], kind_colour(m.kinds[i], i)});
  }
  j["messages"] = ordered_json::array();
  for (const DiagramMessage& msg : m.messages) {
    j["messages"].push_back({msg.from, msg.to, msg.send_ns, msg.end_ns, static_cast<int>(msg.end),
                             kind_index[msg.kind], msg.detail, msg.drop_reason, msg.bytes, msg.datagram ? 1 : 0,
                             msg.duplicate ? 1 : 0, msg.line});
  }
  j["marks"] = ordered_json::array();
  for (const DiagramMark& mk : m.marks) j["marks"].push_back({mk.host, mk.t_ns, mk.end_ns, mk.kind, mk.label, mk.line});
  j["bands"] = ordered_json::array();
  for (const DiagramBand& b : m.bands) j["bands"].push_back({b.start_ns, b.end_ns, b.label, b.line});
  j["ticks"] = ordered_json::array();
  for (const DiagramTick& t : m.ticks) j["ticks"].push_back({t.t_ns, t.label, t.line});
  j["ops"] = ordered_json::array();
  for (const DiagramOp& o : m.ops) {
    const int flags = (o.witness ? 1 : 0) | (o.stuck ? 2 : 0) | (o.first_violation ? 4 : 0);
    j["ops"].push_back({o.host, o.process, o.call_ns, o.return_ns, o.f, o.input, o.output, o.status, flags});
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_html(const DiagramModel& m) {
  std::string json = model_json(m);
  // Inside <script>, "</script" or "<!--" would change how the page parses:
  // '<' only occurs inside JSON strings, where \u003c means the same.
  std::string safe;
  safe.reserve(json.size());
  for (const char c : json) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  std::string page(kPage);
  replace_once(page, "{{TITLE}}", escape_html("zsim: " + m.scenario + " seed " + m.seed + " (" + m.verdict + ")"));
  replace_once(page, "{{MODEL}}", safe);
  return page;
}

}  // namespace zsim::tools::diagram
