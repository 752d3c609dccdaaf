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

function jniFunction(env: NativePointer, index: number, ret: NativeFunctionReturnType, args: NativeFunctionArgumentType[]): NativeFunction<any, any> {
    return new NativeFunction(env.readPointer().add(index * Process.pointerSize).readPointer(), ret, args);
}

// jniClassName returns the name of a jclass ("com.tencent.mm.protocal.
// MMProtocalJni") by calling Class.getName through env, or null when the
// call fails (a pending Java exception is cleared).
function jniClassName(env: NativePointer, cls: NativePointer): string | null {
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
    const classClass = findClass(env, Memory.allocUtf8String("java/lang/Class")) as NativePointer;
    if (classClass.isNull()) {
        exceptionClear(env);
        return null;
    }
    const getName = getMethodID(env, classClass, Memory.allocUtf8String("getName"), Memory.allocUtf8String("()Ljava/lang/String;")) as NativePointer;
    deleteRef(env, classClass);
    if (getName.isNull()) {
        exceptionClear(env);
        return null;
    }
    const str = callObject(env, cls, getName, NULL) as NativePointer;
    if ((exceptionCheck(env) as number) !== 0 || str.isNull()) {
        exceptionClear(env);
        return null;
    }
    const chars = getChars(env, str, NULL) as NativePointer;
    const name = chars.isNull() ? null : chars.readCString();
    if (!chars.isNull()) {
        releaseChars(env, str, chars);
    }
    deleteRef(env, str);
    return name;
}
