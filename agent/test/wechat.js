// A simulated WeChat on the fake Frida runtime: its libraries hold
// functions at the places a real build has them (by offset, JNI export or
// RegisterNatives), and playing synth's Frida key log calls each of them
// with that line's key material laid out as the real function receives it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Device } = require('./fakefrida.js');

const SYNTH = path.join(__dirname, 'testdata', 'synth');

// The published 8.0.49 offsets (Citizen Lab, wechat-security-report commit
// 3917efe, Ghidra addresses minus 0x100000), written here independently of
// the agent's profiles so a wrong profile fails the tests.
const V8049 = { crypt: 0x12ae10, cbcEnc: 0x3d6b0, cbcDec: 0x3d83c, gcmEnc: 0xd7ea4, gcmDec: 0xd780c };
const SIZES = { net: 0x140000, jni: 0x50000, mm: 0xe0000 };

const REGISTER_NATIVES = '_ZN3art3JNIILb0EE15RegisterNativesEP7_JNIEnvP7_jclassPK15JNINativeMethodi';
const REGISTER_NATIVES_CHECKED = '_ZN3art8CheckJNI15RegisterNativesEP7_JNIEnvP7_jclassPK15JNINativeMethodi';
const MMPROTOCAL = 'com.tencent.mm.protocal.MMProtocalJni';
const UTILS = 'com.tencent.mm.jni.utils.UtilsJni';

