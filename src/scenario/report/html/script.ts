// The page script and style of report.html, run in the browser over window.LAB_REPORT (page.ts) with
// uPlot. Kept as text: it is inlined into the file, never imported.

export const PAGE_STYLE = `
body { font: 14px/1.4 "DejaVu Sans", Verdana, sans-serif; margin: 24px; color: #222; max-width: 1300px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 4px; }
.verdict-PASS { color: #2ca02c; } .verdict-FAIL, .verdict-INTERRUPTED { color: #d62728; }
.panel-title { font-size: 13px; color: #333; margin: 10px 0 0 4px; }
.toolbar { margin: 12px 0; } button { font: inherit; font-size: 12px; margin: 0 4px 4px 0; cursor: pointer; }
table.steps { border-collapse: collapse; margin-top: 8px; } table.steps td { padding: 2px 10px 2px 0; vertical-align: top; }
.kind-action { color: #444; } .kind-held { color: #2ca02c; } .kind-failed { color: #d62728; }
.u-legend { font-size: 12px; text-align: left; } .u-legend .u-marker { width: 10px; height: 10px; }
.hint { color: #666; font-size: 12px; }
`;

export const PAGE_SCRIPT = `
(function () {
  var R = window.LAB_REPORT;
  var app = document.getElementById('app');
  var charts = [];
  window.labCharts = {};
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v, digits) { return v === null || v === undefined ? '—' : Number(v).toFixed(digits); }
  function ms(v) { return v === null || v === undefined ? '—' : v < 10 ? v.toFixed(2) + ' ms' : v < 1000 ? v.toFixed(1) + ' ms' : (v / 1000).toFixed(2) + ' s'; }

  var head = el('div');
  head.appendChild(el('h1', {}, R.name));
  var v = el('div', { class: 'verdict-' + R.verdict }, R.verdict + ' · ' + R.endS.toFixed(1) + 's · ' + R.clients.length + ' client(s)');
  head.appendChild(v);
  head.appendChild(el('div', { class: 'hint' }, 'Hover for a bucket\\'s exact counts · click a legend entry to hide or show it · drag across a panel to zoom (all panels follow) · double-click to zoom out'));
  app.appendChild(head);
  var bar = el('div', { class: 'toolbar' });
  var reset = el('button', { id: 'zoom-reset' }, 'whole run');
  reset.onclick = function () { zoom(0, R.endS); };
  bar.appendChild(reset);
  app.appendChild(bar);

  var LABEL_BAND = 44; // room above the top panel for three lanes of step labels
  var syncing = false;
  function zoom(min, max) {
    syncing = true;
    charts.forEach(function (u) { u.setScale('x', { min: Math.max(0, min), max: Math.min(R.endS, max) }); });
    syncing = false;
  }

  // Step markers on every panel; their labels on the top one, in lanes so none overlaps another.
  function markerPlugin(markers, labelled) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, dpr = devicePixelRatio || 1;
          ctx.save();
          ctx.font = (11 * dpr) + 'px DejaVu Sans, Verdana, sans-serif';
          var laneEnds = [];
          markers.forEach(function (m) {
            var x = u.valToPos(m.at, 'x', true);
            if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
            ctx.strokeStyle = R.colors.markers[m.kind];
            ctx.setLineDash(m.kind === 'action' ? [5 * dpr, 3 * dpr] : [2 * dpr, 2 * dpr]);
            ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
            if (!labelled) return;
            var w = ctx.measureText(m.label).width;
            var x0 = x + 3 * dpr + w > u.bbox.left + u.bbox.width ? x - 3 * dpr - w : x + 3 * dpr;
            var lane = laneEnds.findIndex(function (end) { return end + 6 * dpr <= x0; });
            if (lane < 0) { lane = laneEnds.length; laneEnds.push(0); }
            laneEnds[lane] = x0 + w;
            ctx.fillStyle = R.colors.markers[m.kind];
            ctx.fillText(m.label, x0, u.bbox.top - LABEL_BAND * dpr + (lane + 1) * 13 * dpr);
          });
          ctx.restore();
        }],
      },
    };
  }

  // Behind the shares: each bucket whose calls failed, shaded as deep as the share that failed (a
  // frozen backend keeps its share while every call to it times out).
  function failingPlugin(c) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = R.colors.failed;
          c.t.forEach(function (t, i) {
            if (!c.shade[i]) return;
            var x0 = u.valToPos(Math.max(0, t - c.bucketS), 'x', true), x1 = u.valToPos(t, 'x', true);
            var l = Math.max(x0, u.bbox.left), r = Math.min(x1, u.bbox.left + u.bbox.width);
            if (r <= l) return;
            ctx.globalAlpha = c.shade[i];
            ctx.fillRect(l, u.bbox.top, r - l, u.bbox.height);
          });
          ctx.restore();
        }],
      },
    };
  }

  // A value with no neighbour (a bucket between empty ones) draws no line: show it as a point.
  function isolatedPoints(values) {
    var idx = [];
    values.forEach(function (v, i) {
      if (v !== null && (i === 0 || values[i - 1] === null) && (i === values.length - 1 || values[i + 1] === null)) idx.push(i);
    });
    return { show: true, size: 5, filter: function () { return idx; } };
  }

  var syncKey = uPlot.sync('lab');
  function makeChart(where, title, c, opts) {
    where.appendChild(el('div', { class: 'panel-title' }, title));
    var box = el('div', { 'data-panel': opts.kind, 'data-client': c.client });
    where.appendChild(box);
    var u = new uPlot({
      width: Math.min(1250, (window.innerWidth || 1300) - 60),
      height: opts.height,
      padding: opts.padding || [8, 12, 0, 0],
      cursor: { sync: { key: syncKey.key }, drag: { x: true, y: false } },
      scales: Object.assign({ x: { time: false, min: 0, max: R.endS } }, opts.scales || {}),
      axes: [
        { label: 'time since traffic started (s)', values: function (u, vs) { return vs.map(function (x) { return x + 's'; }); } },
        { label: opts.yLabel, size: 70, values: opts.yValues },
      ],
      series: [{ label: 't', value: function (u, x) { return x === null ? '—' : x.toFixed(2) + 's'; } }].concat(opts.series),
      plugins: [markerPlugin(c.markers, opts.labelled)].concat(opts.plugins || []),
      hooks: {
        setScale: [function (u, key) {
          if (key !== 'x' || syncing) return;
          var mn = u.scales.x.min, mx = u.scales.x.max;
          syncing = true;
          charts.forEach(function (o) { if (o !== u) o.setScale('x', { min: mn, max: mx }); });
          syncing = false;
        }],
      },
    }, opts.data, box);
    charts.push(u);
    return u;
  }

  R.clients.forEach(function (c) {
    var sec = el('section', { 'data-client': c.client });
    sec.appendChild(el('h2', {}, 'client ' + c.client));
    app.appendChild(sec);
    var total = c.t.map(function (_, i) { return c.ok[i] + c.codes.reduce(function (n, k) { return n + c.failed[k][i]; }, 0); });
    var share = makeChart(sec, 'share of calls per backend (%), shaded red where calls failed', c, {
      kind: 'share', height: 320, labelled: true, padding: [LABEL_BAND, 12, 0, 0], plugins: [failingPlugin(c)],
      yLabel: 'share %', scales: { y: { range: [0, 100] } },
      yValues: function (u, vs) { return vs.map(function (x) { return x + '%'; }); },
      series: c.backends.map(function (b) {
        return {
          label: b, stroke: R.colors.backends[b], width: 2, spanGaps: false, points: isolatedPoints(c.share[b]),
          value: function (u, v, si, i) { return i === null || v === null || v === undefined ? '—' : fmt(v, 1) + '% (' + c.calls[b][i] + ' of ' + total[i] + ' calls)'; },
        };
      }),
      data: [c.t].concat(c.backends.map(function (b) { return c.share[b]; })),
    });
    // Calls per second, stacked: each layer is drawn from the ground up to its cumulative top, the
    // highest first, so each shows as its own band; the legend gives the layer's own count.
    var layers = [{ label: 'succeeded', color: R.colors.ok, values: c.ok }].concat(c.codes.map(function (k) { return { label: k, color: R.colors.codes[k], values: c.failed[k] }; }));
    var cum = [], run = c.t.map(function () { return 0; });
    layers.forEach(function (l) { run = run.map(function (x, i) { return x + l.values[i] / c.bucketS; }); cum.push(run); });
    var order = layers.map(function (_, i) { return i; }).reverse();
    var stepped = uPlot.paths.stepped({ align: -1 });
    var rate = makeChart(sec, 'calls per second: succeeded, and failed by status code', c, {
      kind: 'rate', height: 230, yLabel: 'calls/s',
      series: order.map(function (li) {
        var l = layers[li];
        return {
          label: l.label, stroke: l.color, fill: l.color, width: 1, paths: stepped,
          value: function (u, v, si, i) { return i === null ? '—' : l.values[i] + ' calls (' + fmt(l.values[i] / c.bucketS, 0) + '/s)'; },
        };
      }),
      data: [c.t].concat(order.map(function (li) { return cum[li]; })),
    });
    var p50 = c.p50.map(function (x) { return x === null ? null : Math.max(0.1, x); });
    var p99 = c.p99.map(function (x) { return x === null ? null : Math.max(0.1, x); });
    var latency = makeChart(sec, 'latency p50 and p99 (log scale)', c, {
      kind: 'latency', height: 230, yLabel: 'ms', scales: { y: { distr: 3 } },
      yValues: function (u, vs) { return vs.map(function (x) { return x === null ? '' : x >= 1000 ? x / 1000 + ' s' : x + ' ms'; }); },
      series: [
        { label: 'p50', stroke: R.colors.p50, width: 1.5, dash: [4, 2], points: isolatedPoints(p50), value: function (u, v) { return ms(v); } },
        { label: 'p99', stroke: R.colors.p99, width: 2, points: isolatedPoints(p99), value: function (u, v) { return ms(v); } },
      ],
      data: [c.t, p50, p99],
    });
    window.labCharts[c.client] = { share: share, rate: rate, latency: latency, series: c };
  });

  app.appendChild(el('h2', {}, 'Steps'));
  var table = el('table', { class: 'steps' });
  R.steps.forEach(function (s) {
    var tr = el('tr', { class: 'kind-' + s.kind });
    var td = el('td');
    var b = el('button', { 'data-step': String(s.index) }, 'zoom ±5s');
    b.onclick = function () { zoom(s.at - 5, s.at + 5); };
    td.appendChild(b);
    tr.appendChild(td);
    tr.appendChild(el('td', {}, s.text));
    table.appendChild(tr);
  });
  app.appendChild(table);
  window.labZoom = zoom;
  document.body.setAttribute('data-ready', 'true');
})();
`;
