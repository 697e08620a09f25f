-- Storage objects (issue 8): RLS on storage.objects as the gateway (and Supabase Storage) writes
-- it, and the brochure rule — an object in venue-brochures registers its document and enqueues
-- menu.extract through the same app.register_document the RPC uses.
begin;
select plan(16);
select tests.fixture();

-- A manager uploads a brochure: its document and job appear in the same transaction.
select tests.act_as(tests.id('manager_a'));
select lives_ok(format($$ insert into storage.objects (bucket_id, name, owner, metadata)
  values ('venue-brochures', %L, auth.uid(), '{"mimetype": "application/pdf"}') $$, tests.id('org_a') || '/' || tests.id('venue_a') || '/dinner.pdf'),
  'a manager uploads a brochure to <org>/<venue>/<file>');
select is((select row(kind, venue_id, file_name, mime_type, uploaded_by, extraction_status)::text from app.documents
           where object_path = tests.id('org_a') || '/' || tests.id('venue_a') || '/dinner.pdf'),
  row('brochure', tests.id('venue_a'), 'dinner.pdf', 'application/pdf', tests.id('manager_a'), 'pending')::text,
  'the upload registered the brochure as a document of that venue');
select tests.reset_role();
select is((select count(*)::int from bridge.jobs j join app.documents d on d.id::text = j.payload ->> 'document_id'
           where j.kind = 'menu.extract' and d.object_path = tests.id('org_a') || '/' || tests.id('venue_a') || '/dinner.pdf'), 1,
  'and enqueued menu.extract for it');

-- The RPC shares the body: it refuses the same path as already registered.
select tests.act_as(tests.id('manager_a'));
select throws_ok(format($$ select public.register_document(%L, 'brochure', %L) $$, tests.id('venue_a'), tests.id('org_a') || '/' || tests.id('venue_a') || '/dinner.pdf'),
  'BQ008', null, 'register_document after the upload: BQ008, already registered');
select throws_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('venue-brochures', %L, auth.uid()) $$, tests.id('org_a') || '/loose.pdf'),
  'BQ001', null, 'a brochure outside <org>/<venue>/<file>: BQ001');
select throws_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('venue-brochures', %L, auth.uid()) $$, tests.id('org_a') || '/' || tests.id('venue_b') || '/theirs.pdf'),
  'BQ002', null, 'a brochure filed under another tenant''s venue: BQ002');

-- Moving and removing the object keeps its document in step.
select lives_ok(format($$ update storage.objects set name = %L where name = %L $$,
  tests.id('org_a') || '/' || tests.id('venue_a') || '/supper.pdf', tests.id('org_a') || '/' || tests.id('venue_a') || '/dinner.pdf'),
  'a manager moves the brochure (update policy)');
select is((select count(*)::int from app.documents where object_path = tests.id('org_a') || '/' || tests.id('venue_a') || '/supper.pdf'), 1,
  'the document follows the move');
select lives_ok(format($$ delete from storage.objects where name = %L $$, tests.id('org_a') || '/' || tests.id('venue_a') || '/supper.pdf'),
  'a manager removes the brochure');
select is((select count(*)::int from app.documents where object_path like tests.id('org_a') || '/' || tests.id('venue_a') || '/%'), 0,
  'its document is gone, so the name can be uploaded again');

-- Images: members read, managers write, staff and strangers do not.
select lives_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('venue-images', %L, auth.uid()) $$, tests.id('org_a') || '/hall.png'),
  'a manager uploads an image');
select lives_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('venue-images', %L, auth.uid())
  on conflict (bucket_id, name) do update set metadata = '{"size": 2}' $$, tests.id('org_a') || '/hall.png'),
  'a manager replaces it (upsert)');
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from storage.objects where name = tests.id('org_a') || '/hall.png'), 1, 'staff of the organization read it');
select throws_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('venue-images', %L, auth.uid()) $$, tests.id('org_a') || '/staff.png'),
  '42501', null, 'staff cannot upload');
select tests.act_as(tests.id('owner_b'));
select throws_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('venue-images', %L, auth.uid()) $$, tests.id('org_a') || '/intruder.png'),
  '42501', null, 'cross-tenant: the owner of B cannot upload into A''s folder');
select tests.act_as_anon();
select is((select count(*)::int from storage.objects), 0, 'anon sees no object rows (public files are served without reading rows)');

select * from finish();
rollback;
