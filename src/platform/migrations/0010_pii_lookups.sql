-- 0010_pii_lookups (global migration 15 before modules): the per-user limit on disclosures and lookups of personal data
-- (serve --id-lookups-per-hour) is counted here, so that it holds across serving processes. One row
-- per user who ever disclosed, holding the times of their uses in the last hour; every take locks
-- the row (INSERT … ON CONFLICT DO UPDATE … RETURNING) before reading it, so concurrent takes in any
-- process run one after another and cannot pass the limit.
-- global-version: 15
CREATE TABLE pii_lookups (
  user_id BIGINT PRIMARY KEY,
  uses TEXT NOT NULL                -- epoch ms of the uses within the last hour, ascending, comma-separated
);
