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
  var visNodes = D.nodes.map(function (n, i) {
    var c = D.classes[n[NODE.cls]];
    var node = { id: i, label: short(n[NODE.label]), shape: c[3], color: c[2], value: n[NODE.degree] };
    if (!D.physics) { node.x = n[NODE.x]; node.y = n[NODE.y]; }
    return node;
  });
  // Large views draw edges without labels (they would be unreadably small anyway and cost a
  // quarter of the first draw at 20 k nodes); tooltips and the panel still name each relation.
  var visEdges = D.edges.map(function (e, i) {
    var edge = { id: i, from: e[0], to: e[1] };
    if (D.physics) edge.label = e[2].map(function (p) { return term(p[0]); }).join(" / ");
    return edge;
  });
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var large = !D.physics;
  var options = {
    autoResize: true,
    layout: { randomSeed: 7, improvedLayout: D.nodes.length <= 200 },
    nodes: {
      borderWidth: 1,
      scaling: { min: 8, max: 34, label: { enabled: true, min: 11, max: 20, drawThreshold: 6 } },
      font: { size: 12, face: "system-ui, Arial, sans-serif" }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      color: { color: "#9aa3ad", highlight: "#2b2b2b", hover: "#555" },
      font: { size: 9, color: "#555", strokeWidth: 2, align: "middle" },
      scaling: { label: { drawThreshold: 7 } },
      smooth: large ? false : { enabled: true, type: "continuous", roundness: 0.3 },
      width: 1
    },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: large, hideEdgesOnZoom: large },
    physics: large ? false : {
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -60, springLength: 90, avoidOverlap: 0.4 },
      stabilization: { enabled: true, iterations: 400, updateInterval: 50, fit: true }
    }
  };
  var container = document.getElementById("kg-network");
  var network = null;
  var waiting = [];  // what needs the network, run as soon as it exists
  function withNetwork(f) { if (network) f(network); else waiting.push(f); }
  window.kgNodeCount = D.nodes.length;
  window.kgEdgeCount = D.edges.length;

  function start() {
    network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    window.kgNetwork = network;
    network.once("afterDrawing", function () {
      var now = performance.now();
      if (window.kgFirstDraw === undefined) window.kgFirstDraw = now;
      window.kgInteractive = now;
      // vis-network empties its container when it is built, so the preview may be gone already
      if (preview && preview.parentNode) preview.parentNode.removeChild(preview);
      preview = null;
    });
    if (large) {
      window.kgSettled = true;
    } else {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: false });  // settled: freeze, so nodes stay where they are
        window.kgSettled = true;
      });
    }
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
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, minD = Infinity, maxD = 0;
    D.nodes.forEach(function (n) {
      minX = Math.min(minX, n[NODE.x]); maxX = Math.max(maxX, n[NODE.x]);
      minY = Math.min(minY, n[NODE.y]); maxY = Math.max(maxY, n[NODE.y]);
      minD = Math.min(minD, n[NODE.degree]); maxD = Math.max(maxD, n[NODE.degree]);
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
        var size = 8 + (maxD > minD ? (n[NODE.degree] - minD) / (maxD - minD) : 0) * 26;
        var r = Math.max(1.5, size * scale), x = px(n), y = py(n);
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
  function classLine(n) {
    var c = D.classes[n[NODE.cls]];
    var p = el("p", null, "kg-meta");
    var sw = el("span", null, "kg-swatch " + c[3]);
    sw.style.background = c[2];
    p.appendChild(sw);
    p.appendChild(document.createTextNode(" " + c[1] + " \u00b7 " + n[NODE.id]));
    return p;
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
      showTip(function (t) {
        t.appendChild(el("strong", D.nodes[e[0]][NODE.label] + " \u2192 " + D.nodes[e[1]][NODE.label]));
        e[2].forEach(function (part) {
          t.appendChild(el("div", term(part[0]), "kg-fact"));
          claims(part[1], t);
        });
      });
    });
    network.on("blurNode", function () { tooltip.hidden = true; });
    network.on("blurEdge", function () { tooltip.hidden = true; });
    network.on("dragStart", function () { tooltip.hidden = true; });
  });

  // ------------------------------------------------------------ filters and highlight
  var hiddenClasses = {};
  var sourceFilter = "";
  var focusNode = null;
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
    var shown = 0;
    var nodeUpdates = D.nodes.map(function (n, i) {
      var visible = visibleNode(i) && !(onlyNeighbourhood.checked && near && !near[i]);
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

  function show(i) {
    focusNode = i;
    withNetwork(function (network) {
      network.selectNodes([i]);
      network.focus(i, { scale: Math.max(network.getScale(), 0.8), animation: false });
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
      if (p.nodes.length) { onlyNeighbourhood.checked = true; focusNode = p.nodes[0]; apply(); }
    });
  });
  onlyNeighbourhood.addEventListener("change", apply);

  // legend with class filters
  document.querySelector("#kg-legend h2").textContent = UI.classes;
  var list = document.getElementById("kg-classes");
  D.classes.forEach(function (c, ci) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.dataset.cls = c[0];
    box.addEventListener("change", function () { hiddenClasses[ci] = !box.checked; apply(); });
    var sw = el("span", null, "kg-swatch " + c[3]);
    sw.style.background = c[2];
    label.appendChild(box); label.appendChild(sw); label.appendChild(el("span", c[1])); label.appendChild(el("span", c[4], "kg-count"));
    li.appendChild(label);
    list.appendChild(li);
  });

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
    hiddenClasses = {}; sourceFilter = ""; select.value = ""; focusNode = null; onlyNeighbourhood.checked = false;
    Array.prototype.forEach.call(list.querySelectorAll("input"), function (b) { b.checked = true; });
    apply();
    withNetwork(function (network) { network.unselectAll(); network.fit(); });
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
