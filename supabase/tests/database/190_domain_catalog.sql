-- The domain's catalog guarantees: RLS on every business table, pinned search paths, documented
-- and explicitly granted API functions, anon limited to the guest endpoints, indexed foreign keys
-- and the named trigger rules.
begin;
select plan(10);

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   where c.relnamespace = 'app'::regnamespace and c.relkind = 'r' and not c.relrowsecurity),
  null, 'every table in app has row-level security enabled');

select is(
  (select array_agg(p.oid::regprocedure::text order by p.oid::regprocedure::text) from pg_proc p
   where p.pronamespace in ('app'::regnamespace, 'public'::regnamespace) and p.prosecdef
     and not coalesce(p.proconfig @> array['search_path=""'], false)),
  null, 'every SECURITY DEFINER function pins search_path to empty');

select is(
  (select array_agg(p.oid::regprocedure::text order by p.oid::regprocedure::text) from pg_proc p
   where p.pronamespace = 'public'::regnamespace and obj_description(p.oid, 'pg_proc') is null),
  null, 'every public function has a COMMENT');

select is(
  (select array_agg(p.oid::regprocedure::text order by p.oid::regprocedure::text) from pg_proc p
   where p.pronamespace in ('app'::regnamespace, 'public'::regnamespace)
     and exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')),
  null, 'no function is executable by PUBLIC');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
   where p.pronamespace = 'public'::regnamespace and has_function_privilege('anon', p.oid, 'execute')),
  array['accept_proposal', 'decline_proposal', 'get_public_proposal', 'submit_inquiry'],
  'anon may run exactly the four guest endpoints');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
   where p.pronamespace = 'public'::regnamespace and has_function_privilege('service_role', p.oid, 'execute')
     and not has_function_privilege('authenticated', p.oid, 'execute')),
  array['admit_ai_job', 'ai_proposal_context', 'attach_inbound_media', 'expire_proposals', 'ingest_webhook_event', 'receive_instagram_comment',
        'receive_message', 'record_ai_run', 'record_email_event', 'record_message_status', 'record_payment_event', 'record_webhook_message_status', 'release_expired_holds',
        'save_menu_extraction', 'save_proposal_draft', 'send_payment_reminders', 'upsert_fx_rates', 'venue_calendar', 'venue_inquiry_origins'],
  'the daemon write-backs are service-role only');

select cmp_ok((select count(*)::int from pg_proc p where p.pronamespace = 'public'::regnamespace), '>=', 40, 'at least 40 API functions');

select is(
  (select array_agg(c.conrelid::regclass::text || '(' || c.conname || ')' order by 1)
   from pg_constraint c
   where c.contype = 'f' and c.connamespace = 'app'::regnamespace
     and not exists (
       select 1 from pg_index i
       where i.indrelid = c.conrelid
         and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
         and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)),
  null, 'every foreign key is backed by an index on its leading columns');

select is(
  (select array_agg(t.tgrelid::regclass::text || '.' || t.tgname order by 1) from pg_trigger t
   join pg_class c on c.oid = t.tgrelid
   where c.relnamespace = 'app'::regnamespace and not t.tgisinternal and t.tgname !~ '^_[0-9]{3}_[a-z_]+$'),
  null, 'every trigger is named _NNN_rule');

select cmp_ok((select count(*)::int from pg_trigger t join pg_class c on c.oid = t.tgrelid
   where c.relnamespace = 'app'::regnamespace and not t.tgisinternal and t.tgname <> '_900_audit'), '>=', 14, 'at least 14 business-rule triggers');

select * from finish();
rollback;
