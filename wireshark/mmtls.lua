-- mmtls.lua: Wireshark dissectors for WeChat's MMTLS, written for wxaudit.
--
-- Two protocols:
--   mmtls   MMTLS records on Longlink TCP and inside Shortlink HTTP bodies
--           (POST /mmtls/...): record header, plaintext handshake messages
--           (ClientHello, ServerHello with suites, random, timestamp, key
--           shares, PSK tickets) and alerts; encrypted bodies are shown as
--           bytes. Records split across TCP segments are reassembled.
--   wechat  the payloads of a decrypted capture written by
--           `wxaudit decrypt --pcapng FILE`: the request path and type in the
--           Info column, the WeChat header fields, the Longlink packet header
--           (cmd id, seq), and the protobuf body, handed to Wireshark's
--           protobuf dissector.
--
-- Layouts follow wxaudit's protocol notes (doc/protocol.md): all integers
-- are big-endian except the hello version, which is written little-endian.
--
-- Use: wireshark -X lua_script:mmtls.lua capture.pcapng, or copy this file
-- into the personal Lua plugins folder (Help > About > Folders). It needs
-- Wireshark 4.0 or later and uses no API newer than 4.0.
--
-- Registration: MMTLS is recognised by its first bytes (a record type and
-- the version F1 04), never by port alone, since WeChat uses the same ports
-- for Shortlink, Longlink and plain HTTP:
--   Longlink  a heuristic on TCP for any port; on 80, 443 and 8080, where
--             HTTP or TLS would take the stream before any heuristic runs,
--             mmtls takes the port and hands every other stream back to
--             the dissector it replaced. The conversation is then bound to
--             mmtls.
--   Shortlink the HTTP body (application/octet-stream, reassembled by HTTP
--             from Content-Length); other octet-stream bodies go to the
--             data dissector as before.
-- Wireshark 4.0 reassembles out-of-order TCP segments only with the
-- preference tcp.reassemble_out_of_order set.

local RECORD_HEADER_LEN = 5
local MMTLS_VERSION = 0xF104

local record_types = {
    [0x15] = "Alert",
    [0x16] = "Handshake",
    [0x17] = "Application Data",
    [0x19] = "0-RTT Handshake",
}

local handshake_types = {
    [0x01] = "ClientHello",
    [0x02] = "ServerHello",
    [0x04] = "NewSessionTicket",
    [0x08] = "EncryptedExtensions",
    [0x0f] = "CertificateVerify",
    [0x14] = "Finished",
}

local cipher_suites = {
    [0xC02B] = "ECDHE-ECDSA-AES128-GCM-SHA256",
    [0x00A8] = "PSK-AES128-GCM-SHA256",
}

local extension_types = {
    [0x0f] = "pre_shared_key",
    [0x10] = "key_share",
    [0x11] = "server_key_share",
    [0x12] = "early_data",
}

local alert_levels = { [1] = "warning", [2] = "fatal" }
local alert_descriptions = { [1] = "close notify" }

local mmtls = Proto("mmtls", "WeChat MMTLS")

