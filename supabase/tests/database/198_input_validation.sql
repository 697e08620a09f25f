-- Input validation (issue 7): the shared rules and the SQLSTATEs BQ004–BQ008, one example each,
-- plus what the generative check (920) cannot see: duplicates, things still in use, and a unique
-- key taken by another tenant, which must not reveal that tenant.
begin;
select plan(28);
select tests.fixture();

-- One email rule ----------------------------------------------------------------------------------
select ok(app.is_email('ada@example.com') and not app.is_email('ada@example') and not app.is_email('a b@example.com'),
  'app.is_email: name@domain.tld');
select ok((select pg_get_constraintdef(c.oid) like '%is_email(email)%' from pg_constraint c
           where c.conrelid = 'app.contacts'::regclass and c.conname = 'contacts_email_is_email' and c.convalidated),
  'the contacts table checks email with app.is_email (validated)');
select is(
  (select coalesce(array_agg(p.oid::regprocedure::text order by 1), '{}') from pg_proc p
   where p.pronamespace in ('public'::regnamespace, 'app'::regnamespace)
     and p.prosrc like '%[^@\s]+@%' and p.oid <> 'app.is_email(text)'::regprocedure),
  '{}', 'no function but app.is_email writes out the email regex');

-- Limits ------------------------------------------------------------------------------------------
select tests.act_as(tests.id('owner_a'));
select throws_ok(format($$ select public.create_venue(%L, repeat('v', 201)) $$, tests.id('org_a')),
  'BQ004', 'p_name must be at most 200 characters', 'a name over 200 characters: BQ004, naming the field and the limit');
select throws_ok(format($$ select public.save_space(%L, 'Hall', 50, 10, 100000000001) $$, tests.id('venue_a')),
  'BQ005', null, 'a room fee above the money limit: BQ005');
select throws_ok(format($$ select public.add_proposal_item(public.create_proposal(%L), 'Gold', 10000, 100000000) $$, tests.id('inquiry_a')),
  'BQ005', null, 'a line whose quantity times price exceeds the money limit: BQ005');
select throws_ok(format($$ select public.save_menu_item(%L, 'Soup', 500, p_dietary => array_fill('vegan'::text, array[21])) $$, tests.id('menu_a')),
  'BQ005', null, 'more than 20 dietary tags: BQ005');
select throws_ok(format($$ select public.hold_space(%L, 'infinity', 'infinity', 20) $$, tests.id('space_a')),
  'BQ006', null, 'a hold at infinity: BQ006');
select throws_ok(format($$ select public.hold_space(%L, now() + interval '6 years', now() + interval '6 years 4 hours', 20) $$, tests.id('space_a')),
  'BQ006', null, 'a hold six years ahead: BQ006');
select throws_ok(format($$ select * from public.list_bookings(%L, '-infinity', now()) $$, tests.id('org_a')),
  'BQ006', null, 'a calendar from -infinity: BQ006');
select throws_ok(format($$ select * from public.report_revenue(%L, '1999-12-31', current_date) $$, tests.id('org_a')),
  'BQ006', null, 'a report from before 2000: BQ006');
select throws_ok($$ select public.convert_currency(9223372036854775807, 'EUR', 'GBP') $$,
  'BQ005', null, 'converting an amount beyond the money limit: BQ005');
select throws_ok(format($$ select public.record_payment(public.hold_space(%L, now() + interval '50 days', now() + interval '50 days 3 hours', 20), 'deposit', 100000000001) $$, tests.id('space_a')),
  'BQ401', null, 'a payment above the money limit: BQ401');
select throws_ok(format($$ select public.request_proposal_draft(%L, p_instructions => repeat('x', 5001)) $$, tests.id('inquiry_a')),
  'BQ004', 'p_instructions must be at most 5000 characters', 'AI instructions: the free-text limit');
select throws_ok(format($$ select public.cancel_booking(public.hold_space(%L, now() + interval '60 days', now() + interval '60 days 3 hours', 20), repeat('x', 5001)) $$, tests.id('space_a')),
  'BQ004', 'p_reason must be at most 5000 characters', 'a cancellation reason: the same free-text limit');
select throws_ok(format($$ select * from public.list_inquiries(%L, p_status => '{new,open}') $$, tests.id('org_a')),
  'BQ001', null, 'an unknown status in a filter: BQ001');

-- The public form keeps its own codes -------------------------------------------------------------
select tests.act_as_anon();
select throws_ok(format($$ select public.submit_inquiry(%L, 'Ada', 'ada@example.com', p_event_date => '9999-12-31', p_party_size => 10) $$, tests.id('venue_a')),
  'BQ103', null, 'an event in 9999: BQ103');
