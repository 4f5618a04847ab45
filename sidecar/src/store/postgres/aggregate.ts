import type {
  Aggregations,
  CurrentStats,
  DataSummary,
  HistoryPoint,
  MessageFilters,
  ScatterPoint,
} from '@ollama-lens/contracts';
import {
  AGGREGATION_PARTS,
  bucketOfTotals,
  bucketsFrom,
  compareKeys,
  emptyAggregations,
  figuresFrom,
  fold,
  histogramFrom,
  historyPoints,
  MATCH_COUNT_LIMIT,
  previousWindow,
  resolveInterval,
  resolveWindow,
  SAMPLE_COLUMNS,
  SAMPLE_LIMIT,
  sampleScatter,
  SCATTER_COLUMNS,
  SCATTER_MAX,
  SCATTER_PROBES,
  SERIES_MEASURES,
  seriesPoints,
  summaryFrom,
  thin,
  topBuckets,
  total,
  totalsOf,
  zeroTotals,
  type AggregationPart,
  type AggregationRequest,
  type GroupRow,
  type Sample,
  type SampleRow,
  type SeriesCell,
  type Totals,
  type UserRow,
  type Window,
} from '../aggregate';
import { BUCKET_MEASURES, MEASURES } from '../measures';
import { hasDimFilter, rollupCompatible } from '../rollup';
import { toFtsQuery } from '../search-query';
import { rows, type Queryable } from './pool';
import { distinctUsersPg, readRollupPg } from './rollup';
import { pgWhere } from './where';

/**
 * aggregate.ts on PostgreSQL: the same plan (rollups for what they hold, the newest SAMPLE_LIMIT
 * matches otherwise) with the same folding and formatting (aggregate.ts's exported pure functions),
 * only the reads are PostgreSQL's. One difference in what a sample is: SQLite reads the window's
 * newest `limit` messages from its covering index and keeps the matches (its cost bound); here it is
 * the newest `limit` matches, which PostgreSQL's indexes bound as well. Below the limit (every
 * sample is then complete) the two give the same answers.
 */

async function rollupGroups(db: Queryable, f: MessageFilters, w: Window, all: boolean): Promise<GroupRow[]> {
  const measures = all ? MEASURES : BUCKET_MEASURES;
  const found = await readRollupPg(db, f, w, {
    slice: 'dims',
    groupBy: ['model', 'category', 'status'],
    measures,
  });
  return found.map((r) => ({
    model: r.keys[0],
    category: r.keys[1] as string,
    status: r.keys[2] as string,
    t: totalsOf(r, measures),
  }));
}

async function rollupTotals(db: Queryable, f: MessageFilters, w: Window): Promise<Totals> {
  const found = await readRollupPg(db, f, w, {
    slice: hasDimFilter(f) ? 'dims' : 'total',
    groupBy: [],
    measures: MEASURES,
  });
  return found.length ? totalsOf(found[0]) : zeroTotals();
}

async function rollupSeries(
  db: Queryable,
  f: MessageFilters,
  w: Window,
  intervalMs: number,
  sketch: boolean
): Promise<Map<number, SeriesCell>> {
  const found = await readRollupPg(db, f, w, {
    slice: hasDimFilter(f) ? 'dims' : 'total',
    groupBy: [],
    measures: SERIES_MEASURES,
    sketch,
    bucketMs: intervalMs,
  });
  return new Map(
    found.map((r) => [
      r.b,
      {
        requests: r.v[0],
        errors: r.v[1],
        in_sum: r.v[2],
        out_sum: r.v[3],
        dur_sum: r.v[4],
        sketch: r.sketch,
      },
    ])
  );
}

async function rollupUsers(db: Queryable, w: Window): Promise<UserRow[]> {
  const found = await readRollupPg(db, {}, w, {
    slice: 'user',
    groupBy: ['user'],
    measures: BUCKET_MEASURES,
  });
  return found.map((r) => {
    const u = { user: r.keys[0] } as UserRow;
    BUCKET_MEASURES.forEach((m, i) => (u[m] = r.v[i]));
    return u;
  });
}

