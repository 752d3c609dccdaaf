// Reads a corpus folder's Parquet files with DuckDB (hive partitioning by
// run) and checks that they hold exactly the rows metrics.json counts in
// the store. Usage: node check.mjs CORPUS_DIR
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const metrics = JSON.parse(readFileSync(`${dir}/metrics.json`, 'utf8'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const one = async (sql) => (await con.runAndReadAll(sql)).getRowObjects()[0];
const table = (t) => `read_parquet('${dir}/parquet/${t}/**/*.parquet', hive_partitioning=true)`;

const f = await one(`select count(*)::INTEGER as n, count(distinct run)::INTEGER as runs from ${table('findings')}`);
const q = await one(`select count(*)::INTEGER as n from ${table('requests')}`);
const r = await one(`select count(*)::INTEGER as n, sum(miniprogram_browsing::INTEGER)::INTEGER as browsing from ${table('runs')}`);
const top = (await con.runAndReadAll(`select data_type, count(distinct run)::INTEGER as runs from ${table('findings')} group by 1 order by 2 desc, 1 limit 5`)).getRowObjects();
console.log(`duckdb: ${f.n} findings in ${f.runs} runs, ${q.n} requests, ${r.n} runs (${r.browsing} with Mini Program browsing)`);
console.log('duckdb: most common data types:', top.map((x) => `${x.data_type} ${x.runs}`).join(', '));
const bad = [];
if (f.n !== metrics.findings) bad.push(`findings: duckdb ${f.n}, store ${metrics.findings}`);
if (q.n !== metrics.requests) bad.push(`requests: duckdb ${q.n}, store ${metrics.requests}`);
if (r.n !== metrics.runs) bad.push(`runs: duckdb ${r.n}, store ${metrics.runs}`);
if (r.browsing !== metrics.runs_with_miniprogram_browsing) bad.push(`browsing: duckdb ${r.browsing}, store ${metrics.runs_with_miniprogram_browsing}`);
if (f.n === 0) bad.push('no findings at all');
if (bad.length) {
  console.error('duckdb check failed:\n  ' + bad.join('\n  '));
  process.exit(1);
}
console.log('duckdb: Parquet files match the store');
