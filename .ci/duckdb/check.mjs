// Reads a corpus folder's Parquet files with DuckDB and checks them against
// the store: the row counts of every table, the column types (times are
// TIMESTAMP and NULL when unknown, the run label is VARCHAR even when it
// looks like a number), and that every example query of doc/parquet.md
// runs. Usage: node check.mjs CORPUS_DIR [NUMERIC_LABEL]
// The store is read with the sqlite3 command (read-only).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const numericLabel = process.argv[3];
const metrics = JSON.parse(readFileSync(`${dir}/metrics.json`, 'utf8'));
const sqlite = (sql) => Number(execFileSync('sqlite3', ['-readonly', `${dir}/corpus.db`, sql], { encoding: 'utf8' }).trim());
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const all = async (sql) => (await con.runAndReadAll(sql)).getRowObjects();
const one = async (sql) => (await all(sql))[0];
const table = (t) => `read_parquet('${dir}/parquet/${t}/*/*.parquet', hive_partitioning=true)`;
const bad = [];
const want = (what, got, expected) => {
  if (got !== expected) bad.push(`${what}: duckdb ${got}, store ${expected}`);
};

const f = await one(`select count(*)::INTEGER as n, count(distinct run)::INTEGER as runs from ${table('findings')}`);
const q = await one(`select count(*)::INTEGER as n, count(time)::INTEGER as timed from ${table('requests')}`);
const r = await one(`select count(*)::INTEGER as n, sum(miniprogram_browsing::INTEGER)::INTEGER as browsing from ${table('runs')}`);
const s = await one(`select count(*)::INTEGER as n from ${table('strings')}`);
const g = await one(`select count(*)::INTEGER as n from ${table('gaps')}`);
const top = await all(`select data_type, count(distinct run)::INTEGER as runs from ${table('findings')} group by 1 order by 2 desc, 1 limit 5`);
console.log(`duckdb: ${f.n} findings in ${f.runs} runs, ${q.n} requests (${q.timed} with a time), ${r.n} runs (${r.browsing} with Mini Program browsing), ${s.n} strings, ${g.n} gaps`);
console.log('duckdb: most common data types:', top.map((x) => `${x.data_type} ${x.runs}`).join(', '));
want('findings', f.n, metrics.findings);
want('requests', q.n, metrics.requests);
want('runs', r.n, metrics.runs);
want('runs (store)', r.n, sqlite('select count(*) from runs'));
want('browsing', r.browsing, metrics.runs_with_miniprogram_browsing);
want('strings', s.n, sqlite('select count(*) from strings'));
want('gaps', g.n, sqlite('select count(*) from gaps'));
// A time the store holds as '' is unknown: NULL in Parquet, never ''.
want('requests with a time', q.timed, sqlite(`select count(*) from requests where time <> ''`));
const ft = await one(`select count(time)::INTEGER as timed from ${table('findings')}`);
want('findings with a time', ft.timed, sqlite(`select count(*) from findings where time <> ''`));
if (f.n === 0) bad.push('no findings at all');
if (s.n === 0) bad.push('no strings at all');

// Types: DuckDB's view of every table, partition column included.
const types = {
  runs: { run: 'VARCHAR', part: 'VARCHAR', analysed_at: 'TIMESTAMP WITH TIME ZONE', started: 'TIMESTAMP WITH TIME ZONE',
    miniprograms: 'VARCHAR[]', features: 'VARCHAR[]', permission_states: 'MAP(VARCHAR, VARCHAR)', detected_client_versions: 'VARCHAR[]' },
  requests: { run: 'VARCHAR', part: 'VARCHAR', time: 'TIMESTAMP WITH TIME ZONE', id: 'BIGINT' },
  findings: { run: 'VARCHAR', part: 'VARCHAR', time: 'TIMESTAMP WITH TIME ZONE', lat: 'DOUBLE' },
  gaps: { run: 'VARCHAR', part: 'VARCHAR', findings: 'VARCHAR[]' },
  strings: { run: 'VARCHAR', part: 'VARCHAR', request: 'BIGINT', value: 'VARCHAR' },
};
for (const [t, cols] of Object.entries(types)) {
  const got = Object.fromEntries((await all(`describe select * from ${table(t)}`)).map((c) => [c.column_name, c.column_type]));
  for (const [c, ty] of Object.entries(cols)) {
    if (got[c] !== ty) bad.push(`${t}.${c}: ${got[c]}, want ${ty}`);
  }
}
// A label that looks like a number stays that string, in the files and
// in the partition column, in every table.
if (numericLabel) {
  for (const t of Object.keys(types)) {
    const row = await one(`select count(*)::INTEGER as n, min(part) as part from ${table(t)} where run = '${numericLabel}'`);
    const want = t === 'runs' ? 1 : sqlite(`select count(*) from ${t} where run = '${numericLabel}'`);
    if (row.n !== want || (row.n > 0 && row.part !== `run-${numericLabel}`)) {
      bad.push(`${t}: ${row.n} rows of run '${numericLabel}' (partition ${row.part}), store ${want}`);
    }
  }
}

// Every example query of doc/parquet.md runs on this corpus.
const doc = readFileSync(new URL('../../doc/parquet.md', import.meta.url), 'utf8');
const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1].replaceAll("'study/parquet/", `'${dir}/parquet/`));
for (const sql of queries) {
  try {
    const rows = await all(sql);
    console.log(`duckdb: doc/parquet.md query: ${rows.length} rows: ${sql.split('\n')[0]}`);
  } catch (e) {
    bad.push(`doc/parquet.md query failed: ${e.message}\n${sql}`);
  }
}
if (queries.length < 5) bad.push(`doc/parquet.md: ${queries.length} example queries found`);

if (bad.length) {
  console.error('duckdb check failed:\n  ' + bad.join('\n  '));
  process.exit(1);
}
console.log('duckdb: Parquet files match the store, typed as doc/parquet.md says');
