// Key-log lines in the wxaudit secrets key log, version 2 (keylog/doc.go in
// the Go tree is the specification; the host checks every line with the
// Go parser before writing it). Pure functions: tested under Node.

const SECRETS_HEADER_V2 = "# wxaudit-secrets v2";

interface LineMeta {
    time: Date;
    process: string;
    pid: number;
    hook: string;
    conn?: string;
    dir?: "enc" | "dec";
}

function toHex(bytes: ArrayBuffer | Uint8Array): string {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let s = "";
    for (let i = 0; i < b.length; i++) {
        s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    }
    return s;
}

// Attribute values are query-escaped, as Go's url.QueryUnescape reads them.
function escapeAttr(v: string): string {
    return encodeURIComponent(v).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function attrs(m: LineMeta): string {
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
const LABEL_FIELDS: { [label: string]: number[] } = {
    MMTLS_SECRET: [32, 32],
    MMTLS_PSK_ACCESS: [32, 32],
    MMTLS_RECORD: [13, 16, 12, 8],
    WECHAT_SESSION_KEY: [16],
    WECHAT_GCM_KEY: [24],
};

// formatKeyLine returns one v2 line without its newline, or null when the
// fields do not have the lengths the label needs.
function formatKeyLine(label: string, fields: Uint8Array[], meta: LineMeta): string | null {
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
function processNameFromCmdline(raw: Uint8Array): string {
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
function processRole(name: string): "main" | "push" | "appbrand" | "tools" | "other" {
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
