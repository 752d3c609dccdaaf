"use strict";
// Key-log lines in the wxaudit secrets key log, version 2 (keylog/doc.go in
// the Go tree is the specification; the host checks every line with the
// Go parser before writing it). Pure functions: tested under Node.
const SECRETS_HEADER_V2 = "# wxaudit-secrets v2";
function toHex(bytes) {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let s = "";
    for (let i = 0; i < b.length; i++) {
        s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    }
    return s;
}
// Attribute values are query-escaped, as Go's url.QueryUnescape reads them.
function escapeAttr(v) {
    return encodeURIComponent(v).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}
function attrs(m) {
    let s = " time=" + escapeAttr(m.time.toISOString()) + " process=" + escapeAttr(m.process) +
        " pid=" + m.pid + " hook=" + escapeAttr(m.hook);
    if (m.conn) {
        s += " conn=" + escapeAttr(m.conn);
    }
    if (m.dir) {
        s += " dir=" + m.dir;
    }
    return s;
}
// Field lengths of each label, in bytes; a line with other lengths is never
// written (a wrong guess about an argument layout must not produce a key).
const LABEL_FIELDS = {
    MMTLS_SECRET: [32, 32],
    MMTLS_PSK_ACCESS: [32, 32],
    MMTLS_RECORD: [13, 16, 12, 8],
    WECHAT_SESSION_KEY: [16],
    WECHAT_GCM_KEY: [24],
};
// formatKeyLine returns one v2 line without its newline, or null when the
// fields do not have the lengths the label needs.
function formatKeyLine(label, fields, meta) {
    const want = LABEL_FIELDS[label];
    if (want === undefined || want.length !== fields.length) {
        return null;
    }
    for (let i = 0; i < want.length; i++) {
        if (fields[i].length !== want[i]) {
            return null;
        }
    }
    return label + " " + fields.map(toHex).join(" ") + attrs(meta);
}
// processNameFromCmdline reads /proc/self/cmdline's first NUL-terminated
// string: "com.tencent.mm", "com.tencent.mm:push", "com.tencent.mm:appbrand0".
function processNameFromCmdline(raw) {
    let end = raw.indexOf(0);
    if (end < 0) {
        end = raw.length;
    }
    let s = "";
    for (let i = 0; i < end && i < 256; i++) {
        s += String.fromCharCode(raw[i]);
    }
    return s;
}
// processRole says which WeChat process the agent runs in.
function processRole(name) {
    if (name === "com.tencent.mm") {
        return "main";
    }
    const i = name.indexOf(":");
    const suffix = i >= 0 ? name.slice(i + 1) : "";
    if (suffix === "push") {
        return "push";
    }
    if (/^appbrand\d+$/.test(suffix)) {
        return "appbrand";
    }
    if (suffix.startsWith("tools")) {
        return "tools";
    }
    return "other";
}
// JNI helpers: decoding the arguments of native methods (exported Java_*
// functions or methods bound by RegisterNatives). Signature parsing is pure
// and tested under Node; reading arrays goes through the JNIEnv function
// table, whose indices are fixed by the JNI specification.
const JNI_FIND_CLASS = 6;
const JNI_EXCEPTION_CLEAR = 17;
const JNI_DELETE_LOCAL_REF = 23;
const JNI_GET_METHOD_ID = 33;
const JNI_CALL_OBJECT_METHOD_A = 36;
const JNI_GET_STRING_UTF_CHARS = 169;
const JNI_RELEASE_STRING_UTF_CHARS = 170;
const JNI_GET_ARRAY_LENGTH = 171;
const JNI_GET_BYTE_ARRAY_REGION = 200;
const JNI_EXCEPTION_CHECK = 228;
// Largest byte array the agent copies out of the app (keys are 16 to 32
// bytes; payload-sized arrays are not needed).
const MAX_ARRAY_COPY = 4096;
// jniArgKinds parses the parameter list of a JNI method signature, e.g.
// "([BI[BLjava/lang/String;)[B" gives ["bytes", "int", "bytes", "object"].
// It returns null for a malformed signature.
function jniArgKinds(sig) {
    if (!sig.startsWith("(")) {
        return null;
    }
    const out = [];
    let i = 1;
    while (i < sig.length && sig[i] !== ")") {
        let dims = 0;
        while (sig[i] === "[") {
            dims++;
            i++;
        }
        const c = sig[i];
        if (c === undefined) {
            return null;
        }
        if (c === "L") {
            const end = sig.indexOf(";", i);
            if (end < 0) {
                return null;
            }
            i = end + 1;
            out.push("object");
            continue;
        }
        i++;
        if (dims > 0) {
            out.push(dims === 1 && c === "B" ? "bytes" : "object");
            continue;
        }
        switch (c) {
            case "I":
            case "S":
            case "C":
            case "B":
            case "Z":
                out.push("int");
                break;
            case "J":
                out.push("long");
                break;
            case "F":
                out.push("float");
                break;
            case "D":
                out.push("double");
                break;
            default: return null;
        }
    }
    return sig[i] === ")" ? out : null;
}
// readJByteArray copies a Java byte[] (a local reference) through env.
function readJByteArray(env, arr) {
    if (arr.isNull()) {
        return null;
    }
    const table = env.readPointer();
    const getLen = new NativeFunction(table.add(JNI_GET_ARRAY_LENGTH * Process.pointerSize).readPointer(), "int", ["pointer", "pointer"]);
    const n = getLen(env, arr);
    if (n < 0 || n > MAX_ARRAY_COPY) {
        return null;
    }
    const buf = Memory.alloc(Math.max(n, 1));
    const getRegion = new NativeFunction(table.add(JNI_GET_BYTE_ARRAY_REGION * Process.pointerSize).readPointer(), "void", ["pointer", "pointer", "int", "int", "pointer"]);
    getRegion(env, arr, 0, n, buf);
    return new Uint8Array(buf.readByteArray(n) ?? new ArrayBuffer(0));
}
function jniFunction(env, index, ret, args) {
    return new NativeFunction(env.readPointer().add(index * Process.pointerSize).readPointer(), ret, args);
}
// jniClassName returns the name of a jclass ("com.tencent.mm.protocal.
// MMProtocalJni") by calling Class.getName through env, or null when the
// call fails (a pending Java exception is cleared).
function jniClassName(env, cls) {
    if (cls.isNull()) {
        return null;
    }
    const findClass = jniFunction(env, JNI_FIND_CLASS, "pointer", ["pointer", "pointer"]);
    const getMethodID = jniFunction(env, JNI_GET_METHOD_ID, "pointer", ["pointer", "pointer", "pointer", "pointer"]);
    const callObject = jniFunction(env, JNI_CALL_OBJECT_METHOD_A, "pointer", ["pointer", "pointer", "pointer", "pointer"]);
    const getChars = jniFunction(env, JNI_GET_STRING_UTF_CHARS, "pointer", ["pointer", "pointer", "pointer"]);
    const releaseChars = jniFunction(env, JNI_RELEASE_STRING_UTF_CHARS, "void", ["pointer", "pointer", "pointer"]);
    const deleteRef = jniFunction(env, JNI_DELETE_LOCAL_REF, "void", ["pointer", "pointer"]);
    const exceptionCheck = jniFunction(env, JNI_EXCEPTION_CHECK, "uint8", ["pointer"]);
    const exceptionClear = jniFunction(env, JNI_EXCEPTION_CLEAR, "void", ["pointer"]);
    const classClass = findClass(env, Memory.allocUtf8String("java/lang/Class"));
    if (classClass.isNull()) {
        exceptionClear(env);
        return null;
    }
    const getName = getMethodID(env, classClass, Memory.allocUtf8String("getName"), Memory.allocUtf8String("()Ljava/lang/String;"));
    deleteRef(env, classClass);
    if (getName.isNull()) {
        exceptionClear(env);
        return null;
    }
    const str = callObject(env, cls, getName, NULL);
    if (exceptionCheck(env) !== 0 || str.isNull()) {
        exceptionClear(env);
        return null;
    }
    const chars = getChars(env, str, NULL);
    const name = chars.isNull() ? null : chars.readCString();
    if (!chars.isNull()) {
        releaseChars(env, str, chars);
    }
    deleteRef(env, str);
    return name;
}
// Per-build offset profiles: the last resort when a hook point has no
// symbol, no JNI registration and no byte pattern. One profile per WeChat
// version, holding every library's offsets for that version, so a
// profile never mixes builds. A library's SHA-256, when published, makes
// the match certain ("offset"); without one a profile applies only to the
// app version it was published for ("offset-unverified"). Offsets are for
// arm64-v8a builds (Ghidra address minus the image base 0x100000). Written
// from public facts only (sources below); no code was copied.
// OFFSET_HOOKS are the hooks found only by offset; every profile must
// cover all of them (a test checks it).
const OFFSET_HOOKS = ["mmtls-record-crypt", "inner-aes-cbc-encrypt", "inner-aes-cbc-decrypt", "inner-aes-gcm-encrypt", "inner-aes-gcm-decrypt"];
const PROFILES = [
    {
        appVersion: "8.0.49",
        arch: "arm64",
        source: "Citizen Lab, wechat-security-report, commit 3917efe: typescript/src/index.ts Crypt 0x22ae10; dump_keylog_main.js AesCbcEncrypt 0x13d6b0, AesCbcDecrypt 0x13d83c, AesGcmEncrypt 0x1d7ea4, AesGcmDecrypt 0x1d780c (image base 0x100000), updated together for the build the 2024 report studied",
        libraries: {
            "libwechatnetwork.so": { sha256: null, offsets: { "mmtls-record-crypt": 0x12ae10 } },
            "libMMProtocalJni.so": { sha256: null, offsets: { "inner-aes-cbc-encrypt": 0x3d6b0, "inner-aes-cbc-decrypt": 0x3d83c } },
            "libwechatmm.so": { sha256: null, offsets: { "inner-aes-gcm-encrypt": 0xd7ea4, "inner-aes-gcm-decrypt": 0xd780c } },
        },
    },
    {
        appVersion: "8.0.23",
        arch: "arm64",
        source: "Citizen Lab, wechat-security-report, commit 0d0e957 (weixin8023android2160_arm64_1.apk): index.ts Crypt 0x2298c8; dump_keylog_main.js AesCbcEncrypt 0x13d108, AesCbcDecrypt 0x13d294, AesGcmEncrypt 0x1e5210, AesGcmDecrypt 0x1e4c78 (image base 0x100000)",
        libraries: {
            "libwechatnetwork.so": { sha256: null, offsets: { "mmtls-record-crypt": 0x1298c8 } },
            "libMMProtocalJni.so": { sha256: null, offsets: { "inner-aes-cbc-encrypt": 0x3d108, "inner-aes-cbc-decrypt": 0x3d294 } },
            "libwechatmm.so": { sha256: null, offsets: { "inner-aes-gcm-encrypt": 0xe5210, "inner-aes-gcm-decrypt": 0xe4c78 } },
        },
    },
];
// selectProfile picks the offsets for a library: by SHA-256 first, then,
// for libraries whose hash was never published, by app version.
function selectProfile(profiles, library, sha256, appVersion) {
    if (sha256 !== null) {
        for (const p of profiles) {
            const l = p.libraries[library];
            if (l !== undefined && l.sha256 !== null && l.sha256.toLowerCase() === sha256.toLowerCase()) {
                return { profile: p, library: l, method: "offset" };
            }
        }
    }
    if (appVersion !== null) {
        for (const p of profiles) {
            const l = p.libraries[library];
            if (l !== undefined && l.sha256 === null && p.appVersion === appVersion) {
                return { profile: p, library: l, method: "offset-unverified" };
            }
        }
    }
    return null;
}
// knownVersions lists the app versions profiles exist for, for messages.
function knownVersions(profiles) {
    return profiles.map((p) => p.appVersion).join(", ");
}
// Hashing a library that Android maps straight from the APK (the
// manifest's extractNativeLibs="false"): the module path is then
// "/data/app/.../base.apk!/lib/arm64-v8a/libx.so" and no .so file exists.
// Such a library must be stored uncompressed in the APK, so its bytes are
// the zip entry's data, found through the zip central directory. Pure
// over a reader, so it is tested under Node.
const ZIP_EOCD_SIG = 0x06054b50;
const ZIP_CENTRAL_SIG = 0x02014b50;
const ZIP_LOCAL_SIG = 0x04034b50;
const ZIP_EOCD_LEN = 22;
const ZIP_MAX_COMMENT = 0xffff;
const ZIP_MAX_ENTRIES = 200000;
function u16(b, i) {
    return b[i] | (b[i + 1] << 8);
}
function u32(b, i) {
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
}
// splitApkPath splits "X.apk!/entry" into the APK and the entry name, or
// returns null for an ordinary file path.
function splitApkPath(path) {
    const i = path.indexOf(".apk!/");
    if (i < 0) {
        return null;
    }
    return { apk: path.slice(0, i + 4), entry: path.slice(i + 6) };
}
// zipStoredEntry finds a stored (uncompressed) entry and returns where its
// data lies, or throws saying why not (no such entry, compressed, zip64).
function zipStoredEntry(r, name) {
    const tailLen = Math.min(r.size, ZIP_EOCD_LEN + ZIP_MAX_COMMENT);
    const tail = r.read(r.size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - ZIP_EOCD_LEN; i >= 0; i--) {
        if (u32(tail, i) === ZIP_EOCD_SIG) {
            eocd = i;
            break;
        }
    }
    if (eocd < 0) {
        throw new Error("apk: no zip end of central directory");
    }
    const count = u16(tail, eocd + 10);
    const cdSize = u32(tail, eocd + 12);
    const cdOffset = u32(tail, eocd + 16);
    if (cdOffset === 0xffffffff || count === 0xffff || count > ZIP_MAX_ENTRIES || cdOffset + cdSize > r.size) {
        throw new Error("apk: zip64 or bad central directory");
    }
    const cd = r.read(cdOffset, cdSize);
    let p = 0;
    for (let n = 0; n < count && p + 46 <= cd.length; n++) {
        if (u32(cd, p) !== ZIP_CENTRAL_SIG) {
            throw new Error("apk: bad central directory entry " + n);
        }
        const method = u16(cd, p + 10);
        const size = u32(cd, p + 20);
        const nameLen = u16(cd, p + 28);
        const extraLen = u16(cd, p + 30);
        const commentLen = u16(cd, p + 32);
        const local = u32(cd, p + 42);
        let entry = "";
        for (let i = 0; i < nameLen && p + 46 + i < cd.length; i++) {
            entry += String.fromCharCode(cd[p + 46 + i]);
        }
        if (entry === name) {
            if (method !== 0) {
                throw new Error("apk: " + name + " is compressed (method " + method + ")");
            }
            const lh = r.read(local, 30);
            if (u32(lh, 0) !== ZIP_LOCAL_SIG) {
                throw new Error("apk: bad local header for " + name);
            }
            const offset = local + 30 + u16(lh, 26) + u16(lh, 28);
            if (offset + size > r.size) {
                throw new Error("apk: " + name + " runs past the end");
            }
            return { offset, size };
        }
        p += 46 + nameLen + extraLen + commentLen;
    }
    throw new Error("apk: no entry " + name);
}
// The hook points and how their arguments become key-log lines. Decoding is
// by shape: a line is written only when the bytes have the lengths and
// structure its label needs (an MMTLS record AAD is 13 bytes with version
// 0xF104 and a known record type), so a wrong guess about an argument
// layout yields no line rather than a wrong key. The classify* functions
// are pure and tested under Node.
// jniHook describes an exported JNI function by its full symbol (written
// out, so the agent's source names every symbol it hooks). The symbol gives
// the class ("com.tencent.mm.protocal.MMProtocalJni") and method that
// RegisterNatives entries are matched by. An export carries no JNI
// signature, so each hook declares the one its Java method is believed to
// have (inferred, not published: only byte[] positions matter, keys are
// told apart by length); a RegisterNatives entry brings the real signature,
// which then wins.
function jniHook(exportName, keys, sig = null) {
    const parts = exportName.replace(/^Java_/, "").split("_");
    const method = parts[parts.length - 1];
    const cls = parts.slice(0, parts.length - 1).join(".");
    const short = parts[parts.length - 2];
    return { id: "jni:" + short + "." + method, library: null, exportName, jni: { cls, method, keys, sig }, decoder: "jni" };
}
const HOOKS = [
    { id: "mmcrypto::AesGcmEncrypt", library: "libwechatnetwork.so", mangled: ["8mmcrypto", "13AesGcmEncrypt"], decoder: "libcxx-strings", encrypt: true },
    { id: "mmcrypto::AesGcmDecrypt", library: "libwechatnetwork.so", mangled: ["8mmcrypto", "13AesGcmDecrypt"], decoder: "libcxx-strings", encrypt: false },
    { id: "mmtls-record-crypt", library: "libwechatnetwork.so", decoder: "crypt-ctx" },
    jniHook("Java_com_tencent_mm_protocal_MMProtocalJni_aesEncrypt", "session", "([B[B)[B"),
    jniHook("Java_com_tencent_mm_protocal_MMProtocalJni_aesDecrypt", "session", "([B[B)[B"),
    jniHook("Java_com_tencent_mm_protocal_MMProtocalJni_pack", "none"),
    jniHook("Java_com_tencent_mm_protocal_MMProtocalJni_packHybridEcdh", "none"),
    jniHook("Java_com_tencent_mm_protocal_MMProtocalJni_unpack", "none"),
    jniHook("Java_com_tencent_mm_protocal_MMProtocalJni_genSignature", "none"),
    jniHook("Java_com_tencent_mm_jni_utils_UtilsJni_AesGcmEncryptWithNonce", "gcm", "([B[B[B[B)[B"),
    jniHook("Java_com_tencent_mm_jni_utils_UtilsJni_HybridEcdhEncrypt", "none"),
    jniHook("Java_com_tencent_mm_jni_utils_UtilsJni_HybridEcdhDecrypt", "none"),
    jniHook("Java_com_tencent_mm_jni_utils_UtilsJni_HKDF", "none"),
    { id: "inner-aes-cbc-encrypt", library: "libMMProtocalJni.so", decoder: "aes-cbc-args", encrypt: true },
    { id: "inner-aes-cbc-decrypt", library: "libMMProtocalJni.so", decoder: "aes-cbc-args", encrypt: false },
    { id: "inner-aes-gcm-encrypt", library: "libwechatmm.so", decoder: "aes-gcm-args", encrypt: true },
    { id: "inner-aes-gcm-decrypt", library: "libwechatmm.so", decoder: "aes-gcm-args", encrypt: false },
];
const RECORD_TYPES = [0x15, 0x16, 0x17, 0x19];
// isRecordAAD reports whether b is MMTLS record additional data: sequence
// number u64, record type, version 0xF104, length u16 (doc/protocol.md §2).
function isRecordAAD(b) {
    return b.length === 13 && b[9] === 0xf1 && b[10] === 0x04 && RECORD_TYPES.indexOf(b[8]) >= 0;
}
function lastBytes(b, n) {
    return b !== null && b.length >= n ? b.slice(b.length - n) : null;
}
// classifyCipherCall turns one AES call into key lines by shape.
function classifyCipherCall(c) {
    const dir = c.encrypt ? "enc" : "dec";
    if (c.key.length === 16 && c.iv.length === 12 && c.aad !== null && isRecordAAD(c.aad)) {
        const tail = lastBytes(c.encrypt ? c.output : c.input, 8);
        return tail === null ? [] : [{ label: "MMTLS_RECORD", fields: [c.aad, c.key, c.iv, tail], dir }];
    }
    if (c.key.length === 24 && c.iv.length === 12) {
        return [{ label: "WECHAT_GCM_KEY", fields: [c.key] }];
    }
    if (c.key.length === 16 && c.iv.length === 16 && sameBytes(c.key, c.iv)) {
        return [{ label: "WECHAT_SESSION_KEY", fields: [c.key] }];
    }
    return [];
}
function sameBytes(a, b) {
    if (a.length !== b.length) {
        return false;
    }
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) {
            return false;
        }
    }
    return true;
}
// classifyJniArrays picks the keys among a JNI call's byte arrays: 16-byte
// arrays of the AES-CBC methods are session keys, 24-byte arrays of the
// AES-GCM method are inner GCM keys. Other methods log nothing (their
// calls are only counted, to show the hook is live).
function classifyJniArrays(keys, arrays) {
    const want = keys === "session" ? 16 : keys === "gcm" ? 24 : -1;
    const label = keys === "session" ? "WECHAT_SESSION_KEY" : "WECHAT_GCM_KEY";
    const out = [];
    for (const a of arrays) {
        if (a.length === want && !out.some((l) => sameBytes(l.fields[0], a))) {
            out.push({ label, fields: [a] });
        }
    }
    return out;
}
// libcxxString decodes the 24-byte header of a libc++ std::string (arm64,
// little-endian, default layout): a short string keeps its size << 1 in
// byte 0 (low bit clear) and its bytes from offset 1; a long one sets the
// low bit of its capacity word and keeps size at +8 and data at +16.
function libcxxString(header) {
    if ((header[0] & 1) === 0) {
        const size = header[0] >> 1;
        return { long: false, size, inline: size <= 22 ? header.slice(1, 1 + size) : null };
    }
    let size = 0;
    for (let i = 7; i >= 0; i--) {
        size = size * 256 + header[8 + i];
    }
    return { long: true, size, inline: null };
}
// Finding hook points, in order of trust: an exported symbol, a symbol
// found by its (mangled) name, a method bound through JNI RegisterNatives
// (main.ts), a unique byte pattern, and last a per-build offset. The
// method that found each hook is reported and written in the key log.
function hasParts(name, parts) {
    return parts.every((p) => name.indexOf(p) >= 0);
}
function resolved(spec, m, address, method) {
    return { spec, address, method, module: m.name, offset: address.sub(m.base).toInt32() };
}
// isAppModule tells WeChat's own libraries (JNI exports are searched there
// only) from the system's.
function isAppModule(m) {
    return m.path.indexOf("com.tencent.mm") >= 0 || m.name.indexOf("wechat") >= 0 || m.name.indexOf("MMProtocal") >= 0;
}
// resolveInModule finds spec in m. It returns null when m is not where
// spec lives, and a sentence saying why not when m is its library but the
// hook point was not found there.
function resolveInModule(spec, m, ctx) {
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
        const hits = [];
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
function matchRegistered(specs, cls, name) {
    for (const s of specs) {
        if (s.jni !== undefined && s.jni.cls === cls && s.jni.method === name) {
            return s;
        }
    }
    return null;
}
// The agent's entry: it runs in every WeChat process the host loads it
// into (main, :push, :appbrandN; the host's spawn gating), hooks what it
// finds as libraries load (no timers), and sends each key as a secrets key
// log v2 line: send({type: "key", line}). Hook reports are sent as
// {type: "hook"}; with the agent run by hand (frida -l), the same lines go
// to the console instead, hook reports as "#" comments, so `frida -o
// keys.log` writes a key log.
const JNI_REGISTER_NATIVES_SYMBOL = ["RegisterNatives", "3art"];
class Agent {
    constructor(config) {
        this.installed = new Map();
        this.calls = new Map();
        this.hashes = new Map();
        this.errors = 0;
        this.config = config;
        this.process = readProcessName();
        this.arm64 = Process.arch === "arm64";
    }
    // out sends a message to the host, or, run by hand (no host reads
    // messages), prints its console form.
    out(msg, consoleLine) {
        if (!this.config.console) {
            send(msg);
        }
        else if (consoleLine !== null) {
            console.log(consoleLine);
        }
    }
    meta(hook) {
        return { time: new Date(), process: this.process, pid: Process.id, hook: hook.spec.id + "@" + hook.method };
    }
    emit(hook, lines) {
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
    emitChecked(hook, key, lines) {
        if (lines.length === 0) {
            throw new Error("a " + key.length + "-byte key fits no key-log label (session keys are 16 bytes, GCM keys 24)");
        }
        this.emit(hook, lines);
    }
    // sha256 hashes a library's file: the .so on disk, or, for a library
    // mapped straight from the APK, the stored zip entry inside it.
    sha256(m) {
        if (!this.hashes.has(m.path)) {
            let h = null;
            try {
                h = hashLibrary(m.path);
            }
            catch (e) {
                this.report("warning", { message: "cannot hash " + m.name + " (" + m.path + "): " + String(e) + "; offsets then apply by WeChat version only" });
                h = null;
            }
            this.hashes.set(m.path, h);
        }
        return this.hashes.get(m.path) ?? null;
    }
    // usable says whether a hook can run in this process: hooks that
    // read native argument layouts or offsets assume arm64.
    usable(spec) {
        return spec.decoder === "jni" || this.arm64;
    }
    onModule(m) {
        const ctx = { appVersion: this.config.appVersion ?? null, sha256: (x) => this.sha256(x) };
        for (const spec of HOOKS) {
            if (this.installed.has(spec.id) || !this.usable(spec)) {
                continue;
            }
            let r = null;
            try {
                r = resolveInModule(spec, m, ctx);
            }
            catch (e) {
                this.report("error", { id: spec.id, module: m.name, error: String(e) });
            }
            if (typeof r === "string") {
                this.report("warning", { id: spec.id, module: m.name, message: spec.id + " not hooked in " + m.name + ": " + r });
            }
            else if (r !== null) {
                this.install(r);
            }
        }
    }
    install(r) {
        try {
            Interceptor.attach(r.address, callbacks(this, r));
        }
        catch (e) {
            this.report("error", { id: r.spec.id, module: r.module, error: String(e) });
            return;
        }
        this.installed.set(r.spec.id, r);
        this.report("hook", { id: r.spec.id, method: r.method, module: r.module, offset: "0x" + r.offset.toString(16), signature: r.signature ?? null });
    }
    count(r) {
        this.calls.set(r.spec.id, (this.calls.get(r.spec.id) ?? 0) + 1);
    }
    failed(r, e) {
        this.errors++;
        if (this.errors <= 20) {
            this.report("error", { id: r.spec.id, error: String(e) });
        }
    }
    report(type, fields) {
        const msg = Object.assign({ type, process: this.process, pid: Process.id }, fields);
        this.out(msg, "# " + JSON.stringify(msg));
    }
    // hookRegisterNatives binds JNI hooks whose functions are not exported.
    hookRegisterNatives() {
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
                    }
                    catch (e) {
                        agent.report("error", { id: "RegisterNatives", error: String(e) });
                    }
                },
            });
            this.report("info", { message: "RegisterNatives intercepted", symbol: s.name });
        }
    }
    // onRegisterNatives binds the JNI hooks among n JNINativeMethod
    // entries {name, signature, fnPtr} registered for class cls.
    onRegisterNatives(env, cls, methods, n) {
        let clsName = null;
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
    start() {
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
function hashLibrary(path) {
    const apk = splitApkPath(path);
    if (apk === null) {
        return Checksum.compute("sha256", File.readAllBytes(path));
    }
    const f = new File(apk.apk, "rb");
    try {
        const reader = {
            size: f.seek(0, File.SEEK_END),
            read(offset, n) {
                f.seek(offset, File.SEEK_SET);
                return new Uint8Array(f.readBytes(n));
            },
        };
        reader.size = f.tell();
        const e = zipStoredEntry(reader, apk.entry);
        const sum = new Checksum("sha256");
        const chunk = 1 << 20;
        for (let done = 0; done < e.size; done += chunk) {
            sum.update(reader.read(e.offset + done, Math.min(chunk, e.size - done)).buffer);
        }
        return sum.getString();
    }
    finally {
        f.close();
    }
}
function readProcessName() {
    try {
        const f = new File("/proc/self/cmdline", "rb");
        const raw = f.readBytes(512);
        f.close();
        return processNameFromCmdline(new Uint8Array(raw));
    }
    catch (e) {
        return "pid" + Process.id;
    }
}
function readBytes(p, n) {
    if (n < 0 || n > MAX_ARRAY_COPY) {
        throw new Error("length " + n + " out of range");
    }
    return new Uint8Array(p.readByteArray(n) ?? new ArrayBuffer(0));
}
function readLibcxxString(p) {
    const s = libcxxString(readBytes(p, 24));
    if (s.inline !== null) {
        return s.inline;
    }
    return readBytes(p.add(16).readPointer(), s.size);
}
// callbacks returns the Interceptor callbacks of a hook's decoder.
function callbacks(agent, r) {
    const spec = r.spec;
    const guard = (f) => function () {
        try {
            f(this);
        }
        catch (e) {
            agent.failed(r, e);
        }
    };
    switch (spec.decoder) {
        case "jni":
            return {
                onEnter(args) {
                    agent.count(r);
                    const keys = spec.jni.keys;
                    if (keys === "none") {
                        return;
                    }
                    guard(() => {
                        // RegisterNatives' signature, else the declared one.
                        const sig = r.signature ?? spec.jni.sig;
                        const kinds = sig !== null ? jniArgKinds(sig) : null;
                        if (kinds === null) {
                            throw new Error("no usable JNI signature (" + String(sig) + ")");
                        }
                        const arrays = [];
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
                        const call = {
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
                        ctx.call = call;
                        ctx.out = args[7];
                    }).call(this);
                },
                onLeave() {
                    guard((ctx) => {
                        const call = ctx.call;
                        if (call === undefined) {
                            return;
                        }
                        const out = ctx.out;
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
                        const strs = [];
                        for (let i = 0; i < 6; i++) {
                            try {
                                strs.push(readLibcxxString(args[i]));
                            }
                            catch (e) {
                                strs.push(new Uint8Array(0));
                            }
                        }
                        const key = strs.find((s) => s.length === 16 || s.length === 24);
                        const iv = strs.find((s) => s.length === 12);
                        const aad = strs.find((s) => isRecordAAD(s)) ?? null;
                        const body = strs.reduce((a, s) => (s.length > a.length ? s : a), new Uint8Array(0));
                        if (key !== undefined && iv !== undefined && !spec.encrypt) {
                            agent.emit(r, classifyCipherCall({ encrypt: false, key, iv, aad, input: body, output: null }));
                        }
                        else if (key !== undefined && iv !== undefined && aad === null) {
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
    const g = globalThis;
    new Agent(g.WXAUDIT_CONFIG ?? { console: true }).start();
}
