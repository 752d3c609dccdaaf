// The agent's entry: it runs in every WeChat process the host loads it
// into (main, :push, :appbrandN; the host's spawn gating), hooks what it
// finds as libraries load (no timers), and sends each key as a secrets key
// log v2 line: send({type: "key", line}). Hook reports are sent as
// {type: "hook"}; with the agent run by hand (frida -l), the same lines go
// to the console instead, hook reports as "#" comments, so `frida -o
// keys.log` writes a key log.

interface AgentConfig {
    appVersion?: string;
    console?: boolean;
}

// GumJS provides console; @types/frida-gum does not declare it.
declare const console: { log(...args: unknown[]): void };

const JNI_REGISTER_NATIVES_SYMBOL = ["RegisterNatives", "3art"];

class Agent {
    readonly config: AgentConfig;
    readonly process: string;
    readonly installed = new Map<string, Resolved>();
    readonly calls = new Map<string, number>();
    private readonly hashes = new Map<string, string | null>();
    private errors = 0;

    constructor(config: AgentConfig) {
        this.config = config;
        this.process = readProcessName();
    }

    // out sends a message to the host, or, run by hand (no host reads
    // messages), prints its console form.
    private out(msg: { [k: string]: unknown }, consoleLine: string | null): void {
        if (!this.config.console) {
            send(msg);
        } else if (consoleLine !== null) {
            console.log(consoleLine);
        }
    }

    meta(hook: Resolved): LineMeta {
        return { time: new Date(), process: this.process, pid: Process.id, hook: hook.spec.id + "@" + hook.method };
    }

    emit(hook: Resolved, lines: KeyLine[]): void {
        for (const l of lines) {
            const m = this.meta(hook);
            m.dir = l.dir;
            const s = formatKeyLine(l.label, l.fields, m);
            if (s !== null) {
                this.out({ type: "key", line: s }, s);
            }
        }
    }

    sha256(m: Module): string | null {
        if (!this.hashes.has(m.path)) {
            let h: string | null = null;
            try {
                h = Checksum.compute("sha256", File.readAllBytes(m.path));
            } catch (e) {
                h = null;
            }
            this.hashes.set(m.path, h);
        }
        return this.hashes.get(m.path) ?? null;
    }

    onModule(m: Module): void {
        const ctx: DiscoveryContext = { appVersion: this.config.appVersion ?? null, sha256: (x) => this.sha256(x) };
        for (const spec of HOOKS) {
            if (this.installed.has(spec.id)) {
                continue;
            }
            let r: Resolved | null = null;
            try {
                r = resolveInModule(spec, m, ctx);
            } catch (e) {
                this.report("error", { id: spec.id, module: m.name, error: String(e) });
            }
            if (r !== null) {
                this.install(r);
            }
        }
    }

    install(r: Resolved): void {
        try {
            Interceptor.attach(r.address, callbacks(this, r));
        } catch (e) {
            this.report("error", { id: r.spec.id, module: r.module, error: String(e) });
            return;
        }
        this.installed.set(r.spec.id, r);
        this.report("hook", { id: r.spec.id, method: r.method, module: r.module, offset: "0x" + r.offset.toString(16), signature: r.signature ?? null });
    }

    count(r: Resolved): void {
        this.calls.set(r.spec.id, (this.calls.get(r.spec.id) ?? 0) + 1);
    }

    failed(r: Resolved, e: unknown): void {
        this.errors++;
        if (this.errors <= 20) {
            this.report("error", { id: r.spec.id, error: String(e) });
        }
    }

    report(type: string, fields: { [k: string]: unknown }): void {
        const msg = Object.assign({ type, process: this.process, pid: Process.id }, fields);
        this.out(msg, "# " + JSON.stringify(msg));
    }

