-- Demo data: two organizations with venues in four time zones, their rooms, menus and packages,
-- guests, inquiries in every state, proposals (AI-generating, draft, sent, accepted, declined,
-- superseded), bookings with payments and a settlement, and WhatsApp/Instagram/email
-- conversations. Loaded after the migrations on a fresh database (`make run`, `supabase db reset`).
--
-- Most rows go through the public API, acting as the organization's owner the way the gateway
-- does (request.jwt.claims), so the demo is shaped by the same rules and triggers as real use.
-- Sign in as owner@harbourvine.test, manager@harbourvine.test, staff@harbourvine.test,
-- owner@lonestar.test or staff@lonestar.test, password banquet-demo (tests/gateway/test_seed_demo.py).

-- Users ---------------------------------------------------------------------------------------

-- The demo password's bcrypt hash (cost 10, as GoTrue stores it), the same for every demo user:
-- a literal rather than pgcrypto's crypt(), which plain PostgreSQL may not have. Demo data only.
insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, encrypted_password)
select id::uuid, 'authenticated', 'authenticated', email, now(), meta::jsonb, '$2b$10$anNuMlx0TIrj/P7HhmX3QONZbArdR3vCdXwkDk7kO8zf3uuNYMWWa'
from (values
  ('10000000-0000-4000-8000-000000000001', 'owner@harbourvine.test', '{"full_name": "Olivia Hart"}'),
  ('10000000-0000-4000-8000-000000000002', 'manager@harbourvine.test', '{"full_name": "Marco Silva"}'),
  ('10000000-0000-4000-8000-000000000003', 'staff@harbourvine.test', '{"full_name": "Sam Patel"}'),
  ('10000000-0000-4000-8000-000000000004', 'owner@lonestar.test', '{"full_name": "Dolores Reyes"}'),
  ('10000000-0000-4000-8000-000000000005', 'staff@lonestar.test', '{"full_name": "Jake Miller"}')
) as demo (id, email, meta)
on conflict (id) do nothing;

insert into app.profiles (id, full_name)
select u.id, u.raw_user_meta_data ->> 'full_name' from auth.users u where u.email like '%.test'
on conflict (id) do nothing;

-- Reference data: yesterday's ECB rates ---------------------------------------------------------

insert into app.fx_rates (base, quote, as_of, rate) values
  ('EUR', 'GBP', current_date - 1, 0.8512),
  ('EUR', 'USD', current_date - 1, 1.0830),
  ('EUR', 'CHF', current_date - 1, 0.9421),
  ('EUR', 'JPY', current_date - 1, 162.5400);

-- Organizations, venues, spaces, menus, packages ------------------------------------------------

insert into app.organizations (id, name, default_currency, commission_bps) values
  ('20000000-0000-4000-8000-000000000001', 'Harbour & Vine Group', 'GBP', 500),
  ('20000000-0000-4000-8000-000000000002', 'Lone Star Events', 'USD', 350);
insert into app.memberships (organization_id, user_id, role) values
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'owner'),
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', 'manager'),
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000003', 'staff'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000004', 'owner'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000005', 'staff');
insert into app.venues (id, organization_id, name, timezone, currency, notification_email, service_charge_bps, tax_bps, auto_draft_proposals, address) values
  ('30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', 'The Harbour Room', 'Europe/London', 'GBP', 'events@harbourroom.test', 1250, 2000, false, '12 Wapping Wall, London E1W'),
  ('30000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', 'Vine Cellar Lisboa', 'Europe/Lisbon', 'EUR', 'reservas@vinecellar.test', 1000, 2300, true, 'Rua das Flores 28, Lisboa'),
  ('30000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002', 'Magnolia Hall', 'America/Chicago', 'USD', 'hello@magnoliahall.test', 2000, 1025, false, '400 N Wells St, Chicago IL'),
  ('30000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000002', 'Rooftop 51', 'America/New_York', 'USD', null, 2200, 887, false, '51 W 51st St, New York NY');

