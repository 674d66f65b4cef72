// kg viz: draws the entity network and shows the evidence of what it draws.
// Every text from the data goes into the page with textContent, never as markup.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var UI = D.ui;
  var NODE = { id: 0, label: 1, cls: 2, aliases: 3, degree: 4, attributes: 5, x: 6, y: 7 };
  var LIMIT = 42;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function term(i) { return D.terms[i][1]; }
  function short(text) { return text.length > LIMIT ? text.slice(0, LIMIT - 1) + "\u2026" : text; }
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

  // ------------------------------------------------------------ sources per node and edge
  var nodeSources = D.nodes.map(function () { return {}; });
  var edgeSources = D.edges.map(function () { return {}; });
  function claimSources(claims, into) {
    claims.forEach(function (claim) {
      claim[1].forEach(function (ref) { into[D.evidence[ref][0]] = true; });
    });
  }
  D.nodes.forEach(function (n, i) {
    n[NODE.attributes].forEach(function (a) { claimSources(a[3], nodeSources[i]); });
  });
  D.edges.forEach(function (e, i) {
    e[2].forEach(function (part) { claimSources(part[1], edgeSources[i]); });
    Object.keys(edgeSources[i]).forEach(function (s) { nodeSources[e[0]][s] = true; nodeSources[e[1]][s] = true; });
  });
  var incident = D.nodes.map(function () { return []; });
  D.edges.forEach(function (e, i) { incident[e[0]].push(i); if (e[1] !== e[0]) incident[e[1]].push(i); });

  // ------------------------------------------------------------ the network
  var large = D.large;
  var container = document.getElementById("kg-network");
  var FACE = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var LABEL_PX = 12, EDGE_PX = 11, WRAP = 24;
  var minD = Infinity, maxD = 0;
  D.nodes.forEach(function (n) { minD = Math.min(minD, n[NODE.degree]); maxD = Math.max(maxD, n[NODE.degree]); });
  function nodeSize(n) { return 6 + 16 * Math.sqrt(maxD > minD ? (n[NODE.degree] - minD) / (maxD - minD) : 0); }
  var sizes = D.nodes.map(nodeSize);

  // Labels are drawn by the page itself, not by vis-network: always 12 px on screen, in at
  // most two lines, and only where they overlap no other label, no node and no canvas edge.
  var measurer = document.createElement("canvas").getContext("2d");
  function wrap(text) {
    text = short(text);
    if (text.length <= WRAP) return [text];
    var words = text.split(" "), first = "";
    while (words.length && (first + " " + words[0]).trim().length <= WRAP) first = (first + " " + words.shift()).trim();
    if (!first) return [text];  // one long word
    var rest = words.join(" ");
    if (rest.length > WRAP + 6) rest = rest.slice(0, WRAP + 5) + "\u2026";
    return [first, rest];
  }
  function textBox(lines, px, bold) {
    measurer.font = (bold ? "bold " : "") + px + "px " + FACE;
    var w = 0;
    lines.forEach(function (l) { w = Math.max(w, measurer.measureText(l).width); });
    return { lines: lines, w: Math.ceil(w) + 2, h: lines.length * (px + 2) + 1 };
  }
  var labelBoxes = D.nodes.map(function (n) { return textBox(wrap(n[NODE.label]), LABEL_PX, false); });

  var visNodes = D.nodes.map(function (n, i) {
    var c = D.classes[n[NODE.cls]];
    return { id: i, shape: c[3], color: c[2], size: sizes[i], x: n[NODE.x], y: n[NODE.y] };
  });
  var visEdges = D.edges.map(function (e, i) { return { id: i, from: e[0], to: e[1] }; });
  function edgeText(i) { return short(D.edges[i][2].map(function (p) { return term(p[0]); }).join(" / ")); }

  // Spread the nodes just enough that no two boxes (shape and label below it, at zoom 1)
  // overlap: the boxes are pushed apart along the axis of least overlap until none does.
  var PAD = 8;
  function spread(ids, pos, scale) {  // labels at 12 px on screen are 12 / scale canvas units
    function box(i) {
      var p = pos[i], r = sizes[i], half = Math.max(r, (labelBoxes[i].w + PAD) / 2 / scale);
      return [p.x - half, p.y - r, p.x + half, p.y + r + (3 + labelBoxes[i].h + PAD) / scale];
    }
    for (var round = 0; round < 300; round++) {
      var boxes = {};
      ids.forEach(function (i) { boxes[i] = box(i); });
      var order = ids.slice().sort(function (a, b) { return boxes[a][0] - boxes[b][0] || a - b; });
      var moved = false;
      for (var x = 0; x < order.length; x++) {
        var a = order[x];
        for (var y = x + 1; y < order.length; y++) {
          var b = order[y], A = boxes[a], B = boxes[b];
          if (B[0] >= A[2]) break;
          var ox = Math.min(A[2], B[2]) - Math.max(A[0], B[0]);
          var oy = Math.min(A[3], B[3]) - Math.max(A[1], B[1]);
          if (ox <= 0 || oy <= 0) continue;
          // push both apart along the axis of least overlap, just far enough
          var axis = ox < oy ? "x" : "y", push = (axis === "x" ? ox : oy) / 2 + 0.5;
          var ca = axis === "x" ? A[0] + A[2] : A[1] + A[3], cb = axis === "x" ? B[0] + B[2] : B[1] + B[3];
          var sign = ca < cb || (ca === cb && a < b) ? -1 : 1;
          pos[a][axis] += sign * push; pos[b][axis] -= sign * push;
          boxes[a] = box(a); boxes[b] = box(b);
          moved = true;
        }
      }
      if (!moved) break;
    }
  }
  var home = {};
  D.nodes.forEach(function (n, i) { home[i] = { x: n[NODE.x], y: n[NODE.y] }; });

  // The view and the scale at which ``ids`` at ``pos`` fit the canvas with their 12 px labels
  // (vis-network's own fit knows nothing of labels it does not draw, and would cut them).
  var MARGIN = 12, MAX_SCALE = 1.5, FLOOR = 0.5, SQUEEZE = 0.8;
  function fitting(ids, pos) {
    var W = container.clientWidth, H = container.clientHeight, scale = 1, bounds = null;
    for (var round = 0; round < 8; round++) {
      var l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
      ids.forEach(function (i) {
        var p = pos[i], half = Math.max(sizes[i], labelBoxes[i].w / 2 / scale);
        l = Math.min(l, p.x - half); r = Math.max(r, p.x + half);
        t = Math.min(t, p.y - sizes[i]); b = Math.max(b, p.y + sizes[i] + (3 + labelBoxes[i].h) / scale);
      });
      bounds = [l, t, r, b];
      var next = Math.min(MAX_SCALE, (W - 2 * MARGIN) / Math.max(1, r - l), (H - 2 * MARGIN) / Math.max(1, b - t));
      if (Math.abs(next - scale) < 1e-3) { scale = next; break; }
      scale = next;
    }
    return { position: { x: (bounds[0] + bounds[2]) / 2, y: (bounds[1] + bounds[3]) / 2 }, scale: scale };
  }
  // Lay ``ids`` out for reading: stretch their positions to the canvas's shape, then spread
  // them until the labels fit at the scale the whole will be shown at (a few rounds, as
  // spreading shrinks that scale). Too many labels for the canvas stay partly hidden.
  function arrange(ids, pos) {
    var W = container.clientWidth, H = container.clientHeight;
    var original = {};
    ids.forEach(function (i) { original[i] = { x: pos[i].x, y: pos[i].y }; });
    // two starts: the layout squeezed or stretched to the canvas's shape, and the layout at
    // its own spacing, only stretched (a dense start can spread into columns)
    var results = [true, false].map(function (squeezeToCanvas) {
      var start = {};
      ids.forEach(function (i) { start[i] = { x: original[i].x, y: original[i].y }; });
      if (ids.length > 2) {
        var l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
        ids.forEach(function (i) { l = Math.min(l, start[i].x); r = Math.max(r, start[i].x); t = Math.min(t, start[i].y); b = Math.max(b, start[i].y); });
        var sx = (W - 160) / Math.max(1, r - l), sy = (H - 80) / Math.max(1, b - t), k = Math.min(sx, sy);
        sx = Math.min(sx, 1.6 * k); sy = Math.min(sy, 1.6 * k);
        if (!squeezeToCanvas) { sx /= Math.min(k, 1); sy /= Math.min(k, 1); }
        ids.forEach(function (i) { start[i] = { x: (start[i].x - (l + r) / 2) * sx, y: (start[i].y - (t + b) / 2) * sy }; });
      }
      return settle(ids, start);
    });
    var won = results[0];
    if ((results[1].held && !won.held) || (results[1].held === won.held && results[1].scale > won.scale)) won = results[1];
    // whole canvas units: vis-network keeps initial positions as integers
    ids.forEach(function (i) { pos[i] = { x: Math.round(won.pos[i].x), y: Math.round(won.pos[i].y) }; });
  }
  function settle(ids, pos) {
    // Spreading only pushes outwards. An arrangement "holds" when it fits the canvas at
    // the scale its labels were spread for; a held one is squeezed and spread again to pack
    // tighter, one that does not hold is spread again for its smaller scale (down to
    // FLOOR: a view with too many labels for the canvas then hides some). The held
    // arrangement with the largest scale wins, else the last.
    var scale = 1, best = null, loose = null;
    function copy(fit, held) {
      var c = { scale: fit.scale, held: held, pos: {} };
      ids.forEach(function (i) { c.pos[i] = { x: pos[i].x, y: pos[i].y }; });
      return c;
    }
    for (var round = 0; round < 10; round++) {
      spread(ids, pos, scale);
      var fit = fitting(ids, pos);
      if (fit.scale >= scale * 0.98) {
        if (best === null || fit.scale > best.scale) best = copy(fit, true);
        scale = Math.min(fit.scale, 1);
        ids.forEach(function (i) { pos[i].x *= SQUEEZE; pos[i].y *= SQUEEZE; });
      } else {
        if (loose === null || fit.scale > loose.scale) loose = copy(fit, false);
        if (best !== null || scale <= FLOOR) break;
        scale = Math.max(fit.scale, FLOOR);
      }
    }
    return best || loose;
  }
  if (!large) {
    arrange(D.nodes.map(function (n, i) { return i; }), home);
    visNodes.forEach(function (v, i) { v.x = home[i].x; v.y = home[i].y; });
  }

  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var options = {
    autoResize: true,
    layout: { improvedLayout: false },
    nodes: { borderWidth: 1, font: { size: LABEL_PX, face: FACE } },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      color: { color: "#9aa3ad", highlight: "#2b2b2b", hover: "#555" },
      smooth: false,
      width: 1
    },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: large, hideEdgesOnZoom: large },
    physics: false
  };
  var network = null;
  var waiting = [];  // what needs the network, run as soon as it exists
  function withNetwork(f) { if (network) f(network); else waiting.push(f); }
  window.kgNodeCount = D.nodes.length;
  window.kgEdgeCount = D.edges.length;

  function fitTo(ids) {
    if (!ids.length || !network) return;
    var pos = {};
    ids.forEach(function (i) { pos[i] = network.body.nodes[i]; });
    var fit = fitting(ids, pos);
    network.moveTo({ position: fit.position, scale: fit.scale, animation: false });
  }
  function everyVisible() {
    return D.nodes.map(function (n, i) { return i; }).filter(function (i) { return !nodes.get(i).hidden; });
  }

  // ------------------------------------------------------------ drawing the labels
  var byDegree = D.nodes.map(function (n, i) { return i; })
    .sort(function (a, b) { return D.nodes[b][NODE.degree] - D.nodes[a][NODE.degree] || a - b; });
  var hoveredEdge = null;
  var ready = false;
  var LENIENT = 12;  // this many best connected entities are labelled even over a node
  var hiddenNote = document.getElementById("kg-hidden");
  var fitLegend = function () {};  // set once the legend is built
  function Grid() { this.cells = {}; }
  Grid.prototype.keys = function (r, f) {
    for (var x = Math.floor(r[0] / 64); x <= Math.floor(r[2] / 64); x++)
      for (var y = Math.floor(r[1] / 64); y <= Math.floor(r[3] / 64); y++) f(x + "," + y);
  };
  Grid.prototype.add = function (r) { var c = this.cells; this.keys(r, function (k) { (c[k] = c[k] || []).push(r); }); };
  Grid.prototype.hits = function (r, own, labelsOnly) {
    var c = this.cells, hit = false;
    this.keys(r, function (k) {
      if (hit || !c[k]) return;
      for (var i = 0; i < c[k].length; i++) {
        var o = c[k][i];
        if ((o.own !== undefined && o.own === own) || (labelsOnly && o.shape)) continue;
        if (r[0] < o[2] && o[0] < r[2] && r[1] < o[3] && o[1] < r[3]) { hit = true; return; }
      }
    });
    return hit;
  };
  function drawText(ctx, box, x, y, px, color, bold) {
    ctx.font = measurer.font = (bold ? "bold " : "") + px + "px " + FACE;
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    ctx.fillStyle = color;
    box.lines.forEach(function (line, k) {
      var lx = x + (box.w - measurer.measureText(line).width) / 2, ly = y + 1 + k * (px + 2);
      ctx.strokeText(line, lx, ly);
      ctx.fillText(line, lx, ly);
    });
  }
  function drawLabels(ctx) {
    var W = container.clientWidth, H = container.clientHeight;
    var s = network.getScale(), view = network.getViewPosition();
    function dom(p) { return { x: (p.x - view.x) * s + W / 2, y: (p.y - view.y) * s + H / 2 }; }
    var ratio = (network.canvas && network.canvas.pixelRatio) || window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    var grid = new Grid(), placed = [], placedEdges = [];
    var shown = {}, screen = {};
    var near = focusNode === null ? null : neighbours(focusNode);
    nodes.get({ filter: function (n) { return !n.hidden; }, fields: ["id"] }).forEach(function (n) {
      var p = dom(network.body.nodes[n.id]), r = sizes[n.id] * s;
      if (p.x < -r || p.y < -r || p.x > W + r || p.y > H + r) return;
      shown[n.id] = true; screen[n.id] = p;
      var shape = [p.x - r, p.y - r, p.x + r, p.y + r]; shape.own = n.id; shape.shape = true;
      grid.add(shape);
    });
    function inside(r) { return r[0] >= 1 && r[1] >= 1 && r[2] <= W - 1 && r[3] <= H - 1; }
    // a label avoids other labels and nodes; the selected node, its neighbours and the best
    // connected (``lenient``) may cover a node rather than go unlabelled, never a label
    function placeNode(i, lenient) {
      var p = screen[i], r = sizes[i] * s, bold = i === focusNode;
      var box = bold ? textBox(labelBoxes[i].lines, LABEL_PX, true) : labelBoxes[i];
      var spots = [
        [p.x - box.w / 2, p.y + r + 2], [p.x + r + 3, p.y - box.h / 2],
        [p.x - box.w / 2, p.y - r - 2 - box.h], [p.x - r - 3 - box.w, p.y - box.h / 2]
      ];
      for (var k = 0; k < 2 * spots.length; k++) {
        var over = k >= spots.length, spot = spots[k % spots.length];
        if (over && !lenient) return;
        var rect = [spot[0], spot[1], spot[0] + box.w, spot[1] + box.h];
        rect.own = i;
        if (!inside(rect) || grid.hits(rect, i, over)) continue;
        grid.add(rect);
        var dim = near && !near[i];
        drawText(ctx, box, rect[0], rect[1], LABEL_PX, dim ? "#9a9a9a" : "#1d1d1d", bold);
        placed.push({ node: i, lines: box.lines, left: rect[0], top: rect[1], width: box.w, height: box.h,
                      px: LABEL_PX, bold: bold, overNode: over });
        return;
      }
    }
    function placeEdge(ei) {
      var e = D.edges[ei];
      if (!shown[e[0]] || !shown[e[1]] || edges.get(ei).hidden) return;
      var a = screen[e[0]], b = screen[e[1]], box = textBox([edgeText(ei)], EDGE_PX, false);
      var steps = [0.5, 0.38, 0.62, 0.28, 0.72];
      for (var k = 0; k < steps.length; k++) {
        var cx = a.x + (b.x - a.x) * steps[k], cy = a.y + (b.y - a.y) * steps[k];
        var rect = [cx - box.w / 2, cy - box.h / 2, cx + box.w / 2, cy + box.h / 2];
        if (!inside(rect) || grid.hits(rect, -1)) continue;
        grid.add(rect);
        drawText(ctx, box, rect[0], rect[1], EDGE_PX, "#4a4a4a", false);
        placedEdges.push({ edge: ei, lines: box.lines, left: rect[0], top: rect[1], width: box.w, height: box.h, px: EDGE_PX });
        return;
      }
    }
    if (hoveredEdge !== null) placeEdge(hoveredEdge);
    if (focusNode !== null && shown[focusNode]) {
      placeNode(focusNode, true);
      var around = Object.keys(near).map(Number).filter(function (i) { return i !== focusNode && shown[i]; })
        .sort(function (a, b) { return D.nodes[b][NODE.degree] - D.nodes[a][NODE.degree] || a - b; });
      around.forEach(function (i) { placeNode(i, true); });
      incident[focusNode].forEach(function (ei) { if (ei !== hoveredEdge) placeEdge(ei); });
    }
    var tried = 0;
    for (var k = 0; k < byDegree.length && tried < 5000 && placed.length < 800; k++) {
      var i = byDegree[k];
      if (!shown[i] || i === focusNode || (near && near[i])) continue;
      tried++;
      placeNode(i, k < LENIENT);
    }
    ctx.restore();
    var missing = Object.keys(shown).length - placed.length;
    window.kgLabels = placed;  // what was drawn, for the browser tests
    window.kgLabelFace = FACE;
    window.kgEdgeLabels = placedEdges;
    window.kgLabelsMissing = missing;
    if (ready) window.kgSettled = true;
    var note = missing > 0 ? UI.labels_hidden.replace("{count}", missing) : "";
    if (hiddenNote.textContent !== note) { hiddenNote.textContent = note; fitLegend(); }
  }

  function start() {
    network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    window.kgNetwork = network;
    network.on("afterDrawing", drawLabels);
    network.once("afterDrawing", function () {
      var now = performance.now();
      if (window.kgFirstDraw === undefined) window.kgFirstDraw = now;
      window.kgInteractive = now;
      // vis-network empties its container when it is built, so the preview may be gone already
      if (preview && preview.parentNode) preview.parentNode.removeChild(preview);
      preview = null;
    });
    if (!large) fitTo(everyVisible());
    ready = true;  // the next frame is the first of the finished view
    network.redraw();
    waiting.forEach(function (f) { f(network); });
    waiting = [];
  }

  // Large views: vis-network needs seconds to build 20 k nodes and 55 k edges before its
  // first frame. The positions are known, so the whole network is first drawn on a plain
  // canvas (tens of milliseconds); vis-network replaces it, interactive, when it is ready.
  var preview = null;
  function drawPreview() {
    var box = container.getBoundingClientRect();
    var w = Math.max(1, box.width), h = Math.max(1, box.height), ratio = window.devicePixelRatio || 1;
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    canvas.style.cssText = "position:absolute;left:0;top:0;pointer-events:none;width:" + w + "px;height:" + h + "px";
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    D.nodes.forEach(function (n) {
      minX = Math.min(minX, n[NODE.x]); maxX = Math.max(maxX, n[NODE.x]);
      minY = Math.min(minY, n[NODE.y]); maxY = Math.max(maxY, n[NODE.y]);
    });
    var pad = 20;
    var scale = Math.min((w - 2 * pad) / Math.max(1, maxX - minX), (h - 2 * pad) / Math.max(1, maxY - minY));
    var ox = (w - (maxX - minX) * scale) / 2 - minX * scale, oy = (h - (maxY - minY) * scale) / 2 - minY * scale;
    function px(n) { return n[NODE.x] * scale + ox; }
    function py(n) { return n[NODE.y] * scale + oy; }
    ctx.strokeStyle = "rgba(154,163,173,0.45)";
    ctx.lineWidth = 0.5;
    ctx.beginPath();
    D.edges.forEach(function (e) {
      var a = D.nodes[e[0]], b = D.nodes[e[1]];
      ctx.moveTo(px(a), py(a));
      ctx.lineTo(px(b), py(b));
    });
    ctx.stroke();
    var byClass = D.classes.map(function () { return []; });
    D.nodes.forEach(function (n) { byClass[n[NODE.cls]].push(n); });
    byClass.forEach(function (members, ci) {  // the colours and the size scaling of the network
      ctx.fillStyle = D.classes[ci][2];
      ctx.beginPath();
      members.forEach(function (n) {
        var r = Math.max(1.5, nodeSize(n) * scale), x = px(n), y = py(n);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      });
      ctx.fill();
    });
    container.appendChild(canvas);
    preview = canvas;
    window.kgFirstDraw = performance.now();
    window.kgPreviewNodes = D.nodes.length;
  }

  // ------------------------------------------------------------ evidence, as DOM
  function qualifiers(list) {
    var span = el("span");
    list.forEach(function (q) { span.appendChild(el("span", term(q[0]) + ": " + q[1], "kg-qualifier")); });
    return span;
  }
  function evidence(refs) {
    var box = el("div", null, "kg-evidence");
    refs.forEach(function (ref) {
      var item = D.evidence[ref];
      var source = D.sources[item[0]];
      item[1].forEach(function (quote) { box.appendChild(el("blockquote", quote)); });
      box.appendChild(el("div", "\u2014 " + source[1] + (source[2] ? " (\u201e" + source[2] + "\u201c)" : ""), "kg-source"));
      if (item[2]) box.appendChild(el("div", UI.note + ": " + item[2], "kg-note"));
    });
    return box;
  }
  function claims(list, into) {
    list.forEach(function (claim) {
      if (claim[0].length) into.appendChild(qualifiers(claim[0]));
      into.appendChild(evidence(claim[1]));
    });
  }
  function link(index) {
    var b = el("button", D.nodes[index][NODE.label], "kg-link");
    b.type = "button";
    b.addEventListener("click", function () { show(index); });
    return b;
  }

  var panel = document.getElementById("kg-panel");
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function nodePanel(i) {
    var n = D.nodes[i];
    clear(panel);
    panel.appendChild(el("h2", n[NODE.label]));
    panel.appendChild(classLine(n));
    if (n[NODE.aliases].length) panel.appendChild(el("p", UI.aliases + ": " + n[NODE.aliases].join(", "), "kg-meta"));
    if (n[NODE.attributes].length) {
      panel.appendChild(el("h3", UI.attributes));
      var ul = el("ul");
      n[NODE.attributes].forEach(function (a) {
        var li = el("li");
        var head = el("div");
        head.appendChild(el("span", term(a[0]) + (a[2] ? " (\u2190)" : "") + ": ", "kg-fact"));
        head.appendChild(document.createTextNode(a[1]));
        li.appendChild(head);
        claims(a[3], li);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    if (incident[i].length) {
      panel.appendChild(el("h3", UI.relations));
      var rel = el("ul");
      incident[i].forEach(function (ei) {
        var e = D.edges[ei];
        e[2].forEach(function (part) {
          var li = el("li");
          var head = el("div");
          if (e[0] === i) {
            head.appendChild(el("span", term(part[0]) + " \u2192 ", "kg-fact"));
            head.appendChild(link(e[1]));
          } else {
            head.appendChild(link(e[0]));
            head.appendChild(el("span", " \u2192 " + term(part[0]), "kg-fact"));
          }
          li.appendChild(head);
          claims(part[1], li);
          rel.appendChild(li);
        });
      });
      panel.appendChild(rel);
    }
    var srcs = Object.keys(nodeSources[i]);
    if (srcs.length) {
      panel.appendChild(el("h3", UI.mentioned_in));
      var sl = el("ul");
      srcs.forEach(function (s) { sl.appendChild(el("li", D.sources[s][1])); });
      panel.appendChild(sl);
    }
  }

  function edgePanel(ei) {
    var e = D.edges[ei];
    clear(panel);
    var h = el("h2");
    h.appendChild(link(e[0]));
    h.appendChild(document.createTextNode(" \u2192 "));
    h.appendChild(link(e[1]));
    panel.appendChild(h);
    e[2].forEach(function (part) {
      panel.appendChild(el("h3", term(part[0])));
      var box = el("div");
      claims(part[1], box);
      panel.appendChild(box);
    });
  }

  // ------------------------------------------------------------ hover tooltips
  var tooltip = document.getElementById("kg-tooltip");
  var pointer = { x: 0, y: 0 };
  container.addEventListener("mousemove", function (ev) {
    pointer.x = ev.clientX; pointer.y = ev.clientY;
    if (!tooltip.hidden) place();
  });
  function place() {
    var x = pointer.x + 14, y = pointer.y + 14;
    if (x + tooltip.offsetWidth > window.innerWidth) x = pointer.x - tooltip.offsetWidth - 14;
    if (y + tooltip.offsetHeight > window.innerHeight) y = Math.max(0, window.innerHeight - tooltip.offsetHeight - 4);
    tooltip.style.left = x + "px"; tooltip.style.top = y + "px";
  }
  function showTip(build) {
    clear(tooltip);
    build(tooltip);
    tooltip.hidden = false;
    place();
  }
  withNetwork(function (network) {
    network.on("hoverNode", function (p) {
      var n = D.nodes[p.node];
      showTip(function (t) {
        t.appendChild(el("strong", n[NODE.label]));
        t.appendChild(classLine(n));
        n[NODE.attributes].slice(0, 6).forEach(function (a) {
          t.appendChild(el("div", term(a[0]) + ": " + short(a[1])));
        });
        var srcs = Object.keys(nodeSources[p.node]).map(function (s) { return D.sources[s][1]; });
        if (srcs.length) t.appendChild(el("div", UI.mentioned_in + ": " + srcs.join("; "), "kg-meta"));
      });
    });
    network.on("hoverEdge", function (p) {
      var e = D.edges[p.edge];
      hoveredEdge = p.edge;
      showTip(function (t) {
        t.appendChild(el("strong", D.nodes[e[0]][NODE.label] + " \u2192 " + D.nodes[e[1]][NODE.label]));
        e[2].forEach(function (part) {
          t.appendChild(el("div", term(part[0]), "kg-fact"));
          claims(part[1], t);
        });
      });
    });
    network.on("blurNode", function () { tooltip.hidden = true; });
    network.on("blurEdge", function () { tooltip.hidden = true; hoveredEdge = null; network.redraw(); });
    network.on("dragStart", function () { tooltip.hidden = true; });
  });

  // ------------------------------------------------------------ filters and highlight
  var hiddenClasses = {};
  var sourceFilter = "";
  var focusNode = null;  // the selected node: its neighbourhood is highlighted and labelled first
  var hood = null;       // the centre of "neighbourhood only", laid out afresh around it
  var onlyNeighbourhood = document.getElementById("kg-neighbourhood");

  function visibleNode(i) {
    if (hiddenClasses[D.nodes[i][NODE.cls]]) return false;
    if (sourceFilter !== "" && !nodeSources[i][sourceFilter]) return false;
    return true;
  }
  function neighbours(i) {
    var set = {}; set[i] = true;
    incident[i].forEach(function (ei) { set[D.edges[ei][0]] = true; set[D.edges[ei][1]] = true; });
    return set;
  }
  function apply() {
    var near = focusNode === null ? null : neighbours(focusNode);
    var inHood = hood === null ? null : neighbours(hood);
    var shown = 0;
    var nodeUpdates = D.nodes.map(function (n, i) {
      var visible = visibleNode(i) && !(inHood && !inHood[i]);
      if (visible) shown++;
      return { id: i, hidden: !visible, opacity: near && !near[i] ? 0.2 : 1 };
    });
    nodes.update(nodeUpdates);
    var edgesShown = 0;
    var edgeUpdates = D.edges.map(function (e, i) {
      var visible = !nodeUpdates[e[0]].hidden && !nodeUpdates[e[1]].hidden &&
        (sourceFilter === "" || edgeSources[i][sourceFilter]);
      if (visible) edgesShown += e[2].length;  // facts, as kg stats counts them
      var dim = near && !(e[0] === focusNode || e[1] === focusNode);
      return { id: i, hidden: !visible, color: { opacity: dim ? 0.15 : 1 } };
    });
    edges.update(edgeUpdates);
    counts(shown, edgesShown);
  }
  function counts(n, e) {
    document.getElementById("kg-counts").textContent = n + " " + UI.entities + ", " + e + " " + UI.relations_count;
  }

  // "Neighbourhood only" lays the neighbourhood out afresh: the centre in the middle, its
  // neighbours on a circle in the order of their angles in the whole network, then spread
  // so that no labels overlap, and fitted to the canvas. Leaving it restores the whole.
  function setHood(i) {
    hood = i;
    onlyNeighbourhood.checked = i !== null;
    apply();
    withNetwork(function (network) {
      var ids = everyVisible();
      var pos = {};
      if (i !== null) {
        var c = home[i], others = ids.filter(function (j) { return j !== i; });
        others.sort(function (a, b) {
          return Math.atan2(home[a].y - c.y, home[a].x - c.x) - Math.atan2(home[b].y - c.y, home[b].x - c.x) || a - b;
        });
        var around = 0;
        others.forEach(function (j) { around += Math.max(2 * sizes[j], labelBoxes[j].h + sizes[j] * 2 + PAD, labelBoxes[j].w * 0.6); });
        var radius = Math.max(120, around / (2 * Math.PI));
        pos[i] = { x: 0, y: 0 };
        others.forEach(function (j, k) {
          var angle = 2 * Math.PI * k / others.length - Math.PI / 2;
          pos[j] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
        });
        arrange(ids, pos);
      } else {
        ids.forEach(function (j) { pos[j] = home[j]; });
      }
      ids.forEach(function (j) { network.moveNode(j, pos[j].x, pos[j].y); });
      if (i !== null) {
        // the rest goes back home, hidden, so that leaving the neighbourhood restores it
        D.nodes.forEach(function (n, j) { if (pos[j] === undefined) network.moveNode(j, home[j].x, home[j].y); });
      } else {
        D.nodes.forEach(function (n, j) { network.moveNode(j, home[j].x, home[j].y); });
      }
      if (large && i === null) network.fit(); else fitTo(ids);
      network.redraw();  // at once: the labels (and window.kgLabels) follow the new layout
    });
  }

  function show(i) {
    focusNode = i;
    withNetwork(function (network) {
      network.selectNodes([i]);
      // the node with its neighbours, as large as fits (at most zoom 1.5)
      fitTo(Object.keys(neighbours(i)).map(Number).filter(function (j) { return !nodes.get(j).hidden; }));
      network.redraw();
    });
    nodePanel(i);
    apply();
  }
  withNetwork(function (network) {
    network.on("click", function (p) {
      if (p.nodes.length) { focusNode = p.nodes[0]; nodePanel(focusNode); apply(); }
      else if (p.edges.length) { focusNode = null; edgePanel(p.edges[0]); apply(); }
      else if (focusNode !== null) { focusNode = null; apply(); }
    });
    network.on("doubleClick", function (p) {
      if (p.nodes.length) { focusNode = p.nodes[0]; nodePanel(focusNode); setHood(p.nodes[0]); }
    });
    network.on("dragEnd", function (p) {  // a dragged node stays where it was put
      p.nodes.forEach(function (i) { if (hood === null) home[i] = network.getPositions([i])[i]; });
    });
  });
  onlyNeighbourhood.addEventListener("change", function () {
    if (onlyNeighbourhood.checked && focusNode === null) { onlyNeighbourhood.checked = false; return; }
    setHood(onlyNeighbourhood.checked ? focusNode : null);
  });
  window.kgNeighbourhood = setHood;

  // ------------------------------------------------------------ legend: class families
  var SVG = "http://www.w3.org/2000/svg";
  var SHAPES = {
    dot: "M7 1.5a5.5 5.5 0 1 0 0.001 0Z",
    square: "M2 2h10v10H2Z",
    diamond: "M7 0.8 13.2 7 7 13.2 0.8 7Z",
    triangle: "M7 1 13 12.5H1Z",
    triangleDown: "M1 1.5h12L7 13Z",
    star: "M7 0.6l1.9 4.1 4.5.5-3.3 3.1.9 4.5L7 10.6l-4 2.2.9-4.5L.6 5.2l4.5-.5Z",
    hexagon: "M3.8 1.5h6.4L13.4 7l-3.2 5.5H3.8L.6 7Z"
  };
  function swatch(shape, color) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 14 14");
    svg.setAttribute("class", "kg-swatch");
    svg.setAttribute("data-shape", shape);
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", SHAPES[shape] || SHAPES.dot);
    path.setAttribute("fill", color);
    path.setAttribute("stroke", "rgba(0,0,0,.45)");
    path.setAttribute("stroke-width", "0.8");
    svg.appendChild(path);
    return svg;
  }
  function classLine(n) {
    var c = D.classes[n[NODE.cls]];
    var p = el("p", null, "kg-meta");
    p.appendChild(swatch(c[3], c[2]));
    p.appendChild(document.createTextNode(" " + c[1] + " \u00b7 " + n[NODE.id]));
    return p;
  }
  document.querySelector("#kg-legend h2").textContent = UI.classes;
  var list = document.getElementById("kg-classes");
  var groups = D.families.map(function (f) { return { family: f, members: [] }; });
  var other = { family: [UI.other, "#8c8c8c", "dot"], members: [] };
  D.classes.forEach(function (c, ci) { (c[5] === null ? other : groups[c[5]]).members.push(ci); });
  groups.push(other);
  // a legend entry starts with a capital ("politician" in English) and wraps at slashes
  function breakable(text) { return (text.charAt(0).toUpperCase() + text.slice(1)).replace(/\//g, "/\u200b"); }
  groups.forEach(function (g) {
    if (!g.members.length) return;
    var details = el("details", null, "kg-family");
    details.open = true;
    var summary = el("summary");
    var label = el("label");
    var all = el("input");
    all.type = "checkbox"; all.checked = true; all.dataset.family = g.family[0];
    var total = g.members.reduce(function (sum, ci) { return sum + D.classes[ci][4]; }, 0);
    label.appendChild(all); label.appendChild(swatch(g.family[2], g.family[1]));
    label.appendChild(el("span", breakable(g.family[0]), "kg-name")); label.appendChild(el("span", total, "kg-count"));
    summary.appendChild(label);
    details.appendChild(summary);
    var ul = el("ul");
    var boxes = [];
    function sync() {
      var on = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = on === boxes.length; all.indeterminate = on > 0 && on < boxes.length;
    }
    g.members.forEach(function (ci) {
      var c = D.classes[ci];
      var li = el("li");
      var row = el("label");
      var box = el("input");
      box.type = "checkbox"; box.checked = true; box.dataset.cls = c[0];
      box.addEventListener("change", function () { hiddenClasses[ci] = !box.checked; sync(); apply(); });
      row.appendChild(box); row.appendChild(swatch(c[3], c[2]));
      row.appendChild(el("span", breakable(c[1]), "kg-name")); row.appendChild(el("span", c[4], "kg-count"));
      li.appendChild(row);
      ul.appendChild(li);
      boxes.push(box);
    });
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; hiddenClasses[g.members[boxes.indexOf(b)]] = !all.checked; });
      sync(); apply();
    });
    details.appendChild(ul);
    list.appendChild(details);
  });
  // a legend taller than its column folds its largest families until it fits (again whenever
  // the note on hidden labels changes its height)
  var legend = document.getElementById("kg-legend");
  var families = Array.prototype.slice.call(list.querySelectorAll("details"))
    .sort(function (a, b) { return b.querySelectorAll("li").length - a.querySelectorAll("li").length; });
  fitLegend = function () {
    for (var f = 0; f < families.length && legend.scrollHeight > legend.clientHeight; f++) families[f].open = false;
  };
  fitLegend();

  // source filter
  var select = document.getElementById("kg-source");
  var all = el("option", UI.all_sources); all.value = ""; select.appendChild(all);
  D.sources.forEach(function (s, si) {
    var o = el("option", s[1]); o.value = String(si); select.appendChild(o);
  });
  select.addEventListener("change", function () { sourceFilter = select.value; apply(); });

  document.querySelector("#kg-neighbourhood-label span").textContent = UI.neighbourhood;
  var reset = document.getElementById("kg-reset");
  reset.textContent = UI.reset;
  reset.addEventListener("click", function () {
    hiddenClasses = {}; sourceFilter = ""; select.value = ""; focusNode = null;
    Array.prototype.forEach.call(list.querySelectorAll("input"), function (b) { b.checked = true; b.indeterminate = false; });
    withNetwork(function (network) { network.unselectAll(); });
    setHood(null);
  });

  // search by name or alias
  var search = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  search.placeholder = UI.search;
  var names = D.nodes.map(function (n) { return [n[NODE.label]].concat(n[NODE.aliases]).map(fold); });
  var keys = D.nodes.map(function (n, i) { return names[i].concat([fold(n[NODE.id])]).join(" | "); });
  function score(i, q) {  // exact name or alias, then a name starting with it, then any match
    var best = 3;
    names[i].forEach(function (name) {
      if (name === q) best = 0;
      else if (best > 1 && name.indexOf(q) === 0) best = 1;
      else if (best > 2 && name.indexOf(" " + q) >= 0) best = 2;
    });
    return best;
  }
  function matches(q) {
    var found = [];
    for (var i = 0; i < keys.length; i++) if (keys[i].indexOf(q) >= 0) found.push([score(i, q), D.nodes[i][NODE.label].length, i]);
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return found.slice(0, 30).map(function (f) { return f[2]; });
  }
  search.addEventListener("input", function () {
    clear(results);
    var q = fold(search.value.trim());
    if (!q) { results.hidden = true; return; }
    var found = matches(q);
    if (!found.length) results.appendChild(el("li", UI.no_match));
    found.forEach(function (i) {
      var li = el("li");
      li.appendChild(document.createTextNode(D.nodes[i][NODE.label] + " "));
      li.appendChild(el("small", D.classes[D.nodes[i][NODE.cls]][1]));
      li.addEventListener("click", function () { results.hidden = true; show(i); });
      results.appendChild(li);
    });
    results.hidden = false;
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(fold(search.value.trim()));
      if (found.length) { results.hidden = true; show(found[0]); }
    } else if (ev.key === "Escape") { results.hidden = true; }
  });

  document.getElementById("kg-hint").textContent = UI.hint;
  counts(D.nodes.length, D.edges.reduce(function (sum, e) { return sum + e[2].length; }, 0));
  window.kgShow = show;

  if (large) {
    drawPreview();
    // let the browser paint the preview before the long construction of the network
    requestAnimationFrame(function () { setTimeout(start, 0); });
  } else {
    start();
  }
})();
