-- 0002_attachment_quota (global migration 9 before modules): the per-user attachment quota (serve --attachment-quota) sums the sizes of
-- the attachments each user added before storing another; this index keeps that sum from reading
-- every attachment of every user.
-- global-version: 9
CREATE INDEX inspection_attachments_actor ON inspection_attachments(actor, size);