/** aggregate.ts probeScatter: every message of a window of at most SCATTER_MAX, else one per probe instant. */
async function probeScatter(db: Queryable, f: MessageFilters, w: Window): Promise<ScatterPoint[]> {
  const windowed = pgWhere({ ...f, from: w.from, to: w.to });
  if (windowed.empty) return [];
  const few = await rows<ScatterPoint>(
    db,
    `SELECT ${SCATTER_COLUMNS} FROM messages s WHERE s.seq IN (SELECT m.seq FROM messages m ${windowed.sql} ` +
      `ORDER BY m.started_at LIMIT ${SCATTER_MAX + 1}) ORDER BY s.started_at, s.seq`,
    windowed.params
  );
  if (few.length <= SCATTER_MAX) return few;
  // Unlike SQLite, the window's start stays: it prunes the day partitions before the window at plan
  // time (each probe's own bound is later, and the B-tree seeks by the tighter of the two).
  const where = pgWhere({ ...f, from: w.from, to: w.to });
  const step = (w.to - w.from) / SCATTER_PROBES;
  const probes = Array.from({ length: SCATTER_PROBES }, (_, i) => w.from + Math.floor(i * step));
  // One index seek per probe instant (a LATERAL subquery per element of the array).
  const seqs = await rows<{ seq: number | null }>(
    db,
    `SELECT x.seq FROM unnest(?::bigint[]) AS p(value) LEFT JOIN LATERAL (SELECT m.seq FROM messages m ` +
      `${where.sql} ${where.sql ? 'AND' : 'WHERE'} m.started_at >= p.value ORDER BY m.started_at LIMIT 1) x ON true`,
    [probes, ...where.params]
  );
  const unique = [...new Set(seqs.map((r) => r.seq).filter((x): x is number => x !== null))];
  const found = await rows<ScatterPoint>(
    db,
    `SELECT ${SCATTER_COLUMNS} FROM messages s WHERE s.seq = ANY(?::bigint[]) ORDER BY s.started_at, s.seq`,
    [unique]
  );
  return thin(found);
}

/**
 * A search's matches are counted up to here. SQLite counts them in its full-text index alone; a GIN
 * index cannot count without visiting each matching row (about 4 µs each on the benchmark machine), so
 * a common word on a busy day (435,000 matches of 1M) took 1.5 s to count exactly. Beyond the limit
 * `matched` is null, as for MATCH_COUNT_LIMIT, and the Explorer says that more match.
 */
export const PG_SEARCH_COUNT_LIMIT = 50_000;

/**
 * aggregate.ts readSample, path for path (so the same sample, and the same answers, at any size): a
 * search reads its newest `limit` matches by insertion and counts them when only time filters it;
 * a user or session filter reads its newest `limit` matches and counts up to MATCH_COUNT_LIMIT;
 * other filters keep the matches among the window's newest `limit` messages.
 */
async function readSample(
  db: Queryable,
  f: MessageFilters,
  w: Window,
  limit: number,
  opts: { count?: boolean; withId?: boolean } = {}
): Promise<Sample> {
  const windowed = { ...f, from: w.from, to: w.to };
  const fts = toFtsQuery(f.q);
  if (fts.kind === 'empty') return { rows: [], complete: true, matched: 0 };
  const columns = opts.withId ? `m.id, ${SAMPLE_COLUMNS}` : SAMPLE_COLUMNS;
  if (fts.kind === 'match') {
    const where = pgWhere(windowed);
    if (where.empty) return { rows: [], complete: true, matched: 0 };
    const found = await rows<SampleRow>(
      db,
      `SELECT ${columns} FROM messages m ${where.sql} ORDER BY m.seq DESC LIMIT ?`,
      [...where.params, limit]
    );
    if (found.length < limit) return { rows: found, complete: true, matched: found.length };
    const { q: _q, ...rest } = windowed;
    const onlyTime = pgWhere({ ...rest, from: undefined, to: undefined }).sql === '';
    if (!opts.count || !onlyTime) return { rows: found, complete: false, matched: null };
    const n = (
      await rows<{ n: number }>(
        db,
        `SELECT count(*) AS n FROM (SELECT 1 FROM messages m ${where.sql} LIMIT ?) x`,
        [...where.params, PG_SEARCH_COUNT_LIMIT]
      )
    )[0].n;
    return { rows: found, complete: false, matched: n >= PG_SEARCH_COUNT_LIMIT ? null : n };
  }
  const where = pgWhere(windowed);
  if (f.user !== undefined || f.session !== undefined) {
    const found = await rows<SampleRow>(
      db,
      `SELECT ${columns} FROM messages m ${where.sql} ORDER BY m.started_at DESC, m.seq DESC LIMIT ?`,
      [...where.params, limit]
    );
    if (found.length < limit) return { rows: found, complete: true, matched: found.length };
    if (!opts.count) return { rows: found, complete: false, matched: null };
    const n = (
      await rows<{ n: number }>(
        db,
        `SELECT count(*) AS n FROM (SELECT 1 FROM messages m ${where.sql} LIMIT ?) x`,
        [...where.params, MATCH_COUNT_LIMIT]
      )
    )[0].n;
    return { rows: found, complete: false, matched: n >= MATCH_COUNT_LIMIT ? null : n };
  }
  const inWindow = pgWhere({ from: w.from, to: w.to });
  const rest = pgWhere({ ...windowed, from: undefined, to: undefined });
  const found = await rows<SampleRow>(
    db,
    `SELECT ${columns} FROM (SELECT m.id, ${SAMPLE_COLUMNS}, m.endpoint, m.session, m.host, m.origin ` +
      `FROM messages m ${inWindow.sql} ORDER BY m.started_at DESC, m.seq DESC LIMIT ?) m ${rest.sql}`,
    [...inWindow.params, limit, ...rest.params]
  );
  const scanned = (
    await rows<{ n: number }>(
      db,
      `SELECT count(*) AS n FROM (SELECT 1 FROM messages m ${inWindow.sql} LIMIT ?) x`,
      [...inWindow.params, limit + 1]
    )
  )[0].n;
  const complete = scanned <= limit;
  return { rows: found, complete, matched: complete ? found.length : null };
}

