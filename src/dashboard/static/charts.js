// Small SVG charts for the dashboard: stacked bars over time and horizontal bars. No library:
// a few dozen lines cover what the page draws, and nothing has to be fetched from elsewhere.
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#4f7cff', '#22b07d', '#f2a93b', '#e5536b', '#9b6bff', '#2bb5c9', '#8a8f98'];

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  function svg(container, width, height) {
    container.replaceChildren();
    return el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', preserveAspectRatio: 'xMidYMid meet', role: 'img' }, container);
  }

  /** A "nice" axis maximum: 1, 2 or 5 times a power of ten. */
  function niceMax(value) {
    if (!(value > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 5, 10]) if (m * p >= value) return m * p;
    return 10 * p;
  }

  function money(value) {
    if (value === 0) return '$0';
    if (value >= 1000) return '$' + Math.round(value).toLocaleString('en-US');
    if (value >= 1) return '$' + value.toFixed(2);
    return '$' + value.toPrecision(2);
  }

  function empty(container, text) {
    container.replaceChildren();
    const p = document.createElement('p');
    p.className = 'muted empty';
    p.textContent = text;
    container.appendChild(p);
  }

  /**
   * Stacked bars: labels along x, one stack segment per series.
   * series: [{ name, values: number[] }]; format: value → label.
   */
  function stacked(container, labels, series, options) {
    const opts = Object.assign({ width: 900, height: 260, format: money, legend: null }, options);
    const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
    if (!totals.some((t) => t > 0)) return empty(container, 'No usage in this range yet.');
    const pad = { left: 64, right: 12, top: 12, bottom: 28 };
    const root = svg(container, opts.width, opts.height);
    const w = opts.width - pad.left - pad.right;
    const h = opts.height - pad.top - pad.bottom;
    const max = niceMax(Math.max(...totals));
    for (let t = 0; t <= 4; t++) {
      const y = pad.top + h - (h * t) / 4;
      el('line', { x1: pad.left, x2: pad.left + w, y1: y, y2: y, class: 'grid-line' }, root);
      el('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, root).textContent = opts.format((max * t) / 4);
    }
    const step = w / labels.length;
    const barW = Math.max(1, step * 0.78);
    const every = Math.ceil(labels.length / 8);
    labels.forEach((label, i) => {
      let y = pad.top + h;
      series.forEach((s, k) => {
        const v = s.values[i] || 0;
        if (v <= 0) return;
        const bh = (h * v) / max;
        y -= bh;
        const rect = el('rect', { x: pad.left + i * step + (step - barW) / 2, y, width: barW, height: Math.max(0.5, bh), fill: PALETTE[k % PALETTE.length], class: 'bar' }, root);
        el('title', {}, rect).textContent = `${label} · ${s.name}: ${opts.format(v)}`;
      });
      if (i % every === 0) el('text', { x: pad.left + i * step + step / 2, y: opts.height - 8, 'text-anchor': 'middle', class: 'axis' }, root).textContent = label;
    });
    if (opts.legend) {
      opts.legend.replaceChildren();
      series.forEach((s, k) => {
        const item = document.createElement('span');
        item.className = 'legend-item';
        const swatch = document.createElement('i');
        swatch.style.background = PALETTE[k % PALETTE.length];
        item.append(swatch, document.createTextNode(s.name));
        opts.legend.appendChild(item);
      });
    }
  }

  /** Horizontal bars: items [{ label, value, text, color? }], largest first. */
  function hbars(container, items, options) {
    const opts = Object.assign({ width: 440, row: 26, format: money }, options);
    const shown = items.filter((i) => i.value > 0).slice(0, 8);
    if (shown.length === 0) return empty(container, 'No spend in this range yet.');
    const labelW = 150;
    const valueW = 90;
    const root = svg(container, opts.width, shown.length * opts.row + 6);
    const max = Math.max(...shown.map((i) => i.value));
    shown.forEach((item, k) => {
      const y = 4 + k * opts.row;
      const name = item.label.length > 22 ? item.label.slice(0, 21) + '…' : item.label;
      el('text', { x: 0, y: y + opts.row / 2 + 4, class: 'label' }, root).textContent = name;
      const bw = Math.max(2, ((opts.width - labelW - valueW) * item.value) / max);
      const rect = el('rect', { x: labelW, y: y + 4, width: bw, height: opts.row - 10, rx: 3, fill: item.color || PALETTE[k % PALETTE.length], class: 'bar' }, root);
      el('title', {}, rect).textContent = `${item.label}: ${item.text || opts.format(item.value)}`;
      el('text', { x: labelW + bw + 6, y: y + opts.row / 2 + 4, class: 'value' }, root).textContent = item.text || opts.format(item.value);
    });
  }

  window.Charts = { stacked, hbars, money, palette: PALETTE };
})();