local f = {
    record = ProtoField.none("mmtls.record", "MMTLS Record"),
    rtype = ProtoField.uint8("mmtls.record.type", "Type", base.HEX, record_types),
    version = ProtoField.uint16("mmtls.record.version", "Version", base.HEX),
    length = ProtoField.uint16("mmtls.record.length", "Length", base.DEC),
    encrypted = ProtoField.bytes("mmtls.record.encrypted", "Encrypted body"),
    truncated = ProtoField.bytes("mmtls.record.truncated", "Truncated record"),

    hs_length = ProtoField.uint32("mmtls.handshake.length", "Message length", base.DEC),
    hs_type = ProtoField.uint8("mmtls.handshake.type", "Handshake type", base.HEX, handshake_types),
    hs_version = ProtoField.uint16("mmtls.handshake.version", "Version (little-endian)", base.HEX),
    hs_suites_count = ProtoField.uint8("mmtls.handshake.cipher_suites_count", "Cipher suites", base.DEC),
    hs_suite = ProtoField.uint16("mmtls.handshake.cipher_suite", "Cipher suite", base.HEX, cipher_suites),
    hs_random = ProtoField.bytes("mmtls.handshake.random", "Random"),
    hs_timestamp = ProtoField.absolute_time("mmtls.handshake.timestamp", "Timestamp", base.UTC),
    hs_ext_list_length = ProtoField.uint32("mmtls.handshake.extensions_length", "Extensions length", base.DEC),
    hs_ext_count = ProtoField.uint8("mmtls.handshake.extensions_count", "Extensions", base.DEC),
    ext = ProtoField.none("mmtls.handshake.extension", "Extension"),
    ext_length = ProtoField.uint32("mmtls.handshake.extension.length", "Length", base.DEC),
    ext_type = ProtoField.uint16("mmtls.handshake.extension.type", "Type", base.HEX, extension_types),
    ext_data = ProtoField.bytes("mmtls.handshake.extension.data", "Data"),

    ks_count = ProtoField.uint8("mmtls.handshake.key_shares_count", "Key shares", base.DEC),
    ks = ProtoField.none("mmtls.handshake.key_share", "Key share"),
    ks_length = ProtoField.uint32("mmtls.handshake.key_share.length", "Length", base.DEC),
    ks_id = ProtoField.uint32("mmtls.handshake.key_share.id", "ID", base.DEC),
    ks_point_length = ProtoField.uint16("mmtls.handshake.key_share.point_length", "Point length", base.DEC),
    ks_point = ProtoField.bytes("mmtls.handshake.key_share.point", "Point (P-256, uncompressed)"),
    ks_reserved = ProtoField.uint32("mmtls.handshake.key_share.reserved", "Reserved", base.HEX),
    ks_value = ProtoField.uint32("mmtls.handshake.key_share.value", "Value", base.DEC),

    psk_count = ProtoField.uint8("mmtls.handshake.psk.count", "PSK tickets", base.DEC),
    psk = ProtoField.none("mmtls.handshake.psk", "PSK ticket"),
    psk_length = ProtoField.uint32("mmtls.handshake.psk.length", "Length", base.DEC),
    psk_type = ProtoField.uint8("mmtls.handshake.psk.type", "Type", base.DEC),
    psk_lifetime = ProtoField.uint32("mmtls.handshake.psk.lifetime", "Lifetime (s)", base.DEC),
    psk_age_add = ProtoField.bytes("mmtls.handshake.psk.age_add", "Age add"),
    psk_reserved = ProtoField.uint32("mmtls.handshake.psk.reserved", "Reserved", base.HEX),
    psk_nonce = ProtoField.bytes("mmtls.handshake.psk.nonce", "Nonce"),
    psk_ticket = ProtoField.bytes("mmtls.handshake.psk.ticket", "Ticket"),

    early_timestamp = ProtoField.absolute_time("mmtls.handshake.early_data.timestamp", "Early data timestamp", base.UTC),

    alert_length = ProtoField.uint32("mmtls.alert.length", "Alert length", base.DEC),
    alert_description = ProtoField.uint16("mmtls.alert.description", "Description", base.HEX, alert_descriptions),
    alert_level = ProtoField.uint8("mmtls.alert.level", "Level", base.DEC, alert_levels),
}