select throws_ok(format($$ select public.submit_inquiry(%L, 'Ada', 'ada@example.com', p_event_date => current_date + 30, p_party_size => 2000000000) $$, tests.id('venue_a')),
  'BQ102', null, 'a party of two billion: BQ102');
select throws_ok(format($$ select public.submit_inquiry(%L, 'Ada', repeat('a', 300) || '@example.com', p_event_date => current_date + 30, p_party_size => 10) $$, tests.id('venue_a')),
  'BQ106', null, 'an email over 254 characters: BQ106');

-- Still in use ------------------------------------------------------------------------------------
select tests.act_as(tests.id('owner_a'));
select public.create_proposal(tests.id('inquiry_a'), tests.id('space_a2'));
select throws_ok(format($$ select public.delete_space(%L) $$, tests.id('space_a2')),
  'BQ007', format('space %s is still used by 0 booking(s) and 1 proposal(s)', tests.id('space_a2')),
  'deleting a space a proposal uses: BQ007, saying what uses it');

select tests.act_as_service();
select public.receive_message('whatsapp', 'wa-a', '+447700900555', 'Hi', 'wamid-198', 'Guest');
select tests.act_as(tests.id('owner_a'));
select set_config('test.template', public.save_message_template(tests.id('org_a'), 'whatsapp', 'welcome', 'Hello {{1}}')::text, true);
select public.send_template_message((select id from app.conversations where organization_id = tests.id('org_a') limit 1),
                                    current_setting('test.template')::uuid, '["Ada"]');
select throws_ok($$ select public.delete_message_template(current_setting('test.template')::uuid) $$,
  'BQ007', null, 'deleting a template a message uses: BQ007');

-- Duplicates --------------------------------------------------------------------------------------
select throws_ok(format($$ select public.save_message_template(%L, 'whatsapp', 'welcome', 'Hi again {{1}}') $$, tests.id('org_a')),
  'BQ008', 'a whatsapp template named welcome in language en already exists', 'a duplicate template: BQ008 naming the fields');
select throws_ok(format($$ select public.save_channel_account(%L, 'whatsapp', 'wa-a') $$, tests.id('org_a')),
  'BQ008', 'p_external_id: this whatsapp account is already connected in your organization', 'reconnecting our own number: BQ008');

select public.register_document(tests.id('venue_a'), 'image', tests.id('org_a') || '/images/hall.jpg');
select throws_ok(format($$ select public.register_document(%L, 'image', %L) $$, tests.id('venue_a'), tests.id('org_a') || '/images/hall.jpg'),
  'BQ008', format('p_object_path: a document is already registered at %s/images/hall.jpg', tests.id('org_a')),
  'a second document at the same path: BQ008 naming the field');

-- A payment reference org B already used: the same answer as for our own, naming no one
select tests.act_as(tests.id('owner_b'));
select public.record_payment(public.hold_space(tests.id('space_b'), now() + interval '70 days', now() + interval '70 days 3 hours', 20),
                             'deposit', 100, 'card', 'INV-0001');
select tests.act_as(tests.id('owner_a'));
select throws_ok(format($$ select public.record_payment(public.hold_space(%L, now() + interval '80 days', now() + interval '80 days 3 hours', 20), 'deposit', 100, 'card', 'INV-0001') $$, tests.id('space_a')),
  'BQ008', 'p_reference: a payment with this reference is already recorded',
  'a payment reference another organization used: BQ008, without the unique key or the organization');

-- Another tenant's unique key: refused, and nothing about that tenant is revealed
create temp table collision (sqlstate text, message text, hint text, detail text);
grant all on collision to authenticated;
do $$
declare
  v_state text; v_message text; v_hint text; v_detail text;
begin
  perform public.save_channel_account(tests.id('org_a'), 'whatsapp', 'wa-b');
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_hint = pg_exception_hint, v_detail = pg_exception_detail;
  insert into collision values (v_state, v_message, v_hint, v_detail);
end
$$;
select is((select sqlstate from collision), 'BQ008', 'connecting a number another organization holds: BQ008');
select is((select message from collision), 'p_external_id: this whatsapp account is already connected to another organization',
  'the message names the field and the rule, not the constraint');
select ok((select concat_ws(' ', message, hint, detail) !~* ('org b|venue b|' || tests.id('org_b') || '|' || tests.id('wa_b') || '|channel_accounts_channel_external_id_key')
           from collision),
  'nor the other organization''s name, ids or the unique key');

select * from finish();
rollback;
