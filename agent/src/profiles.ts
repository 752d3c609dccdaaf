// Per-build offset profiles: the last resort when a hook point has no
// symbol, no JNI registration and no byte pattern. One profile per WeChat
// version, holding every library's offsets for that version, so a
// profile never mixes builds. A library's SHA-256, when published, makes
// the match certain ("offset"); without one a profile applies only to the
// app version it was published for ("offset-unverified"). Offsets are for
// arm64-v8a builds (Ghidra address minus the image base 0x100000). Written
// from public facts only (sources below); no code was copied.

interface LibraryProfile {
    sha256: string | null;
    offsets: { [hookId: string]: number };
}

interface VersionProfile {
    appVersion: string;
    arch: "arm64";
    source: string;
    libraries: { [library: string]: LibraryProfile };
}

// OFFSET_HOOKS are the hooks found only by offset; every profile must
// cover all of them (a test checks it).
const OFFSET_HOOKS = ["mmtls-record-crypt", "inner-aes-cbc-encrypt", "inner-aes-cbc-decrypt", "inner-aes-gcm-encrypt", "inner-aes-gcm-decrypt"];

const PROFILES: VersionProfile[] = [
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

interface ProfileChoice {
    profile: VersionProfile;
    library: LibraryProfile;
    method: "offset" | "offset-unverified";
}

// selectProfile picks the offsets for a library: by SHA-256 first, then,
// for libraries whose hash was never published, by app version.
function selectProfile(profiles: VersionProfile[], library: string, sha256: string | null, appVersion: string | null): ProfileChoice | null {
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
function knownVersions(profiles: VersionProfile[]): string {
    return profiles.map((p) => p.appVersion).join(", ");
}
