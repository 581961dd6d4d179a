-- Contact titles and categories can be archived: an archived entry is no longer
-- offered in forms, but the contacts that have it keep it (and show it).
ALTER TABLE contact_titles ADD COLUMN archived_at TEXT;
ALTER TABLE contact_categories ADD COLUMN archived_at TEXT;