local field_list = {}
for _, v in pairs(f) do field_list[#field_list + 1] = v end
mmtls.fields = field_list

local e_malformed = ProtoExpert.new("mmtls.malformed", "Malformed MMTLS message",
    expert.group.MALFORMED, expert.severity.ERROR)
local e_truncated = ProtoExpert.new("mmtls.truncated", "MMTLS record extends past the end of its body",
    expert.group.MALFORMED, expert.severity.ERROR)
mmtls.experts = { e_malformed, e_truncated }

-- A cursor over a TvbRange: every read checks the bounds first and returns
-- nil past the end, so hostile lengths never raise Lua errors.
local Cursor = {}
Cursor.__index = Cursor

local function cursor(range)
    return setmetatable({ r = range, off = 0, len = range:len() }, Cursor)
end

function Cursor:left() return self.len - self.off end

function Cursor:take(n)
    if n < 0 or self:left() < n then return nil end
    local sub = self.r(self.off, n)
    self.off = self.off + n
    return sub
end

-- Like take, but allows n == 0 (a TvbRange cannot be empty): returns the
-- range or nil, and ok.
function Cursor:take_maybe_empty(n)
    if n == 0 then return nil, true end
    local sub = self:take(n)
    return sub, sub ~= nil
end

-- A plaintext handshake or alert body starts with a u32 length of the rest
-- (doc/protocol.md §2); encrypted bodies almost never do.
local function is_plaintext(body)
    local n = body:len()
    return n >= 5 and body(0, 4):uint() == n - 4
end

local function add_prefixed16(tree, c, field)
    local lr = c:take(2)
    if not lr then return false end
    local v, ok = c:take_maybe_empty(lr:uint())
    if not ok then return false end
    if v then tree:add(field, v) end
    return true
end

local function dissect_tickets(tree, c)
    local nr = c:take(1)
    if not nr then return false end
    tree:add(f.psk_count, nr)
    for _ = 1, nr:uint() do
        local lr = c:take(4)
        if not lr then return false end
        local body = c:take(lr:uint())
        if not body then return false end
        local t = tree:add(f.psk, body)
        t:add(f.psk_length, lr)
        local tc = cursor(body)
        local ty, lt = tc:take(1), tc:take(4)
        if not (ty and lt) then return false end
        t:add(f.psk_type, ty)
        t:add(f.psk_lifetime, lt)
        if not add_prefixed16(t, tc, f.psk_age_add) then return false end
        local rs = tc:take(4)
        if not rs then return false end
        t:add(f.psk_reserved, rs)
        if not add_prefixed16(t, tc, f.psk_nonce) then return false end
        if not add_prefixed16(t, tc, f.psk_ticket) then return false end
        t:append_text(string.format(": type %d, lifetime %d s", ty:uint(), lt:uint()))
    end
    return true
end

local function dissect_key_share(tree, c)
    local id = c:take(4)
    local pl = c:take(2)
    if not (id and pl) then return false end
    local point = c:take(pl:uint())
    if not point then return false end
    tree:add(f.ks_id, id)
    tree:add(f.ks_point_length, pl)
    tree:add(f.ks_point, point)
    return true
end

local function dissect_key_shares(tree, c)
    local nr = c:take(1)
    if not nr then return false end
    tree:add(f.ks_count, nr)
    for _ = 1, nr:uint() do
        local lr = c:take(4)
        if not lr then return false end
        local body = c:take(lr:uint())
        if not body then return false end
        local t = tree:add(f.ks, body)
        t:add(f.ks_length, lr)
        if not dissect_key_share(t, cursor(body)) then return false end
    end
    local rs, n = c:take(4), c:take(1)
    if not (rs and n) then return false end
    tree:add(f.ks_reserved, rs)
    for _ = 1, n:uint() do
        local v = c:take(4)
        if not v then return false end
        tree:add(f.ks_value, v)
    end
    return c:left() == 0
end

-- dissect_extensions reads u32 list length | u8 count | count x (u32 length
-- | u16 type | data) and returns the number of key shares and tickets seen,
-- or nil when malformed.
local function dissect_extensions(tree, c)
    local lr = c:take(4)
    if not lr then return nil end
    tree:add(f.hs_ext_list_length, lr)
    local list = c:take(lr:uint())
    if not list then return nil end
    local lc = cursor(list)
    local nr = lc:take(1)
    if not nr then return nil end
    tree:add(f.hs_ext_count, nr)
    local shares, tickets = 0, 0
    for _ = 1, nr:uint() do
        local el = lc:take(4)
        if not el or el:uint() < 2 then return nil end
        local body = lc:take(el:uint())
        if not body then return nil end
        local ty = body(0, 2)
        local t = tree:add(f.ext, body)
        t:add(f.ext_length, el)
        t:add(f.ext_type, ty)
        local typ = ty:uint()
        t:append_text(": " .. (extension_types[typ] or string.format("0x%04x", typ)))
        if body:len() > 2 then
            local data = body(2)
            local dc = cursor(data)
            local ok = true
            if typ == 0x0f then
                ok = dissect_tickets(t, dc) and dc:left() == 0
                if ok then tickets = tickets + data(0, 1):uint() end
            elseif typ == 0x10 then
                ok = dissect_key_shares(t, dc)
                if ok then shares = shares + data(0, 1):uint() end
            elseif typ == 0x11 then
                ok = dissect_key_share(t, dc) and dc:left() == 0
                if ok then shares = shares + 1 end
            elseif typ == 0x12 then
                local ts = dc:take(4)
                ok = ts ~= nil and dc:left() == 0
                if ok then t:add(f.early_timestamp, ts, NSTime.new(ts:uint(), 0)) end
            else
                t:add(f.ext_data, data)
            end
            if not ok then return nil end
        end
    end
    if lc:left() ~= 0 then return nil end
    return shares, tickets
end

-- dissect_hello dissects a ClientHello or ServerHello after its type byte
-- and returns a summary for the Info column, or nil when malformed.
local function dissect_hello(tree, c, client)
    local v = c:take(2)
    if not v then return nil end
    tree:add_le(f.hs_version, v)
    local suites = {}
    if client then
        local n = c:take(1)
        if not n then return nil end
        tree:add(f.hs_suites_count, n)
        for _ = 1, n:uint() do
            local s = c:take(2)
            if not s then return nil end
            tree:add(f.hs_suite, s)
            suites[#suites + 1] = cipher_suites[s:uint()] or string.format("0x%04x", s:uint())
        end
    else
        local s = c:take(2)
        if not s then return nil end
        tree:add(f.hs_suite, s)
        suites[1] = cipher_suites[s:uint()] or string.format("0x%04x", s:uint())
    end
    local random = c:take(32)
    if not random then return nil end
    tree:add(f.hs_random, random)
    if client then
        local ts = c:take(4)
        if not ts then return nil end
        tree:add(f.hs_timestamp, ts, NSTime.new(ts:uint(), 0))
    end
    local shares, tickets = dissect_extensions(tree, c)
    if not shares or c:left() ~= 0 then return nil end
    local s = " (" .. table.concat(suites, ", ")
    if shares > 0 then s = s .. string.format(", %d key share%s", shares, shares == 1 and "" or "s") end
    if tickets > 0 then s = s .. string.format(", %d PSK ticket%s", tickets, tickets == 1 and "" or "s") end
    return s .. ")"
end

-- dissect_handshake dissects a plaintext handshake message and returns its
-- name for the Info column.
local function dissect_handshake(tree, body, pinfo)
    local c = cursor(body)
    tree:add(f.hs_length, c:take(4))
    local tr = c:take(1)
    tree:add(f.hs_type, tr)
    local t = tr:uint()
    local name = handshake_types[t] or string.format("Handshake 0x%02x", t)
    if t == 0x01 or t == 0x02 then
        local summary = dissect_hello(tree, c, t == 0x01)
        if not summary then
            tree:add_proto_expert_info(e_malformed, name .. " does not parse")
            return name
        end
        return name .. summary
    end
    if c:left() > 0 then tree:add(f.ext_data, c:take(c:left())) end
    return name
end

local function dissect_alert(tree, body)
    local c = cursor(body)
    tree:add(f.alert_length, c:take(4))
    local d, l = c:take(2), c:take(1)
    if not (d and l) or c:left() ~= 0 then
        tree:add_proto_expert_info(e_malformed, "alert does not parse")
        return "Alert"
    end
    tree:add(f.alert_description, d)
    tree:add(f.alert_level, l)
    return string.format("Alert (%s, %s)", alert_descriptions[d:uint()] or string.format("0x%04x", d:uint()),
        alert_levels[l:uint()] or tostring(l:uint()))
end

-- dissect_record dissects one whole record at range rec (header + body) and
-- returns a short name for the Info column.
local function dissect_record(rec, pinfo, tree)
    local typ = rec(0, 1):uint()
    local n = rec(3, 2):uint()
    local rt = tree:add(f.record, rec)
    rt:add(f.rtype, rec(0, 1))
    rt:add(f.version, rec(1, 2))
    rt:add(f.length, rec(3, 2))
    local tname = record_types[typ] or string.format("0x%02x", typ)
    rt:append_text(": " .. tname .. ", " .. n .. " bytes")
    if n == 0 then return tname end
    local body = rec(RECORD_HEADER_LEN, n)
    if (typ == 0x16 or typ == 0x19) and is_plaintext(body) then
        local name = dissect_handshake(rt, body, pinfo)
        rt:append_text(", " .. name)
        return name
    end
    if typ == 0x15 and is_plaintext(body) then
        return dissect_alert(rt, body)
    end
    rt:add(f.encrypted, body)
    if typ == 0x17 then return "Application Data" end
    return "Encrypted " .. tname
end

-- looks_like_record reports whether tvb holds a record header at offset:
-- a known type and the version 0xF104.
local function looks_like_record(tvb, offset)
    if tvb:len() - offset < 3 then return false end
    return record_types[tvb(offset, 1):uint()] ~= nil and tvb(offset + 1, 2):uint() == MMTLS_VERSION
end

local function set_columns(pinfo, names, link)
    pinfo.cols.protocol:set("MMTLS")
    if #names > 0 then
        pinfo.cols.info:set(link .. ": " .. table.concat(names, ", "))
    end
end

-- dissect_stream dissects the records of a Longlink TCP segment, asking TCP
-- for more bytes when a record continues in later segments. It returns the
-- number of bytes consumed.
local function dissect_stream(tvb, pinfo, tree)
    local total = tvb:len()
    local offset = 0
    local names = {}
    local subtree
    while offset < total do
        local left = total - offset
        if left < RECORD_HEADER_LEN then
            if not looks_like_record(tvb, offset) and left >= 3 then break end
            pinfo.desegment_offset = offset
            pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
            break
        end
        if not looks_like_record(tvb, offset) then break end
        local need = RECORD_HEADER_LEN + tvb(offset + 3, 2):uint()
        if left < need then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = need - left
            break
        end
        subtree = subtree or tree:add(mmtls, tvb(offset), "WeChat MMTLS (Longlink)")
        names[#names + 1] = dissect_record(tvb(offset, need), pinfo, subtree)
        offset = offset + need
    end
    if offset < total and pinfo.desegment_len == 0 then
        -- Bytes that do not start a record (a capture that began mid-stream,
        -- or a gap): shown, not parsed.
        subtree = subtree or tree:add(mmtls, tvb(offset), "WeChat MMTLS (Longlink)")
        subtree:add(f.truncated, tvb(offset)):append_text(" (not at a record boundary)")
        offset = total
    end
    set_columns(pinfo, names, "Longlink")
    return offset
end

-- The ports whose usual dissector would swallow a Longlink before any
-- heuristic runs (HTTP on 80 and 8080 consumes non-HTTP streams, TLS on 443
-- reads 0x16 as a TLS handshake). mmtls takes these ports and hands every
-- stream that does not start with a record back to the dissector it
-- replaced, so HTTP and TLS on them are dissected as before.
local wrapped_ports = { 80, 443, 8080 }
local replaced = {}

function mmtls.dissector(tvb, pinfo, tree)
    if looks_like_record(tvb, 0) then
        pinfo.conversation = mmtls
        return dissect_stream(tvb, pinfo, tree)
    end
    local orig = replaced[pinfo.match_uint]
    if not orig then return 0 end
    -- Each dissector layer lowers can_desegment by one; give the replaced
    -- dissector what TCP gave us, so HTTP still reassembles its bodies.
    local saved = pinfo.can_desegment
    pinfo.can_desegment = saved + 1
    local n = orig:call(tvb, pinfo, tree)
    pinfo.can_desegment = saved
    return n
end

local tcp_port = DissectorTable.get("tcp.port")
for _, port in ipairs(wrapped_ports) do
    replaced[port] = tcp_port:get_dissector(port)
    tcp_port:add(port, mmtls)
end

-- Shortlink: an HTTP body (HTTP reassembles it by Content-Length first)
-- made of whole records. Shortlink bodies are application/octet-stream;
-- bodies of that type that do not start with a record go to the data
-- dissector, as they would without this file.
local mmtls_http = Proto("mmtls_http", "WeChat MMTLS in an HTTP body")
local data_dissector = Dissector.get("data")

function mmtls_http.dissector(tvb, pinfo, tree)
    if tvb:len() < RECORD_HEADER_LEN or not looks_like_record(tvb, 0) then
        return data_dissector:call(tvb, pinfo, tree)
    end
    local total = tvb:len()
    local offset = 0
    local names = {}
    local subtree = tree:add(mmtls, tvb(), "WeChat MMTLS (Shortlink)")
    while offset < total do
        if total - offset < RECORD_HEADER_LEN or not looks_like_record(tvb, offset) then
            subtree:add(f.truncated, tvb(offset)):add_proto_expert_info(e_truncated)
            break
        end
        local need = RECORD_HEADER_LEN + tvb(offset + 3, 2):uint()
        if total - offset < need then
            subtree:add(f.truncated, tvb(offset)):add_proto_expert_info(e_truncated)
            break
        end
        names[#names + 1] = dissect_record(tvb(offset, need), pinfo, subtree)
        offset = offset + need
    end
    pinfo.cols.protocol:set("MMTLS")
    if #names > 0 then
        pinfo.cols.info:append(" [Shortlink: " .. table.concat(names, ", ") .. "]")
    end
    return total
end

DissectorTable.get("media_type"):add("application/octet-stream", mmtls_http)

-- Longlink on any other port: a TCP stream that starts with a record
-- header. The conversation is then bound to mmtls, so later segments (and
-- the other direction) come to it directly.
local function heur_tcp(tvb, pinfo, tree)
    if tvb:len() < RECORD_HEADER_LEN or not looks_like_record(tvb, 0) then return false end
    pinfo.conversation = mmtls
    dissect_stream(tvb, pinfo, tree)
    return true
end

mmtls:register_heuristic("tcp", heur_tcp)

-- ---------------------------------------------------------------------------
-- wechat: one decrypted payload of a capture written by
-- `wxaudit decrypt --pcapng FILE` (exported-PDU link type; the packet's
-- tags name this dissector and carry the original addresses, ports and
-- frame number). The PDU is a wechat message (wireshark/pdu.go in wxaudit):
--   u8 version (1) | fields: u8 tag | u16 length | value, ending with tag 0
--   | the plaintext
-- The plaintext goes to Wireshark's protobuf dissector when it is
-- well-formed protobuf, and is shown as text or bytes otherwise.

local wechat = Proto("wechat", "WeChat business layer (decrypted by wxaudit)")

local wf = {
    version = ProtoField.uint8("wechat.version", "wxaudit export version", base.DEC),
    link = ProtoField.string("wechat.link", "Link"),
    direction = ProtoField.string("wechat.direction", "Direction"),
    uri = ProtoField.string("wechat.uri", "Request path"),
    endpoint = ProtoField.string("wechat.endpoint", "Endpoint (from the request type)"),
    host = ProtoField.string("wechat.host", "Host"),
    req_type = ProtoField.uint32("wechat.req_type", "Request type", base.DEC),
    uin = ProtoField.uint32("wechat.uin", "Uin", base.DEC),
    client_version = ProtoField.uint32("wechat.client_version", "Client version", base.HEX),
    cmd_id = ProtoField.uint32("wechat.longlink.cmd_id", "Longlink cmd id", base.DEC),
    seq = ProtoField.uint32("wechat.longlink.seq", "Longlink seq", base.DEC),
    inner = ProtoField.string("wechat.inner", "Inner encryption"),
    compressed = ProtoField.bool("wechat.compressed", "Compressed (inflated by wxaudit)"),
    part = ProtoField.string("wechat.part", "Auth exchange part"),
    signature_ok = ProtoField.bool("wechat.signature_ok", "Signature verified"),
    record_seq = ProtoField.uint64("wechat.record_seq", "MMTLS record seq", base.DEC),
    frame = ProtoField.uint32("wechat.frame", "Original frame", base.DEC),
    field = ProtoField.bytes("wechat.field", "Unknown field"),
    body = ProtoField.bytes("wechat.body", "Body"),
    text = ProtoField.string("wechat.text", "Body (text)"),
}
local wfield_list = {}
for _, v in pairs(wf) do wfield_list[#wfield_list + 1] = v end
wechat.fields = wfield_list

local we_malformed = ProtoExpert.new("wechat.malformed", "Malformed wxaudit export message",
    expert.group.MALFORMED, expert.severity.ERROR)
local we_cut = ProtoExpert.new("wechat.cut", "Payload cut at the export's packet size limit",
    expert.group.UNDECODED, expert.severity.NOTE)
wechat.experts = { we_malformed, we_cut }

wechat.prefs.learned_schemas = Pref.bool("Name learned message types", false,
    "Hand the protobuf dissector the message type wxaudit.learned.<Endpoint>Request, as " ..
    "`wxaudit decode --schema learn` names it (add that .proto file to the Protobuf search path first)")

local protobuf_dissector = Dissector.get("protobuf")

-- string fields by tag, with the payload key each fills
local wstrings = { [1] = "link", [2] = "direction", [3] = "uri", [4] = "host", [10] = "inner", [12] = "part",
    [16] = "endpoint" }
local wuints = { [5] = "req_type", [6] = "uin", [7] = "client_version", [8] = "cmd_id", [9] = "seq" }

-- is_protobuf reports whether bytes ba[from, to) are a well-formed run of
-- protobuf fields (varint, fixed64, length-delimited, fixed32), so the
-- protobuf dissector is only given bytes it can read without errors.
local function is_protobuf(ba, from, to)
    local i = from
    if i >= to then return false end
    local function varint()
        local v, mul = 0, 1
        for k = 0, 9 do
            if i >= to then return nil end
            local c = ba:get_index(i)
            i = i + 1
            if k < 7 then v = v + (c % 128) * mul; mul = mul * 128 end
            if c < 128 then return v end
        end
        return nil
    end
    while i < to do
        local key = varint()
        if not key or key < 8 then return false end
        local wt = key % 8
        if wt == 0 then
            if not varint() then return false end
        elseif wt == 1 then
            i = i + 8
        elseif wt == 2 then
            local n = varint()
            if not n then return false end
            i = i + n
        elseif wt == 5 then
            i = i + 4
        else
            return false
        end
        if i > to then return false end
    end
    return true
end

-- is_text reports whether the bytes are printable UTF-8-ish text.
local function is_text(ba, from, to)
    if to - from < 1 then return false end
    for k = from, to - 1 do
        local c = ba:get_index(k)
        if c < 0x09 or (c > 0x0d and c < 0x20) or c == 0x7f then return false end
    end
    return true
end

-- learned_message_name is decode/learn.go's messageName: the last path
-- segment, each run of ASCII letters and digits capitalised, + "Request".
local function learned_message_name(endpoint)
    local seg = endpoint:match("([^/]*)$") or endpoint
    local name = ""
    for word in seg:gmatch("[%w]+") do
        name = name .. word:sub(1, 1):upper() .. word:sub(2)
    end
    if name == "" or name:match("^%d") then name = "E" .. name end
    return name .. "Request"
end

function wechat.dissector(tvb, pinfo, tree)
    local reported = tvb:reported_len()
    local captured = tvb:len()
    pinfo.cols.protocol:set("WeChat")
    local t = tree:add(wechat, tvb(), "WeChat payload (decrypted by wxaudit)")
    if captured < 1 then
        t:add_proto_expert_info(we_malformed, "empty")
        return 0
    end
    t:add(wf.version, tvb(0, 1))
    if tvb(0, 1):uint() ~= 1 then
        t:add_proto_expert_info(we_malformed, "unknown export version")
        return captured
    end
    local info = {}
    local off = 1
    while true do
        if captured - off < 3 then
            t:add_proto_expert_info(we_malformed, "truncated field header")
            return captured
        end
        local tag, n = tvb(off, 1):uint(), tvb(off + 1, 2):uint()
        if captured - off - 3 < n then
            t:add_proto_expert_info(we_malformed, "field longer than the message")
            return captured
        end
        local v = n > 0 and tvb(off + 3, n) or nil
        off = off + 3 + n
        if tag == 0 then break end
        if v then
            if wstrings[tag] then
                t:add(wf[wstrings[tag]], v)
                info[wstrings[tag]] = v:string()
            elseif wuints[tag] and n == 4 then
                t:add(wf[wuints[tag]], v)
                info[wuints[tag]] = v:uint()
            elseif tag == 11 and n == 1 then
                t:add(wf.compressed, v)
            elseif tag == 13 and n == 1 then
                t:add(wf.signature_ok, v)
            elseif tag == 14 and n == 8 then
                t:add(wf.record_seq, v)
            elseif tag == 15 and n % 4 == 0 then
                for k = 0, n - 4, 4 do t:add(wf.frame, v(k, 4)) end
            else
                t:add(wf.field, v):append_text(string.format(" (tag %d)", tag))
            end
        end
    end

    -- Info: the request path (the catalog's for Longlink), direction,
    -- request type, link and Longlink header.
    local path = info.uri or info.endpoint
    local s = (path or "(no path)") .. " " .. (info.direction or "")
    if info.req_type then s = s .. string.format(" type=%d", info.req_type) end
    if info.part then s = s .. " part=" .. info.part end
    if info.cmd_id then
        s = s .. string.format(" [%s cmd=%d seq=%d]", info.link or "longlink", info.cmd_id, info.seq or 0)
    elseif info.link then
        s = s .. " [" .. info.link .. "]"
    end
    pinfo.cols.info:set(s)
    if path then t:append_text(": " .. path) end

    if off >= reported then return captured end
    local body = tvb(off)
    if captured < reported then
        -- Cut by the export's packet size limit: the bytes are shown, not
        -- decoded, since a decoder would run past them.
        t:add(wf.body, body):add_proto_expert_info(we_cut)
        return captured
    end
    local ba = tvb:bytes()
    if info.link == "http" and is_text(ba, off, captured) then
        t:add(wf.text, body)
    elseif protobuf_dissector and is_protobuf(ba, off, captured) then
        if wechat.prefs.learned_schemas then
            -- The endpoint as decode names it: the path, else "type:N".
            local endpoint = path or ("type:" .. (info.req_type or 0))
            pinfo.private["pb_msg_type"] = "message,wxaudit.learned." .. learned_message_name(endpoint)
        end
        protobuf_dissector:call(body:tvb(), pinfo, tree)
        -- The protobuf dissector names itself in the Info column; keep ours.
        pinfo.cols.protocol:set("WeChat")
        pinfo.cols.info:set(s)
    elseif is_text(ba, off, captured) then
        t:add(wf.text, body)
    else
        t:add(wf.body, body)
    end
    return captured
end
