// The simulated device: the shipped capturekit/agent.js runs in the fake
// Frida runtime inside a simulated WeChat that calls its crypto functions
// with synth's key material. With SIM_OUT=DIR set, each hook path's key log
// and synth's capture are left as DIR/<path>/keys.log and
// DIR/<path>/capture.pcapng, for `wxaudit decrypt` to open (the Go test
// capturekit.TestSimulatedDevice and .ci/run do).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { WeChat, synthLines, SYNTH } = require('./wechat.js');
const { Device, storedZip } = require('./fakefrida.js');

const lines = synthLines();
const outer = lines.filter((l) => l.layer === 'OUTER');
const cbcKeys = new Set(lines.filter((l) => l.layer === 'INNER' && l.nonce).map((l) => l.key));
const gcmKeys = new Set(lines.filter((l) => l.iv).map((l) => l.key));
const gcmEncKeys = new Set(lines.filter((l) => l.iv && l.encrypt).map((l) => l.key));

function save(name, app) {
  const dir = process.env.SIM_OUT;
  if (!dir) return;
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  fs.writeFileSync(path.join(dir, name, 'keys.log'), app.keyLog());
  fs.copyFileSync(path.join(SYNTH, 'capture.pcapng'), path.join(dir, name, 'capture.pcapng'));
}

// saveDriverLines leaves the agent's messages as the driver's JSON lines
// (DIR/<name>/driver.jsonl), for the Go test to print them as a capture
// does on the researcher's terminal.
function saveDriverLines(name, app) {
  const dir = process.env.SIM_OUT;
  if (!dir) return;
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  const ev = app.dev.sent.map((m) => JSON.stringify({ event: 'message', pid: 4242, process: 'com.tencent.mm', message: { type: 'send', payload: m } }));
  fs.writeFileSync(path.join(dir, name, 'driver.jsonl'), ev.join('\n') + '\n');
}

const field = (line, i) => line.split(' ')[i];
const hookOf = (line) => decodeURIComponent(/ hook=(\S+)/.exec(line)[1]);

// recordLines checks that every record key synth logged came out as an
// MMTLS_RECORD line with the same AAD, key, nonce and tail.
function assertRecords(app) {
  const got = new Set(app.dev.keyLines().filter((l) => l.startsWith('MMTLS_RECORD ')).map((l) => l.split(' ').slice(1, 5).join(' ')));
  for (const l of outer) {
    assert.ok(got.has([l.metadata, l.key, l.nonce, l.tail].join(' ')), 'no MMTLS_RECORD for ' + l.metadata);
  }
  assert.equal(got.size, outer.length);
}

function keysBy(app, label) {
  const m = new Map();
  for (const l of app.dev.keyLines().filter((x) => x.startsWith(label + ' '))) m.set(field(l, 1), hookOf(l));
  return m;
}

test('offset profile (8.0.49): every record key and inner key is logged', () => {
  const app = new WeChat({ path: 'offset' }).start();
  app.play();
  assertRecords(app);
  const s = keysBy(app, 'WECHAT_SESSION_KEY');
  assert.deepEqual([...s.keys()].sort(), [...cbcKeys].sort());
  assert.ok([...s.values()].every((h) => /^inner-aes-cbc-(en|de)crypt@offset-unverified$/.test(h)), [...s.values()].join());
  const g = keysBy(app, 'WECHAT_GCM_KEY');
  assert.deepEqual([...g.keys()].sort(), [...gcmKeys].sort());
  assert.ok(app.dev.keyLines().filter((l) => l.startsWith('MMTLS_RECORD')).every((l) => hookOf(l) === 'mmtls-record-crypt@offset-unverified'));
  assert.equal(app.dev.messages('error').length, 0, JSON.stringify(app.dev.messages('error')));
  save('offset', app);
});

for (const hookPath of ['export', 'registernatives']) {
  test(hookPath + ': JNI hooks log the session and GCM keys they are given', () => {
    const app = new WeChat({ path: hookPath }).start();
    app.play();
    assertRecords(app);
    const s = keysBy(app, 'WECHAT_SESSION_KEY');
    assert.deepEqual([...s.keys()].sort(), [...cbcKeys].sort());
    for (const h of s.values()) assert.match(h, new RegExp('^jni:MMProtocalJni\\.aes(En|De)crypt@' + hookPath + '$'));
    const g = keysBy(app, 'WECHAT_GCM_KEY');
    assert.deepEqual([...g.keys()].sort(), [...gcmKeys].sort());
    for (const k of gcmEncKeys) assert.equal(g.get(k), 'jni:UtilsJni.AesGcmEncryptWithNonce@' + hookPath);
    const hooks = Object.fromEntries(app.dev.messages('hook').map((m) => [m.id, m]));
    assert.equal(hooks['jni:MMProtocalJni.aesEncrypt'].module, 'libMMProtocalJni.so', 'matched by class, not by method name alone');
    assert.equal(hooks['jni:MMProtocalJni.aesEncrypt'].offset, '0x100');
    if (hookPath === 'registernatives') assert.equal(hooks['jni:MMProtocalJni.aesEncrypt'].signature, '([B[B)[B');
    assert.equal(app.dev.messages('error').length, 0, JSON.stringify(app.dev.messages('error')));
    save(hookPath, app);
  });
}