/** aggregate.ts compute, step for step. */
async function compute(
  db: Queryable,
  f: MessageFilters,
  w: Window,
  intervalMs: number,
  want: ReadonlySet<AggregationPart>,
  sampleLimit = SAMPLE_LIMIT
): Promise<Aggregations> {
  const limit = Number.isSafeInteger(sampleLimit) && sampleLimit > 0 ? sampleLimit : SAMPLE_LIMIT;
  const out = emptyAggregations();
  const needGroups = want.has('summary') || want.has('breakdowns') || want.has('latency_histogram');
  const dimFiltered = hasDimFilter(f);
  const searching = toFtsQuery(f.q).kind === 'match';
  if (!rollupCompatible(f)) {
    const s = await readSample(db, f, w, limit, { count: true, withId: want.has('scatter') && searching });
    const folded = fold(s.rows, want.has('timeseries') ? intervalMs : undefined, true);
    const t = total(folded.groups);
    if (want.has('summary')) {
      const p = await readSample(db, f, previousWindow(w), limit);
      const pf = fold(p.rows, undefined, false);
      out.summary = summaryFrom(
        figuresFrom(t, folded.uniqueUsers),
        figuresFrom(total(pf.groups), pf.uniqueUsers)
      );
    }
    if (want.has('timeseries')) out.timeseries = seriesPoints(folded.series, w, intervalMs);
    if (want.has('breakdowns')) {
      out.breakdowns = {
        model: bucketsFrom(folded.groups, 'model'),
        category: bucketsFrom(folded.groups, 'category'),
        status: bucketsFrom(folded.groups, 'status'),
        user: topBuckets(folded.users.map((u) => bucketOfTotals(u.user, u))),
      };
    }
    if (want.has('latency_histogram')) out.latency_histogram = histogramFrom(t);
    if (want.has('scatter')) out.scatter = searching ? sampleScatter(s.rows) : await probeScatter(db, f, w);
    out.sampled = !s.complete;
    out.matched = s.matched;
    out.sample_size = s.complete ? null : s.rows.length;
    return out;
  }

  let totals: Totals | undefined;
  let groups: GroupRow[] = [];
  if (want.has('breakdowns')) {
    groups = await rollupGroups(db, f, w, dimFiltered);
    totals = dimFiltered ? total(groups) : await rollupTotals(db, f, w);
  } else if (needGroups) {
    totals = await rollupTotals(db, f, w);
  }
  let users: { rows: UserRow[]; unique: number } | undefined;
  let previousUnique = 0;
  const wantUsers = want.has('summary') || want.has('breakdowns');
  if (wantUsers && !dimFiltered) {
    if (want.has('breakdowns')) {
      const found = await rollupUsers(db, w);
      users = { rows: found, unique: found.filter((u) => u.user !== null && u.messages > 0).length };
    } else {
      users = { rows: [], unique: await distinctUsersPg(db, w) };
    }
    if (want.has('summary')) previousUnique = await distinctUsersPg(db, previousWindow(w));
  } else if (wantUsers) {
    const s = await readSample(db, f, w, limit);
    const folded = fold(s.rows, undefined, false);
    users = { rows: folded.users, unique: folded.uniqueUsers };
    if (want.has('summary')) {
      const p = await readSample(db, f, previousWindow(w), limit);
      previousUnique = fold(p.rows, undefined, false).uniqueUsers;
    }
    if (!s.complete) {
      out.sampled = true;
      out.sample_size = s.rows.length;
    }
  }
  if (want.has('summary') && totals) {
    const prev = await rollupTotals(db, f, previousWindow(w));
    out.summary = summaryFrom(figuresFrom(totals, users?.unique ?? 0), figuresFrom(prev, previousUnique));
  }
  if (want.has('timeseries')) {
    const cells = await rollupSeries(db, f, w, intervalMs, true);
    out.timeseries = seriesPoints(cells, w, intervalMs);
    if (!totals) {
      let n = 0;
      for (const c of cells.values()) n += c.requests;
      out.matched = n;
    }
  }
  if (want.has('breakdowns')) {
    out.breakdowns = {
      model: bucketsFrom(groups, 'model'),
      category: bucketsFrom(groups, 'category'),
      status: bucketsFrom(groups, 'status'),
      user: topBuckets((users?.rows ?? []).map((u) => bucketOfTotals(u.user, u))),
    };
  }
  if (want.has('latency_histogram') && totals) out.latency_histogram = histogramFrom(totals);
  if (want.has('scatter')) out.scatter = await probeScatter(db, f, w);
  if (totals) out.matched = totals.messages;
  else if (out.matched === null) out.matched = (await rollupTotals(db, f, w)).messages;
  return out;
}

