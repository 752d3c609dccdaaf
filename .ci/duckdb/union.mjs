// Reads the Parquet tables of several corpus folders (the shards of one
// study, written by corpus --shard I/N) as one union, with the query
// doc/scale.md shows, and checks it against metrics.json of the merged
// corpus (corpus merge). Usage: node union.mjs MERGED_DIR SHARD_DIR...
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [merged, ...shards] = process.argv.slice(2);
if (!merged || shards.length === 0) {
  console.error('usage: node union.mjs MERGED_DIR SHARD_DIR...');
  process.exit(2);
}
const metrics = JSON.parse(readFileSync(`${merged}/metrics.json`, 'utf8'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjects();
// Every shard's partitions of one table: the part=run-<label> folders do
// not collide, since each run is in one shard; the run label is a column
// of every file (doc/parquet.md), so no partition discovery is needed.
const union = (t) => `read_parquet([${shards.map((d) => `'${d}/parquet/${t}/*/*.parquet'`).join(', ')}], union_by_name = true)`;

// doc/scale.md: the share of runs sending each data type, over the runs
// with a decrypted payload (metrics.json's denominator), on the union.
const byType = await rows(`
  with runs as (select run from ${union('runs')} where status = 'ok' and decrypted_payloads > 0),
       sent as (select distinct run, data_type from ${union('findings')} where run in (select run from runs))
  select data_type, count(*)::INTEGER as runs,
         round(count(*) / (select count(*) from runs), 3) as share
  from sent group by data_type order by runs desc, data_type`);
const [n] = await rows(`select
  (select count(*) from ${union('runs')})::INTEGER as runs,
  (select count(*) from ${union('requests')})::INTEGER as requests,
  (select count(*) from ${union('findings')})::INTEGER as findings,
  (select count(distinct run) from ${union('runs')})::INTEGER as distinct_runs`);
console.log(`duckdb union of ${shards.length} shards: ${n.runs} runs, ${n.requests} requests, ${n.findings} findings`);
console.log('duckdb union: runs per data type:', byType.slice(0, 5).map((x) => `${x.data_type} ${x.runs}`).join(', '));

const bad = [];
if (n.runs !== metrics.runs) bad.push(`runs: union ${n.runs}, merged store ${metrics.runs}`);
if (n.distinct_runs !== n.runs) bad.push(`a run is in more than one shard (${n.runs} rows, ${n.distinct_runs} runs)`);
if (n.requests !== metrics.requests) bad.push(`requests: union ${n.requests}, merged store ${metrics.requests}`);
if (n.findings !== metrics.findings) bad.push(`findings: union ${n.findings}, merged store ${metrics.findings}`);
// metrics.json counts a data type's runs among all runs (data_types[].overall).
for (const dt of metrics.data_types) {
  const u = byType.find((x) => x.data_type === dt.data_type);
  if (!u || u.runs !== dt.overall.runs) bad.push(`${dt.data_type}: union ${u ? u.runs : 0} runs, merged store ${dt.overall.runs}`);
}
if (byType.length !== metrics.data_types.length) bad.push(`data types: union ${byType.length}, merged store ${metrics.data_types.length}`);
if (n.findings === 0) bad.push('no findings at all');
if (bad.length) {
  console.error('duckdb union check failed:\n  ' + bad.join('\n  '));
  process.exit(1);
}
console.log('duckdb union: the shards\' Parquet files match the merged corpus');
