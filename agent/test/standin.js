// A small stand-in for the Frida API, enough to run the agent's discovery
// and decoders under Node: pointers are offsets into one Buffer.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

class Ptr {
  constructor(mem, addr) { this.mem = mem; this.addr = Number(addr); }
  add(n) { return new Ptr(this.mem, this.addr + Number(n instanceof Ptr ? n.addr : n)); }
  sub(n) { return new Ptr(this.mem, this.addr - Number(n instanceof Ptr ? n.addr : n)); }
  isNull() { return this.addr === 0; }
  toInt32() { return this.addr | 0; }
  toUInt32() { return this.addr >>> 0; }
  readU8() { return this.mem.buf[this.addr]; }
  readU32() { return this.mem.buf.readUInt32LE(this.addr); }
  readPointer() { return new Ptr(this.mem, Number(this.mem.buf.readBigUInt64LE(this.addr))); }
  readByteArray(n) {
    if (this.addr === 0 || this.addr + n > this.mem.buf.length) throw new Error('access violation at ' + this.addr);
    const b = this.mem.buf.subarray(this.addr, this.addr + n);
    return b.buffer.slice(b.byteOffset, b.byteOffset + n);
  }
  readCString() { const end = this.mem.buf.indexOf(0, this.addr); return this.mem.buf.toString('latin1', this.addr, end); }
  toString() { return '0x' + this.addr.toString(16); }
}

// Memory is a bump allocator over a Buffer.
class Mem {
  constructor() { this.buf = Buffer.alloc(4 << 20); this.next = 0x1000; }
  alloc(n) { const p = new Ptr(this, this.next); this.next += Math.ceil(Math.max(n, 1) / 16) * 16; return p; }
  bytes(b) { const p = this.alloc(b.length); Buffer.from(b).copy(this.buf, p.addr); return p; }
  u64(p, v) { this.buf.writeBigUInt64LE(BigInt(v instanceof Ptr ? v.addr : v), p.addr); }
  // libcxxString lays out a libc++ std::string (short or long form).
  libcxxString(b) {
    const s = this.alloc(24);
    if (b.length <= 22) {
      this.buf[s.addr] = b.length << 1;
      Buffer.from(b).copy(this.buf, s.addr + 1);
    } else {
      this.u64(s, 49); // capacity 48, long bit set
      this.u64(s.add(8), b.length);
      this.u64(s.add(16), this.bytes(b));
    }
    return s;
  }
}

// makeModule builds a stand-in Module from exports, symbols and code bytes.
function makeModule(mem, { name, path: p, exports = [], symbols = [], code = Buffer.alloc(0), size = 0 }) {
  const base = mem.alloc(Math.max(code.length, 0x100, size));
  Buffer.from(code).copy(mem.buf, base.addr);
  const sym = (s) => ({ type: 'function', name: s.name, address: base.add(s.offset) });
  return {
    name, path: p || '/data/app/com.tencent.mm/lib/arm64/' + name, base, size: Math.max(code.length, 0x100, size),
    findExportByName(n) { const e = exports.find((x) => x.name === n); return e ? base.add(e.offset) : null; },
    enumerateExports() { return exports.map(sym); },
    enumerateSymbols() { return symbols.map(sym); },
    enumerateRanges() { return [{ base, size: code.length }]; },
  };
}

// load runs the compiled agent in a fresh context with the stand-in API
// and returns the context, the messages sent and the attached hooks.
function load({ modules = [], config } = {}) {
  const mem = new Mem();
  const sent = [];
  const attached = [];
  const ctx = {
    Memory: {
      alloc: (n) => mem.alloc(n),
      scanSync(base, size, pattern) {
        const needle = Buffer.from(pattern.replace(/ /g, ''), 'hex');
        const hay = mem.buf.subarray(base.addr, base.addr + size);
        const out = [];
        for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) out.push({ address: base.add(i), size: needle.length });
        return out;
      },
    },
    Process: {
      id: 4242, pointerSize: 8, arch: 'arm64',
      enumerateModules: () => modules.map((m) => m(mem)),
      findModuleByName: () => null,
      findModuleByAddress: () => null,
      attachModuleObserver: (cb) => { ctx.__observer = cb; return {}; },
    },
    Interceptor: { attach(address, callbacks) { attached.push({ address, callbacks }); return {}; } },
    Checksum: { compute: () => 'f'.repeat(64) },
    File: class { constructor() { throw new Error('no /proc here'); } static readAllBytes() { return new ArrayBuffer(0); } },
    NativeFunction: class { constructor() { throw new Error('no native calls here'); } },
    send: (m) => sent.push(m),
    console: { log: () => {} },
  };
  if (config !== undefined) ctx.WXAUDIT_CONFIG = config;
  vm.createContext(ctx);
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'capturekit', 'agent.js'), 'utf8');
  vm.runInContext(src, ctx, { filename: 'agent.js' });
  return { ctx, mem, sent, attached, get: (expr) => vm.runInContext(expr, ctx) };
}

module.exports = { Ptr, Mem, makeModule, load };
