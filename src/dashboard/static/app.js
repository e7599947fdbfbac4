// The dashboard page: loads /analytics/dashboard (the session cookie authenticates it), draws
// it, and reloads on its own. Amounts arrive as exact decimal strings; they become numbers
// only to be drawn.
(function () {
  const script = document.getElementById('app-script');
  const refreshMs = Math.max(2, Number(script.dataset.refreshSeconds) || 10) * 1000;
  let range = new URLSearchParams(location.search).get('range') || '7d';
  let timer;
  const $ = (id) => document.getElementById(id);
  const num = (s) => Number(s) || 0;
  const usd = (s) => window.Charts.money(num(s));
  const int = (n) => Number(n || 0).toLocaleString('en-US');

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function shortTime(iso, bucket) {
    const d = new Date(iso);
    const day = `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
    if (bucket !== 'hour') return day;
    const hour = `${String(d.getUTCHours()).padStart(2, '0')}:00`;
    return range === '24h' ? hour : `${day} ${hour}`;
  }

  function kpis(data) {
    const t = data.usage.totals;
    const live = data.realtime.totals;
    const errorRate = t.requests > 0 ? ((100 * t.errors) / t.requests).toFixed(1) + '%' : '–';
    const cards = [
      ['Spend', usd(t.costTotalUsd), `$${t.costTotalUsd} exact`],
      ['Requests', int(t.requests), `${int(t.fallbackPriced)} priced by fallback`],
      ['Tokens in / out', `${int(t.inputTokens)} / ${int(t.outputTokens)}`, `${int(t.cachedInputTokens)} cached`],
      ['Error rate', errorRate, `avg latency ${t.avgLatencyMs ?? '–'} ms`],
      ['Last 15 min', `${live.requestsPerMinute} req/min`, `${usd(live.costUsd)} · p95 ${live.p95LatencyMs ?? '–'} ms`],
    ];
    $('kpis').replaceChildren(...cards.map(([label, value, note]) => {
      const card = text('div', '', 'card kpi');
      card.append(text('span', label, 'muted'), text('strong', value), text('small', note, 'muted'));
      return card;
    }));
  }

  function charts(data) {
    const series = data.trend.series;
    const labels = (series[0] ? series[0].points : []).map((p) => shortTime(p.start, data.bucket));
    window.Charts.stacked($('chart-trend'), labels, series.map((s) => ({ name: s.name, values: s.points.map((p) => num(p.costTotalUsd)) })), { legend: $('legend-trend') });
    $('trend-note').textContent = `per ${data.bucket}, UTC`;
    const bars = (groups, value) => groups.map((g) => ({ label: g.name, value: num(value(g)), text: usd(value(g)) }));
    // Providers keep the colours they have in the trend's legend.
    const colour = new Map(series.map((s, k) => [s.key, window.Charts.palette[k % window.Charts.palette.length]]));
    window.Charts.hbars($('chart-provider'), bars(data.usage.groups, (g) => g.costTotalUsd).map((b, i) => Object.assign(b, { color: colour.get(data.usage.groups[i].key) })));
    window.Charts.hbars($('chart-model'), bars(data.byModel.groups, (g) => g.costUsd));
    window.Charts.hbars($('chart-team'), bars(data.byTeam.groups, (g) => g.costUsd));
    const live = data.realtime.perMinute;
    window.Charts.stacked($('chart-live'), live.map((p) => p.start.slice(11, 16)), [{ name: 'requests', values: live.map((p) => p.requests) }], { width: 440, height: 200, format: (v) => String(Math.round(v)) });
    $('live-note').textContent = `${int(data.realtime.totals.requests)} requests`;
  }

  function budgets(list) {
    const rows = list.slice().sort((a, b) => (b.utilizationPercent ?? 0) - (a.utilizationPercent ?? 0));
    if (rows.length === 0) {
      const tr = text('tr', '');
      const td = text('td', 'No budgets yet. Create one with POST /admin/budgets or `tollgate budgets`.', 'muted');
      td.colSpan = 7;
      tr.appendChild(td);
      return $('budgets').replaceChildren(tr);
    }
    $('budgets').replaceChildren(...rows.map((b) => {
      const tr = document.createElement('tr');
      const used = b.utilizationPercent ?? 0;
      const meter = text('div', '', 'meter');
      const fill = text('span', '', used >= 100 ? 'over' : used >= 90 ? 'high' : used >= 75 ? 'mid' : '');
      fill.style.width = Math.min(100, used) + '%';
      meter.appendChild(fill);
      const spent = text('td', '');
      spent.append(text('div', `${usd(b.spentUsd)} / ${usd(b.limitUsd)}`), meter);
      const projected = b.projectedSpendUsd === null ? '–' : usd(b.projectedSpendUsd) + (b.runsOutBeforeReset ? ' ⚠' : '');
      tr.append(text('td', b.level + (b.source === 'inherited' ? ' (default)' : '')), text('td', b.entityName || b.entityId), text('td', b.periodId),
        spent, text('td', b.utilizationPercent === null ? '–' : used + '%'), text('td', projected, b.runsOutBeforeReset ? 'warn' : ''),
        text('td', b.resetsAt ? new Date(b.resetsAt).toLocaleString() : 'never'));
      return tr;
    }));
  }

  function alerts(summary) {
    $('alerts-note').textContent = `${summary.total} in 30 days`;
    if (summary.recent.length === 0) return $('alerts').replaceChildren(text('li', 'No alerts yet.', 'muted'));
    $('alerts').replaceChildren(...summary.recent.map((a) => {
      const li = text('li', '');
      li.append(text('span', a.kind.replace('_', ' '), `tag ${a.kind}`), text('span', a.message), text('span', `${a.status} · ${new Date(a.createdAt).toLocaleString()}`, 'muted'));
      return li;
    }));
  }

  async function load() {
    clearTimeout(timer);
    try {
      const response = await fetch(`/analytics/dashboard?range=${encodeURIComponent(range)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (response.status === 401) return window.location.assign('/dashboard/login');
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      kpis(data);
      charts(data);
      budgets(data.budgets);
      alerts(data.alerts);
      $('load-error').hidden = true;
      $('updated').textContent = `updated ${new Date(data.generatedAt).toLocaleTimeString()}`;
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    } catch (error) {
      $('load-error').textContent = `Could not load the data: ${error.message}. Retrying.`;
      $('load-error').hidden = false;
    } finally {
      timer = setTimeout(load, refreshMs);
    }
  }

  $('ranges').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-range]');
    if (!button) return;
    range = button.dataset.range;
    for (const b of $('ranges').querySelectorAll('button')) b.classList.toggle('active', b === button);
    load();
  });
  for (const b of $('ranges').querySelectorAll('button')) b.classList.toggle('active', b.dataset.range === range);
  load();
})();
