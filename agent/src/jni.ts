// JNI helpers: decoding the arguments of native methods (exported Java_*
// functions or methods bound by RegisterNatives). Signature parsing is pure
// and tested under Node; reading arrays goes through the JNIEnv function
// table, whose indices are fixed by the JNI specification.

const JNI_GET_ARRAY_LENGTH = 171;
const JNI_GET_BYTE_ARRAY_REGION = 200;

// Largest byte array the agent copies out of the app (keys are 16 to 32
// bytes; payload-sized arrays are not needed).
const MAX_ARRAY_COPY = 4096;

type JniKind = "bytes" | "object" | "int" | "long" | "float" | "double" | "other";

// jniArgKinds parses the parameter list of a JNI method signature, e.g.
// "([BI[BLjava/lang/String;)[B" gives ["bytes", "int", "bytes", "object"].
// It returns null for a malformed signature.
function jniArgKinds(sig: string): JniKind[] | null {
    if (!sig.startsWith("(")) {
        return null;
    }
    const out: JniKind[] = [];
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
            case "I": case "S": case "C": case "B": case "Z": out.push("int"); break;
            case "J": out.push("long"); break;
            case "F": out.push("float"); break;
            case "D": out.push("double"); break;
            default: return null;
        }
    }
    return sig[i] === ")" ? out : null;
}

// readJByteArray copies a Java byte[] (a local reference) through env.
function readJByteArray(env: NativePointer, arr: NativePointer): Uint8Array | null {
    if (arr.isNull()) {
        return null;
    }
    const table = env.readPointer();
    const getLen = new NativeFunction(table.add(JNI_GET_ARRAY_LENGTH * Process.pointerSize).readPointer(), "int", ["pointer", "pointer"]);
    const n = getLen(env, arr) as number;
    if (n < 0 || n > MAX_ARRAY_COPY) {
        return null;
    }
    const buf = Memory.alloc(Math.max(n, 1));
    const getRegion = new NativeFunction(table.add(JNI_GET_BYTE_ARRAY_REGION * Process.pointerSize).readPointer(), "void", ["pointer", "pointer", "int", "int", "pointer"]);
    getRegion(env, arr, 0, n, buf);
    return new Uint8Array(buf.readByteArray(n) ?? new ArrayBuffer(0));
}
