-- Venues, spaces, menus, menu items, packages and documents: CRUD by role, validation, the
-- brochure → menu.extract rule and its write-back, storage buckets and tenancy.
begin;
select plan(36);
select tests.fixture();

-- create_venue / update_venue / list_venues / archive_venue
select tests.act_as(tests.id('manager_a'));
select lives_ok(format($$ select set_config('test.venue', public.create_venue(%L, 'Lisbon Loft', 'Europe/Lisbon', 'eur', 'Loft@Example.com ')::text, true) $$, tests.id('org_a')), 'a manager creates a venue');
select is((select notification_email from app.venues where id = current_setting('test.venue')::uuid), 'loft@example.com', 'the notification email is normalized');
select throws_ok(format($$ select public.create_venue(%L, 'Nowhere', 'Mars/Olympus') $$, tests.id('org_a')), 'BQ001', null, 'an unknown time zone: BQ001');
select throws_ok(format($$ select public.create_venue(%L, 'X', p_service_charge_bps => 20000) $$, tests.id('org_a')), 'BQ005', null, 'service charge above 100%%: BQ005 (out of range)');
select throws_ok(format($$ select public.create_venue(%L, 'Theirs') $$, tests.id('org_b')), '42501', null, 'cross-tenant: cannot create a venue in B');
select lives_ok($$ select public.update_venue(current_setting('test.venue')::uuid, p_tax_bps => 2300, p_auto_draft_proposals => true) $$, 'a manager updates a venue');
select is((select tax_bps from app.venues where id = current_setting('test.venue')::uuid), 2300, 'the update applied; other fields untouched');
select throws_ok(format($$ select public.update_venue(%L, 'Hacked') $$, tests.id('venue_b')), 'BQ002', null, 'cross-tenant: B''s venue does not exist for A');
select is((select count(*)::int from public.list_venues(tests.id('org_a'))), 2, 'list_venues lists the organization''s venues');
select is((select count(*)::int from public.list_venues(tests.id('org_b'))), 0, 'cross-tenant: list_venues of B is empty');
select throws_ok($$ select public.archive_venue(current_setting('test.venue')::uuid) $$, '42501', null, 'a manager cannot archive a venue');
select tests.act_as(tests.id('owner_a'));
select lives_ok($$ select public.archive_venue(current_setting('test.venue')::uuid) $$, 'an owner archives a venue');
select is((select count(*)::int from public.list_venues(tests.id('org_a'))), 1, 'archived venues are not listed');

-- spaces
select tests.act_as(tests.id('staff_a'));
select throws_ok(format($$ select public.save_space(%L, 'Nook', 8) $$, tests.id('venue_a')), '42501', null, 'staff cannot create spaces');
select tests.act_as(tests.id('manager_a'));
select lives_ok(format($$ select set_config('test.space', public.save_space(%L, 'Nook', 8, 2, 5000, 20000)::text, true) $$, tests.id('venue_a')), 'a manager creates a space');
select throws_ok(format($$ select public.save_space(%L, 'Bad', 5, 10) $$, tests.id('venue_a')), 'BQ001', null, 'min guests above max: BQ001');
select lives_ok(format($$ select public.save_space(%L, 'Nook', 12, 2, 5000, 20000, current_setting('test.space')::uuid) $$, tests.id('venue_a')), 'a manager updates a space');
select is((select max_guests from app.spaces where id = current_setting('test.space')::uuid), 12, 'the space was updated');
select lives_ok($$ select public.delete_space(current_setting('test.space')::uuid) $$, 'a manager deletes a space');
select throws_ok(format($$ select public.delete_space(%L) $$, tests.id('space_b')), 'BQ002', null, 'cross-tenant: B''s space is not found');

-- menus, items, packages
select lives_ok(format($$ select set_config('test.menu', public.save_menu(%L, 'Brunch')::text, true) $$, tests.id('venue_a')), 'a manager creates a menu');
select lives_ok($$ select set_config('test.item', public.save_menu_item(current_setting('test.menu')::uuid, 'Eggs Benedict', 1250, 'per_person', 'main', p_dietary => '{vegetarian}')::text, true) $$, 'a manager adds a menu item');
select throws_ok($$ select public.save_menu_item(current_setting('test.menu')::uuid, 'Free lunch', -1) $$, 'BQ005', null, 'a negative price: BQ005 (out of range)');
select throws_ok($$ select public.save_menu_item(current_setting('test.menu')::uuid, 'Odd', 100, 'per_hour') $$, 'BQ001', null, 'an unknown unit: BQ001');
select lives_ok($$ select public.delete_menu_item(current_setting('test.item')::uuid) $$, 'a manager deletes a menu item');
select lives_ok(format($$ select set_config('test.package', public.save_package(%L, 'Brunch club', 3000, 8, current_setting('test.menu')::uuid)::text, true) $$, tests.id('venue_a')), 'a manager creates a package');
select throws_ok(format($$ select public.save_package(%L, 'Bad', 3000, 0) $$, tests.id('venue_a')), 'BQ005', null, 'a package with min guests 0: BQ005 (out of range)');
select lives_ok($$ select public.delete_package(current_setting('test.package')::uuid) $$, 'a manager deletes a package');
select lives_ok($$ select public.delete_menu(current_setting('test.menu')::uuid) $$, 'a manager deletes a menu');
select tests.act_as(tests.id('staff_b'));
select throws_ok(format($$ select public.delete_menu(%L) $$, tests.id('menu_a')), 'BQ002', null, 'cross-tenant: A''s menu is not found for B');

-- documents: a brochure enqueues menu extraction; the write-back stores the menu
select tests.act_as(tests.id('manager_a'));
select throws_ok(format($$ select public.register_document(%L, 'brochure', 'somewhere/else.pdf') $$, tests.id('venue_a')), 'BQ001', null, 'a path outside the organization folder: BQ001');
select lives_ok(format($$ select set_config('test.doc', public.register_document(%L, 'brochure', %L, 'menu.pdf', 'application/pdf')::text, true) $$,
  tests.id('venue_a'), tests.id('org_a') || '/venue-a/menu.pdf'), 'a manager registers a brochure');
select tests.reset_role();
select is((select payload ->> 'document_id' from bridge.jobs where kind = 'menu.extract'), current_setting('test.doc'), 'a brochure enqueues menu.extract');
select is((select extraction_status from app.documents where id = current_setting('test.doc')::uuid), 'pending', 'the brochure is pending extraction');
select tests.act_as_service();
select lives_ok($$ select public.save_menu_extraction(current_setting('test.doc')::uuid,
  '{"name": "Winter menu", "items": [{"name": "Soup", "price_minor": 800, "course": "starter"}, {"name": "Roast", "price_minor": 2400}]}') $$,
  'the daemon saves the extracted menu');
select tests.reset_role();
select is((select count(*)::int from app.menu_items i join app.documents d on d.extracted_menu_id = i.menu_id where d.id = current_setting('test.doc')::uuid), 2,
  'the extracted items are stored and the document links its menu');

select * from finish();
rollback;