do $$
declare
  v_harbour_vine constant uuid := '20000000-0000-4000-8000-000000000001';
  v_lone_star constant uuid := '20000000-0000-4000-8000-000000000002';
  v_harbour constant uuid := '30000000-0000-4000-8000-000000000001';
  v_cellar constant uuid := '30000000-0000-4000-8000-000000000002';
  v_magnolia constant uuid := '30000000-0000-4000-8000-000000000003';
  v_rooftop constant uuid := '30000000-0000-4000-8000-000000000004';
  v_menu uuid;
begin
  -- Harbour & Vine (London and Lisbon), acting as its owner.
  perform set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-000000000001', 'role', 'authenticated')::text, true);
  perform public.save_space(v_harbour, 'River Gallery', 120, 30, 150000, 600000);
  perform public.save_space(v_harbour, 'Captain''s Table', 14, 6, 25000, 80000);
  perform public.save_space(v_harbour, 'Terrace', 60, 15, 50000, 200000);
  perform public.save_space(v_cellar, 'Adega', 40, 10, 30000, 150000);
  perform public.save_space(v_cellar, 'Sala dos Azulejos', 80, 20, 60000, 300000);
  update app.spaces set id = '40000000-0000-4000-8000-000000000001' where name = 'River Gallery';
  update app.spaces set id = '40000000-0000-4000-8000-000000000002' where name = 'Captain''s Table';
  update app.spaces set id = '40000000-0000-4000-8000-000000000004' where name = 'Adega';

  v_menu := public.save_menu(v_harbour, 'Spring Set Menu', 'Three courses, seasonal British produce');
  perform public.save_menu_item(v_menu, 'Cornish crab tart', 1400, 'per_person', 'starter', p_dietary => '{pescatarian}');
  perform public.save_menu_item(v_menu, 'Salt marsh lamb, wild garlic', 3200, 'per_person', 'main');
  perform public.save_menu_item(v_menu, 'Roasted cauliflower, romesco', 2400, 'per_person', 'main', p_dietary => '{vegan,gluten_free}');
  perform public.save_menu_item(v_menu, 'Yorkshire rhubarb pavlova', 1100, 'per_person', 'dessert', p_dietary => '{vegetarian}');
  perform public.save_package(v_harbour, 'Three-course dinner with wine', 8500, 20, v_menu, 'Set menu, half a bottle of wine per guest, coffee');
  v_menu := public.save_menu(v_harbour, 'Canapés & Drinks');
  perform public.save_menu_item(v_menu, 'Canapé selection (6 pieces)', 1800, 'per_person', 'canapes');
  perform public.save_menu_item(v_menu, 'Prosecco reception', 1200, 'per_person', 'drinks');
  perform public.save_menu_item(v_menu, 'Cheese board for the table', 6500, 'per_item', 'dessert', p_dietary => '{vegetarian}');
  perform public.save_package(v_harbour, 'Standing reception', 4500, 30, v_menu, 'Two hours of canapés and prosecco');

  v_menu := public.save_menu(v_cellar, 'Menu Degustação', 'Petiscos e vinhos do Douro');
  perform public.save_menu_item(v_menu, 'Pastéis de bacalhau', 900, 'per_person', 'starter', p_dietary => '{pescatarian}');
  perform public.save_menu_item(v_menu, 'Polvo à lagareiro', 2800, 'per_person', 'main', p_dietary => '{pescatarian,gluten_free}');
  perform public.save_menu_item(v_menu, 'Pastel de nata', 450, 'per_person', 'dessert', p_dietary => '{vegetarian}');
  perform public.save_menu_item(v_menu, 'Douro wine pairing', 3500, 'per_person', 'drinks');
  perform public.save_package(v_cellar, 'Noite do Fado', 7500, 12, v_menu, 'Tasting menu, wine pairing and a fado duo');

  perform public.save_channel_account(v_harbour_vine, 'whatsapp', '104729384756201', 'Harbour Room WhatsApp', v_harbour);
  perform public.save_channel_account(v_harbour_vine, 'instagram', '17841400000000001', '@harbourroom', v_harbour);
  perform public.save_channel_account(v_harbour_vine, 'email', 'events@harbourroom.test', 'Harbour Room Events', v_harbour);
  perform public.save_message_template(v_harbour_vine, 'whatsapp', 'proposal_ready', 'Hello {{1}}, your proposal from {{2}} is ready: https://banquet.test/p/{{3}}');
  perform public.save_message_template(v_harbour_vine, 'whatsapp', 'follow_up', 'Hi {{1}}, just checking whether you had any questions about your event at {{2}}?');
  perform public.save_automation_rule(v_harbour_vine, 'Parking', '{parking,car park,park}', 'parking',
    'There is a public car park on Wapping Lane, two minutes away; we validate tickets for evening events.', p_cooldown_minutes => 240);
  perform public.save_automation_rule(v_harbour_vine, 'Opening hours', '{opening hours,open,hours}', 'opening_hours',
    'We are open Tuesday to Sunday, 12:00 to 23:00. Private events can run until 01:00.', p_priority => 1);
  perform public.save_automation_rule(v_harbour_vine, 'Dietary', '{vegan,gluten,allergy,allergies}', 'dietary',
    'Every menu has vegan and gluten-free choices; tell us about allergies and the chef will adapt.');

  -- Lone Star Events (Chicago and New York), acting as its owner.
  perform set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-000000000004', 'role', 'authenticated')::text, true);
  perform public.save_space(v_magnolia, 'Grand Ballroom', 300, 80, 500000, 2500000);
  perform public.save_space(v_magnolia, 'Library Lounge', 40, 10, 75000, 300000);
  perform public.save_space(v_rooftop, 'Sky Deck', 150, 40, 400000, 1500000);
  update app.spaces set id = '40000000-0000-4000-8000-000000000003' where name = 'Grand Ballroom';

  v_menu := public.save_menu(v_magnolia, 'Texas Barbecue Buffet');
  perform public.save_menu_item(v_menu, 'Smoked brisket', 2600, 'per_person', 'main');
  perform public.save_menu_item(v_menu, 'Mac and cheese', 800, 'per_person', 'side', p_dietary => '{vegetarian}');
  perform public.save_menu_item(v_menu, 'Peach cobbler', 900, 'per_person', 'dessert', p_dietary => '{vegetarian}');
  perform public.save_menu_item(v_menu, 'Open bar (3 hours)', 4500, 'per_person', 'drinks');
  perform public.save_package(v_magnolia, 'Wedding Classic', 14500, 80, v_menu, 'Buffet, open bar, cake cutting, dance floor');
  v_menu := public.save_menu(v_rooftop, 'Sunset Cocktails');
  perform public.save_menu_item(v_menu, 'Passed hors d''oeuvres', 3800, 'per_person', 'canapes');
  perform public.save_menu_item(v_menu, 'Signature cocktail', 1900, 'per_person', 'drinks');
  perform public.save_package(v_rooftop, 'Corporate Sunset', 9500, 40, v_menu, 'Three hours, cocktails and hors d''oeuvres');

  perform public.save_channel_account(v_lone_star, 'whatsapp', '209384756102938', 'Magnolia Hall', v_magnolia);
  perform public.save_message_template(v_lone_star, 'whatsapp', 'proposal_ready', 'Hi {{1}}, your proposal from {{2}} is ready: https://banquet.test/p/{{3}}');
  perform public.save_automation_rule(v_lone_star, 'Parking', '{parking,valet}', 'parking', 'Valet parking is available at the Wells St entrance for $25.');
