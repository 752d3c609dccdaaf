// A fake Frida runtime over byte buffers: NativePointer, Memory, Module,
// Process, Interceptor, NativeFunction, File, Checksum, and a JNI function
// table with Java objects behind local references. Native functions are
// JavaScript implementations registered at addresses; device.call runs
// the Interceptor listeners around one, as a hooked call on a phone does.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const MEM_SIZE = 8 << 20;

class Ptr {
  constructor(mem, addr) { this.mem = mem; this.addr = Number(addr); }
  add(n) { return new Ptr(this.mem, this.addr + Number(n instanceof Ptr ? n.addr : n)); }
  sub(n) { return new Ptr(this.mem, this.addr - Number(n instanceof Ptr ? n.addr : n)); }
  isNull() { return this.addr === 0; }
  equals(o) { return o instanceof Ptr && o.addr === this.addr; }
  toInt32() { return this.addr | 0; }
  toUInt32() { return this.addr >>> 0; }
  check(n) { if (this.addr < 0x1000 || this.addr + n > this.mem.buf.length) throw new Error('access violation accessing ' + this.toString()); }
  readU8() { this.check(1); return this.mem.buf[this.addr]; }
  readU32() { this.check(4); return this.mem.buf.readUInt32LE(this.addr); }
  readPointer() { this.check(8); return new Ptr(this.mem, Number(this.mem.buf.readBigUInt64LE(this.addr))); }
  readByteArray(n) {
    this.check(n);
    const b = this.mem.buf.subarray(this.addr, this.addr + n);
    return b.buffer.slice(b.byteOffset, b.byteOffset + n);
  }
  readCString() { this.check(1); const end = this.mem.buf.indexOf(0, this.addr); return this.mem.buf.toString('latin1', this.addr, end); }
  toString() { return '0x' + this.addr.toString(16); }
}

// Mem is a bump allocator over one Buffer; address 0 is NULL.
class Mem {
  constructor() { this.buf = Buffer.alloc(MEM_SIZE); this.next = 0x10000; }
  alloc(n) {
    const p = new Ptr(this, this.next);
    this.next += Math.ceil(Math.max(n, 1) / 16) * 16;
    if (this.next > this.buf.length) throw new Error('fake memory exhausted');
    return p;
  }
  bytes(b) { const p = this.alloc(b.length); Buffer.from(b).copy(this.buf, p.addr); return p; }
  cstring(s) { return this.bytes(Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(1)])); }
  u8(p, v) { this.buf[p.addr] = v; }
  u32(p, v) { this.buf.writeUInt32LE(v, p.addr); }
  u64(p, v) { this.buf.writeBigUInt64LE(BigInt(v instanceof Ptr ? v.addr : v), p.addr); }
  read(p, n) { return Buffer.from(this.buf.subarray(p.addr, p.addr + n)); }
  // libcxxString lays out a libc++ std::string (short or long form).
  libcxxString(b) {
    const s = this.alloc(24);
    if (b.length <= 22) {
      this.buf[s.addr] = b.length << 1;
      Buffer.from(b).copy(this.buf, s.addr + 1);
    } else {
      this.u64(s, 49);
      this.u64(s.add(8), b.length);
      this.u64(s.add(16), this.bytes(b));
    }
    return s;
  }
}

// JNI function indices (JNI specification, JNINativeInterface).
const JNI = { FindClass: 6, ExceptionClear: 17, DeleteLocalRef: 23, GetMethodID: 33, CallObjectMethodA: 36, GetStringUTFChars: 169, ReleaseStringUTFChars: 170, GetArrayLength: 171, GetByteArrayRegion: 200, ExceptionCheck: 228 };
const JNI_TABLE_SIZE = 232;

class Device {
  // opts: arch ("arm64"), processName (null: no /proc/self/cmdline),
  // files {path: Buffer}
  constructor({ arch = 'arm64', processName = 'com.tencent.mm', files = {} } = {}) {
    this.mem = new Mem();
    this.arch = arch;
    this.natives = new Map();     // addr -> impl(args) -> Ptr|number|undefined
    this.listeners = new Map();   // addr -> [callbacks]
    this.modules = [];
    this.observer = null;
    this.sent = [];
    this.consoleLines = [];
    this.files = Object.assign(processName === null ? {} : { '/proc/self/cmdline': Buffer.from(processName + '\0') }, files);
    this.attached = [];           // {address, callbacks}, in order
    this.refs = new Map();        // local reference addr -> Java object
    this.env = this.makeJNIEnv();
  }

  ptr(v) { return new Ptr(this.mem, v); }

  // fn registers a native function and returns its address.
  fn(impl, at) {
    const p = at || this.mem.alloc(16);
    this.natives.set(p.addr, impl);
    return p;
  }

