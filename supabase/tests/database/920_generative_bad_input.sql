-- Generative bad-input check (issue 7): every RPC the frontend can call answers bad input with one
-- of Banquet's own SQLSTATEs (BQxxx, or 42501 for permission), never writes when it errors, and
-- never hangs.
--
-- Nothing here names an RPC. The functions come from pg_catalog (schema public, EXECUTE held by
-- anon or authenticated), and the arguments from each parameter's type and name, so an RPC added
-- later is called without anyone editing this file. Per function it makes:
--   * a baseline call as the owner of org A with plausible arguments (org A's rows, picked by
--     the parameter's name: p_venue_id -> a venue of org A, p_email -> an address, ...);
--   * per argument, one call per bad value of its type: null; '' / blanks / 10,240 characters;
--     0, -1 and the type's extremes; ±infinity, year 1900 and 9999; malformed JSON shapes;
--     a random uuid and org B's row of the same kind; a text org A or org B already holds in a
--     column of the same name (a duplicate);
--   * the baseline as the owner of org B (another tenant) and, when anon may call it, as anon.
-- Each call runs as its own top-level statement (psql \gexec) inside a subtransaction that is
-- always rolled back, under a 5 s statement_timeout, so calls cannot see each other's writes.
-- A call that errors must not have written anything: neither rows left behind (a checksum of every
-- table, count and hash of each row, compared with the fixture's) nor rows written before it
-- raised (pg_stat_xact_user_tables counts the rows of rolled-back subtransactions too), since an
-- RPC validates before it writes.
--
-- The owner of org A calling org B's row, and a random uuid, must fail the same way (not found is
-- not found: ids reveal nothing across tenants), and what org B's owner gets back when calling with
-- org A's ids contains no id of org A's rows. Extreme values must be refused, not accepted.
--
-- scripts/test-generative-check.sh plants RPCs that leak a raw constraint error, write before
-- raising, hang, and return another tenant's row, and proves this file fails on each.
begin;
select plan(7);

set local statement_timeout = '5s';
set local lock_timeout = '2s';

select tests.fixture();

-- More rows per tenant, so every kind of id an RPC takes has a row in each organization ---------
create temp table gen_preferred (table_name text, organization_id uuid, id uuid);

create function pg_temp.gen_more_fixture(p_org text, p_owner text, p_inquiry text, p_space text, p_space_small text, p_venue text, p_account text)
returns void
language plpgsql
as $$
declare
  v_org uuid := tests.id(p_org);
  v_draft uuid;
  v_draft_item uuid;
  v_sent uuid;
  v_booking uuid;
  v_conversation uuid;
begin
  perform tests.act_as(tests.id(p_owner));
  v_draft := public.create_proposal(tests.id(p_inquiry), tests.id(p_space));
  v_draft_item := public.add_proposal_item(v_draft, 'Welcome drinks', 20, 1000);
  v_sent := public.create_proposal(tests.id(p_inquiry), tests.id(p_space));
  perform public.add_proposal_item(v_sent, 'Dinner', 20, 5000);
  perform public.send_proposal(v_sent);
  v_booking := public.hold_space(tests.id(p_space_small), now() + interval '90 days', now() + interval '90 days 4 hours', 10);
  perform public.save_message_template(v_org, 'whatsapp', 'follow_up', 'Hello {{1}}', 'en');
  perform public.save_automation_rule(v_org, 'Parking', '{parking}', 'parking', 'Park on Main St.');
  perform public.register_document(tests.id(p_venue), 'image', v_org || '/images/room.jpg', 'room.jpg', 'image/jpeg');
  perform public.invite_member(v_org, 'invitee-' || p_org || '@test.local', 'staff');
  perform tests.act_as_service();
  perform public.receive_message('whatsapp', (select external_id from app.channel_accounts where id = tests.id(p_account)),
                                 '+447700900123', 'Hello there', 'wamid-' || p_org, 'Guest');
  perform tests.reset_role();
  select id into v_conversation from app.conversations where organization_id = v_org limit 1;
  perform tests.act_as(tests.id(p_owner));
  perform public.send_message(v_conversation, 'Thanks, we will get back to you');
  perform public.record_payment(v_booking, 'deposit', 100, 'card', 'ref-' || p_org);
  perform tests.reset_role();
  -- An RPC taking a proposal, its line or a booking is most useful against an open draft and a
  -- live booking; other kinds take any row of the organization.
  insert into gen_preferred values ('proposals', v_org, v_draft), ('proposal_items', v_org, v_draft_item), ('bookings', v_org, v_booking);
end
$$;

select pg_temp.gen_more_fixture('org_a', 'owner_a', 'inquiry_a', 'space_a', 'space_a2', 'venue_a', 'wa_a');
select pg_temp.gen_more_fixture('org_b', 'owner_b', 'inquiry_b', 'space_b', 'space_b', 'venue_b', 'wa_b');

-- The RPCs under test: what the frontend may call ------------------------------------------------
create temp table gen_functions as
select p.oid::regprocedure as fn, p.proname::text as name,
       has_function_privilege('anon', p.oid, 'execute') as anon_may_call
from pg_proc p
where p.pronamespace = 'public'::regnamespace
  and p.prokind = 'f'
  and (has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute'))
  and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');

create temp table gen_params as
select f.fn, f.name as function_name, a.ord, a.name, format_type(a.type, null) as type,
       a.ord > p.pronargs - p.pronargdefaults as optional
from gen_functions f
  join pg_proc p on p.oid = f.fn
  cross join lateral unnest(p.proargtypes::oid[], p.proargnames[1:p.pronargs]) with ordinality as a(type, name, ord);

-- The table a uuid parameter refers to: p_venue_id -> venues, p_menu_item_id -> menu_items; a few
-- short names RPCs use for well-known kinds.
create function pg_temp.gen_table_for(p_param text, p_function text)
returns text
language sql
stable
as $$
  select coalesce(
    case regexp_replace(p_param, '^p_|_id$', '', 'g')
      when 'item' then case when p_function like '%proposal%' then 'proposal_items' else 'menu_items' end
      when 'rule' then 'automation_rules'
      when 'template' then 'message_templates'
      when 'channel_account' then 'channel_accounts'
    end,
    (select c.relname::text from pg_class c
     where c.relnamespace = 'app'::regnamespace and c.relkind in ('r', 'p')
       and c.relname in (regexp_replace(p_param, '^p_|_id$', '', 'g') || 's', regexp_replace(p_param, '^p_|_id$', '', 'g') || 'es',
                         regexp_replace(p_param, '^p_(.*)y_id$', '\1ies'))
     limit 1))
$$;

-- A row of that kind in an organization (null when there is none).
create function pg_temp.gen_row_of(p_table text, p_org uuid)
returns uuid
language plpgsql
as $$
declare
  v_id uuid;
begin
  if p_table is null then
    return null;
  end if;
  select id into v_id from gen_preferred where table_name = p_table and organization_id = p_org;
  if v_id is null and p_table = 'organizations' then
    v_id := p_org;
  elsif v_id is null then
    execute format('select id from app.%I where organization_id = $1 order by id limit 1', p_table) into v_id using p_org;
  end if;
  return v_id;
end
$$;

-- A plausible value for a parameter, as text, for org p_org; null = leave the argument null.
create function pg_temp.gen_value(p_function text, p_param text, p_type text, p_org uuid, p_optional boolean default false)
returns text
language plpgsql
as $$
declare
  v_name text := regexp_replace(p_param, '^p_', '');
begin
  case p_type
  when 'uuid' then
    if v_name in ('user_id', 'assigned_to') then
      return (select user_id::text from app.memberships where organization_id = p_org order by role desc, user_id limit 1);
    elsif v_name in ('after') or p_optional then
      -- An optional id (p_menu_id of save_menu: null creates) stays null in the baseline; its bad
      -- values (a random id, org B's row) still reach the function.
      return null;
    end if;
    return pg_temp.gen_row_of(pg_temp.gen_table_for(p_param, p_function), p_org)::text;
  when 'text' then
    return case
      when v_name = 'token' and p_function like '%invitation%' then (select token from app.invitations where organization_id = p_org limit 1)
      when v_name = 'token' then (select public_token from app.proposals where organization_id = p_org and public_token is not null limit 1)
      when v_name like '%email%' then 'someone@example.com'
      when v_name like '%phone%' then '+447700900002'
      when v_name like '%currency%' or v_name in ('from', 'to') then 'GBP'
      when v_name like '%timezone%' then 'Europe/London'
      when v_name = 'channel' then 'whatsapp'
      when v_name = 'role' then 'staff'
      when v_name = 'status' and p_function like '%inquir%' then 'qualified'
      when v_name = 'status' then 'open'
      when v_name = 'kind' and p_function like '%payment%' then 'deposit'
      when v_name = 'kind' then 'image'
      when v_name = 'method' then 'card'
      when v_name = 'unit' then 'per_person'
      when v_name = 'language' then 'en'
      when v_name = 'object_path' then p_org || '/images/new.jpg'
      when v_name = 'mime_type' then 'image/jpeg'
      when v_name = 'file_name' then 'new.jpg'
      when v_name = 'external_id' then 'wa-new'
      when v_name = 'website' then null
      else 'test_value'
    end;
  when 'text[]' then
    if p_optional then
      return null;  -- an optional filter list: no filter in the baseline
    end if;
    return case when v_name = 'status' and p_function like '%booking%' then '{held,confirmed}'
                when v_name = 'status' then '{new}' when v_name = 'keywords' then '{price}' else '{vegan}' end;
  when 'integer', 'bigint', 'smallint', 'numeric' then
    return case
      when v_name like '%bps%' then '1000'
      when v_name like '%minor%' then '10000'
      when v_name like '%limit%' then '10'
      when v_name like '%min_guests%' then '2'
      when v_name like '%guest%' or v_name like '%party%' or v_name like '%count%' then '10'
      when v_name like '%days%' then '14'
      when v_name like '%hours%' then '24'
      when v_name like '%minutes%' then '60'
      else '2'
    end;
  when 'date' then
    return case when v_name in ('from') then (current_date - 30)::text
                when v_name in ('to', 'as_of') then current_date::text
                else (current_date + 60)::text end;
  when 'timestamp with time zone' then
    return case when v_name like '%ends%' then (date_trunc('day', now()) + interval '120 days 23 hours')::text
                when v_name in ('from', 'before') then (now() - interval '30 days')::text
                when v_name in ('to', 'due_before') then (now() + interval '30 days')::text
                else (date_trunc('day', now()) + interval '120 days 19 hours')::text end;
  when 'time without time zone' then return '19:00';
  when 'boolean' then return 'true';
  when 'jsonb', 'json' then return case when v_name = 'params' then '["Ada"]' else '{}' end;
  else return null;
  end case;
end
$$;

-- Bad values per type (label, literal); the baseline supplies the others.
-- A value some row of an organization already holds in a text column named like the parameter
-- (p_object_path -> documents.object_path, p_reference -> payments.provider_reference): sent again,
-- it must not surface a unique constraint, and another tenant's must not reveal that tenant.
create function pg_temp.gen_existing_value(p_param text, p_org uuid)
returns text
language plpgsql
as $$
declare
  v_column record;
  v_value text;
begin
  for v_column in
    select a.attrelid::regclass as table_name, a.attname
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    where c.relnamespace = 'app'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
      and a.atttypid = 'text'::regtype
      and (a.attname = regexp_replace(p_param, '^p_', '') or a.attname like '%\_' || regexp_replace(p_param, '^p_', ''))
      and exists (select 1 from pg_attribute o where o.attrelid = c.oid and o.attname = 'organization_id')
    order by 1::text, 2
  loop
    execute format('select %I from %s where organization_id = $1 and %I is not null order by 1 limit 1',
                   v_column.attname, v_column.table_name, v_column.attname)
      into v_value using p_org;
    if v_value is not null then
      return v_value;
    end if;
  end loop;
  return null;
end
$$;

create function pg_temp.gen_bad_values(p_type text, p_org_b_row text, p_org_a_value text default null, p_org_b_value text default null)
returns table (label text, value text)
language sql
as $$
  select * from (values ('null', null::text)) n
  union all
  select v.label, v.value from (values ('org A''s existing value', p_org_a_value), ('other tenant''s value', p_org_b_value)) v(label, value)
  where p_type = 'text' and v.value is not null
  union all
  select v.label, v.value from (values
      ('text', 'empty', ''), ('text', 'blank', '   '),
      ('text', 'oversized', (select string_agg(md5(i::text), '') from generate_series(1, 320) i)),
      ('text[]', 'empty array', '{}'), ('text[]', 'blank element', '{" "}'), ('text[]', 'null element', '{NULL}'),
      ('text[]', 'oversized element', '{' || (select string_agg(md5(i::text), '') from generate_series(1, 320) i) || '}'),
      ('text[]', 'many elements', (select '{' || string_agg('k' || i, ',') || '}' from generate_series(1, 2000) i)),
      ('integer', 'zero', '0'), ('integer', 'negative', '-1'), ('integer', 'max', '2147483647'), ('integer', 'min', '-2147483648'),
      ('bigint', 'zero', '0'), ('bigint', 'negative', '-1'), ('bigint', 'max', '9223372036854775807'), ('bigint', 'min', '-9223372036854775808'),
      ('date', 'infinity', 'infinity'), ('date', '-infinity', '-infinity'), ('date', 'year 9999', '9999-12-31'), ('date', 'year 1900', '1900-01-01'),
      ('timestamp with time zone', 'infinity', 'infinity'), ('timestamp with time zone', '-infinity', '-infinity'),
      ('timestamp with time zone', 'year 9999', '9999-12-31 12:00+00'), ('timestamp with time zone', 'year 1900', '1900-01-01 12:00+00'),
      ('jsonb', 'json null', 'null'), ('jsonb', 'json string', '"x"'), ('jsonb', 'json number', '42'), ('jsonb', 'json array', '[{"a": 1}]'),
      ('jsonb', 'json object', '{"a": {"b": [1, 2]}}'),
      ('jsonb', 'oversized', '["' || (select string_agg(md5(i::text), '') from generate_series(1, 320) i) || '"]'),
      ('jsonb', 'many elements', (select jsonb_agg('k' || i)::text from generate_series(1, 2000) i)),
      ('uuid', 'random id', gen_random_uuid()::text), ('uuid', 'other tenant''s id', p_org_b_row)
    ) v(type, label, value)
  where v.type = p_type and (v.label <> 'other tenant''s id' or v.value is not null)
$$;

-- The calls ---------------------------------------------------------------------------------------
create temp table gen_calls (
  id serial primary key,
  function_name text not null,
  caller text not null,
  label text not null,
  variant text not null default '',  -- ' (optional ids given)': the update path of a save_* RPC
  sql text not null
);

create function pg_temp.gen_call_sql(p_fn regprocedure, p_override_ord bigint, p_override text, p_org uuid,
                                     p_fill_optional boolean default false)
returns text
language sql
as $$
  select format('select %s(%s)', p_fn::oid::regproc,
                coalesce(string_agg(format('%I => %s::%s', g.name,
                                           coalesce(quote_literal(case when g.ord = p_override_ord then p_override
                                                                       else pg_temp.gen_value(g.function_name, g.name, g.type, p_org, g.optional and not p_fill_optional) end), 'null'),
                                           g.type), ', ' order by g.ord), ''))
  from gen_params g
  where g.fn = p_fn
$$;

insert into gen_calls (function_name, caller, label, sql)
select f.name, 'owner_a', 'baseline', pg_temp.gen_call_sql(f.fn, 0, null, tests.id('org_a'))
from gen_functions f;

insert into gen_calls (function_name, caller, label, sql)
select f.name, 'owner_b', 'another tenant', pg_temp.gen_call_sql(f.fn, 0, null, tests.id('org_a'))
from gen_functions f;

insert into gen_calls (function_name, caller, label, sql)
select f.name, 'anon', 'anon', pg_temp.gen_call_sql(f.fn, 0, null, tests.id('org_a'))
from gen_functions f
where f.anon_may_call;

insert into gen_calls (function_name, caller, label, sql)
select p.function_name, 'owner_a', p.name || ': ' || b.label,
       pg_temp.gen_call_sql(p.fn, p.ord, b.value, tests.id('org_a'))
from gen_params p
  cross join lateral pg_temp.gen_bad_values(
    p.type, case when p.type = 'uuid' then pg_temp.gen_value(p.function_name, p.name, p.type, tests.id('org_b')) end,
    case when p.type = 'text' then pg_temp.gen_existing_value(p.name, tests.id('org_a')) end,
    case when p.type = 'text' then pg_temp.gen_existing_value(p.name, tests.id('org_b')) end) b;

-- An RPC with optional ids (save_menu's p_menu_id: null creates, an id updates) again with those
-- ids given, so the bad values of its other arguments also reach the update path.
insert into gen_calls (function_name, caller, label, variant, sql)
select f.name, 'owner_a', 'baseline', ' (optional ids given)', pg_temp.gen_call_sql(f.fn, 0, null, tests.id('org_a'), true)
from gen_functions f
where exists (select 1 from gen_params p where p.fn = f.fn and p.type = 'uuid' and p.optional);

insert into gen_calls (function_name, caller, label, variant, sql)
select p.function_name, 'owner_a', p.name || ': ' || b.label, ' (optional ids given)',
       pg_temp.gen_call_sql(p.fn, p.ord, b.value, tests.id('org_a'), true)
from gen_params p
  cross join lateral pg_temp.gen_bad_values(p.type, null) b
where p.type <> 'uuid'
  and exists (select 1 from gen_params o where o.fn = p.fn and o.type = 'uuid' and o.optional);

-- Running one call --------------------------------------------------------------------------------
create temp table gen_results (
  id int primary key,
  sqlstate text,              -- null: the call succeeded
  message text,
  result text,                -- what a call that succeeded returned
  wrote boolean not null,      -- a table differs from the fixture after the call was rolled back
  written_before_error bigint  -- rows written before the error (rolled back, but not validated first)
);

-- Every table outside the catalogs: row count and a hash of its rows.
create function pg_temp.gen_checksum()
returns text
language plpgsql
as $$
declare
  v_table regclass;
  v_part text;
  v_sum text := '';
begin
  for v_table in
    select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'extensions')
      and n.nspname !~ '^pg_' order by 1::text
  loop
    execute format('select count(*) || '':'' || coalesce(sum(hashtext(t::text)), 0) from %s t', v_table) into v_part;
    v_sum := v_sum || v_table::text || '=' || v_part || ';';
  end loop;
  return md5(v_sum);
end
$$;

create temp table gen_baseline as select pg_temp.gen_checksum() as checksum;

-- Rows this transaction has inserted, updated or deleted in every table outside the catalogs so
-- far, counting those of rolled-back subtransactions too: the difference across a call that
-- errored is what it wrote before raising.
create function pg_temp.gen_rows_written()
returns bigint
language sql
as $$
  select coalesce(sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del), 0)::bigint
  from pg_stat_xact_user_tables s
  where s.schemaname not in ('extensions') and s.schemaname !~ '^pg_'
$$;

create function pg_temp.gen_try(p_id int)
returns void
language plpgsql
as $$
declare
  v_call gen_calls;
  v_state text;
  v_message text;
  v_result text;
  v_rows_before bigint := pg_temp.gen_rows_written();
begin
  select * into v_call from gen_calls where id = p_id;
  begin
    case v_call.caller
      when 'anon' then perform tests.act_as_anon();
      else perform tests.act_as(tests.id(v_call.caller));
    end case;
    -- The whole answer as text (every row of a set-returning RPC), kept in a variable, which the
    -- rollback below does not undo.
    execute format('select coalesce(string_agg(r::text, '' ''), '''') from (%s) r', v_call.sql) into v_result;
    raise sqlstate 'ZZ000';  -- success: roll this call back too, so the next starts from the fixture
  exception
    when sqlstate 'ZZ000' then
      v_state := null;
    when query_canceled then
      v_state := '57014';
      v_message := 'hang: canceled by statement_timeout';
    when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
  end;
  insert into gen_results
  values (p_id, v_state, v_message, v_result,
          v_state is not null and pg_temp.gen_checksum() <> (select checksum from gen_baseline),
          case when v_state is not null then pg_temp.gen_rows_written() - v_rows_before end);
end
$$;

\o /dev/null
select format('select pg_temp.gen_try(%s)', id) from gen_calls order by id
\gexec
\o

-- Verdict -----------------------------------------------------------------------------------------
-- The ids of every row of an organization, in every table with an id and an organization_id.
create function pg_temp.gen_row_ids(p_org uuid)
returns setof text
language plpgsql
as $$
declare
  v_table regclass;
begin
  for v_table in
    select c.oid::regclass from pg_class c
    where c.relnamespace = 'app'::regnamespace and c.relkind = 'r'
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'organization_id')
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'id')
  loop
    return query execute format('select id::text from %s where organization_id = $1', v_table) using p_org;
  end loop;
end
$$;

create temp view gen_outcomes as
select c.*, r.sqlstate, r.message, r.result, r.wrote, r.written_before_error from gen_calls c join gen_results r using (id);

-- Every id of a row that belongs to org A: no answer to org B may contain one.
create temp table gen_org_a_ids as
select id from pg_temp.gen_row_ids(tests.id('org_a')) as id
where id ~ '^[0-9a-f]{8}-';  -- uuids; a small serial number would match by accident

select diag(format('generative check: %s functions, %s calls (%s succeeded, %s Banquet errors), %s raw errors, %s writes on error, %s hangs',
  (select count(*) from gen_functions),
  (select count(*) from gen_outcomes),
  (select count(*) from gen_outcomes where sqlstate is null),
  (select count(*) from gen_outcomes where sqlstate like 'BQ%' or sqlstate = '42501'),
  (select count(*) from gen_outcomes where sqlstate not like 'BQ%' and sqlstate not in ('42501', '57014')),
  (select count(*) from gen_outcomes where wrote or written_before_error > 0),
  (select count(*) from gen_outcomes where sqlstate = '57014')));

select is(
  (select count(distinct function_name) from gen_calls),
  (select count(*) from gen_functions),
  'every RPC the frontend can call was called');

select is(
  (select coalesce(array_agg(format('%s as %s (%s%s): %s %s', function_name, caller, label, variant, sqlstate, left(message, 160)) order by id), '{}')
   from gen_outcomes where sqlstate not like 'BQ%' and sqlstate not in ('42501', '57014')),
  '{}',
  'every error is a Banquet SQLSTATE (BQxxx) or 42501');

select is(
  (select coalesce(array_agg(format('%s as %s (%s%s): %s', function_name, caller, label, variant,
                                    case when wrote then 'rows left behind' else written_before_error || ' row(s) written before the error' end)
                             order by id), '{}')
   from gen_outcomes where wrote or written_before_error > 0),
  '{}',
  'no call writes anything when it errors (validates before writing, leaves nothing behind)');

select is(
  (select coalesce(array_agg(format('%s as %s (%s%s)', function_name, caller, label, variant) order by id), '{}') from gen_outcomes where sqlstate = '57014'),
  '{}',
  'no call hangs (5 s statement_timeout)');

select is(
  (select coalesce(array_agg(format('%s (%s): other tenant''s id %s, random id %s', o.function_name, split_part(o.label, ':', 1),
                                    coalesce(o.sqlstate, 'success'), coalesce(r.sqlstate, 'success')) order by o.id), '{}')
   from gen_outcomes o
     join gen_outcomes r on r.function_name = o.function_name and r.caller = 'owner_a' and r.variant = o.variant
                        and r.label = split_part(o.label, ':', 1) || ': random id'
   where o.label like '%: other tenant''s id' and o.sqlstate is distinct from r.sqlstate
     -- Guest endpoints (anon may call them) serve every tenant: the website form takes any venue.
     and not (select f.anon_may_call from gen_functions f where f.name = o.function_name)),
  '{}',
  'another tenant''s id fails exactly as a random id does');

-- An extreme value (10,240 characters, 2,000 list entries, a type's maximum or minimum, year 1900
-- or 9999, infinity) must be refused, not stored or silently used. A function whose COMMENT says
-- `@bad-input-accepted p_x: <why>` may accept anything in p_x (the form's honeypot does, by design).
select is(
  (select coalesce(array_agg(format('%s (%s%s) succeeded', o.function_name, o.label, o.variant) order by o.id), '{}')
   from gen_outcomes o
   where o.sqlstate is null and o.caller = 'owner_a'
     and split_part(o.label, ': ', 2) in ('oversized', 'oversized element', 'many elements', 'max', 'min',
                                          'year 1900', 'year 9999', 'infinity', '-infinity')
     and not exists (select 1 from gen_functions f
                     where f.name = o.function_name
                       and obj_description(f.fn, 'pg_proc') like '%@bad-input-accepted ' || split_part(o.label, ':', 1) || ':%')),
  '{}',
  'extreme values (oversized text, type extremes, far and infinite dates) are refused');

-- Called by another tenant with org A's ids, an RPC may answer (an empty list, a status) but never
-- with anything of org A's.
select is(
  (select coalesce(array_agg(format('%s as owner_b returned org A''s row %s', o.function_name, i.id) order by o.id), '{}')
   from gen_outcomes o join gen_org_a_ids i on position(i.id in o.result) > 0
   where o.caller = 'owner_b' and o.sqlstate is null
     -- Guest endpoints answer whoever holds the proposal's token: it is the capability.
     and not (select f.anon_may_call from gen_functions f where f.name = o.function_name)),
  '{}',
  'another tenant''s calls return nothing of org A''s');

select * from finish();
rollback;