end
$$;

-- Inquiries in every state -------------------------------------------------------------------------

insert into app.inquiries (id, organization_id, venue_id, status, source, guest_name, guest_email, guest_phone, event_date, start_time,
  party_size, event_type, budget_minor, message, created_at, first_response_at, lost_reason, assigned_to) values
  ('50000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'new', 'web_form',
   'Charlotte Baker', 'charlotte.baker@example.com', '+447700900101', current_date + 45, '19:00', 60, 'Engagement party', 900000,
   'We would love the River Gallery for our engagement party. Vegetarian options please!', now() - interval '2 hours', null, null, null),
  ('50000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'qualified', 'web_form',
   'Tom Whitfield', 'tom@whitfield-law.example', null, current_date + 30, '18:30', 12, 'Client dinner', 250000,
   'Private dinner for partners and clients.', now() - interval '3 days', now() - interval '3 days' + interval '25 minutes', null, '10000000-0000-4000-8000-000000000003'),
  ('50000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'qualified', 'whatsapp',
   'Priya Sharma', 'priya.sharma@example.com', '+447700900303', current_date + 75, '19:30', 80, 'Wedding reception', 2500000,
   'Wedding reception, around 80 guests, river views a must.', now() - interval '6 days', now() - interval '6 days' + interval '2 hours', null, '10000000-0000-4000-8000-000000000002'),
  ('50000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002', 'qualified', 'web_form',
   'Hans Gruber', 'h.gruber@example.de', '+4915112345678', current_date + 20, '20:00', 24, 'Company offsite dinner', null,
   'Team dinner during our Lisbon offsite.', now() - interval '5 days', now() - interval '5 days' + interval '4 hours', null, null),
  ('50000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'lost', 'email',
   'Emily Clarke', 'emily.clarke@example.com', null, current_date + 10, '13:00', 20, 'Christening lunch', 150000,
   'Sunday lunch after a christening.', now() - interval '12 days', now() - interval '12 days' + interval '1 hour', 'Chose a venue closer to the church', null),
  ('50000000-0000-4000-8000-000000000006', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'spam', 'web_form',
   'SEO Services', 'seo@spam.example', null, current_date + 5, null, 1, null, null,
   'We can get your website to number one on Google!!!', now() - interval '1 day', now() - interval '1 day' + interval '5 minutes', null, null),
  ('50000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', 'new', 'web_form',
   'Ashley Johnson', 'ashley.j@example.com', '+13125550147', current_date + 200, '17:00', 180, 'Wedding', 6000000,
   'Looking at fall dates for our wedding, 180 guests.', now() - interval '40 minutes', null, null, null),
  ('50000000-0000-4000-8000-000000000008', '20000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', 'qualified', 'web_form',
   'Marcus Lee', 'marcus.lee@acme.example', '+13125550199', current_date + 60, '18:00', 120, 'Company holiday party', 4000000,
   'Holiday party for Acme Corp.', now() - interval '8 days', now() - interval '8 days' + interval '30 minutes', null, '10000000-0000-4000-8000-000000000005'),
  ('50000000-0000-4000-8000-000000000009', '20000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000004', 'qualified', 'web_form',
   'Rachel Green', 'rachel@ralphlauren.example', '+12125550123', current_date - 20, '18:00', 60, 'Product launch', 1500000,
   'Rooftop launch party.', now() - interval '60 days', now() - interval '60 days' + interval '45 minutes', null, null);

