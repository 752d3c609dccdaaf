// Per-build offset profiles: the last resort when a hook point has no
// symbol, no JNI registration and no byte pattern. A profile names the
// library's SHA-256 when it is known; a profile without one applies only
// to the app version it was published for and its hooks are reported as
// "offset-unverified". Written from public facts only (sources below).

interface OffsetProfile {
    id: string;
    library: string;
    sha256: string | null;
    appVersion: string;
    source: string;
    offsets: { [hookId: string]: number };
}

const PROFILES: OffsetProfile[] = [
    {
        id: "8.0.49-arm64-libwechatnetwork",
        library: "libwechatnetwork.so",
        sha256: null,
        appVersion: "8.0.49",
        source: "Citizen Lab, wechat-security-report (2024), code/frida-scripts: Crypt at Ghidra 0x22ae10, image base 0x100000",
        offsets: { "mmtls-record-crypt": 0x12ae10 },
    },
    {
        id: "8.0.23-arm64-libMMProtocalJni",
        library: "libMMProtocalJni.so",
        sha256: null,
        appVersion: "8.0.23",
        source: "Citizen Lab, wechat-security-report, dump_keylog_main.js: AesCbcEncrypt 0x13d108, AesCbcDecrypt 0x13d294, image base 0x100000",
        offsets: { "inner-aes-cbc-encrypt": 0x3d108, "inner-aes-cbc-decrypt": 0x3d294 },
    },
    {
        id: "8.0.23-arm64-libwechatmm",
        library: "libwechatmm.so",
        sha256: null,
        appVersion: "8.0.23",
        source: "Citizen Lab, wechat-security-report, dump_keylog_main.js: AesGcmEncrypt 0x1e5210, AesGcmDecrypt 0x1e4c78, image base 0x100000",
        offsets: { "inner-aes-gcm-encrypt": 0xe5210, "inner-aes-gcm-decrypt": 0xe4c78 },
    },
];

interface ProfileChoice {
    profile: OffsetProfile;
    method: "offset" | "offset-unverified";
}

// selectProfile picks the profile for a library: by SHA-256 first, then,
// for profiles whose hash was never published, by app version.
function selectProfile(profiles: OffsetProfile[], library: string, sha256: string | null, appVersion: string | null): ProfileChoice | null {
    if (sha256 !== null) {
        for (const p of profiles) {
            if (p.library === library && p.sha256 !== null && p.sha256.toLowerCase() === sha256.toLowerCase()) {
                return { profile: p, method: "offset" };
            }
        }
    }
    if (appVersion !== null) {
        for (const p of profiles) {
            if (p.library === library && p.sha256 === null && p.appVersion === appVersion) {
                return { profile: p, method: "offset-unverified" };
            }
        }
    }
    return null;
}
