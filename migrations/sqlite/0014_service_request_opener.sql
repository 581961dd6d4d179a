-- SQLite twin of postgres/0019_service_request_opener.sql. Service requests
-- (issue 12): the contact who opened one in the portal, so the company's
-- answers reach them by mail. No foreign key: a contact deleted later leaves
-- an id that finds nobody, and nobody is written to.

ALTER TABLE service_requests ADD COLUMN opened_by_contact BLOB;