    // hookRegisterNatives binds JNI hooks whose functions are not exported.
    hookRegisterNatives(): void {
        const art = Process.findModuleByName("libart.so");
        if (art === null) {
            this.report("warning", { message: "libart.so not loaded: no RegisterNatives interception" });
            return;
        }
        const agent = this;
        for (const s of art.enumerateSymbols()) {
            if (s.type !== "function" || !hasParts(s.name, JNI_REGISTER_NATIVES_SYMBOL) || s.name.indexOf("CheckJNI") >= 0) {
                continue;
            }
            Interceptor.attach(s.address, {
                onEnter(args) {
                    const methods = args[2];
                    const n = args[3].toInt32();
                    const size = 3 * Process.pointerSize;
                    for (let i = 0; i < n && i < 1000; i++) {
                        const e = methods.add(i * size);
                        const name = e.readPointer().readCString() ?? "";
                        const sig = e.add(Process.pointerSize).readPointer().readCString() ?? "";
                        const spec = matchRegistered(HOOKS, name, sig);
                        if (spec === null || agent.installed.has(spec.id)) {
                            continue;
                        }
                        const fn = e.add(2 * Process.pointerSize).readPointer();
                        const m = Process.findModuleByAddress(fn);
                        agent.install({ spec, address: fn, method: "registernatives", module: m?.name ?? "?", offset: m ? fn.sub(m.base).toInt32() : 0, signature: sig });
                    }
                },
            });
            this.report("info", { message: "RegisterNatives intercepted", symbol: s.name });
        }
    }

    start(): void {
        if (this.config.console) {
            console.log(SECRETS_HEADER_V2);
        }
        this.report("ready", { role: processRole(this.process), hooks: HOOKS.map((h) => h.id), appVersion: this.config.appVersion ?? null });
        this.hookRegisterNatives();
        for (const m of Process.enumerateModules()) {
            this.onModule(m);
        }
        Process.attachModuleObserver({ onAdded: (m) => this.onModule(m) });
    }
}

function readProcessName(): string {
    try {
        const f = new File("/proc/self/cmdline", "rb");
        const raw = f.readBytes(512);
        f.close();
        return processNameFromCmdline(new Uint8Array(raw));
    } catch (e) {
        return "pid" + Process.id;
    }
}

function readBytes(p: NativePointer, n: number): Uint8Array {
    if (n < 0 || n > MAX_ARRAY_COPY) {
        throw new Error("length " + n + " out of range");
    }
    return new Uint8Array(p.readByteArray(n) ?? new ArrayBuffer(0));
}

function readLibcxxString(p: NativePointer): Uint8Array {
    const s = libcxxString(readBytes(p, 24));
    if (s.inline !== null) {
        return s.inline;
    }
    return readBytes(p.add(16).readPointer(), s.size);
}

