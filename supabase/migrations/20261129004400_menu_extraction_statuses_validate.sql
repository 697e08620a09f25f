-- Documents: validate the extraction-status check added NOT VALID in 20261129004300
-- (documents_extraction_status_known) in its own transaction, as squawk asks.
set local lock_timeout = '5s';

-- Constraints ---------------------------------------------------------------------------------

alter table app.documents validate constraint documents_extraction_status_known;