  // call runs a native function with its Interceptor listeners.
  call(address, args) {
    const impl = this.natives.get(address.addr);
    if (impl === undefined) throw new Error('no function at ' + address);
    const ls = this.listeners.get(address.addr) || [];
    const argv = args.map((a) => (a instanceof Ptr ? a : this.ptr(a)));
    const ctxs = ls.map((l) => { const c = {}; if (l.onEnter) l.onEnter.call(c, argv); return c; });
    const ret = impl(argv);
    ls.forEach((l, i) => { if (l.onLeave) l.onLeave.call(ctxs[i], ret); });
    return ret;
  }

  // module adds a library: exports and symbols name offsets where native
  // implementations live; size is its mapped size.
  // Exported and symbolized functions without an implementation return 0;
  // code is copied to the base, for byte-pattern scans.
  module({ name, path: p, size = 0x1000, exports = {}, symbols = {}, functions = {}, code = null }) {
    size = Math.max(size, code ? code.length : 0);
    const base = this.mem.alloc(size);
    if (code) Buffer.from(code).copy(this.mem.buf, base.addr);
    const sym = (n, off) => ({ type: 'function', name: n, address: base.add(off) });
    for (const off of [...Object.values(exports), ...Object.values(symbols)]) this.fn(() => 0, base.add(off));
    for (const [off, impl] of Object.entries(functions)) this.fn(impl, base.add(Number(off)));
    const m = {
      name, path: p || '/data/app/~~Zx9/com.tencent.mm-Yb2/lib/arm64/' + name, base, size,
      findExportByName(n) { return exports[n] !== undefined ? base.add(exports[n]) : null; },
      enumerateExports() { return Object.entries(exports).map(([n, o]) => sym(n, o)); },
      enumerateSymbols() { return Object.entries(symbols).map(([n, o]) => sym(n, o)); },
      enumerateRanges() { return [{ base, size }]; },
    };
    this.modules.push(m);
    return m;
  }

  // load adds a library after the agent started (dlopen).
  load(spec) {
    const m = this.module(spec);
    if (this.observer && this.observer.onAdded) this.observer.onAdded(m);
    return m;
  }

  // Java objects behind local references.
  ref(obj) { const p = this.mem.alloc(16); this.refs.set(p.addr, obj); return p; }
  byteArray(b) { return this.ref({ kind: 'bytes', data: Buffer.from(b) }); }
  jclass(name) { return this.ref({ kind: 'class', name }); }