// callbacks returns the Interceptor callbacks of a hook's decoder.
function callbacks(agent: Agent, r: Resolved): InvocationListenerCallbacks {
    const spec = r.spec;
    const guard = (f: (ctx: InvocationContext) => void) => function (this: InvocationContext) {
        try {
            f(this);
        } catch (e) {
            agent.failed(r, e);
        }
    };
    switch (spec.decoder) {
        case "jni":
            return {
                onEnter(args) {
                    agent.count(r);
                    const keys = spec.jni!.keys;
                    if (keys === "none") {
                        return;
                    }
                    guard(() => {
                        const kinds = r.signature !== undefined ? jniArgKinds(r.signature) : null;
                        if (kinds === null) {
                            return; // without a signature the argument types are unknown
                        }
                        const arrays: Uint8Array[] = [];
                        kinds.forEach((k, i) => {
                            if (k === "bytes") {
                                const a = readJByteArray(args[0], args[2 + i]);
                                if (a !== null) {
                                    arrays.push(a);
                                }
                            }
                        });
                        agent.emit(r, classifyJniArrays(keys, arrays));
                    }).call(this);
                },
            };
        case "crypt-ctx":
            // Crypt(ctx, nonce, nonce_len, aad, aad_len, input, input_len, output):
            // ctx+0x20 encrypt flag, ctx+0x10 key length, ctx+0x50 key;
            // output+0x08 data, output+0x10 length (8.0.49 layout, published).
            return {
                onEnter(args) {
                    agent.count(r);
                    guard((ctx) => {
                        const c = args[0];
                        const call: CipherCall = {
                            encrypt: c.add(0x20).readU8() !== 0,
                            key: readBytes(c.add(0x50).readPointer(), c.add(0x10).readU32()),
                            iv: readBytes(args[1], args[2].toUInt32()),
                            aad: readBytes(args[3], args[4].toUInt32()),
                            input: null,
                            output: null,
                        };
                        if (!call.encrypt) {
                            const n = args[6].toUInt32();
                            call.input = readBytes(args[5].add(Math.max(n - 8, 0)), Math.min(n, 8));
                            agent.emit(r, classifyCipherCall(call));
                            return;
                        }
                        (ctx as any).call = call;
                        (ctx as any).out = args[7];
                    }).call(this);
                },
                onLeave() {
                    guard((ctx) => {
                        const call = (ctx as any).call as CipherCall | undefined;
                        if (call === undefined) {
                            return;
                        }
                        const out = (ctx as any).out as NativePointer;
                        const n = out.add(0x10).readU32();
                        call.output = readBytes(out.add(0x08).readPointer().add(Math.max(n - 8, 0)), Math.min(n, 8));
                        agent.emit(r, classifyCipherCall(call));
                    }).call(this);
                },
            };
        case "libcxx-strings":
            // Layout unpublished: the first arguments are read as libc++
            // strings and classified by shape; a guess that does not fit
            // yields no line.
            return {
                onEnter(args) {
                    agent.count(r);
                    guard(() => {
                        const strs: Uint8Array[] = [];
                        for (let i = 0; i < 6; i++) {
                            try {
                                strs.push(readLibcxxString(args[i]));
                            } catch (e) {
                                strs.push(new Uint8Array(0));
                            }
                        }
                        const key = strs.find((s) => s.length === 16 || s.length === 24);
                        const iv = strs.find((s) => s.length === 12);
                        const aad = strs.find((s) => isRecordAAD(s)) ?? null;
                        const body = strs.reduce((a, s) => (s.length > a.length ? s : a), new Uint8Array(0));
                        if (key !== undefined && iv !== undefined && !spec.encrypt) {
                            agent.emit(r, classifyCipherCall({ encrypt: false, key, iv, aad, input: body, output: null }));
                        } else if (key !== undefined && iv !== undefined && aad === null) {
                            agent.emit(r, classifyCipherCall({ encrypt: true, key, iv, aad: null, input: null, output: null }));
                        }
                    }).call(this);
                },
            };
        case "aes-cbc-args":
            // AesCbcEncrypt/Decrypt(key, ...): the 16-byte key is the IV too.
            return {
                onEnter(args) {
                    agent.count(r);
                    guard(() => {
                        const key = readBytes(args[0], 16);
                        agent.emit(r, classifyCipherCall({ encrypt: !!spec.encrypt, key, iv: key, aad: null, input: null, output: null }));
                    }).call(this);
                },
            };
        case "aes-gcm-args":
            // AesGcmEncrypt/Decrypt(_, iv, iv_len, key, key_len, aad, aad_len, ...).
            return {
                onEnter(args) {
                    agent.count(r);
                    guard(() => {
                        const iv = readBytes(args[1], args[2].toUInt32());
                        const key = readBytes(args[3], 24);
                        agent.emit(r, classifyCipherCall({ encrypt: !!spec.encrypt, key, iv, aad: null, input: null, output: null }));
                    }).call(this);
                },
            };
    }
}

// The host prepends `var WXAUDIT_CONFIG = {...};`; tests load the file
// without Frida and call the pure functions.
if (typeof Interceptor !== "undefined") {
    const g = globalThis as unknown as { WXAUDIT_CONFIG?: AgentConfig };
    new Agent(g.WXAUDIT_CONFIG ?? { console: true }).start();
}
