// Hashing a library that Android maps straight from the APK (the
// manifest's extractNativeLibs="false"): the module path is then
// "/data/app/.../base.apk!/lib/arm64-v8a/libx.so" and no .so file exists.
// Such a library must be stored uncompressed in the APK, so its bytes are
// the zip entry's data, found through the zip central directory. Pure
// over a reader, so it is tested under Node.

interface RandomReader {
    size: number;
    read(offset: number, n: number): Uint8Array;
}

const ZIP_EOCD_SIG = 0x06054b50;
const ZIP_CENTRAL_SIG = 0x02014b50;
const ZIP_LOCAL_SIG = 0x04034b50;
const ZIP_EOCD_LEN = 22;
const ZIP_MAX_COMMENT = 0xffff;
const ZIP_MAX_ENTRIES = 200000;

function u16(b: Uint8Array, i: number): number {
    return b[i] | (b[i + 1] << 8);
}

function u32(b: Uint8Array, i: number): number {
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
}

// splitApkPath splits "X.apk!/entry" into the APK and the entry name, or
// returns null for an ordinary file path.
function splitApkPath(path: string): { apk: string; entry: string } | null {
    const i = path.indexOf(".apk!/");
    if (i < 0) {
        return null;
    }
    return { apk: path.slice(0, i + 4), entry: path.slice(i + 6) };
}

// zipStoredEntry finds a stored (uncompressed) entry and returns where its
// data lies, or throws saying why not (no such entry, compressed, zip64).
function zipStoredEntry(r: RandomReader, name: string): { offset: number; size: number } {
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