-- Proposals, bookings and payments, through the API ---------------------------------------------------

do $$
declare
  v_proposal uuid;
  v_token text;
  v_result jsonb;
  v_booking uuid;
begin
  perform set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-000000000001', 'role', 'authenticated')::text, true);

  -- Tom: a draft proposal in the Captain's Table, still being edited.
  v_proposal := public.create_proposal('50000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000002');
  perform public.add_proposal_item(v_proposal, p_menu_item_id => (select id from app.menu_items where name = 'Cornish crab tart'));
  perform public.add_proposal_item(v_proposal, p_menu_item_id => (select id from app.menu_items where name = 'Salt marsh lamb, wild garlic'));
  perform public.add_proposal_item(v_proposal, 'Wine flight (sommelier''s choice)', 12, 2800);

  -- Priya: version 1 sent, then revised; version 2 sent and accepted by the guest → booking, deposit paid → confirmed.
  v_proposal := public.create_proposal('50000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000001');
  perform public.add_proposal_item(v_proposal, p_package_id => (select id from app.packages where name = 'Three-course dinner with wine'));
  perform public.send_proposal(v_proposal);
  v_proposal := public.new_proposal_version(v_proposal);
  perform public.add_proposal_item(v_proposal, p_package_id => (select id from app.packages where name = 'Standing reception'));
  v_token := public.send_proposal(v_proposal);
  perform public.get_public_proposal(v_token);
  v_result := public.accept_proposal(v_token, 'Priya Sharma', 'Can we add a cake table?');
  perform public.record_payment((v_result ->> 'booking_id')::uuid, 'deposit', (v_result ->> 'deposit_minor')::bigint, 'card', 'pi_demo_priya_deposit');

  -- Hans: priced in CHF from a EUR venue; sent and declined.
  v_proposal := public.create_proposal('50000000-0000-4000-8000-000000000004', '40000000-0000-4000-8000-000000000004', 'CHF');
  perform public.add_proposal_item(v_proposal, p_package_id => (select id from app.packages where name = 'Noite do Fado'));
  v_token := public.send_proposal(v_proposal);
  perform public.decline_proposal(v_token, 'Our budget was cut, sorry!');

  -- Charlotte: the AI is drafting (a llm.proposal_draft job waits for the daemon).
  perform public.request_proposal_draft('50000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001',
    'Vegetarian-friendly; they mentioned a budget around £9,000.');

  -- Lone Star: Marcus accepted a ballroom proposal, deposit still due; Rachel's launch is over and settled.
  perform set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-000000000004', 'role', 'authenticated')::text, true);
  v_proposal := public.create_proposal('50000000-0000-4000-8000-000000000008', '40000000-0000-4000-8000-000000000003');
  perform public.add_proposal_item(v_proposal, p_menu_item_id => (select id from app.menu_items where name = 'Smoked brisket'));
  perform public.add_proposal_item(v_proposal, p_menu_item_id => (select id from app.menu_items where name = 'Open bar (3 hours)'));
  v_token := public.send_proposal(v_proposal);
  perform public.accept_proposal(v_token, 'Marcus Lee');

  v_booking := public.hold_space((select id from app.spaces where name = 'Sky Deck'),
    ((current_date - 20) + time '18:00') at time zone 'America/New_York',
    ((current_date - 20) + time '22:00') at time zone 'America/New_York', 60, '50000000-0000-4000-8000-000000000009');
  update app.bookings set total_minor = 720000 where id = v_booking;
  perform public.record_payment(v_booking, 'deposit', 216000, 'card', 'pi_demo_rachel_deposit');
  perform public.record_payment(v_booking, 'balance', 504000, 'bank_transfer', 'wire_demo_rachel_balance');
  perform public.complete_booking(v_booking);
  perform public.set_inquiry_status('50000000-0000-4000-8000-000000000009', 'won');
