package store

// SchemaVersion is stored in meta; Open refuses a file of another version
// rather than guess at its columns. 3 added runids, the gram tables,
// gram_runs, findings.vid, uris and requests_uri.
const SchemaVersion = 3

// schema creates the tables. Lists (data types, frames, evidence ids) are
// JSON arrays in TEXT columns; times are RFC 3339 TEXT; booleans are 0/1.
const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
	run                  TEXT PRIMARY KEY,  -- label, unique in the corpus
	source               TEXT NOT NULL,     -- run folder or request-log file
	kind                 TEXT NOT NULL,     -- capture | log
	status               TEXT NOT NULL,     -- ok | failed
	error                TEXT NOT NULL DEFAULT '',
	fingerprint          TEXT NOT NULL,     -- hash of the inputs, for --add
	analysed_at          TEXT NOT NULL,
	permissions          TEXT NOT NULL DEFAULT 'unknown', -- on | off | unknown (location, or the run's only state)
	permission_states    TEXT NOT NULL DEFAULT '{}',      -- JSON object from run.yaml
	category             TEXT NOT NULL DEFAULT '',
	device_model         TEXT NOT NULL DEFAULT '',
	android              TEXT NOT NULL DEFAULT '',
	abi                  TEXT NOT NULL DEFAULT '',
	app_package          TEXT NOT NULL DEFAULT '',
	app_version          TEXT NOT NULL DEFAULT '',
	started              TEXT NOT NULL DEFAULT '',
	steps                TEXT NOT NULL DEFAULT '[]',      -- JSON [{name, time}]
	requests             INTEGER NOT NULL DEFAULT 0,
	findings             INTEGER NOT NULL DEFAULT 0,
	data_types           TEXT NOT NULL DEFAULT '[]',      -- JSON array, taxonomy order
	decrypted_payloads   INTEGER NOT NULL DEFAULT 0,      -- requests with a readable payload
	miniprogram_browsing INTEGER NOT NULL DEFAULT 0,      -- 1: pages, UI events or stay times of a Mini Program sent
	records_encrypted    INTEGER,                         -- captures only; NULL for request logs
	records_decrypted    INTEGER,
	payloads_not_decrypted INTEGER,
	coverage             REAL,                            -- records_decrypted / records_encrypted; NULL for logs
	not_decrypted        TEXT NOT NULL DEFAULT '[]',      -- JSON ["N records: reason", …]
	analysis_errors      INTEGER NOT NULL DEFAULT 0,      -- malformed lines, undecodable requests (analysis went on)
	extends              TEXT NOT NULL DEFAULT '',        -- the run whose log is a prefix of this one's (request logs)
	skip_lines           INTEGER NOT NULL DEFAULT 0,      -- this run's own lines start after these
	lines                INTEGER NOT NULL DEFAULT 0       -- lines of the source read in all
);
CREATE TABLE IF NOT EXISTS requests (
	run            TEXT NOT NULL,
	id             INTEGER NOT NULL,   -- 0-based, per run
	seq            INTEGER NOT NULL,   -- 1-based order in the run
	time           TEXT NOT NULL DEFAULT '',
	feature        TEXT NOT NULL,
	feature_reason TEXT NOT NULL DEFAULT '',
	recipient      TEXT NOT NULL,
	uri            TEXT NOT NULL DEFAULT '',
	req_type       INTEGER NOT NULL DEFAULT 0,
	size           INTEGER NOT NULL,
	source         TEXT NOT NULL,
	data_types     TEXT NOT NULL DEFAULT '[]',
	payload        BLOB,               -- the decrypted plaintext (a secret: the user's data)
	PRIMARY KEY (run, id)
);
CREATE TABLE IF NOT EXISTS findings (
	run          TEXT NOT NULL,
	id           TEXT NOT NULL,        -- f1, f2, … per run
	request      INTEGER NOT NULL,     -- requests.id
	data_type    TEXT NOT NULL,
	confidence   TEXT NOT NULL,
	feature      TEXT NOT NULL,
	recipient    TEXT NOT NULL,
	uri          TEXT NOT NULL DEFAULT '',
	req_type     INTEGER NOT NULL DEFAULT 0,
	permissions  TEXT NOT NULL DEFAULT '',
	time         TEXT NOT NULL DEFAULT '',
	appid        TEXT NOT NULL DEFAULT '',
	field_path   TEXT NOT NULL,
	value        TEXT NOT NULL,
	rule         TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	source_file  TEXT NOT NULL DEFAULT '',
	source_line  INTEGER NOT NULL DEFAULT 0,
	frames       TEXT NOT NULL DEFAULT '[]',
	lat          REAL,
	lon          REAL,
	precision_m  REAL,
	coord_encoding TEXT NOT NULL DEFAULT '',
	entry        INTEGER NOT NULL DEFAULT 0,  -- report line or event record in the request (0: none)
	mp_session   TEXT NOT NULL DEFAULT '',    -- the Mini Program session the entry states (a secret: holds the uin)
	mp_page      TEXT NOT NULL DEFAULT '',    -- the Mini Program page the entry is about
	also_rules   TEXT NOT NULL DEFAULT '[]',  -- JSON: the other rules that recognised the same value
	vid          INTEGER NOT NULL DEFAULT 0,  -- the value's number in the run, for findings_grams
	PRIMARY KEY (run, id)
);
CREATE INDEX IF NOT EXISTS findings_vid ON findings (run, vid);
CREATE INDEX IF NOT EXISTS findings_request ON findings (run, request);
CREATE INDEX IF NOT EXISTS findings_type ON findings (data_type);
CREATE TABLE IF NOT EXISTS gaps (
	run        TEXT NOT NULL,
	id         INTEGER NOT NULL,       -- 0-based, per run
	kind       TEXT NOT NULL,
	data_type  TEXT NOT NULL,
	feature    TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	clause     TEXT NOT NULL DEFAULT '',
	statement  TEXT NOT NULL,
	findings   TEXT NOT NULL DEFAULT '[]',   -- JSON array of findings.id
	PRIMARY KEY (run, id)
);
CREATE TABLE IF NOT EXISTS strings (
	id         INTEGER PRIMARY KEY,
	run        TEXT NOT NULL,
	request    INTEGER NOT NULL,
	field_path TEXT NOT NULL,
	value      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS strings_request ON strings (run, request);
-- The trigram tokenizer indexes every three characters, so any substring
-- of three or more characters matches, whatever the script: Chinese has
-- no spaces for a word tokenizer to split on.
CREATE VIRTUAL TABLE IF NOT EXISTS strings_fts USING fts5(
	value, content='strings', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS strings_ai AFTER INSERT ON strings BEGIN
	INSERT INTO strings_fts(rowid, value) VALUES (new.id, new.value);
END;
CREATE TRIGGER IF NOT EXISTS strings_ad AFTER DELETE ON strings BEGIN
	INSERT INTO strings_fts(strings_fts, rowid, value) VALUES ('delete', old.id, old.value);
END;
-- Searches look a gram of the query up here: every distinct one- and
-- two-character substring of each value (ASCII letters lowercased, as
-- LIKE and lower() compare them), keyed by a number per run first, so
-- that a search walks the runs in label order and stops at the page's
-- end instead of sorting every hit.
-- strings_grams answers the queries of one or two characters, which a
-- trigram cannot, and longer ones found too often to sort; findings_grams
-- the match on finding values.
-- runids is kept in label order (WITHOUT ROWID, keyed by run): scanning
-- it walks the runs in the order the searches list them.
CREATE TABLE IF NOT EXISTS runids (
	run   TEXT PRIMARY KEY,
	runid INTEGER NOT NULL  -- max + 1: no index, which the planner would scan instead
) WITHOUT ROWID;
-- strings_grams lists a run's hits in (request, id) order: a search
-- streams them, and a frequent gram's page ends within the first run.
CREATE TABLE IF NOT EXISTS strings_grams (
	runid   INTEGER NOT NULL,  -- runids.runid
	gram    TEXT NOT NULL,
	request INTEGER NOT NULL,
	id      INTEGER NOT NULL,  -- strings.id
	PRIMARY KEY (runid, gram, request, id)
) WITHOUT ROWID;
-- A run repeats its finding values (three findings a value in the
-- published logs), so findings_grams indexes each distinct value of a run
-- once, by its number (vid), and a search sorts one run's hits at a time.
CREATE TABLE IF NOT EXISTS findings_grams (
	runid   INTEGER NOT NULL,  -- runids.runid
	gram    TEXT NOT NULL,
	vid     INTEGER NOT NULL,  -- findings.vid
	PRIMARY KEY (runid, gram, vid)
) WITHOUT ROWID;
-- The runs each gram occurs in, per gram table: a walk skips the runs
-- without the gram (an absent query reads one row, not every run's key).
CREATE TABLE IF NOT EXISTS gram_runs (
	tbl   TEXT NOT NULL,     -- strings_grams or findings_grams
	gram  TEXT NOT NULL,
	runid INTEGER NOT NULL,
	PRIMARY KEY (tbl, gram, runid)
) WITHOUT ROWID;
-- The endpoints ever stored (a deleted run's stay: a search finds no
-- request for them), few enough to match one by one; requests_uri then
-- finds a run's requests to the matching ones.
CREATE TABLE IF NOT EXISTS uris (
	uri TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS requests_uri ON requests (run, uri, seq);
`