test('the GCM key is read with the length it is given', () => {
  const app = new WeChat({ path: 'offset' }).start();
  const g = lines.find((l) => l.iv);
  app.play([Object.assign({}, g, { key: g.key + 'abababababababab' })]); // a 32-byte key
  assert.equal(app.dev.keyLines().length, 0, 'a 32-byte key is no 24-byte GCM key');
  const errs = app.dev.messages('error');
  assert.equal(errs.length, 1);
  assert.match(errs[0].error, /a 32-byte key fits no key-log label/);
});

test('failing hook: wrong architecture', () => {
  const app = new WeChat({ path: 'offset', arch: 'x64' }).start();
  app.play();
  assert.deepEqual(app.warnings().filter((w) => /not arm64/.test(w)), [
    'this process is x64, not arm64: the offsets and argument layouts are for arm64 WeChat builds, so only JNI hooks are installed and MMTLS records will not open; use an arm64 phone or an arm64 emulator image (an x86_64 image translating ARM code cannot be hooked)',
  ]);
  assert.equal(app.dev.messages('hook').length, 0);
  assert.equal(app.dev.keyLines().length, 0);
  saveDriverLines('fail-arch', app);
});

test('failing hook: unknown WeChat version', () => {
  const app = new WeChat({ path: 'offset', appVersion: '8.0.56' }).start();
  app.play();
  assert.ok(app.warnings().includes('mmtls-record-crypt not hooked in libwechatnetwork.so: no offset profile for WeChat 8.0.56 (profiles exist for 8.0.49, 8.0.23)'), app.warnings().join('\n'));
  assert.equal(app.dev.keyLines().filter((l) => l.startsWith('MMTLS_RECORD')).length, 0);
  saveDriverLines('fail-version', app);
});

test('failing hook: missing symbol, and a profile that does not fit the build', () => {
  const app = new WeChat({ path: 'offset', netSize: 0x20000 }).start();
  const w = app.warnings();
  assert.ok(w.includes('mmcrypto::AesGcmEncrypt not hooked in libwechatnetwork.so: no symbol with 8mmcrypto, 13AesGcmEncrypt in libwechatnetwork.so'), w.join('\n'));
  assert.ok(w.includes('mmtls-record-crypt not hooked in libwechatnetwork.so: the 8.0.49 offset 0x12ae10 lies outside libwechatnetwork.so (0x20000 bytes): the profile does not fit this build'), w.join('\n'));
  assert.equal(app.dev.keyLines().filter((l) => l.startsWith('MMTLS_RECORD')).length, 0);
  saveDriverLines('fail-symbol', app);
});

test('every version profile covers every offset hook, inside one version', () => {
  const dev = new Device().start();
  const profiles = JSON.parse(JSON.stringify(dev.get('PROFILES')));
  const want = JSON.parse(JSON.stringify(dev.get('OFFSET_HOOKS'))).sort();
  for (const p of profiles) {
    const ids = Object.values(p.libraries).flatMap((l) => Object.keys(l.offsets)).sort();
    assert.deepEqual(ids, want, p.appVersion);
  }
});

test('library hash: a library mapped straight from the APK', () => {
  const so = crypto.randomBytes(5000);
  const apk = storedZip({ 'AndroidManifest.xml': Buffer.from('<x/>'), 'lib/arm64-v8a/libwechatnetwork.so': so });
  const dev = new Device({ files: { '/data/app/~~a/com.tencent.mm-b/base.apk': apk, '/data/app/x/libplain.so': so } }).start();
  const hash = dev.get('hashLibrary');
  const want = crypto.createHash('sha256').update(so).digest('hex');
  assert.equal(hash('/data/app/~~a/com.tencent.mm-b/base.apk!/lib/arm64-v8a/libwechatnetwork.so'), want);
  assert.equal(hash('/data/app/x/libplain.so'), want);
  assert.throws(() => hash('/data/app/~~a/com.tencent.mm-b/base.apk!/lib/arm64-v8a/libnone.so'), /no entry/);
});

test('a profile matched by the SHA-256 of a library mapped from the APK', () => {
  const so = crypto.randomBytes(0x3000);
  const apkPath = '/data/app/~~a/com.tencent.mm-b/base.apk';
  const dev = new Device({ files: { [apkPath]: storedZip({ 'lib/arm64-v8a/libwechatnetwork.so': so }) } }).start({ appVersion: '9.9.9', console: false });
  // A profile for a build known only by its hash (none is published yet).
  dev.get('PROFILES').push({ appVersion: 'hashed', arch: 'arm64', source: 'test', libraries: {
    'libwechatnetwork.so': { sha256: crypto.createHash('sha256').update(so).digest('hex'), offsets: { 'mmtls-record-crypt': 0x1230 } } } });
  dev.load({ name: 'libwechatnetwork.so', path: apkPath + '!/lib/arm64-v8a/libwechatnetwork.so', size: 0x3000, functions: { 0x1230: () => 0 } });
  const hook = dev.messages('hook').find((m) => m.id === 'mmtls-record-crypt');
  assert.ok(hook, JSON.stringify(dev.messages('warning')));
  assert.equal(hook.method, 'offset');
  assert.equal(hook.offset, '0x1230');
});