end
$$;

-- Conversations, as the daemon receives them ----------------------------------------------------------

do $$
declare
  v_message uuid;
begin
  perform set_config('request.jwt.claims', json_build_object('role', 'service_role')::text, true);
  -- Keyword automation answers the parking question at once.
  perform public.receive_message('whatsapp', '104729384756201', '447700900303', 'Hi! Is there parking near the venue?', 'wamid.demo.0001', 'Priya Sharma');
  -- No rule matches: this one waits for AI classification.
  perform public.receive_message('whatsapp', '104729384756201', '447700900303', 'Also, could the band set up at 5pm?', 'wamid.demo.0002', 'Priya Sharma');
  perform public.receive_message('instagram', '17841400000000001', '6123456789012345', 'Do you do vegan menus for birthdays?', 'ig.demo.0001', 'jess.travels');
  perform public.receive_message('whatsapp', '209384756102938', '13125550199', 'Where do guests park? Is there valet?', 'wamid.demo.1001', 'Marcus Lee');

  -- Staff reply inside the window; the daemon reports it sent and delivered.
  perform set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-000000000003', 'role', 'authenticated')::text, true);
  v_message := public.send_message(
    (select c.id from app.conversations c join app.contacts ct on ct.id = c.contact_id where ct.phone = '+447700900303'),
    'Of course, the band can set up from 5pm. See you soon!');
  perform set_config('request.jwt.claims', json_build_object('role', 'service_role')::text, true);
  perform public.record_message_status(v_message, 'wamid.demo.out.0001', 'sent');
  perform public.record_message_status(null, 'wamid.demo.out.0001', 'delivered');

  perform public.record_ai_run('classify_message', 'gpt-4o-mini', 412, 18, 640, 92, '20000000-0000-4000-8000-000000000001', null, 'openrouter');
  perform public.record_ai_run('proposal_draft', 'claude-3-5-sonnet', 3120, 880, 7400, 22560, '20000000-0000-4000-8000-000000000001', null, 'bedrock');
  perform set_config('request.jwt.claims', '', true);
end
$$;
