// The hook points and how their arguments become key-log lines. Decoding is
// by shape: a line is written only when the bytes have the lengths and
// structure its label needs (an MMTLS record AAD is 13 bytes with version
// 0xF104 and a known record type), so a wrong guess about an argument
// layout yields no line rather than a wrong key. The classify* functions
// are pure and tested under Node.

type KeyKind = "session" | "gcm" | "none";

interface HookSpec {
    id: string;              // stable name, written in the hook= attribute
    library: string | null;  // null: any library (JNI exports)
    exportName?: string;     // exact exported symbol
    mangled?: string[];      // parts of the Itanium-mangled name, all present
    jni?: { cls: string; method: string; keys: KeyKind; sig: string | null };
    decoder: "jni" | "libcxx-strings" | "crypt-ctx" | "aes-cbc-args" | "aes-gcm-args";
    encrypt?: boolean;
    patterns?: string[];     // byte patterns (Frida syntax), none published yet
}

// jniHook describes an exported JNI function by its full symbol (written
// out, so the agent's source names every symbol it hooks). The symbol gives
// the class ("com.tencent.mm.protocal.MMProtocalJni") and method that
// RegisterNatives entries are matched by. An export carries no JNI
// signature, so each hook declares the one its Java method is believed to
// have (inferred, not published: only byte[] positions matter, keys are
// told apart by length); a RegisterNatives entry brings the real signature,
// which then wins.
function jniHook(exportName: string, keys: KeyKind, sig: string | null = null): HookSpec {
    const parts = exportName.replace(/^Java_/, "").split("_");
    const method = parts[parts.length - 1];
    const cls = parts.slice(0, parts.length - 1).join(".");
    const short = parts[parts.length - 2];
    return { id: "jni:" + short + "." + method, library: null, exportName, jni: { cls, method, keys, sig }, decoder: "jni" };
}

const HOOKS: HookSpec[] = [
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

interface KeyLine {
    label: string;
    fields: Uint8Array[];
    dir?: "enc" | "dec";
}

const RECORD_TYPES = [0x15, 0x16, 0x17, 0x19];

// isRecordAAD reports whether b is MMTLS record additional data: sequence
// number u64, record type, version 0xF104, length u16 (doc/protocol.md §2).
function isRecordAAD(b: Uint8Array): boolean {
    return b.length === 13 && b[9] === 0xf1 && b[10] === 0x04 && RECORD_TYPES.indexOf(b[8]) >= 0;
}

interface CipherCall {
    encrypt: boolean;
    key: Uint8Array;
    iv: Uint8Array;
    aad: Uint8Array | null;
    input: Uint8Array | null;   // ciphertext with tag when decrypting
    output: Uint8Array | null;  // ciphertext with tag when encrypting
}

function lastBytes(b: Uint8Array | null, n: number): Uint8Array | null {
    return b !== null && b.length >= n ? b.slice(b.length - n) : null;
}

// classifyCipherCall turns one AES call into key lines by shape.
function classifyCipherCall(c: CipherCall): KeyLine[] {
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
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
function classifyJniArrays(keys: KeyKind, arrays: Uint8Array[]): KeyLine[] {
    const want = keys === "session" ? 16 : keys === "gcm" ? 24 : -1;
    const label = keys === "session" ? "WECHAT_SESSION_KEY" : "WECHAT_GCM_KEY";
    const out: KeyLine[] = [];
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
function libcxxString(header: Uint8Array): { long: boolean; size: number; inline: Uint8Array | null } {
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
