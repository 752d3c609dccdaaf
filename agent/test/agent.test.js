'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Device } = require('./fakefrida.js');

// load starts the shipped agent on a fake device with the given libraries
// (Device.module specs), in a process without a readable command line.
function load({ modules = [], config } = {}) {
  const dev = new Device({ processName: null });
  for (const m of modules) dev.module(m);
  dev.start(config);
  return { dev, mem: dev.mem, sent: dev.sent, attached: dev.attached, get: (e) => dev.get(e) };
}

const plain = (x) => JSON.parse(JSON.stringify(x)); // values from the agent's realm
const hex = (s) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const meta = { time: new Date('2026-12-02T10:00:01.5Z'), process: 'com.tencent.mm:appbrand0', pid: 7, hook: 'mmcrypto::AesGcmDecrypt@symbol' };

test('key lines: v2 syntax, escaped attributes, lengths checked', () => {
  const { get } = load();
  const formatKeyLine = get('formatKeyLine');
  const key = hex('00112233445566778899aabbccddeeff');
  assert.equal(formatKeyLine('WECHAT_SESSION_KEY', [key], meta),
    'WECHAT_SESSION_KEY 00112233445566778899aabbccddeeff time=2026-12-02T10%3A00%3A01.500Z process=com.tencent.mm%3Aappbrand0 pid=7 hook=mmcrypto%3A%3AAesGcmDecrypt%40symbol');
  assert.equal(formatKeyLine('WECHAT_GCM_KEY', [key], meta), null, '16 bytes is not a GCM key');
  assert.equal(formatKeyLine('NO_SUCH_LABEL', [key], meta), null);
  assert.equal(get('SECRETS_HEADER_V2'), '# wxaudit-secrets v2');
});

test('JNI signatures decode to argument kinds', () => {
  const { get } = load();
  const kinds = get('jniArgKinds');
  assert.deepEqual(plain(kinds('([BI[BLjava/lang/String;)[B')), ['bytes', 'int', 'bytes', 'object']);
  assert.deepEqual(plain(kinds('([[BJZ[I)V')), ['object', 'long', 'int', 'object']);
  assert.deepEqual(plain(kinds('()V')), []);
  assert.equal(kinds('([B'), null);
  assert.equal(kinds('(Ljava/lang'), null);
  assert.equal(kinds('V'), null);
});

test('profiles: SHA-256 first, then the version of unhashed profiles', () => {
  const { get } = load();
  const select = get('selectProfile');
  const profiles = [
    { appVersion: '8.0.60', libraries: { 'libx.so': { sha256: 'AB'.repeat(32), offsets: { h: 1 } } } },
    { appVersion: '8.0.49', libraries: { 'libx.so': { sha256: null, offsets: { h: 2 } } } },
  ];
  assert.equal(select(profiles, 'libx.so', 'ab'.repeat(32), null).profile.appVersion, '8.0.60');
  assert.equal(select(profiles, 'libx.so', 'ab'.repeat(32), null).method, 'offset');
  const v = select(profiles, 'libx.so', 'cd'.repeat(32), '8.0.49');
  assert.equal(v.profile.appVersion, '8.0.49');
  assert.equal(v.library.offsets.h, 2);
  assert.equal(v.method, 'offset-unverified');
  assert.equal(select(profiles, 'libx.so', null, '8.0.60'), null, 'a hashed profile never applies by version');
  assert.equal(select(profiles, 'liby.so', 'ab'.repeat(32), '8.0.49'), null);
  const shipped = get('PROFILES');
  assert.equal(select(shipped, 'libwechatnetwork.so', null, '8.0.49').library.offsets['mmtls-record-crypt'], 0x12ae10);
  assert.equal(select(shipped, 'libwechatmm.so', null, '8.0.49').library.offsets['inner-aes-gcm-encrypt'], 0xd7ea4);
});

