// The HTML view's script, inlined into the page: draws the laid-out graph (positions computed in
// layout.ts) as SVG, then zoom (wheel, buttons), pan (drag), click a node for its details, click
// an incident to focus on its nodes. Plain ES2017, no libraries, no network. Every text from the
// graph goes in through textContent, never innerHTML: log lines and paths are attacker-controlled.
// When drawing is done it sets data-drawn-nodes / data-drawn-edges on <html> (tests read them),
// and data-fit-scale, the zoom "fit" chose (below about 0.6 the labels are too small to read);
// on failure it sets data-render-error and shows the message. #node=<id> / #incident=<id> in the
// URL open the page with that node selected / that incident in focus.
// (Kept free of backquotes and dollar-brace so it can live in this template string.)
export const HTML_CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var root = document.documentElement;
  try {
    var data = JSON.parse(document.getElementById('graph-data').textContent);
    var svg = document.getElementById('graph');
    var viewport = document.getElementById('viewport');
    var W = data.layout.nodeWidth, H = data.layout.nodeHeight;
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });

    function el(name, attrs, parent) {
      var e = document.createElementNS(SVGNS, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
      if (parent) parent.appendChild(e);
      return e;
    }
    function html(name, text, parent, cls) {
      var e = document.createElement(name);
      if (text !== undefined && text !== null) e.textContent = text;
      if (cls) e.className = cls;
      if (parent) parent.appendChild(e);
      return e;
    }
    function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + '\u2026' : text; }
    function fitText(node, text, width) {
      node.textContent = text;
      if (typeof node.getComputedTextLength !== 'function' || node.getComputedTextLength() <= width) return;
      var fromLeft = /^\/\S*\/\S*$/.test(text) || text.charAt(0) === '\u2026';
      var lo = 1, hi = text.length - 1;
      while (lo < hi) {
        var mid = Math.ceil((lo + hi) / 2);
        node.textContent = cut(text, mid, fromLeft);
        if (node.getComputedTextLength() <= width) lo = mid; else hi = mid - 1;
      }
      node.textContent = cut(text, lo, fromLeft);
    }
    function cut(text, n, fromLeft) { return fromLeft ? '\u2026' + text.slice(text.length - n) : text.slice(0, n) + '\u2026'; }

    // Edges first, so nodes are drawn over them. Arrows point from the dependent to its cause (PROV).
    var edgeLayer = el('g', { 'class': 'edges' }, viewport);
    var nodeLayer = el('g', { 'class': 'nodes' }, viewport);
    var edgeEls = {}, nodeEls = {}, drawnEdges = 0, drawnNodes = 0;
    var pairs = {};
    data.edges.forEach(function (e) { pairs[e.from + '\u0000' + e.to] = true; });
    data.edges.forEach(function (e) {
      var a = byId[e.from], b = byId[e.to];
      if (!a || !b) return;
      // Two relations between the same nodes in opposite directions (wrote to and read from a socket) are drawn apart.
      var dy = pairs[e.to + '\u0000' + e.from] ? (e.from < e.to ? -7 : 7) : 0;
      var ay = a.y + H / 2 + dy, by = b.y + H / 2 + dy, x1, x2, d;
      if (a.x > b.x) { x1 = a.x; x2 = b.x + W; d = curve(x1, ay, x2, by); }
      else if (a.x < b.x) { x1 = a.x + W; x2 = b.x; d = curve(x1, ay, x2, by); }
      else { x1 = a.x + W; x2 = b.x + W; d = 'M' + x1 + ' ' + ay + ' C' + (x1 + 70) + ' ' + ay + ' ' + (x2 + 70) + ' ' + by + ' ' + x2 + ' ' + by; }
      var g = el('g', { 'class': 'edge' + (e.onPath ? ' on-path' : ''), 'data-id': e.id }, edgeLayer);
      el('path', { d: d, 'marker-end': e.onPath ? 'url(#arrow-path)' : 'url(#arrow)' }, g);
      var t = el('text', { x: (x1 + x2) / 2, y: (ay + by) / 2 + (dy > 0 ? 12 : -4), 'text-anchor': 'middle' }, g);
      t.textContent = clip(e.label, 40);
      el('title', {}, g).textContent = e.label;
      edgeEls[e.id] = g;
      drawnEdges++;
    });
    function curve(x1, y1, x2, y2) {
      var mx = (x1 + x2) / 2;
      return 'M' + x1 + ' ' + y1 + ' C' + mx + ' ' + y1 + ' ' + mx + ' ' + y2 + ' ' + x2 + ' ' + y2;
    }

    data.nodes.forEach(function (n) {
      var cls = 'node prov-' + n.provClass + (n.role ? ' role-' + n.role : '') + (n.missing ? ' missing' : '') + (n.fold ? ' fold' : '');
      var g = el('g', { 'class': cls, 'data-id': n.id, transform: 'translate(' + n.x + ',' + n.y + ')' }, nodeLayer);
      if (n.provClass === 'activity') el('rect', { 'class': 'shape', width: W, height: H, rx: 3 }, g);
      else if (n.provClass === 'agent') el('polygon', { 'class': 'shape', points: '0,' + H * 0.3 + ' ' + W / 2 + ',0 ' + W + ',' + H * 0.3 + ' ' + W + ',' + H + ' 0,' + H }, g);
      else el('ellipse', { 'class': 'shape', cx: W / 2, cy: H / 2, rx: W / 2, ry: H / 2 }, g);
      // Each line is cut to what fits the box as measured in this browser (paths keep their end).
      var lines = n.lines || [n.label, n.kind || n.provClass];
      var room = n.provClass === 'entity' ? W - 28 : W - 10; // an ellipse is narrower away from its middle
      fitText(el('text', { x: W / 2, y: H / 2 - 1, 'text-anchor': 'middle' }, g), lines[0], room);
      fitText(el('text', { 'class': 'sub', x: W / 2, y: H / 2 + 12, 'text-anchor': 'middle' }, g), lines[1], room - 6);
      el('title', {}, g).textContent = n.label + '\n' + n.id;
      g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
      nodeEls[n.id] = g;
      drawnNodes++;
    });

    // Zoom and pan: one transform on the viewport group.
    var view = { x: 0, y: 0, k: 1 };
    function apply() { viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); }
    function fit() {
      var box = svg.getBoundingClientRect();
      var pad = 40, w = Math.max(1, data.layout.width), h = Math.max(1, data.layout.height);
      view.k = Math.min(1.5, Math.max(0.05, Math.min((box.width - 2 * pad) / w, (box.height - 2 * pad) / h)));
      view.x = (box.width - w * view.k) / 2;
      view.y = (box.height - h * view.k) / 2;
      apply();
      root.setAttribute('data-fit-scale', view.k.toFixed(3));
    }
    function zoomAt(factor, cx, cy) {
      var k = Math.min(8, Math.max(0.05, view.k * factor));
      view.x = cx - (cx - view.x) * (k / view.k);
      view.y = cy - (cy - view.y) * (k / view.k);
      view.k = k;
      apply();
    }
    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var box = svg.getBoundingClientRect();
      zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - box.left, ev.clientY - box.top);
    }, { passive: false });
    var drag = null;
    svg.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false }; svg.classList.add('panning'); });
    window.addEventListener('mousemove', function (ev) {
      if (!drag) return;
      view.x = drag.vx + ev.clientX - drag.x;
      view.y = drag.vy + ev.clientY - drag.y;
      if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
      apply();
    });
    window.addEventListener('mouseup', function () { svg.classList.remove('panning'); setTimeout(function () { drag = null; }, 0); });
    svg.addEventListener('click', function () { if (!drag || !drag.moved) { select(null); focusIncident(null); } });
    function centre() { var b = svg.getBoundingClientRect(); return [b.width / 2, b.height / 2]; }
    document.getElementById('zoom-in').addEventListener('click', function () { var c = centre(); zoomAt(1.3, c[0], c[1]); });
    document.getElementById('zoom-out').addEventListener('click', function () { var c = centre(); zoomAt(1 / 1.3, c[0], c[1]); });
    document.getElementById('zoom-fit').addEventListener('click', fit);

    // Details of the selected node: its fields, what it depends on, what depends on it, its log lines.
    var details = document.getElementById('details');
    var selected = null;
    function select(id) {
      if (selected && nodeEls[selected]) nodeEls[selected].classList.remove('selected');
      Object.keys(edgeEls).forEach(function (k) { edgeEls[k].classList.remove('near'); });
      selected = id && byId[id] ? id : null;
      details.textContent = '';
      if (!selected) { html('p', 'Click a node to see its details.', details, 'hint'); return; }
      var n = byId[selected];
      nodeEls[selected].classList.add('selected');
      html('h3', n.label, details);
      var table = html('table', null, details);
      n.details.forEach(function (row) {
        var tr = html('tr', null, table);
        html('td', row[0], tr);
        html('td', row[1], tr);
      });
      var causes = [], effects = [];
      data.edges.forEach(function (e) {
        if (e.from === selected) { causes.push(e); if (edgeEls[e.id]) edgeEls[e.id].classList.add('near'); }
        if (e.to === selected) { effects.push(e); if (edgeEls[e.id]) edgeEls[e.id].classList.add('near'); }
      });
      relationList('depends on (' + causes.length + ')', causes, 'to');
      relationList('affected (' + effects.length + ')', effects, 'from');
      if (n.logLines && n.logLines.length) {
        html('h2', 'log lines (' + n.logs + ')', details);
        n.logLines.forEach(function (line) { html('div', line, details, 'log'); });
      }
      if (n.members && n.members.length) {
        html('h2', 'folded here (' + n.fold + ')', details);
        var list = html('ul', null, details);
        n.members.forEach(function (m) { html('li', m, list); });
        if (n.fold > n.members.length) html('p', '\u2026 and ' + (n.fold - n.members.length) + ' more', details, 'hint');
      }
    }
    function relationList(title, edges, end) {
      if (!edges.length) return;
      html('h2', title, details);
      var ul = html('ul', null, details);
      edges.forEach(function (e) {
        var li = html('li', e.label + ' ', ul);
        var other = byId[e[end]];
        var a = html('a', other ? other.label : e[end], li);
        a.addEventListener('click', function () { select(e[end]); });
      });
    }

    // Incidents: clicking one dims everything that is not part of it.
    var focused = null;
    function focusIncident(index) {
      var items = document.querySelectorAll('.incident');
      for (var i = 0; i < items.length; i++) items[i].classList.remove('selected');
      Object.keys(nodeEls).forEach(function (k) { nodeEls[k].classList.remove('in-focus'); });
      Object.keys(edgeEls).forEach(function (k) { edgeEls[k].classList.remove('in-focus'); });
      focused = index === focused ? null : index;
      if (focused === null || !data.incidents[focused]) { svg.classList.remove('focus'); focused = null; return; }
      var inc = data.incidents[focused];
      svg.classList.add('focus');
      inc.nodes.forEach(function (id) { if (nodeEls[id]) nodeEls[id].classList.add('in-focus'); });
      inc.edges.forEach(function (id) { if (edgeEls[id]) edgeEls[id].classList.add('in-focus'); });
      var item = document.querySelector('.incident[data-index="' + focused + '"]');
      if (item) item.classList.add('selected');
    }
    var incidentItems = document.querySelectorAll('.incident');
    for (var i = 0; i < incidentItems.length; i++) {
      (function (item) {
        item.addEventListener('click', function () { focusIncident(Number(item.getAttribute('data-index'))); });
      })(incidentItems[i]);
    }

    fit();
    select(null);
    // A link can open the page on one node (#node=<id>) or one incident (#incident=<id>).
    var hash = decodeURIComponent(location.hash.slice(1));
    if (hash.indexOf('node=') === 0) select(hash.slice(5));
    if (hash.indexOf('incident=') === 0) {
      data.incidents.forEach(function (inc, index) { if (inc.id === hash.slice(9)) focusIncident(index); });
    }
    window.addEventListener('resize', fit);
    root.setAttribute('data-drawn-nodes', String(drawnNodes));
    root.setAttribute('data-drawn-edges', String(drawnEdges));
  } catch (err) {
    root.setAttribute('data-render-error', String(err && err.message ? err.message : err));
    var box = document.getElementById('error');
    if (box) { box.textContent = 'The graph could not be drawn: ' + String(err && err.message ? err.message : err); box.style.display = 'block'; }
  }
})();
`;
