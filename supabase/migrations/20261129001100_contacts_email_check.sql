-- Contacts: validate the email check added NOT VALID in 20261129001000 (contacts_email_is_email,
-- which calls app.is_email) in its own transaction, as squawk asks, then drop the regex check it
-- replaces. Both enforce the same rule, so at no point is a contact's email unchecked.
set local lock_timeout = '5s';

-- Constraints ---------------------------------------------------------------------------------

alter table app.contacts validate constraint contacts_email_is_email;

-- Safe to drop: contacts_email_is_email, validated above, enforces the same rule.
-- squawk-ignore ban-drop-constraint
alter table app.contacts drop constraint contacts_email_check;
