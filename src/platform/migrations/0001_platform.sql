-- 0001_platform (global migration 1 before modules): the basis of scope (departments, regions), identity (users, sessions, tokens,
-- sign-in attempts) and the full-process audit record. Portable SQL for SQLite and PostgreSQL:
-- no sequences, triggers or engine-specific types. Times are UTC epoch milliseconds.
-- global-version: 1

CREATE TABLE departments (
  code TEXT PRIMARY KEY,            -- short code: health, insurance, market, ...
  name TEXT NOT NULL,               -- Chinese name shown to users
  remit TEXT NOT NULL               -- comma-separated department codes whose rows this department sees; '*' = all
);

CREATE TABLE regions (
  code TEXT PRIMARY KEY,            -- GB/T 2260 code (6 digits; towns 9 digits)
  name TEXT NOT NULL,
  level INTEGER NOT NULL,           -- 1 province, 2 city, 3 county, 4 town/street
  parent_code TEXT REFERENCES regions(code)
);
CREATE INDEX regions_parent ON regions(parent_code, code);

CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,      -- libsodium crypto_pwhash_str (argon2id)
  role TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions(code),
  department TEXT NOT NULL REFERENCES departments(code),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX users_scope ON users(region_code, department);

CREATE TABLE sessions (
  id BIGINT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the cookie value; the value itself is never stored
  csrf_token TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id BIGINT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the bearer token
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,             -- 'read' or 'read,write'
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
  id BIGINT PRIMARY KEY,
  username TEXT NOT NULL,
  address TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_addr ON login_failures(address, at);

-- The Merkle log (RFC 6962 §2.1). One row per leaf; idx is dense from 0.
CREATE TABLE audit_leaves (
  idx BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,              -- user id, 'system' or 'cli:<user>'
  action TEXT NOT NULL,             -- e.g. user.create, session.create, practitioner.disclose
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  state_hash TEXT NOT NULL,         -- SHA-256 (hex) of the canonical JSON of the new state
  region_code TEXT NOT NULL,        -- territory of the object, for scoped reading of the log
  leaf_hash TEXT NOT NULL           -- SHA-256(0x00 || leaf data), hex
);
CREATE INDEX audit_leaves_object ON audit_leaves(object_type, object_id);

-- The head of the log: one row, locked by every append (UPDATE … RETURNING) so appends serialise
-- across processes. frontier holds the roots of the perfect subtrees of the current tree (hex, comma-separated).
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  tree_size BIGINT NOT NULL,
  frontier TEXT NOT NULL
);
INSERT INTO audit_head (id, tree_size, frontier) VALUES (1, 0, '');

-- A signed tree head after every append, so verification can name the first leaf that no longer matches.
CREATE TABLE audit_sth (
  tree_size BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  root_hash TEXT NOT NULL,
  signature TEXT NOT NULL           -- ed25519 over the RFC 6962-style tree head serialisation, hex
);
