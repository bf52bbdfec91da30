// tfgraph graph viewer: one self-contained page (no network). Data: <script id="graph-data">.
// Visible graph = ops whose scopes are all expanded + one box per outermost collapsed scope.
// Layout: ranks by longest path (back edges ignored), barycenter ordering, bezier edges.
(function () {
  "use strict";
  var G = JSON.parse(document.getElementById("graph-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var ops = G.ops, byName = {};
  ops.forEach(function (o) { byName[o.n] = o; });
  var consumers = {};
  ops.forEach(function (o) {
    o.ins.forEach(function (t) {
      var src = t.split(":")[0];
      (consumers[src] = consumers[src] || []).push(o.n);
    });
  });
  var expanded = new Set(G.expanded || []);
  var selected = null, query = "";
  var view = { x: 20, y: 20, k: 1 };
  var vis = null, pos = null;
  var maxTime = 0;
  ops.forEach(function (o) { if (o.time_ms) maxTime = Math.max(maxTime, o.time_ms); });

  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function scopes(name) { var p = name.split("/"); p.pop(); return p; }
  function visibleId(name) {
    var p = scopes(name);
    for (var i = 0; i < p.length; i++) {
      var s = p.slice(0, i + 1).join("/");
      if (!expanded.has(s)) return "scope:" + s;
    }
    return name;
  }
  function inScope(id, s) {
    var name = id.indexOf("scope:") === 0 ? id.slice(6) : id;
    return name.indexOf(s + "/") === 0;
  }

  function build() {
    var nodes = new Map(), edges = new Map();
    ops.forEach(function (o) {
      var id = visibleId(o.n);
      var nd = nodes.get(id);
      if (!nd) {
        nd = { id: id, scope: id.indexOf("scope:") === 0, ops: [], time: 0 };
        nd.label = nd.scope ? id.slice(6).split("/").pop() + "/" : o.n.split("/").pop();
        nodes.set(id, nd);
      }
      nd.ops.push(o);
      nd.time += o.time_ms || 0;
    });
    ops.forEach(function (o) {
      var dst = visibleId(o.n);
      function add(src, ctrl, shape) {
        if (src === dst) return;
        var key = src + "\u0000" + dst + "\u0000" + ctrl;
        var e = edges.get(key);
        if (!e) { e = { src: src, dst: dst, ctrl: ctrl, shapes: [] }; edges.set(key, e); }
        if (!ctrl) e.shapes.push(shape);
      }
      o.ins.forEach(function (t) {
        var parts = t.split(":"), src = byName[parts[0]];
        add(visibleId(parts[0]), false, src.outs[+parts[1] || 0].sh);
      });
      o.ctrl.forEach(function (c) { add(visibleId(c), true, ""); });
    });
    return { nodes: nodes, edges: Array.from(edges.values()) };
  }

  function layout(g) {
    var ids = Array.from(g.nodes.keys()), out = {}, inn = {};
    ids.forEach(function (i) { out[i] = []; inn[i] = []; });
    g.edges.forEach(function (e) { out[e.src].push(e.dst); inn[e.dst].push(e.src); });
    // DFS topological order; edges to nodes on the stack are back edges (cycles via collapsed scopes)
    var state = {}, order = [], back = new Set();
    ids.forEach(function (root) {
      if (state[root]) return;
      var stack = [[root, 0]];
      state[root] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1], v = top[0];
        if (top[1] < out[v].length) {
          var w = out[v][top[1]++];
          if (state[w] === 1) back.add(v + "\u0000" + w);
          else if (!state[w]) { state[w] = 1; stack.push([w, 0]); }
        } else { state[v] = 2; order.push(v); stack.pop(); }
      }
    });
    order.reverse();
    var rank = {};
    order.forEach(function (v) {
      rank[v] = 0;
      inn[v].forEach(function (u) {
        if (!back.has(u + "\u0000" + v)) rank[v] = Math.max(rank[v], rank[u] + 1);
      });
    });
    var layers = [];
    order.forEach(function (v) { (layers[rank[v]] = layers[rank[v]] || []).push(v); });
    var idx = {};
    function index() { layers.forEach(function (l) { l.forEach(function (v, i) { idx[v] = i; }); }); }
    index();
    for (var sweep = 0; sweep < 4; sweep++) {
      var down = sweep % 2 === 0, nb = down ? inn : out;
      var seq = down ? layers.slice(1) : layers.slice(0, -1).reverse();
      seq.forEach(function (l) {
        var bc = {};
        l.forEach(function (v) {
          var ns = nb[v];
          bc[v] = ns.length ? ns.reduce(function (a, u) { return a + idx[u]; }, 0) / ns.length : idx[v];
        });
        l.sort(function (a, b) { return bc[a] - bc[b]; });
        l.forEach(function (v, i) { idx[v] = i; });
      });
    }
    var p = {}, H = 38, GAPY = 56, GAPX = 24, widest = 0;
    layers.forEach(function (l) {
      var w = 0;
      l.forEach(function (v) {
        var nd = g.nodes.get(v);
        nd.w = Math.max(70, 7 * Math.max(nd.label.length, (nd.scope ? 6 : nd.ops[0].t.length)) + 20);
        w += nd.w + GAPX;
      });
      widest = Math.max(widest, w);
    });
    layers.forEach(function (l, r) {
      var w = l.reduce(function (a, v) { return a + g.nodes.get(v).w + GAPX; }, 0);
      var x = (widest - w) / 2;
      l.forEach(function (v) {
        var nd = g.nodes.get(v);
        p[v] = { x: x, y: r * (H + GAPY), w: nd.w, h: H };
        x += nd.w + GAPX;
      });
    });
    return p;
  }

  function heat(t) {  // 0..1 -> light yellow .. red
    var r = 255, gg = Math.round(240 - 170 * t), b = Math.round(200 - 170 * t);
    return "rgb(" + r + "," + gg + "," + b + ")";
  }

  function matches(nd) {
    if (!query) return false;
    return nd.ops.some(function (o) { return o.n.toLowerCase().indexOf(query) >= 0; });
  }

  function render() {
    vis = build();
    pos = layout(vis);
    var root = document.getElementById("viewport");
    while (root.firstChild) root.removeChild(root.firstChild);
    var gs = el("g", { "class": "scopes" }, root);
    Array.from(expanded).sort().forEach(function (s) {
      var box = null;
      vis.nodes.forEach(function (nd, id) {
        if (!inScope(id, s)) return;
        var q = pos[id];
        box = box ? { x0: Math.min(box.x0, q.x), y0: Math.min(box.y0, q.y),
                      x1: Math.max(box.x1, q.x + q.w), y1: Math.max(box.y1, q.y + q.h) }
                  : { x0: q.x, y0: q.y, x1: q.x + q.w, y1: q.y + q.h };
      });
      if (!box) return;
      var depth = s.split("/").length, pad = 14 - Math.min(depth, 5) * 2;
      var grp = el("g", { "class": "scope-box", "data-scope": s }, gs);
      el("rect", { x: box.x0 - pad, y: box.y0 - pad - 14, width: box.x1 - box.x0 + 2 * pad,
                   height: box.y1 - box.y0 + 2 * pad + 14, rx: 8 }, grp);
      var t = el("text", { x: box.x0 - pad + 6, y: box.y0 - pad - 2 }, grp);
      t.textContent = "\u2212 " + s;
      grp.addEventListener("click", function (ev) {
        ev.stopPropagation();
        expanded.delete(s);
        render();
      });
    });
    var ge = el("g", { "class": "edges" }, root);
    vis.edges.forEach(function (e) {
      var a = pos[e.src], b = pos[e.dst];
      var x1 = a.x + a.w / 2, y1 = a.y + a.h, x2 = b.x + b.w / 2, y2 = b.y;
      var dy = Math.max(30, Math.abs(y2 - y1) / 2);
      var path = el("path", { d: "M" + x1 + "," + y1 + " C" + x1 + "," + (y1 + dy) + " " + x2 + "," +
                              (y2 - dy) + " " + x2 + "," + y2,
                              "class": e.ctrl ? "edge ctrl" : "edge", "marker-end": "url(#arrow)" }, ge);
      path.setAttribute("data-src", e.src);
      if (!e.ctrl && e.shapes.length) {
        var lab = el("text", { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2, "class": "elabel" }, ge);
        lab.textContent = e.shapes.length === 1 ? e.shapes[0] : e.shapes.length + " tensors";
      }
    });
    var gn = el("g", { "class": "nodes" }, root);
    vis.nodes.forEach(function (nd, id) {
      var q = pos[id];
      var cls = "node " + (nd.scope ? "scope" : "op") + (matches(nd) ? " match" : "") +
                (selected === id ? " selected" : "");
      var grp = el("g", { "class": cls, "data-id": id, transform: "translate(" + q.x + "," + q.y + ")" }, gn);
      var rect = el("rect", { width: q.w, height: q.h, rx: nd.scope ? 10 : 4 }, grp);
      if (maxTime > 0 && nd.time > 0) rect.setAttribute("style", "fill:" + heat(nd.time / maxTime));
      var t1 = el("text", { x: q.w / 2, y: 15, "class": "name" }, grp);
      t1.textContent = (nd.scope ? "+ " : "") + nd.label;
      var t2 = el("text", { x: q.w / 2, y: 30, "class": "type" }, grp);
      t2.textContent = nd.scope ? nd.ops.length + " ops" : nd.ops[0].t +
        (nd.time > 0 ? "  " + nd.time.toFixed(3) + " ms" : "");
      grp.addEventListener("click", function (ev) {
        ev.stopPropagation();
        if (nd.scope) { expanded.add(id.slice(6)); render(); }
        else select(id);
      });
    });
    document.getElementById("status").textContent =
      vis.nodes.size + " nodes shown, " + ops.length + " ops" + (expanded.size ? ", " + expanded.size + " scopes open" : "");
    applyView();
  }

  function applyView() {
    document.getElementById("viewport").setAttribute(
      "transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }

  function row(tbl, k, v) {
    var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
    th.textContent = k;
    if (v instanceof Node) td.appendChild(v); else td.textContent = v;
    tr.appendChild(th); tr.appendChild(td); tbl.appendChild(tr);
  }
  function links(names) {
    var d = document.createElement("div");
    names.forEach(function (n) {
      var a = document.createElement("a");
      a.href = "#"; a.textContent = n; a.className = "oplink";
      a.addEventListener("click", function (ev) { ev.preventDefault(); reveal(n.replace(/^\^/, "").split(":")[0]); });
      d.appendChild(a);
    });
    return d;
  }

  function select(name) {
    selected = name;
    var o = byName[name], panel = document.getElementById("details");
    panel.innerHTML = "";
    var h = document.createElement("h2"); h.textContent = o.n; panel.appendChild(h);
    var tbl = document.createElement("table"); panel.appendChild(tbl);
    row(tbl, "type", o.t);
    row(tbl, "device", o.d || "(default)");
    row(tbl, "created at", o.loc);
    row(tbl, "inputs", links(o.ins.concat(o.ctrl.map(function (c) { return "^" + c; }))));
    row(tbl, "outputs", o.outs.map(function (t, i) { return o.n + ":" + i + "  " + t.dt + " [" + t.sh + "]"; }).join("\n"));
    row(tbl, "consumers", links(consumers[o.n] || []));
    Object.keys(o.attrs).forEach(function (k) { row(tbl, "attr " + k, o.attrs[k]); });
    if (o.time_ms != null) row(tbl, "time", o.time_ms.toFixed(4) + " ms");
    if (o.bytes != null) row(tbl, "output bytes", String(o.bytes));
    document.querySelectorAll("g.node.selected").forEach(function (e) { e.classList.remove("selected"); });
    var n = document.querySelector('g.node[data-id="' + CSS.escape(name) + '"]');
    if (n) n.classList.add("selected");
  }

  function reveal(name) {
    var p = scopes(name);
    for (var i = 0; i < p.length; i++) expanded.add(p.slice(0, i + 1).join("/"));
    render();
    select(name);
    var q = pos[name], svg = document.getElementById("canvas").getBoundingClientRect();
    view.x = svg.width / 2 - (q.x + q.w / 2) * view.k;
    view.y = svg.height / 2 - (q.y + q.h / 2) * view.k;
    applyView();
  }

  function search(text) {
    query = text.trim().toLowerCase();
    var list = document.getElementById("results");
    list.innerHTML = "";
    var hits = query ? ops.filter(function (o) { return o.n.toLowerCase().indexOf(query) >= 0; }) : [];
    hits.slice(0, 50).forEach(function (o) {
      var li = document.createElement("li");
      li.textContent = o.n + "  (" + o.t + ")";
      li.addEventListener("click", function () { reveal(o.n); });
      list.appendChild(li);
    });
    document.getElementById("hits").textContent = query ? hits.length + " matches" : "";
    render();
    return hits.length;
  }

  function fit() {
    var svg = document.getElementById("canvas").getBoundingClientRect(), x1 = 0, y1 = 0;
    Object.keys(pos).forEach(function (id) {
      x1 = Math.max(x1, pos[id].x + pos[id].w); y1 = Math.max(y1, pos[id].y + pos[id].h);
    });
    view.k = Math.min(2, Math.max(0.05, Math.min((svg.width - 40) / (x1 + 1), (svg.height - 40) / (y1 + 1))));
    view.x = 20; view.y = 20;
    applyView();
  }

  // pan and zoom
  var svgEl = document.getElementById("canvas"), drag = null;
  svgEl.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svgEl.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var f = Math.exp(-ev.deltaY * 0.0015), k = Math.min(8, Math.max(0.03, view.k * f));
    view.x = mx - (mx - view.x) * k / view.k; view.y = my - (my - view.y) * k / view.k; view.k = k;
    applyView();
  }, { passive: false });
  svgEl.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y }; });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    view.x = drag.vx + ev.clientX - drag.x; view.y = drag.vy + ev.clientY - drag.y;
    applyView();
  });
  window.addEventListener("mouseup", function () { drag = null; });
  document.getElementById("search").addEventListener("input", function (ev) { search(ev.target.value); });
  document.getElementById("search").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var q = ev.target.value.trim().toLowerCase();
    var hit = ops.filter(function (o) { return o.n.toLowerCase().indexOf(q) >= 0; })[0];
    if (hit) reveal(hit.n);
  });
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("collapse").addEventListener("click", function () { expanded.clear(); render(); fit(); });

  render();
  fit();
  window.tfgraphViewer = { render: render, search: search, reveal: reveal, expanded: expanded,
                           visibleCount: function () { return vis.nodes.size; } };
})();
