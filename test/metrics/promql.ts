// Just enough PromQL and exposition-format reading to check a Grafana dashboard against a live
// scrape: which metric names a query reads, which labels it selects on or groups by, and which
// sample names and label names the gateway actually exports.

/** One metric a query reads, with the label names its own selector uses. */
export interface MetricRef {
  name: string;
  labels: string[];
}

export interface QueryRefs {
  metrics: MetricRef[];
  /** Labels in by/without/on/ignoring/group_left/group_right clauses. */
  grouping: string[];
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);

/** The metric names and label names a PromQL expression uses. */
export function readQuery(expr: string): QueryRefs {
  let rest = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals (matcher values, Grafana $variables)
    .replace(/\[[^\]]*\]/g, '') // range and subquery durations
    .replace(/\boffset\s+-?[\w$]+/g, '');
  const grouping: string[] = [];
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _kw, list: string) => {
    for (const label of list.split(',').map((s) => s.trim()).filter(Boolean)) grouping.push(label);
    return ' ';
  });
  const metrics: MetricRef[] = [];
  rest = rest.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g, (_m, name: string | undefined, matchers: string) => {
    const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
    const nameMatcher = labels.indexOf('__name__');
    if (name) metrics.push({ name, labels });
    else if (nameMatcher >= 0) throw new Error(`{__name__=...} selectors are not supported: ${expr}`);
    return ' ';
  });
  // Numbers (1e9, 0.95) would otherwise read as names.
  rest = rest.replace(/(^|[^a-zA-Z0-9_:])(\d+(?:\.\d+)?(?:e[+-]?\d+)?)/gi, '$1 ');
  for (const match of rest.matchAll(NAME)) {
    const name = match[0];
    const after = rest.slice(match.index! + name.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(name.toLowerCase())) continue; // a function or an aggregation
    metrics.push({ name, labels: [] });
  }
  return { metrics, grouping };
}

/** `label_values(metric, label)` in a Grafana template variable query. */
export function readLabelValues(query: string): { metric: string; label: string } | undefined {
  const m = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)/.exec(query);
  return m ? { metric: m[1]!, label: m[2]! } : undefined;
}

/** Sample name → every label name seen on its samples, from Prometheus text format. */
export function readExposition(text: string): Map<string, Set<string>> {
  const samples = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+\S+/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels = samples.get(m[1]!) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) labels.add(l[1]!);
    samples.set(m[1]!, labels);
  }
  return samples;
}

/** Every `expr` of every panel (rows included) and every template variable query of a dashboard. */
export function dashboardQueries(dashboard: any): { exprs: string[]; variables: string[] } {
  const exprs: string[] = [];
  const walk = (panels: any[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) if (typeof target.expr === 'string') exprs.push(target.expr);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  const variables = (dashboard.templating?.list ?? []).map((v: any) => (typeof v.query === 'string' ? v.query : v.query?.query)).filter(Boolean);
  return { exprs, variables };
}

/** Labels Prometheus attaches to every scraped series itself (the target's), not the gateway. */
export const TARGET_LABELS = new Set(['job', 'instance']);

/**
 * Problems with one expression against a scrape: a metric not exported, a selector label the
 * metric does not carry, or a grouping label missing from a metric the expression reads.
 */
export function checkQuery(expr: string, exported: Map<string, Set<string>>): string[] {
  const { metrics, grouping } = readQuery(expr);
  const problems: string[] = [];
  if (metrics.length === 0) problems.push(`${expr}: reads no metric`);
  for (const { name, labels } of metrics) {
    const has = exported.get(name);
    if (!has) {
      problems.push(`${expr}: metric ${name} is not exported`);
      continue;
    }
    for (const label of [...labels, ...grouping]) {
      if (!has.has(label) && !TARGET_LABELS.has(label)) problems.push(`${expr}: ${name} has no label ${label}`);
    }
  }
  return problems;
}
