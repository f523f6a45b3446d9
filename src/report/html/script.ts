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
.about { white-space: pre-wrap; font: 13px/1.45 "DejaVu Sans Mono", monospace; background: #f6f6f6; border-left: 3px solid #bbb; padding: 8px 12px; margin: 10px 0; max-width: 1000px; }
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
  if (R.about) head.appendChild(el('div', { class: 'about', id: 'about' }, R.about));
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

  // Each backend's band named where it is widest for longest (c.labels), in white inside it, when
  // the name fits; placed from the data drawn now, so a hidden backend's neighbours restack under it.
  function bandLabelPlugin(c, backendSeries) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, dpr = devicePixelRatio || 1;
          ctx.save();
          ctx.font = 'bold ' + (11 * dpr) + 'px DejaVu Sans, Verdana, sans-serif';
          ctx.fillStyle = '#fff';
          ctx.textAlign = 'center';
          c.labels.forEach(function (l) {
            var si = backendSeries[l.backend];
            if (!u.series[si].show) return;
            var hi = u.data[si][2 * l.i + 1], share = c.share[l.backend][l.i];
            if (hi === null || share === null) return;
            var yTop = u.valToPos(hi, 'y', true), yBottom = u.valToPos(hi - share, 'y', true);
            var x = u.valToPos(l.at, 'x', true), w = ctx.measureText(l.backend).width;
            var left = Math.max(u.bbox.left, u.valToPos(l.from, 'x', true)), right = Math.min(u.bbox.left + u.bbox.width, u.valToPos(l.to, 'x', true));
            if (yBottom - yTop < 13 * dpr || x - w / 2 < left || x + w / 2 > right) return;
            ctx.fillText(l.backend, x, (yTop + yBottom) / 2 + 4 * dpr);
          });
          ctx.restore();
        }],
      },
    };
  }

  // Failed calls per second on a log scale: a bar per bucket with a failure, never shorter than a
  // mark at the bottom, so a single failure shows beside thousands of successes.
  function failedPlugin(c) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, dpr = devicePixelRatio || 1, bottom = u.bbox.top + u.bbox.height;
          ctx.save();
          if (!c.failedCalls.some(function (n) { return n > 0; })) {
            ctx.fillStyle = '#888';
            ctx.font = (11 * dpr) + 'px DejaVu Sans, Verdana, sans-serif';
            ctx.textAlign = 'center';
            ctx.fillText('no call failed', u.bbox.left + u.bbox.width / 2, u.bbox.top + u.bbox.height / 2);
          } else if (u.series[1].show) {
            ctx.fillStyle = R.colors.failed;
            ctx.beginPath();
            ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
            ctx.clip();
            c.t.forEach(function (t, i) {
              if (!c.failedCalls[i]) return;
              var x0 = u.valToPos(c.t0[i], 'x', true), x1 = u.valToPos(t, 'x', true);
              var top = Math.min(u.valToPos(c.failedCalls[i] / c.spanS[i], 'y', true), bottom - R.colors.failedMark * dpr);
              ctx.fillRect(x0, top, Math.max(2 * dpr, x1 - x0 - 0.5 * dpr), bottom - top);
            });
          }
          ctx.restore();
        }],
      },
    };
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    return ([1, 2, 5, 10].find(function (m) { return m * p >= v; }) || 10) * p;
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
        // The axis is named under the client's last panel only (the same axis under every one).
        Object.assign(opts.kind === 'latency' ? { label: 'time since traffic started (s)' } : {}, { values: function (u, vs) { return vs.map(function (x) { return x + 's'; }); } }),
        { label: opts.yLabel, size: 70, values: opts.yValues },
      ],
      series: [{ label: 't', value: function (u, x) { return x === null ? '—' : x.toFixed(2) + 's'; } }].concat(opts.series),
      plugins: [markerPlugin(c.markers, opts.labelled)].concat(opts.plugins || []),
      hooks: Object.assign({
        setScale: [function (u, key) {
          if (key !== 'x' || syncing) return;
          var mn = u.scales.x.min, mx = u.scales.x.max;
          syncing = true;
          charts.forEach(function (o) { if (o !== u) o.setScale('x', { min: mn, max: mx }); });
          syncing = false;
        }],
      }, opts.hooks || {}),
    }, opts.data, box);
    charts.push(u);
    return u;
  }

  R.clients.forEach(function (c) {
    var sec = el('section', { 'data-client': c.client });
    sec.appendChild(el('h2', {}, 'client ' + c.client));
    if (c.about) sec.appendChild(el('div', { class: 'hint', 'data-client-about': c.client }, c.about));
    app.appendChild(sec);
    var total = c.t.map(function (_, i) { return c.ok[i] + c.codes.reduce(function (n, k) { return n + c.failed[k][i]; }, 0); });
    // A bucket is a span: each value drawn from the bucket's start to its end (two points), so a
    // bucket between two empty ones is as wide as any other and a short last one only as wide as it is.
    var X2 = [];
    c.t.forEach(function (t, i) { X2.push(c.t0[i] + 1e-6, t); });
    function twice(vs) { var out = []; vs.forEach(function (v) { out.push(v, v); }); return out; }
    function bucketOf(i) { return i === null || i === undefined ? null : i >> 1; }

    // Shares stacked: each backend a band from the ones under it (name order, the first at the
    // bottom) to its own top, each drawn from the ground to its top, the highest first; the legend
    // lists them top to bottom, as the bands lie. Hiding one restacks the others.
    var top = c.backends.slice().reverse();
    var backendSeries = {};
    top.forEach(function (b, i) { backendSeries[b] = i + 1; });
    function stacked(shown) {
      var run = c.t.map(function () { return 0; }), hi = {};
      c.backends.forEach(function (b) {
        if (!shown[b]) { hi[b] = c.t.map(function () { return null; }); return; }
        run = run.map(function (x, i) { return c.share[b][i] === null ? x : x + c.share[b][i]; });
        hi[b] = run.map(function (x, i) { return c.share[b][i] === null ? null : x; });
      });
      return [X2].concat(top.map(function (b) { return twice(hi[b]); }));
    }
    var allShown = {};
    c.backends.forEach(function (b) { allShown[b] = true; });
    var share = makeChart(sec, c.titles.share, c, {
      kind: 'share', height: 320, labelled: true, padding: [LABEL_BAND, 12, 0, 0], plugins: [bandLabelPlugin(c, backendSeries)],
      yLabel: 'share %', scales: { y: { range: [0, 100] } },
      yValues: function (u, vs) { return vs.map(function (x) { return x + '%'; }); },
      series: top.map(function (b) {
        return {
          label: b, stroke: '#ffffff', fill: R.colors.backends[b], width: 1, spanGaps: false, points: { show: false },
          value: function (u, v, si, i) { var k = bucketOf(i), x = k === null ? null : c.share[b][k]; return x === null || x === undefined ? '—' : fmt(x, 1) + '% (' + c.calls[b][k] + ' of ' + total[k] + ' calls)'; },
        };
      }),
      data: stacked(allShown),
      hooks: {
        setSeries: [function (u) {
          var shown = {};
          top.forEach(function (b, i) { shown[b] = u.series[i + 1].show; });
          u.setData(stacked(shown), false);
        }],
      },
    });

    var rates = c.failedCalls.map(function (n, i) { return n > 0 ? n / c.spanS[i] : null; });
    var some = rates.filter(function (r) { return r !== null; });
    var lo = some.length ? Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, some)))) : 1;
    var hi = some.length ? Math.max(lo * 10, Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, some))))) : 10;
    var failed = makeChart(sec, c.titles.failed, c, {
      kind: 'failed', height: 130, yLabel: 'failed/s', plugins: [failedPlugin(c)],
      scales: { y: { distr: 3, range: [lo, hi] } },
      yValues: function (u, vs) { return vs.map(function (x) { return x === null ? '' : x + '/s'; }); },
      series: [{
        label: 'failed calls', stroke: R.colors.failed, fill: R.colors.failed, width: 1, paths: function () { return null; }, points: { show: false },
        value: function (u, v, si, i) { var k = bucketOf(i); return k === null ? '—' : c.failedCalls[k] + ' calls (' + fmt(c.failedCalls[k] / c.spanS[k], 0) + '/s)'; },
      }],
      data: [X2, twice(rates)],
    });

    // Calls per second, stacked: each layer is drawn from the ground up to its cumulative top, the
    // highest first, so each shows as its own band; the legend gives the layer's own count. From 0.
    var layers = [{ label: 'succeeded', color: R.colors.ok, values: c.ok }].concat(c.codes.map(function (k) { return { label: k, color: R.colors.codes[k], values: c.failed[k] }; }));
    var cum = [], run = c.t.map(function () { return 0; });
    layers.forEach(function (l) { run = run.map(function (x, i) { return x + l.values[i] / c.spanS[i]; }); cum.push(run); });
    var order = layers.map(function (_, i) { return i; }).reverse();
    var rate = makeChart(sec, c.titles.rate, c, {
      kind: 'rate', height: 230, yLabel: 'calls/s',
      scales: { y: { range: function (u, mn, mx) { return [0, niceMax(mx)]; } } },
      series: order.map(function (li) {
        var l = layers[li];
        return {
          label: l.label, stroke: l.color, fill: l.color, width: 1, points: { show: false },
          value: function (u, v, si, i) { var k = bucketOf(i); return k === null ? '—' : l.values[k] + ' calls (' + fmt(l.values[k] / c.spanS[k], 0) + '/s)'; },
        };
      }),
      data: [X2].concat(order.map(function (li) { return twice(cum[li]); })),
    });
    var p50 = c.p50.map(function (x) { return x === null ? null : Math.max(0.1, x); });
    var p99 = c.p99.map(function (x) { return x === null ? null : Math.max(0.1, x); });
    var latency = makeChart(sec, c.titles.latency, c, {
      kind: 'latency', height: 230, yLabel: 'ms', scales: { y: { distr: 3 } },
      yValues: function (u, vs) { return vs.map(function (x) { return x === null ? '' : x >= 1000 ? x / 1000 + ' s' : x + ' ms'; }); },
      series: [
        { label: 'p50', stroke: R.colors.p50, width: 1.5, dash: [4, 2], points: isolatedPoints(p50), value: function (u, v) { return ms(v); } },
        { label: 'p99', stroke: R.colors.p99, width: 2, points: isolatedPoints(p99), value: function (u, v) { return ms(v); } },
      ],
      data: [c.t, p50, p99],
    });
    window.labCharts[c.client] = { share: share, failed: failed, rate: rate, latency: latency, series: c };
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
