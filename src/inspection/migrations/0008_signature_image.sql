-- 0008_signature_image (0007 is main's subject_kind, merged separately): the inspected party's handwritten signature, drawn on the phone page and kept
-- as a PNG attachment of the task (content-addressed store); its SHA-256 is part of the task record,
-- hence of the audit leaf that records the signature, and the 现场检查笔录 prints the picture.
ALTER TABLE inspection_tasks ADD COLUMN signature_sha256 TEXT;
