// Finding hook points, in order of trust: an exported symbol, a symbol
// found by its (mangled) name, a method bound through JNI RegisterNatives
// (main.ts), a unique byte pattern, and last a per-build offset. The
// method that found each hook is reported and written in the key log.

interface Resolved {
    spec: HookSpec;
    address: NativePointer;
    method: string;   // export | symbol | registernatives | pattern | offset | offset-unverified
    module: string;
    offset: number;
    signature?: string;
}

interface DiscoveryContext {
    appVersion: string | null;
    sha256(m: Module): string | null;
}

function hasParts(name: string, parts: string[]): boolean {
    return parts.every((p) => name.indexOf(p) >= 0);
}

function resolved(spec: HookSpec, m: Module, address: NativePointer, method: string): Resolved {
    return { spec, address, method, module: m.name, offset: address.sub(m.base).toInt32() };
}

// isAppModule tells WeChat's own libraries (JNI exports are searched there
// only) from the system's.
function isAppModule(m: Module): boolean {
    return m.path.indexOf("com.tencent.mm") >= 0 || m.name.indexOf("wechat") >= 0 || m.name.indexOf("MMProtocal") >= 0;
}

// resolveInModule finds spec in m. It returns null when m is not where
// spec lives, and a sentence saying why not when m is its library but the
// hook point was not found there.
function resolveInModule(spec: HookSpec, m: Module, ctx: DiscoveryContext): Resolved | string | null {
    if (spec.library !== null ? spec.library !== m.name : !isAppModule(m)) {
        return null;
    }
    if (spec.exportName !== undefined) {
        const a = m.findExportByName(spec.exportName);
        if (a !== null) {
            return resolved(spec, m, a, "export");
        }
    }
    if (spec.mangled !== undefined) {
        const parts = spec.mangled;
        for (const e of m.enumerateExports()) {
            if (e.type === "function" && hasParts(e.name, parts)) {
                return resolved(spec, m, e.address, "symbol");
            }
        }
        for (const s of m.enumerateSymbols()) {
            if (s.type === "function" && !s.address.isNull() && hasParts(s.name, parts)) {
                return resolved(spec, m, s.address, "symbol");
            }
        }
    }
    for (const pattern of spec.patterns ?? []) {
        const hits: NativePointer[] = [];
        for (const r of m.enumerateRanges("r-x")) {
            for (const h of Memory.scanSync(r.base, r.size, pattern)) {
                hits.push(h.address);
            }
        }
        if (hits.length === 1) {
            return resolved(spec, m, hits[0], "pattern");
        }
    }
    if (spec.library !== null && OFFSET_HOOKS.indexOf(spec.id) >= 0) {
        // Hash only when a profile could match by hash (hashing reads the
        // whole library).
        const hashed = PROFILES.some((p) => p.libraries[m.name] !== undefined && p.libraries[m.name].sha256 !== null);
        const choice = selectProfile(PROFILES, m.name, hashed ? ctx.sha256(m) : null, ctx.appVersion);
        if (choice === null) {
            return ctx.appVersion === null
                ? "WeChat's version is unknown, and no published offsets match the library's SHA-256"
                : "no offset profile for WeChat " + ctx.appVersion + " (profiles exist for " + knownVersions(PROFILES) + ")";
        }
        const off = choice.library.offsets[spec.id];
        if (off === undefined) {
            return "the " + choice.profile.appVersion + " profile has no offset for it";
        }
        if (off >= m.size) {
            return "the " + choice.profile.appVersion + " offset 0x" + off.toString(16) + " lies outside " + m.name + " (0x" + m.size.toString(16) + " bytes): the profile does not fit this build";
        }
        return resolved(spec, m, m.base.add(off), choice.method);
    }
    if (spec.mangled !== undefined) {
        return "no symbol with " + spec.mangled.join(", ") + " in " + m.name;
    }
    return null;
}

// matchRegistered finds the JNI hook a RegisterNatives entry binds: by
// class (dotted, as Class.getName gives it) and method name.
function matchRegistered(specs: HookSpec[], cls: string, name: string): HookSpec | null {
    for (const s of specs) {
        if (s.jni !== undefined && s.jni.cls === cls && s.jni.method === name) {
            return s;
        }
    }
    return null;
}