function synthLines() {
  return fs.readFileSync(path.join(SYNTH, 'frida.keylog'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

const hex = (s) => Buffer.from(s, 'hex');

// WeChat is one app process on a device. path: "offset", "export" or
// "registernatives" (how the inner-key functions are found); the record
// cipher is always at its 8.0.49 offset, the only published way to find it.
class WeChat {
  constructor({ path: hookPath = 'offset', arch = 'arm64', appVersion = '8.0.49', netSize = SIZES.net } = {}) {
    this.hookPath = hookPath;
    this.dev = new Device({ arch });
    this.config = { appVersion, console: false };
    this.netSize = netSize;
    this.pendingOut = null;
    const dev = this.dev;
    dev.module({ name: 'libart.so', path: '/apex/com.android.art/lib64/libart.so', size: 0x1000,
      symbols: { [REGISTER_NATIVES]: 0x100, [REGISTER_NATIVES_CHECKED]: 0x200 },
      functions: { 0x100: (a) => this.registerNativesImpl(a), 0x200: () => { throw new Error('CheckJNI variant must not be called here'); } } });
  }

  // start loads the agent, then the app's libraries (dlopen after start).
  start() {
    const dev = this.dev;
    dev.start(this.config);
    const out = (n) => (a) => this.writeOut(a, n);
    this.net = dev.load({ name: 'libwechatnetwork.so', size: this.netSize,
      functions: this.netSize > V8049.crypt ? { [V8049.crypt]: (a) => this.cryptImpl(a) } : {} });
    const jniFns = { 0x100: (a) => this.javaAes(a), 0x200: (a) => this.javaAes(a) };
    const jniExports = this.hookPath === 'export'
      ? { Java_com_tencent_mm_protocal_MMProtocalJni_aesEncrypt: 0x100, Java_com_tencent_mm_protocal_MMProtocalJni_aesDecrypt: 0x200 } : {};
    this.jni = dev.load({ name: 'libMMProtocalJni.so', size: SIZES.jni, exports: jniExports,
      functions: Object.assign({ [V8049.cbcEnc]: out(6), [V8049.cbcDec]: () => 0 }, jniFns) });
    const mmExports = this.hookPath === 'export' ? { Java_com_tencent_mm_jni_utils_UtilsJni_AesGcmEncryptWithNonce: 0x100 } : {};
    this.mm = dev.load({ name: 'libwechatmm.so', size: SIZES.mm, exports: mmExports,
      functions: { [V8049.gcmEnc]: () => 0, [V8049.gcmDec]: () => 0, 0x100: (a) => this.javaGcm(a), 0x300: (a) => this.javaAes(a) } });
    if (this.hookPath === 'registernatives') {
      // A class of another package registering a method of the same name
      // first: the agent must match by class, not by method name alone.
      this.registerNatives('com.tencent.mm.plugin.decoy.DecoyJni', [['aesEncrypt', '([B[B)[B', this.mm.base.add(0x300)]]);
      this.registerNatives(MMPROTOCAL, [
        ['aesEncrypt', '([B[B)[B', this.jni.base.add(0x100)],
        ['aesDecrypt', '([B[B)[B', this.jni.base.add(0x200)],
      ]);
      this.registerNatives(UTILS, [['AesGcmEncryptWithNonce', '([B[B[B[B)[B', this.mm.base.add(0x100)]]);
    }
    return this;
  }

  registerNativesImpl() { return 0; }

  // registerNatives calls JNIEnv->RegisterNatives as a library's JNI_OnLoad does.
  registerNatives(cls, methods) {
    const mem = this.dev.mem;
    const arr = mem.alloc(24 * methods.length);
    methods.forEach(([name, sig, fn], i) => {
      mem.u64(arr.add(i * 24), mem.cstring(name));
      mem.u64(arr.add(i * 24 + 8), mem.cstring(sig));
      mem.u64(arr.add(i * 24 + 16), fn);
    });
    const art = this.dev.modules.find((m) => m.name === 'libart.so');
    return this.dev.call(art.base.add(0x100), [this.dev.env, this.dev.jclass(cls), arr, methods.length]);
  }

  // writeOut fills the output buffer an encrypting function returns.
  writeOut(args, at) {
    const mem = this.dev.mem;
    const data = this.pendingOut;
    mem.u64(args[at], mem.bytes(data));
    mem.u64(args[at + 1], data.length);
    return 0;
  }

  // cryptImpl is the record cipher: Crypt(ctx, nonce, nonce_len, aad,
  // aad_len, input, input_len, output); output+8 data, output+0x10 length.
  cryptImpl(args) {
    const mem = this.dev.mem;
    if (mem.buf[args[0].addr + 0x20] !== 0) {
      mem.u64(args[7].add(8), mem.bytes(this.pendingOut));
      mem.u32(args[7].add(0x10), this.pendingOut.length);
    }
    return 0;
  }

  javaAes() { return this.dev.byteArray(this.pendingOut || Buffer.alloc(16)); }
  javaGcm() { return this.dev.byteArray(this.pendingOut || Buffer.alloc(16)); }

  // play calls the app's functions with every line of synth's Frida log.
  play(lines = synthLines()) {
    for (const l of lines) {
      if (l.layer === 'OUTER') this.record(l);
      else if (l.iv !== undefined) this.gcm(l);
      else this.cbc(l);
    }
  }

  record(l) {
    const mem = this.dev.mem;
    const key = hex(l.key);
    const aad = hex(l.metadata);
    const n = aad.readUInt16BE(11); // record body length, tag included
    const sealed = Buffer.concat([Buffer.alloc(n - 8, 0xee), hex(l.tail)]);
    const ctx = mem.alloc(0x60);
    mem.u32(ctx.add(0x10), key.length);
    mem.u8(ctx.add(0x20), l.encrypt ? 1 : 0);
    mem.u64(ctx.add(0x50), mem.bytes(key));
    const input = l.encrypt ? Buffer.alloc(n - 16, 0x11) : sealed;
    const output = mem.alloc(0x18);
    this.pendingOut = sealed;
    this.dev.call(this.net.base.add(V8049.crypt), [ctx, mem.bytes(hex(l.nonce)), 12, mem.bytes(aad), aad.length, mem.bytes(input), input.length, output]);
  }

  cbc(l) {
    const mem = this.dev.mem;
    const key = hex(l.key);
    const body = Buffer.concat([Buffer.alloc(24, 0x22), hex(l.tail)]);
    this.pendingOut = body;
    if (this.hookPath === 'offset') {
      const at = l.encrypt ? V8049.cbcEnc : V8049.cbcDec;
      const input = l.encrypt ? Buffer.alloc(20, 0x33) : body;
      this.dev.call(this.jni.base.add(at), [mem.bytes(key), key.length, mem.bytes(key), key.length, mem.bytes(input), input.length, mem.alloc(8), mem.alloc(8)]);
      return;
    }
    const env = this.dev.env;
    const fn = this.jni.base.add(l.encrypt ? 0x100 : 0x200);
    this.dev.call(fn, [env, this.dev.jclass(MMPROTOCAL), this.dev.byteArray(l.encrypt ? Buffer.alloc(20, 0x33) : body), this.dev.byteArray(key)]);
  }

  gcm(l) {
    const mem = this.dev.mem;
    const key = hex(l.key);
    const iv = hex(l.iv);
    const aad = hex(l.metadata || '');
    const ct = Buffer.concat([Buffer.alloc(32, 0x44), hex(l.tail).subarray(0, 8)]);
    if (l.encrypt && this.hookPath !== 'offset') {
      this.pendingOut = Buffer.concat([ct, iv, hex(l.tag)]);
      this.dev.call(this.mm.base.add(0x100), [this.dev.env, this.dev.jclass(UTILS), this.dev.byteArray(Buffer.alloc(40, 0x55)), this.dev.byteArray(key), this.dev.byteArray(iv), this.dev.byteArray(aad)]);
      return;
    }
    // AesGcmEncrypt/Decrypt(_, iv, iv_len, key, key_len, aad, aad_len,
    // in, in_len, out/tag, ...), as the published hooks read it.
    const at = l.encrypt ? V8049.gcmEnc : V8049.gcmDec;
    this.dev.call(this.mm.base.add(at), [0, mem.bytes(iv), iv.length, mem.bytes(key), key.length, aad.length ? mem.bytes(aad) : 0, aad.length, mem.bytes(ct), ct.length, mem.bytes(hex(l.tag)), 16, 0]);
  }

  // keyLog is the key log the host writes from the agent's messages.
  keyLog() { return ['# wxaudit-secrets v2', ...this.dev.keyLines()].join('\n') + '\n'; }
  warnings() { return this.dev.messages('warning').map((m) => m.message); }
}

module.exports = { WeChat, synthLines, SYNTH, V8049 };
