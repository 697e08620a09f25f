-- The guest's page and the template emails: app.public_url() and its setting, the guest view's
-- logo, rates and booking with deposit, BQ205 for a superseded link, and every guest email of the
-- proposal → booking → payment path enqueued as a template with its data (venue branding, links
-- on the public URL, amounts in minor units beside their currency).
begin;
select plan(23);
select tests.fixture();

-- The public URL
select is(app.public_url(), 'http://localhost:54321', 'without a setting, links point at what make run serves');
select set_config('banquet.public_url', 'https://guests.example/', true);
select is(app.public_url(), 'https://guests.example', 'the setting wins, without its trailing slash');

-- A logo, then the proposal sent
insert into app.documents (organization_id, venue_id, kind, bucket_id, object_path, file_name)
values (tests.id('org_a'), tests.id('venue_a'), 'logo', 'logos', tests.id('org_a') || '/logo a.png', 'logo a.png');
select tests.act_as(tests.id('staff_a'));
select set_config('test.p1', public.create_proposal(tests.id('inquiry_a'), tests.id('space_a'))::text, true);
select public.add_proposal_item(current_setting('test.p1')::uuid, p_menu_item_id => tests.id('item_starter'));
select set_config('test.p2', public.create_proposal(tests.id('inquiry_a'), tests.id('space_a'))::text, true);
select public.add_proposal_item(current_setting('test.p2')::uuid, 'Tasting menu', 20, 9000);
select set_config('test.token', public.send_proposal(current_setting('test.p1')::uuid, 10), true);
select set_config('test.token2', public.send_proposal(current_setting('test.p2')::uuid, 10), true);
select tests.reset_role();

select is((select (payload ->> 'template', (payload ->> 'template_version')::int) from bridge.jobs
           where kind = 'email.send' and payload ->> 'proposal_id' = current_setting('test.p1')),
  ('proposal_ready'::text, 1), 'the proposal email names its template and version');
select is((select payload -> 'data' ->> 'link' from bridge.jobs where kind = 'email.send' and payload ->> 'proposal_id' = current_setting('test.p1')),
  'https://guests.example/p/' || current_setting('test.token'), 'its link is the guest page on the public URL');
select is((select payload -> 'data' ->> 'logo_url' from bridge.jobs where kind = 'email.send' and payload ->> 'proposal_id' = current_setting('test.p1')),
  'https://guests.example/storage/v1/object/public/logos/' || tests.id('org_a') || '/logo%20a.png', 'and the venue''s logo from the public bucket');
select is((select (payload -> 'data' ->> 'venue_name', payload -> 'data' ->> 'currency', (payload -> 'data' ->> 'total_minor')::bigint) from bridge.jobs
           where kind = 'email.send' and payload ->> 'proposal_id' = current_setting('test.p1')),
  ('Venue A'::text, 'GBP'::text, (select total_minor from app.proposals where id = current_setting('test.p1')::uuid)), 'the venue name and the total in minor units with its currency');
select ok((select not (payload ? 'text') and not (payload ? 'subject') from bridge.jobs where kind = 'email.send' and payload ->> 'proposal_id' = current_setting('test.p1')),
  'no pre-written subject or text: the daemon renders them');

-- The guest view as anon
select set_config('test.deposit', (select deposit_minor::text from app.proposals where id = current_setting('test.p1')::uuid), true);
select tests.act_as_anon();
select is(public.get_public_proposal(current_setting('test.token')) #>> '{venue,logo_path}', tests.id('org_a') || '/logo a.png', 'the guest view has the logo path');
select is((public.get_public_proposal(current_setting('test.token')) ->> 'service_charge_bps')::int, 1000, 'and the service-charge rate');
select is((public.get_public_proposal(current_setting('test.token')) ->> 'tax_bps')::int, 2000, 'and the tax rate');
select is(public.get_public_proposal(current_setting('test.token')) ->> 'guest_name', 'Guest A', 'and whom it was prepared for');
select ok(public.get_public_proposal(current_setting('test.token')) -> 'booking' = 'null'::jsonb, 'no booking before acceptance');
select lives_ok($$ select public.accept_proposal(current_setting('test.token'), 'Guest A') $$, 'the guest accepts');
select is(public.get_public_proposal(current_setting('test.token')) #>> '{booking,status}', 'held', 'the guest view shows the held booking');
select is((public.get_public_proposal(current_setting('test.token')) #>> '{booking,deposit,amount_minor}')::bigint,
  current_setting('test.deposit')::bigint, 'with its deposit');
select ok(public.get_public_proposal(current_setting('test.token')) #>> '{booking,deposit,pay_url}' is null, 'no pay link before the checkout exists');
select throws_ok($$ select public.get_public_proposal(current_setting('test.token2')) $$, 'BQ205', null, 'the sibling version''s link: BQ205 (superseded)');
select tests.reset_role();

-- Booking held, then the deposit: pay link on the page, receipt and confirmation emails
select is((select (payload ->> 'template', payload -> 'data' ->> 'link', (payload -> 'data' ->> 'deposit_minor')::bigint) from bridge.jobs
           where kind = 'email.send' and payload ->> 'booking_id' = (select id::text from app.bookings where proposal_id = current_setting('test.p1')::uuid)),
  ('booking_held'::text, 'https://guests.example/p/' || current_setting('test.token'), (select deposit_minor from app.proposals where id = current_setting('test.p1')::uuid)),
  'accepting emails the guest that the booking is held, with the deposit and the page');
select app.payment_checkout_writeback(1, jsonb_build_object('payment_id', p.id, 'email', 'guest@example.com', 'description', 'Deposit'),
  '{"session_id": "cs_9", "url": "https://pay.test/cs_9", "expires_at": 4102444800}')
from app.payments p join app.bookings b on b.id = p.booking_id where b.proposal_id = current_setting('test.p1')::uuid and p.kind = 'deposit';
select is((select (payload ->> 'template', payload -> 'data' ->> 'pay_url') from bridge.jobs where kind = 'email.send' and payload ->> 'template' = 'payment_link'),
  ('payment_link'::text, 'https://pay.test/cs_9'::text), 'the payment link email carries the checkout URL');
select tests.act_as_anon();
select is(public.get_public_proposal(current_setting('test.token')) #>> '{booking,deposit,pay_url}', 'https://pay.test/cs_9', 'and the guest page shows it');
select tests.reset_role();
update app.payments set status = 'paid', paid_at = now()
where kind = 'deposit' and booking_id = (select id from app.bookings where proposal_id = current_setting('test.p1')::uuid);
select is((select count(*)::int from bridge.jobs where kind = 'email.send' and payload ->> 'template' = 'payment_received'), 1, 'a paid deposit emails a receipt');
select is((select count(*)::int from bridge.jobs where kind = 'email.send' and payload ->> 'template' = 'booking_confirmed'), 1, 'and the confirmation of the booking');

-- An invitation
select tests.act_as(tests.id('owner_a'));
select public.invite_member(tests.id('org_a'), 'new.staff@example.com');
select tests.reset_role();
select is((select (payload ->> 'template', payload -> 'data' ->> 'organization_name', length(payload -> 'data' ->> 'code') > 10) from bridge.jobs
           where kind = 'email.send' and payload ->> 'to' = 'new.staff@example.com'),
  ('invitation'::text, (select name from app.organizations where id = tests.id('org_a')), true), 'an invitation is a template email with the code');

select * from finish();
rollback;