  makeJNIEnv() {
    const table = this.mem.alloc(JNI_TABLE_SIZE * 8);
    const env = this.mem.alloc(8);
    this.mem.u64(env, table);
    const unimplemented = (i) => () => { throw new Error('fake JNI function ' + i + ' not implemented'); };
    for (let i = 0; i < JNI_TABLE_SIZE; i++) this.mem.u64(table.add(i * 8), this.fn(unimplemented(i)));
    const obj = (p) => { const o = this.refs.get(p.addr); if (!o) throw new Error('JNI: invalid reference ' + p); return o; };
    const set = (i, impl) => this.mem.u64(table.add(i * 8), this.fn(impl));
    set(JNI.FindClass, ([, name]) => this.jclass(name.readCString().replace(/\//g, '.')));
    set(JNI.GetMethodID, ([, cls, name, sig]) => this.ref({ kind: 'method', cls: obj(cls).name, name: name.readCString(), sig: sig.readCString() }));
    set(JNI.CallObjectMethodA, ([, target, method]) => {
      const m = obj(method);
      if (m.cls === 'java.lang.Class' && m.name === 'getName' && m.sig === '()Ljava/lang/String;') return this.ref({ kind: 'string', value: obj(target).name });
      throw new Error('fake JNI: no method ' + m.name);
    });
    set(JNI.GetStringUTFChars, ([, s]) => this.mem.cstring(obj(s).value));
    set(JNI.ReleaseStringUTFChars, () => undefined);
    set(JNI.DeleteLocalRef, ([, r]) => { this.refs.delete(r.addr); });
    set(JNI.ExceptionCheck, () => 0);
    set(JNI.ExceptionClear, () => undefined);
    set(JNI.GetArrayLength, ([, a]) => { const o = obj(a); if (o.kind !== 'bytes') throw new Error('JNI: GetArrayLength on a ' + o.kind); return o.data.length; });
    set(JNI.GetByteArrayRegion, ([, a, start, len, buf]) => { obj(a).data.copy(this.mem.buf, buf.addr, start.addr, start.addr + len.addr); });
    return env;
  }

  // runtime returns the globals a Frida script sees.
  runtime(config) {
    const dev = this;
    const mem = this.mem;
    class FakeFile {
      constructor(p) {
        if (!(p in dev.files)) throw new Error('unable to open file ' + p);
        this.data = dev.files[p];
        this.pos = 0;
      }
      static readAllBytes(p) { const f = new FakeFile(p); return f.readBytes(); }
      tell() { return this.pos; }
      seek(off, whence = 0) { this.pos = whence === 2 ? this.data.length + off : whence === 1 ? this.pos + off : off; return this.pos; }
      readBytes(n) {
        const end = n === undefined ? this.data.length : Math.min(this.data.length, this.pos + n);
        const b = this.data.subarray(this.pos, end);
        this.pos = end;
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
      }
      close() {}
    }
    FakeFile.SEEK_SET = 0; FakeFile.SEEK_CUR = 1; FakeFile.SEEK_END = 2;
    class Checksum {
      constructor(type) { this.h = crypto.createHash(type); }
      static compute(type, data) { return crypto.createHash(type).update(Buffer.from(data)).digest('hex'); }
      update(data) { this.h.update(Buffer.from(data)); return this; }
      getString() { return this.h.digest('hex'); }
    }
    const conv = (ret, v) => {
      if (ret === 'pointer') return v instanceof Ptr ? v : dev.ptr(v || 0);
      if (ret === 'void') return undefined;
      return v instanceof Ptr ? v.addr : Number(v || 0);
    };
    function NativeFunction(address, ret) {
      return (...args) => conv(ret, dev.call(address, args.map((a) => (a instanceof Ptr ? a : dev.ptr(a)))));
    }
    const ctx = {
      NULL: dev.ptr(0),
      Memory: {
        alloc: (n) => mem.alloc(n),
        allocUtf8String: (s) => mem.cstring(s),
        scanSync(base, size, pattern) {
          const needle = Buffer.from(pattern.replace(/ /g, ''), 'hex');
          const hay = mem.buf.subarray(base.addr, base.addr + size);
          const out = [];
          for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) out.push({ address: base.add(i), size: needle.length });
          return out;
        },
      },
      Process: {
        id: 4242, pointerSize: 8, get arch() { return dev.arch; },
        enumerateModules: () => dev.modules.slice(),
        findModuleByName: (n) => dev.modules.find((m) => m.name === n) || null,
        findModuleByAddress: (a) => dev.modules.find((m) => a.addr >= m.base.addr && a.addr < m.base.addr + m.size) || null,
        attachModuleObserver: (cb) => { dev.observer = cb; return { detach() {} }; },
      },
      Interceptor: {
        attach(address, callbacks) {
          if (!dev.natives.has(address.addr)) throw new Error('unable to intercept function at ' + address + '; please file a bug');
          const ls = dev.listeners.get(address.addr) || [];
          ls.push(callbacks);
          dev.attached.push({ address, callbacks });
          dev.listeners.set(address.addr, ls);
          return { detach() {} };
        },
      },
      NativeFunction,
      Checksum,
      File: FakeFile,
      send: (m) => dev.sent.push(JSON.parse(JSON.stringify(m))),
      console: { log: (...a) => dev.consoleLines.push(a.join(' ')) },
    };
    if (config !== undefined) ctx.WXAUDIT_CONFIG = config;
    return ctx;
  }

  // start loads the shipped agent (capturekit/agent.js) into the device.
  start(config) {
    const ctx = this.runtime(config);
    vm.createContext(ctx);
    const src = fs.readFileSync(AGENT_JS, 'utf8');
    vm.runInContext(src, ctx, { filename: 'agent.js' });
    this.ctx = ctx;
    return this;
  }

  get(expr) { return vm.runInContext(expr, this.ctx); }
  messages(type) { return this.sent.filter((m) => m.type === type); }
  keyLines() { return this.messages('key').map((m) => m.line); }
}

const AGENT_JS = path.join(__dirname, '..', '..', 'capturekit', 'agent.js');

// storedZip builds a zip whose entries are stored (method 0), as an APK
// holds libraries Android maps without extracting.
function storedZip(entries) {
  const locals = [];
  const central = [];
  let off = 0;
  for (const [name, data] of Object.entries(entries)) {
    const n = Buffer.from(name, 'latin1');
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(0, 8);
    lh.writeUInt32LE(data.length, 18); lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(n.length, 26); lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(0, 10);
    ch.writeUInt32LE(data.length, 20); ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(n.length, 28); ch.writeUInt32LE(off, 42);
    locals.push(lh, n, data);
    central.push(ch, n);
    off += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(entries).length, 8); eocd.writeUInt16LE(Object.keys(entries).length, 10);
  eocd.writeUInt32LE(cd.length, 12); eocd.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

module.exports = { Ptr, Mem, Device, storedZip, AGENT_JS };