test('cipher calls become key lines by shape only', () => {
  const { get } = load();
  const classify = get('classifyCipherCall');
  const key = hex('000102030405060708090a0b0c0d0e0f');
  const iv = hex('a0a1a2a3a4a5a6a7a8a9aaab');
  const aad = hex('0000000000000002 17 f104 0030');
  const ct = hex('ffffffffffffffff 0102030405060708');
  let lines = classify({ encrypt: false, key, iv, aad, input: ct, output: null });
  assert.equal(lines.length, 1);
  assert.equal(lines[0].label, 'MMTLS_RECORD');
  assert.deepEqual([...lines[0].fields[3]], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(lines[0].dir, 'dec');
  lines = classify({ encrypt: true, key, iv, aad, input: null, output: ct });
  assert.equal(lines[0].dir, 'enc');
  assert.equal(classify({ encrypt: true, key, iv, aad, input: null, output: null }).length, 0, 'no tail, no line');
  assert.equal(classify({ encrypt: false, key, iv, aad: hex('0000000000000002 17 0303 0030'), input: ct, output: null }).length, 0, 'TLS AAD is not MMTLS');
  assert.equal(classify({ encrypt: true, key: hex('00'.repeat(24)), iv, aad: null, input: null, output: null })[0].label, 'WECHAT_GCM_KEY');
  assert.equal(classify({ encrypt: true, key, iv: key, aad: null, input: null, output: null })[0].label, 'WECHAT_SESSION_KEY');
  assert.equal(classify({ encrypt: true, key, iv: hex('00'.repeat(16)), aad: null, input: null, output: null }).length, 0);
  const jni = get('classifyJniArrays');
  assert.deepEqual(plain(jni('session', [hex('00'.repeat(5)), key, key]).map((l) => l.label)), ['WECHAT_SESSION_KEY']);
  assert.equal(jni('none', [key]).length, 0);
});

test('libc++ strings, short and long', () => {
  const { get, mem } = load();
  const dec = get('libcxxString');
  const s = mem.libcxxString(Buffer.from('abc'));
  const short = dec(new Uint8Array(s.readByteArray(24)));
  assert.equal(short.long, false);
  assert.equal(Buffer.from(short.inline).toString(), 'abc');
  const l = mem.libcxxString(Buffer.alloc(40, 7));
  const got = dec(new Uint8Array(l.readByteArray(24)));
  assert.equal(got.long, true);
  assert.equal(got.size, 40);
});

test('process names: main, push, appbrand', () => {
  const { get } = load();
  const name = get('processNameFromCmdline');
  const role = get('processRole');
  assert.equal(name(Uint8Array.from(Buffer.from('com.tencent.mm:appbrand3\0\0'))), 'com.tencent.mm:appbrand3');
  assert.equal(role('com.tencent.mm'), 'main');
  assert.equal(role('com.tencent.mm:push'), 'push');
  assert.equal(role('com.tencent.mm:appbrand12'), 'appbrand');
  assert.equal(role('com.tencent.mm:appbrandx'), 'other');
});

const ENC = '_ZN8mmcrypto13AesGcmEncryptERKNSt6__ndk112basic_stringIcEE';
const DEC = '_ZN8mmcrypto13AesGcmDecryptERKNSt6__ndk112basic_stringIcEE';

test('discovery order: export, symbol, pattern, offset; each reported with its method', () => {
  const net = { name: 'libwechatnetwork.so', size: 0x140000, symbols: { [DEC]: 0x40 }, exports: { [ENC]: 0x10 }, functions: { 0x12ae10: () => 0 } };
  const jni = { name: 'libMMProtocalJni.so', exports: { Java_com_tencent_mm_protocal_MMProtocalJni_aesEncrypt: 0x20 } };
  const { sent, attached } = load({ modules: [net, jni], config: { appVersion: '8.0.49' } });
  const hooks = Object.fromEntries(sent.filter((m) => m.type === 'hook').map((m) => [m.id, m]));
  assert.equal(hooks['mmcrypto::AesGcmEncrypt'].method, 'symbol', 'mangled name found among exports');
  assert.equal(hooks['mmcrypto::AesGcmDecrypt'].method, 'symbol');
  assert.equal(hooks['mmcrypto::AesGcmDecrypt'].offset, '0x40');
  assert.equal(hooks['mmtls-record-crypt'].method, 'offset-unverified');
  assert.equal(hooks['mmtls-record-crypt'].offset, '0x12ae10');
  assert.equal(hooks['jni:MMProtocalJni.aesEncrypt'].method, 'export');
  assert.equal(hooks['jni:MMProtocalJni.aesEncrypt'].process, 'pid4242');
  assert.equal(attached.length, Object.keys(hooks).length);
  const ready = sent.find((m) => m.type === 'ready');
  assert.ok(ready.hooks.includes('jni:UtilsJni.HKDF'));
  assert.equal(ready.role, 'other', 'pid4242 is not a WeChat process name');
});

test('a byte pattern is used only when it matches once', () => {
  const { get, dev } = load();
  const resolve = get('resolveInModule');
  const spec = { id: 'p', library: 'libwechatnetwork.so', decoder: 'crypt-ctx', patterns: ['de ad be ef ca fe'] };
  const ctx = { appVersion: null, sha256: () => null };
  const once = Buffer.alloc(0x100);
  Buffer.from('deadbeefcafe', 'hex').copy(once, 0x30);
  const r = resolve(spec, dev.module({ name: 'libwechatnetwork.so', code: once }), ctx);
  assert.equal(r.method, 'pattern');
  assert.equal(r.offset, 0x30);
  const twice = Buffer.concat([once, once]);
  assert.equal(resolve(spec, dev.module({ name: 'libwechatnetwork.so', code: twice }), ctx), null);
  assert.equal(resolve(spec, dev.module({ name: 'libother.so', code: once }), ctx), null, 'wrong library');
});

test('decoders: a record decryption through libc++ strings becomes an MMTLS_RECORD line', () => {
  const { dev, sent, mem } = load({ modules: [{ name: 'libwechatnetwork.so', exports: { [DEC]: 0x40 } }], config: { appVersion: '8.0.70' } });
  const net = dev.modules.find((m) => m.name === 'libwechatnetwork.so');
  dev.call(net.base.add(0x40), [
    mem.libcxxString(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex')),
    mem.libcxxString(Buffer.from('a0a1a2a3a4a5a6a7a8a9aaab', 'hex')),
    mem.libcxxString(Buffer.from('000000000000000517f1040030', 'hex')),
    mem.libcxxString(Buffer.concat([Buffer.alloc(40, 9), Buffer.from('0102030405060708', 'hex')])),
    mem.alloc(24), mem.alloc(24),
  ]);
  const keys = sent.filter((m) => m.type === 'key');
  assert.equal(keys.length, 1, JSON.stringify(sent.filter((m) => m.type === 'error')));
  assert.match(keys[0].line, /^MMTLS_RECORD 000000000000000517f1040030 000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab 0102030405060708 time=\S+ process=pid4242 pid=4242 hook=mmcrypto%3A%3AAesGcmDecrypt%40symbol dir=dec$/);
});
