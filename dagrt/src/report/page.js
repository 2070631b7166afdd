// dag run report: draws the run data embedded in #dag-report-data (no network, no library).
// Inlined by dagrt/src/report/page.rs. Records what it drew on document.body.dataset.
(function () {
  "use strict";
  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
  function secs(s) {
    if (s == null || !isFinite(s)) return "–";
    var a = Math.abs(s);
    if (a >= 100) return s.toFixed(1) + " s";
    if (a >= 1) return s.toFixed(3) + " s";
    if (a >= 1e-3) return (s * 1e3).toFixed(2) + " ms";
    if (a === 0) return "0";
    return (s * 1e6).toFixed(1) + " µs";
  }
  function pct(x) { return (x * 100).toFixed(1) + " %"; }
  function laneName(D, l) { return l === D.other_lane ? "no worker" : "worker " + l; }
  function table(head, rows, numeric) {
    var h = "<table class=\"t\"><thead><tr>";
    head.forEach(function (c, i) {
      h += (numeric && numeric.indexOf(i) >= 0 ? "<th class=\"n\">" : "<th>") + esc(c) + "</th>";
    });
    h += "</tr></thead><tbody>";
    rows.forEach(function (r) {
      h += "<tr>";
      r.forEach(function (c, i) {
        var n = numeric && numeric.indexOf(i) >= 0;
        h += (n ? "<td class=\"n\">" : "<td>") + (c && c.html != null ? c.html : esc(c)) + "</td>";
      });
      h += "</tr>";
    });
    return h + "</tbody></table>";
  }
  function section(id, title, inner, note) {
    var el = $(id);
    el.innerHTML = "<h2>" + esc(title) + "</h2>" + (note ? "<p class=\"note\">" + esc(note) + "</p>" : "") + inner;
  }

  function header(D) {
    var r = D.run;
    $("title").textContent = r.dag + " — run report";
    var when = r.started_at_ms > 0 ? new Date(r.started_at_ms).toISOString() : "unknown";
    $("subtitle").textContent = (r.description ? r.description + " · " : "") + "run " + r.run_id + " · started " + when;
    var cards = [
      ["Outcome", r.success ? "success" : "failed", !r.success],
      ["Wall clock", secs(r.wall_clock)],
      ["Tasks", String(D.tasks.length)],
      ["Completed", String(r.completed)],
      ["Failed", String(r.failed), r.failed > 0],
      ["Skipped", String(r.skipped), r.skipped > 0],
      ["Cancelled", String(r.cancelled), r.cancelled > 0],
      ["Reused", String(r.reused)],
      ["Workers", String(r.max_workers)],
      ["Parallelism efficiency", pct(D.profile.parallelism_efficiency)],
      ["Speedup", D.profile.speedup.toFixed(2) + "×"],
      ["Peak parallelism", String(D.profile.peak_parallelism)],
      ["Sequential sum", secs(D.profile.sequential_sum)],
      ["Critical path", secs(D.profile.critical_path_duration) + " (" + D.profile.critical_path.length + " tasks)"]
    ];
    $("cards").innerHTML = cards.map(function (c) {
      return "<div class=\"card" + (c[2] ? " bad" : "") + "\"><b>" + esc(c[1]) + "</b><span>" + esc(c[0]) + "</span></div>";
    }).join("");
  }

  function color(t, el) {
    if (t.status === "failed" || (el && el.error != null)) return "#d64545";
    if (el) return "#1c5fa8";
    if (t.critical) return "#e8590c";
    if (t.reused_from) return "#8fb8de";
    return "#4c8fd6";
  }

  function gantt(D) {
    var cv = $("gantt"), tip = $("tooltip"), T = D.tasks, E = D.elements;
    var LANE = 22, LEFT = 92, TOP = 24, RIGHT = 12;
    var lanes = Math.max(D.lanes, 1), bars = [], els = [], wall = D.run.wall_clock || 0, i, l;
    for (l = 0; l < lanes; l++) { bars.push([]); els.push([]); }
    for (i = 0; i < T.length; i++) if (T[i].lane != null) { bars[T[i].lane].push(i); wall = Math.max(wall, T[i].end); }
    for (i = 0; i < E.length; i++) if (E[i].lane != null) { els[E[i].lane].push(i); wall = Math.max(wall, E[i].end); }
    var byStart = function (A) { return function (a, b) { return A[a].start - A[b].start; }; };
    for (l = 0; l < lanes; l++) { bars[l].sort(byStart(T)); els[l].sort(byStart(E)); }
    wall = wall > 0 ? wall : 1e-6;
    var view = { t0: 0, t1: wall }, W = 0, H = TOP + lanes * LANE + 6, drag = null, counted = null;
    var ctx = cv.getContext("2d");
    function x(t) { return LEFT + (t - view.t0) / (view.t1 - view.t0) * (W - LEFT - RIGHT); }
    function tAt(px) { return view.t0 + (px - LEFT) / (W - LEFT - RIGHT) * (view.t1 - view.t0); }
    function step(range) {
      var raw = range / 8, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
      return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
    }
    function rect(a, b, y, h, fill) {
      var x0 = Math.max(x(a), LEFT), x1 = Math.min(x(b), W - RIGHT);
      if (x1 < LEFT || x0 > W - RIGHT) return false;
      ctx.fillStyle = fill;
      // Adjacent bars keep a 1 px seam between them.
      ctx.fillRect(x0, y, Math.max(x1 - x0 - (x1 - x0 > 3 ? 1 : 0), 1), h);
      return true;
    }
    function draw() {
      var dpr = window.devicePixelRatio || 1;
      W = Math.max(cv.parentNode.clientWidth, 400);
      cv.width = W * dpr; cv.height = H * dpr; cv.style.height = H + "px";
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H);
      ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "middle";
      var n = { bars: 0, critical: 0, elements: 0 }, s = step(view.t1 - view.t0), t, y, k;
      for (l = 0; l < lanes; l++) {
        y = TOP + l * LANE;
        ctx.fillStyle = l % 2 ? "#f7f9fb" : "#ffffff"; ctx.fillRect(LEFT, y, W - LEFT - RIGHT, LANE);
        var idle = D.idle[l] ? D.idle[l].gaps : [];
        for (k = 0; k < idle.length; k++) rect(idle[k][0], idle[k][1], y + 1, LANE - 2, "#fff1c2");
        ctx.fillStyle = "#334e68"; ctx.fillText(laneName(D, l), 6, y + LANE / 2);
      }
      ctx.strokeStyle = "#d9e2ec"; ctx.fillStyle = "#616e7c"; ctx.beginPath();
      for (t = Math.ceil(view.t0 / s) * s; t <= view.t1 + s * 1e-9; t += s) {
        var px = Math.round(x(t)) + 0.5;
        ctx.moveTo(px, TOP - 4); ctx.lineTo(px, H - 4);
        ctx.fillText(secs(t), px + 3, TOP - 12);
      }
      ctx.stroke();
      for (l = 0; l < lanes; l++) {
        y = TOP + l * LANE;
        bars[l].forEach(function (ti) {
          var tk = T[ti];
          if (rect(tk.start, tk.end, y + 3, LANE - 6, color(tk))) { n.bars++; if (tk.critical) n.critical++; }
        });
        els[l].forEach(function (ei) {
          var e = E[ei];
          if (rect(e.start, e.end, y + 7, LANE - 14, color(T[e.task], e))) n.elements++;
        });
      }
      if (drag && drag.x1 != null) {
        ctx.fillStyle = "rgba(16,42,67,.15)";
        ctx.fillRect(Math.min(drag.x0, drag.x1), TOP, Math.abs(drag.x1 - drag.x0), H - TOP);
      }
      if (!counted) counted = n;
    }
    function find(list, A, t, dt) {
      var lo = 0, hi = list.length - 1, best = -1, k, bestDur = Infinity;
      while (lo <= hi) { var mid = (lo + hi) >> 1; if (A[list[mid]].start <= t + dt) { best = mid; lo = mid + 1; } else hi = mid - 1; }
      var hit = null;
      for (k = best; k >= 0 && k > best - 64; k--) {
        var a = A[list[k]];
        if (a.start - dt <= t && t <= a.end + dt && a.end - a.start < bestDur) { hit = list[k]; bestDur = a.end - a.start; }
      }
      return hit;
    }
    function row(k, v) { return "<tr><td>" + esc(k) + "</td><td>" + esc(v) + "</td></tr>"; }
    function details(tk, e) {
      var h = "<b>" + esc(tk.name + (e ? "[" + e.index + "]" : "")) + "</b><table>";
      var st = e ? (e.error != null ? "failed" : "completed") : tk.status;
      h += row("status", st + (!e && tk.critical ? " · on the critical path" : ""));
      var a = e || tk;
      h += row("start", secs(a.start)) + row("end", secs(a.end)) + row("duration", secs(a.end - a.start));
      h += row("worker", a.worker == null ? "none" : String(a.worker)) + row("attempts", String(a.attempts));
      if (!e) {
        if (tk.reused_from) h += row("reused from", tk.reused_from);
        h += row("slack", secs(tk.slack)) + row("queue wait", secs(tk.queue_wait)) + row("level", String(tk.level));
        if (tk.description) h += row("description", tk.description);
      }
      h += "</table>";
      var err = e ? e.error : tk.error;
      if (err != null) h += "<pre>" + esc(err) + "</pre>";
      return h;
    }
    cv.addEventListener("mousemove", function (ev) {
      var r = cv.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
      if (drag) { drag.x1 = px; draw(); }
      var ln = Math.floor((py - TOP) / LANE), t = tAt(px), dt = 2 * (view.t1 - view.t0) / (W - LEFT - RIGHT);
      var hit = null;
      if (ln >= 0 && ln < lanes && px >= LEFT) {
        var ei = find(els[ln], E, t, dt);
        if (ei != null) hit = details(T[E[ei].task], E[ei]);
        else { var ti = find(bars[ln], T, t, dt); if (ti != null) hit = details(T[ti]); }
      }
      if (!hit) { tip.hidden = true; return; }
      tip.innerHTML = hit; tip.hidden = false;
      var left = ev.clientX + 14, top = ev.clientY + 14;
      if (left + tip.offsetWidth > window.innerWidth) left = ev.clientX - tip.offsetWidth - 14;
      if (top + tip.offsetHeight > window.innerHeight) top = ev.clientY - tip.offsetHeight - 14;
      tip.style.left = left + "px"; tip.style.top = top + "px";
    });
    cv.addEventListener("mouseleave", function () { tip.hidden = true; });
    cv.addEventListener("mousedown", function (ev) { drag = { x0: ev.clientX - cv.getBoundingClientRect().left, x1: null }; });
    window.addEventListener("mouseup", function () {
      if (drag && drag.x1 != null && Math.abs(drag.x1 - drag.x0) > 4) {
        var a = tAt(Math.min(drag.x0, drag.x1)), b = tAt(Math.max(drag.x0, drag.x1));
        view = { t0: Math.max(a, 0), t1: Math.max(b, a + 1e-9) };
      }
      drag = null; draw();
    });
    cv.addEventListener("dblclick", function () { view = { t0: 0, t1: wall }; draw(); });
    window.addEventListener("resize", draw);
    draw();
    return counted;
  }

  function graph(D) {
    var G = D.graph, T = D.tasks, CW = 180, BW = 150, BH = 24, RH = 32, P = 10;
    var w = G.levels_shown * CW + 2 * P, h = Math.max(G.rows, 1) * RH + 2 * P, pos = {};
    var onPath = {};
    D.profile.critical_path.forEach(function (n, i) { onPath[n] = i; });
    var s = "<svg width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h + "\">";
    G.nodes.forEach(function (nd) { pos[nd[0]] = [P + nd[1] * CW, P + nd[2] * RH]; });
    G.edges.forEach(function (e) {
      var a = pos[e[0]], b = pos[e[1]], ia = onPath[T[e[0]].name], ib = onPath[T[e[1]].name];
      var crit = ia != null && ib === ia + 1;
      var x1 = a[0] + BW, y1 = a[1] + BH / 2, x2 = b[0], y2 = b[1] + BH / 2, m = (x1 + x2) / 2;
      s += "<path class=\"edge" + (crit ? " crit" : "") + "\" d=\"M" + x1 + " " + y1 + "C" + m + " " + y1 + " " + m + " " + y2 + " " + x2 + " " + y2 + "\"/>";
    });
    G.nodes.forEach(function (nd) {
      var t = T[nd[0]], p = pos[nd[0]], label = t.name.length > 22 ? t.name.slice(0, 21) + "…" : t.name;
      s += "<g class=\"node s-" + t.status + (t.critical ? " crit" : "") + (t.reused_from ? " reused" : "") + "\">"
        + "<title>" + esc(t.name + " — " + t.status + ", " + secs(t.duration) + (t.error != null ? "\n" + t.error : "")) + "</title>"
        + "<rect x=\"" + p[0] + "\" y=\"" + p[1] + "\" width=\"" + BW + "\" height=\"" + BH + "\" rx=\"4\"/>"
        + "<text x=\"" + (p[0] + 6) + "\" y=\"" + (p[1] + BH / 2 + 4) + "\">" + esc(label) + "</text></g>";
    });
    $("graph-wrap").innerHTML = s + "</svg>";
    var cut = [];
    if (G.nodes.length < G.nodes_total) {
      var inShown = T.filter(function (t) { return t.level < G.levels_shown; }).length;
      var which = G.levels_shown === 0 ? "none: the budget is " + G.max_nodes + " nodes"
        : inShown > G.nodes.length ? "the first " + G.nodes.length + " of level 0's " + inShown + " nodes"
        : (G.levels_shown === 1 ? "level 0" : "levels 0–" + (G.levels_shown - 1)) + " of " + G.levels_total;
      cut.push("Drawn: " + G.nodes.length + " of " + G.nodes_total + " tasks (" + which
        + "; at most " + G.max_nodes + " are drawn); the Gantt chart and the tables cover every task.");
    }
    if (G.edges.length < G.edges_total) cut.push("Edges drawn: " + G.edges.length + " of " + G.edges_total + ".");
    var note = $("graph-note");
    note.textContent = cut.join(" ");
    note.className = cut.length ? "note warn" : "note";
    note.hidden = !cut.length;
    var q = function (sel) { return $("graph-wrap").querySelectorAll(sel).length; };
    return { nodes: q("g.node"), edges: q("path.edge"), critical: q("g.node.crit") };
  }

  function failures(D) {
    var T = D.tasks, rows = [], LIMIT = 500, failed = [];
    T.forEach(function (t) { if (t.status === "failed") failed.push(t); });
    failed.slice(0, LIMIT).forEach(function (t) {
      rows.push([t.name, String(t.attempts), secs(t.start), { html: "<pre class=\"err\">" + esc(t.error) + "</pre>" }]);
    });
    var elFailed = D.elements.filter(function (e) { return e.error != null; });
    var elRows = elFailed.slice(0, LIMIT).map(function (e) {
      return [T[e.task].name + "[" + e.index + "]", String(e.attempts), secs(e.start), { html: "<pre class=\"err\">" + esc(e.error) + "</pre>" }];
    });
    var r = D.run, notes = [];
    if (failed.length > LIMIT) notes.push("Showing " + LIMIT + " of " + failed.length + " failed tasks.");
    if (r.skipped) notes.push(r.skipped + " task(s) skipped because an upstream task failed.");
    if (r.cancelled) notes.push(r.cancelled + " task(s) cancelled.");
    var inner = failed.length ? table(["task", "attempts", "start", "error"], rows, [1, 2]) : "<p class=\"note\">No task failed.</p>";
    if (elRows.length) inner += "<h2>Failed #[each] elements</h2>" + table(["element", "attempts", "start", "error"], elRows, [1, 2]);
    section("failures", "Failures", inner, notes.join(" "));
    return rows.length;
  }

  function tables(D) {
    var P = D.profile, T = D.tasks, byName = {};
    T.forEach(function (t) { byName[t.name] = t; });
    var cp = P.critical_path.map(function (n) { var t = byName[n]; return "<li>" + esc(n) + " — " + esc(secs(t ? t.duration : null)) + "</li>"; });
    section("critical", "Critical path", cp.length ? "<ol class=\"path\">" + cp.join("") + "</ol>" : "<p class=\"note\">No task completed.</p>",
      "Longest chain of completed tasks by measured duration: " + secs(P.critical_path_duration) + " of " + secs(D.run.wall_clock) + " wall clock.");
    section("bottlenecks", "Bottlenecks", P.bottlenecks.length ? table(["task", "duration", "share of wall clock", "critical"],
      P.bottlenecks.map(function (b) { return [b.node, secs(b.duration_seconds), b.percentage.toFixed(1) + " %", b.on_critical_path ? "yes" : ""]; }), [1, 2])
      : "<p class=\"note\">None.</p>", "Completed tasks taking ≥ " + (P.bottleneck_threshold * 100).toFixed(0) + " % of the wall clock.");
    var slack = T.filter(function (t) { return t.slack != null; }).sort(function (a, b) { return b.slack - a.slack; });
    var zero = slack.filter(function (t) { return t.slack === 0; }).length;
    section("slack", "Slack", slack.length ? table(["task", "slack", "duration", "start", "queue wait"],
      slack.slice(0, 20).map(function (t) { return [t.name, secs(t.slack), secs(t.duration), secs(t.start), secs(t.queue_wait)]; }), [1, 2, 3, 4])
      : "<p class=\"note\">No task completed.</p>",
      "How much later each completed task could have run without lengthening the critical path; the 20 with the most slack of "
      + slack.length + " (" + zero + " with none). Every task's slack is in its tooltip.");
    section("stragglers", "Stragglers", P.stragglers.length ? table(["join", "straggler", "fastest input", "ratio"],
      P.stragglers.slice(0, 100).map(function (s) { return [s.join, s.straggler, s.fastest, s.ratio.toFixed(1) + "×"]; }), [3])
      : "<p class=\"note\">None.</p>", "Inputs of a join (or elements of an #[each] task) ≥ " + P.straggler_ratio + "× slower than the fastest one.");
    var wall = D.run.wall_clock;
    section("idle", "Idle gaps per worker", table(["lane", "busy", "busy share", "idle", "gaps", "longest gap", "first gaps"],
      D.idle.map(function (w) {
        var idle = 0, longest = null;
        w.gaps.forEach(function (g) { var d = g[1] - g[0]; idle += d; if (longest == null || d > longest) longest = d; });
        var first = w.gaps.slice(0, 3).map(function (g) { return secs(g[0]) + "–" + secs(g[1]); }).join(", ");
        return [laneName(D, w.lane), secs(w.busy), wall > 0 ? pct(w.busy / wall) : "–", secs(idle), String(w.gaps.length), secs(longest), first];
      }), [1, 2, 3, 4, 5]), "Stretches of at least " + secs(P.min_gap) + " in which a worker ran nothing (yellow in the Gantt chart).");
    section("gaps", "Under-used intervals", P.gaps.length ? table(["from", "to", "length", "idle workers"],
      P.gaps.slice(0, 50).map(function (g) { return [secs(g.start), secs(g.end), secs(g.end - g.start), String(g.idle_workers)]; }), [0, 1, 2, 3])
      : "<p class=\"note\">None: every worker was busy all along.</p>",
      "Intervals with fewer tasks running than workers" + (P.gaps.length > 50 ? "; the first 50 of " + P.gaps.length : "") + ".");
    var wr = $("warnings");
    if (D.warnings.length) section("warnings", "Warnings", "<ul>" + D.warnings.map(function (w) { return "<li>" + esc(w) + "</li>"; }).join("") + "</ul>");
    else wr.hidden = true;
  }

  try {
    var D = JSON.parse($("dag-report-data").textContent);
    if (D.serialisation_error) throw new Error("the report data could not be written: " + D.serialisation_error);
    header(D);
    var g = gantt(D), dg = graph(D), nf = failures(D);
    tables(D);
    var ds = body.dataset;
    ds.tasks = D.tasks.length; ds.bars = g.bars; ds.critical = g.critical; ds.elementBars = g.elements;
    ds.graphNodes = dg.nodes; ds.graphEdges = dg.edges; ds.graphCritical = dg.critical; ds.failures = nf;
    ds.rendered = "ok";
  } catch (e) {
    body.dataset.rendered = "error";
    body.dataset.error = String(e && e.message || e);
    var p = document.createElement("pre");
    p.className = "fatal";
    p.textContent = "The report could not be drawn: " + (e && e.stack || e);
    body.insertBefore(p, body.firstChild);
  }
  body.dataset.renderMs = performance.now().toFixed(1);
})();
