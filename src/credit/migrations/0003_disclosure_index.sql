-- 0003_disclosure_index: the nightly asks for the active records whose disclosure has ended
-- (state = 'active' AND disclose_until < today). Without this index both engines read every credit
-- record for it, twice a night: at 1.45 million records (bench/credit) that was a scan of seconds
-- before any subject was evaluated. (The records themselves are read a page of subjects at a time,
-- by credit_records_subject.)
CREATE INDEX credit_records_disclosure ON credit_records(state, disclose_until);
