-- WhatsApp reply messages and inbound media in storage: send_message quotes a message of the same
-- conversation (its wamid goes into the whatsapp.send payload as reply_to), refusing one that is
-- not visible, in another conversation or without a WhatsApp id; the media write-back files the
-- download in the private message-media bucket, readable by the organization's members only.
begin;
select plan(22);
select tests.fixture();

select tests.act_as_service();
select set_config('test.in1', public.receive_message('whatsapp', 'wa-a', '447700900001', 'Is the terrace free?', 'wamid.r1')::text, true);
select set_config('test.in2', public.receive_message('whatsapp', 'wa-a', '447700900777', 'Another guest', 'wamid.r2')::text, true);
select set_config('test.inb', public.receive_message('whatsapp', 'wa-b', '15550100200', 'Guest of B', 'wamid.rb')::text, true);
select tests.reset_role();
select set_config('test.conv1', (select conversation_id::text from app.messages where id = current_setting('test.in1')::uuid), true);
select set_config('test.convb', (select conversation_id::text from app.messages where id = current_setting('test.inb')::uuid), true);
insert into app.messages (id, organization_id, conversation_id, direction, body, status)
values (tests.id('no_wamid'), tests.id('org_a'), current_setting('test.conv1')::uuid, 'in', 'typed at the desk', 'received');

-- Replies
select tests.act_as(tests.id('staff_a'));
select lives_ok($$ select set_config('test.reply', public.send_message(current_setting('test.conv1')::uuid, 'Yes, it is.', current_setting('test.in1')::uuid)::text, true) $$,
  'staff reply to an inbound message');
select lives_ok($$ select set_config('test.plain', public.send_message(current_setting('test.conv1')::uuid, 'See you!')::text, true) $$,
  'the two-argument call still works');
select throws_ok($$ select public.send_message(current_setting('test.conv1')::uuid, 'x', current_setting('test.in2')::uuid) $$,
  'BQ002', null, 'a message of another conversation: BQ002');
select throws_ok($$ select public.send_message(current_setting('test.conv1')::uuid, 'x', gen_random_uuid()) $$,
  'BQ002', null, 'a message that does not exist: BQ002');
select throws_ok(format($$ select public.send_message(current_setting('test.conv1')::uuid, 'x', %L) $$, tests.id('no_wamid')),
  'BQ001', null, 'a message without a WhatsApp id: BQ001');
select tests.act_as(tests.id('staff_b'));
select throws_ok($$ select public.send_message(current_setting('test.convb')::uuid, 'x', current_setting('test.in1')::uuid) $$,
  'BQ002', null, 'another organization''s message: BQ002, as if it did not exist');
select tests.reset_role();
select is((select reply_to_message_id from app.messages where id = current_setting('test.reply')::uuid), current_setting('test.in1')::uuid,
  'the reply records the message it quotes');
select is((select payload ->> 'reply_to' from bridge.jobs where kind = 'whatsapp.send' and payload ->> 'message_id' = current_setting('test.reply')),
  'wamid.r1', 'the whatsapp.send payload carries the quoted wamid');
select ok((select not payload ? 'reply_to' from bridge.jobs where kind = 'whatsapp.send' and payload ->> 'message_id' = current_setting('test.plain')),
  'a plain message carries no reply_to');
select is((select count(*)::int from app.messages where body = 'x'), 0, 'refused replies stored nothing');
delete from app.messages where id = current_setting('test.in1')::uuid;
select is((select reply_to_message_id from app.messages where id = current_setting('test.reply')::uuid), null,
  'deleting the quoted message keeps the reply');

-- Inbound media
select is((select row(public, file_size_limit, 'image/jpeg' = any(allowed_mime_types), 'application/pdf' = any(allowed_mime_types))::text
           from storage.buckets where id = 'message-media'), '(f,26214400,t,t)', 'message-media is private, 25 MiB, images and documents');
select tests.act_as_service();
select lives_ok($$ select public.attach_inbound_media(current_setting('test.in2')::uuid, '1037543291543636', 'image', 'image/jpeg') $$,
  'the webhook attaches a media id');
select tests.reset_role();
select set_config('test.path', tests.id('org_a') || '/' || (select conversation_id from app.messages where id = current_setting('test.in2')::uuid) || '/wamid.r2.jpg', true);
select is((select jsonb_build_array(payload ->> 'organization_id', payload ->> 'wamid', payload ->> 'media_id') from bridge.jobs where kind = 'whatsapp.media_fetch'),
  jsonb_build_array(tests.id('org_a'), 'wamid.r2', '1037543291543636'), 'the media job names the organization, wamid and media id');
select ok((select payload ->> 'conversation_id' = split_part(current_setting('test.path'), '/', 2) from bridge.jobs where kind = 'whatsapp.media_fetch'),
  'and the conversation');
select lives_ok(format($$ select app.whatsapp_media_writeback(0, jsonb_build_object('message_id', %L),
  jsonb_build_object('bucket', 'message-media', 'path', %L, 'size', 260, 'sha256', 'ab', 'mime_type', 'image/jpeg', 'etag', '"e1"', 'cache_control', 'max-age=3600')) $$,
  current_setting('test.in2'), current_setting('test.path')), 'the write-back records the object');
select is((select row(owner, metadata ->> 'mimetype', metadata ->> 'size', metadata ->> 'eTag', metadata ->> 'contentLength')::text
           from storage.objects where bucket_id = 'message-media' and name = current_setting('test.path')),
  '(,image/jpeg,260,"""e1""",260)', 'a storage.objects row with no owner and Storage''s metadata');
select is((select media ->> 'path' from app.messages where id = current_setting('test.in2')::uuid), current_setting('test.path'), 'the path is on the message');
select throws_ok(format($$ select app.whatsapp_media_writeback(0, jsonb_build_object('message_id', %L),
  jsonb_build_object('bucket', 'message-media', 'path', %L, 'size', 1, 'mime_type', 'image/jpeg')) $$,
  current_setting('test.in2'), tests.id('org_b') || '/x/y.jpg'), 'BQ001', null, 'a path outside the message''s folder: BQ001');

select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from storage.objects where bucket_id = 'message-media'), 1, 'a member reads the organization''s message media');
select throws_ok(format($$ insert into storage.objects (bucket_id, name, owner) values ('message-media', %L, auth.uid()) $$, tests.id('org_a') || '/c/forged.jpg'),
  '42501', null, 'members do not upload into message-media');
select tests.act_as(tests.id('owner_b'));
select is((select count(*)::int from storage.objects where bucket_id = 'message-media'), 0, 'another organization reads none of it');
select tests.reset_role();

select * from finish();
rollback;