export async function aggregationsPg(
  db: Queryable,
  f: MessageFilters,
  req: AggregationRequest = {},
  now = Date.now()
): Promise<Aggregations> {
  const w = resolveWindow(f, now);
  const intervalMs = resolveInterval(w, req.intervalS);
  const want = new Set<AggregationPart>(
    req.include && req.include.length > 0 ? req.include : AGGREGATION_PARTS
  );
  return compute(db, f, w, intervalMs, want, req.sampleLimit);
}

export async function currentStatsPg(
  db: Queryable,
  f: MessageFilters,
  uptimeSeconds: number,
  now = Date.now()
): Promise<CurrentStats> {
  const w = resolveWindow(f, now);
  let t: Totals;
  let models: string[];
  if (rollupCompatible(f)) {
    const byModel = await readRollupPg(db, f, w, {
      slice: 'dims',
      groupBy: ['model'],
      measures: ['messages', 'errors', 'in_sum', 'out_sum', 'dur_sum'],
    });
    t = zeroTotals();
    for (const r of byModel) {
      t.messages += r.v[0];
      t.errors += r.v[1];
      t.in_sum += r.v[2];
      t.out_sum += r.v[3];
      t.dur_sum += r.v[4];
    }
    models = byModel
      .filter((r) => r.keys[0] !== null && r.v[0] > 0)
      .sort((a, b) => b.v[0] - a.v[0] || compareKeys(a.keys[0], b.keys[0]))
      .map((r) => r.keys[0] as string);
  } else {
    const groups = fold((await readSample(db, f, w, SAMPLE_LIMIT)).rows, undefined, false).groups;
    t = total(groups);
    models = bucketsFrom(groups, 'model')
      .filter((b) => b.key !== null)
      .map((b) => b.key as string);
  }
  return {
    total_requests: t.messages,
    total_tokens: t.in_sum + t.out_sum,
    total_errors: t.errors,
    avg_latency_ms: t.messages > 0 ? t.dur_sum / t.messages : null,
    models_in_use: models,
    uptime_seconds: Math.round(uptimeSeconds),
  };
}

export async function historyPg(
  db: Queryable,
  f: MessageFilters,
  intervalS: number | undefined,
  now = Date.now()
): Promise<HistoryPoint[]> {
  const w = resolveWindow(f, now);
  const intervalMs = resolveInterval(w, intervalS);
  const cells = rollupCompatible(f)
    ? await rollupSeries(db, f, w, intervalMs, false)
    : fold((await readSample(db, f, w, SAMPLE_LIMIT)).rows, intervalMs, false).series;
  return historyPoints(cells, w, intervalMs);
}

export async function dataSummaryPg(db: Queryable): Promise<DataSummary> {
  const r = (
    await rows<{ messages: number; oldest: number | null; newest: number | null; bytes: number }>(
      db,
      'SELECT (SELECT coalesce(sum(messages), 0) FROM rollup_total_day) AS messages, ' +
        '(SELECT min(started_at) FROM messages) AS oldest, (SELECT max(started_at) FROM messages) AS newest, ' +
        'pg_database_size(current_database()) AS bytes'
    )
  )[0];
  return { messages: r.messages, oldest: r.oldest, newest: r.newest, db_bytes: r.bytes };
}
