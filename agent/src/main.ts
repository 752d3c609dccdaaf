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
    readonly arm64: boolean;

    constructor(config: AgentConfig) {
        this.config = config;
        this.process = readProcessName();
        this.arm64 = Process.arch === "arm64";
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

    // emitChecked emits lines, or, when a key of a length no label takes
    // yields none, reports it (a layout guess that no longer fits).
    emitChecked(hook: Resolved, key: Uint8Array, lines: KeyLine[]): void {
        if (lines.length === 0) {
            throw new Error("a " + key.length + "-byte key fits no key-log label (session keys are 16 bytes, GCM keys 24)");
        }
        this.emit(hook, lines);
    }

    // sha256 hashes a library's file: the .so on disk, or, for a library
    // mapped straight from the APK, the stored zip entry inside it.
    sha256(m: Module): string | null {
        if (!this.hashes.has(m.path)) {
            let h: string | null = null;
            try {
                h = hashLibrary(m.path);
            } catch (e) {
                this.report("warning", { message: "cannot hash " + m.name + " (" + m.path + "): " + String(e) + "; offsets then apply by WeChat version only" });
                h = null;
            }
            this.hashes.set(m.path, h);
        }
        return this.hashes.get(m.path) ?? null;
    }

    // usable says whether a hook can run in this process: hooks that
    // read native argument layouts or offsets assume arm64.
    usable(spec: HookSpec): boolean {
        return spec.decoder === "jni" || this.arm64;
    }

    onModule(m: Module): void {
        const ctx: DiscoveryContext = { appVersion: this.config.appVersion ?? null, sha256: (x) => this.sha256(x) };
        for (const spec of HOOKS) {
            if (this.installed.has(spec.id) || !this.usable(spec)) {
                continue;
            }
            let r: Resolved | string | null = null;
            try {
                r = resolveInModule(spec, m, ctx);
            } catch (e) {
                this.report("error", { id: spec.id, module: m.name, error: String(e) });
            }
            if (typeof r === "string") {
                this.report("warning", { id: spec.id, module: m.name, message: spec.id + " not hooked in " + m.name + ": " + r });
            } else if (r !== null) {
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
                    try {
                        agent.onRegisterNatives(args[0], args[1], args[2], args[3].toInt32());
                    } catch (e) {
                        agent.report("error", { id: "RegisterNatives", error: String(e) });
                    }
                },
            });
            this.report("info", { message: "RegisterNatives intercepted", symbol: s.name });
        }
    }

    // onRegisterNatives binds the JNI hooks among n JNINativeMethod
    // entries {name, signature, fnPtr} registered for class cls.
    onRegisterNatives(env: NativePointer, cls: NativePointer, methods: NativePointer, n: number): void {
        let clsName: string | null = null;
        const size = 3 * Process.pointerSize;
        for (let i = 0; i < n && i < 1000; i++) {
            const e = methods.add(i * size);
            const name = e.readPointer().readCString() ?? "";
            if (!HOOKS.some((h) => h.jni !== undefined && h.jni.method === name)) {
                continue;
            }
            if (clsName === null) {
                clsName = jniClassName(env, cls) ?? "?";
            }
            const spec = matchRegistered(HOOKS, clsName, name);
            if (spec === null || this.installed.has(spec.id)) {
                continue;
            }
            const sig = e.add(Process.pointerSize).readPointer().readCString() ?? "";
            const fn = e.add(2 * Process.pointerSize).readPointer();
            const m = Process.findModuleByAddress(fn);
            this.install({ spec, address: fn, method: "registernatives", module: m?.name ?? "?", offset: m ? fn.sub(m.base).toInt32() : 0, signature: sig });
        }
    }

    start(): void {
        if (this.config.console) {
            console.log(SECRETS_HEADER_V2);
        }
        this.report("ready", { role: processRole(this.process), arch: Process.arch, hooks: HOOKS.map((h) => h.id), appVersion: this.config.appVersion ?? null });
        if (!this.arm64) {
            this.report("warning", { message: "this process is " + Process.arch + ", not arm64: the offsets and argument layouts are for arm64 WeChat builds, so only JNI hooks are installed and MMTLS records will not open; use an arm64 phone or an arm64 emulator image (an x86_64 image translating ARM code cannot be hooked)" });
        }
        this.hookRegisterNatives();
        for (const m of Process.enumerateModules()) {
            this.onModule(m);
        }
        Process.attachModuleObserver({ onAdded: (m) => this.onModule(m) });
    }
}

// hashLibrary returns the SHA-256 of a library file, or of its stored
// entry when it is mapped from an APK ("base.apk!/lib/arm64-v8a/x.so").
function hashLibrary(path: string): string {
    const apk = splitApkPath(path);
    if (apk === null) {
        return Checksum.compute("sha256", File.readAllBytes(path));
    }
    const f = new File(apk.apk, "rb");
    try {
        const reader: RandomReader = {
            size: f.seek(0, File.SEEK_END),
            read(offset: number, n: number): Uint8Array {
                f.seek(offset, File.SEEK_SET);
                return new Uint8Array(f.readBytes(n));
            },
        };
        reader.size = f.tell();
        const e = zipStoredEntry(reader, apk.entry);
        const sum = new Checksum("sha256");
        const chunk = 1 << 20;
        for (let done = 0; done < e.size; done += chunk) {
            sum.update(reader.read(e.offset + done, Math.min(chunk, e.size - done)).buffer as ArrayBuffer);
        }
        return sum.getString();
    } finally {
        f.close();
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
                        // RegisterNatives' signature, else the declared one.
                        const sig = r.signature ?? spec.jni!.sig;
                        const kinds = sig !== null ? jniArgKinds(sig) : null;
                        if (kinds === null) {
                            throw new Error("no usable JNI signature (" + String(sig) + ")");
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
            // AesCbcEncrypt/Decrypt(key, key_len, iv, iv_len, in, in_len,
            // out, out_len): the published hooks read the input at
            // arguments 4 and 5 and the output at 6 and 7; the key length
            // at argument 1 follows the same (pointer, length) pairing.
            // With CBC here the key is the IV too (PROTOCOL.md, section 5).
            return {
                onEnter(args) {
                    agent.count(r);
                    guard(() => {
                        const key = readBytes(args[0], args[1].toUInt32());
                        agent.emitChecked(r, key, classifyCipherCall({ encrypt: !!spec.encrypt, key, iv: key, aad: null, input: null, output: null }));
                    }).call(this);
                },
            };
        case "aes-gcm-args":
            // AesGcmEncrypt/Decrypt(_, iv, iv_len, key, key_len, aad,
            // aad_len, ...): the key is read with the length it is given.
            return {
                onEnter(args) {
                    agent.count(r);
                    guard(() => {
                        const iv = readBytes(args[1], args[2].toUInt32());
                        const key = readBytes(args[3], args[4].toUInt32());
                        agent.emitChecked(r, key, classifyCipherCall({ encrypt: !!spec.encrypt, key, iv, aad: null, input: null, output: null }));
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
