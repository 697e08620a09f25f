-- Organizations and members: create, list, invite, accept, change roles, remove; the last owner
-- stays; audit rows; who can see which organization.
begin;
select plan(30);
select tests.fixture();
select tests.create_user('newbie@test.local', 'Newbie', tests.id('newbie'));

-- create_organization / my_organizations
select tests.act_as(tests.id('newbie'));
select lives_ok($$ select set_config('test.org', public.create_organization('Newbie Events', 'usd')::text, true) $$, 'a signed-in user can create an organization');
select is((select role from public.my_organizations() where organization_id = current_setting('test.org')::uuid), 'owner', 'the creator is its owner');
select is((select default_currency::text from public.my_organizations() where organization_id = current_setting('test.org')::uuid), 'USD', 'the currency is upper-cased');
select throws_ok($$ select public.create_organization('  ') $$, 'BQ001', null, 'a blank name is rejected with BQ001');
select throws_ok($$ select public.create_organization('X', 'EURO') $$, 'BQ001', null, 'a bad currency is rejected with BQ001');
select is((select count(*)::int from public.my_organizations()), 1, 'my_organizations lists only my organizations');
select tests.act_as_anon();
select throws_ok($$ select public.create_organization('Anon Org') $$, '42501', null, 'anon cannot create organizations');
select tests.reset_role();

-- list_members
select tests.act_as(tests.id('staff_a'));
select is((select count(*)::int from public.list_members(tests.id('org_a'))), 3, 'a member lists the members of the organization');
select throws_ok(format('select * from public.list_members(%L)', tests.id('org_b')), '42501', null, 'cross-tenant: a member of A cannot list B''s members');

-- invite_member / accept_invitation
select throws_ok(format('select public.invite_member(%L, %L)', tests.id('org_a'), 'newbie@test.local'), '42501', null, 'staff cannot invite');
select tests.act_as(tests.id('manager_a'));
select throws_ok(format('select public.invite_member(%L, %L, %L)', tests.id('org_a'), 'newbie@test.local', 'manager'), '42501', null, 'a manager cannot invite a manager');
select lives_ok(format('select public.invite_member(%L, %L)', tests.id('org_a'), ' NewBie@Test.local '), 'a manager invites staff');
select throws_ok(format('select public.invite_member(%L, %L)', tests.id('org_a'), 'staff_a@test.local'), 'BQ603', null, 'inviting a member again: BQ603');
select throws_ok(format('select public.invite_member(%L, %L)', tests.id('org_a'), 'not-an-email'), 'BQ106', null, 'a bad email: BQ106 (the code every email check uses)');
select tests.act_as(tests.id('owner_b'));
select throws_ok($$ select public.accept_invitation((select token from app.invitations limit 1)) $$, 'BQ602', null, 'another user cannot even see the invitation token');
select tests.reset_role();
select set_config('test.token', (select token from app.invitations where email = 'newbie@test.local'), true);
select tests.act_as(tests.id('owner_b'));
select throws_ok($$ select public.accept_invitation(current_setting('test.token')) $$, '42501', null, 'an invitation for another email cannot be accepted');
select tests.act_as(tests.id('newbie'));
select is(public.accept_invitation(current_setting('test.token')), tests.id('org_a'), 'the invited user accepts and joins');
select is((select role from public.my_organizations() where organization_id = tests.id('org_a')), 'staff', 'with the invited role');
select throws_ok($$ select public.accept_invitation(current_setting('test.token')) $$, 'BQ602', null, 'an invitation is used once');

-- set_member_role / remove_member / keep an owner
select tests.act_as(tests.id('manager_a'));
select throws_ok(format('select public.set_member_role(%L, %L, %L)', tests.id('org_a'), tests.id('staff_a'), 'manager'), '42501', null, 'only owners change roles');
select tests.act_as(tests.id('owner_a'));
select lives_ok(format('select public.set_member_role(%L, %L, %L)', tests.id('org_a'), tests.id('staff_a'), 'manager'), 'an owner promotes staff');
select throws_ok(format('select public.set_member_role(%L, %L, %L)', tests.id('org_a'), tests.id('staff_a'), 'boss'), 'BQ001', null, 'an unknown role: BQ001');
select throws_ok(format('select public.set_member_role(%L, %L, %L)', tests.id('org_a'), tests.id('owner_a'), 'manager'), 'BQ601', null, 'demoting the last owner: BQ601');
select throws_ok(format('select public.remove_member(%L, %L)', tests.id('org_a'), tests.id('owner_a')), 'BQ601', null, 'the last owner cannot leave: BQ601');
select lives_ok(format('select public.remove_member(%L, %L)', tests.id('org_a'), tests.id('newbie')), 'an owner removes a member');
select throws_ok(format('select public.remove_member(%L, %L)', tests.id('org_a'), tests.id('newbie')), 'BQ002', null, 'removing a non-member: BQ002');
select tests.act_as(tests.id('staff_b'));
select lives_ok(format('select public.remove_member(%L, %L)', tests.id('org_b'), tests.id('staff_b')), 'a member can leave');
select tests.reset_role();
select throws_ok(format('delete from app.memberships where organization_id = %L and role = %L', tests.id('org_b'), 'owner'), 'BQ601', null, 'the trigger protects the last owner even for direct writes');

-- audit
select ok(exists (select 1 from app.audit_log where table_name = 'memberships' and action = 'update' and actor_id = tests.id('owner_a')), 'role changes are audited with the actor');

-- organizations: visibility and updates
select tests.act_as(tests.id('manager_a'));
select is((select count(*)::int from app.organizations where id = tests.id('org_b')), 0, 'cross-tenant: B is invisible to a member of A');
select tests.reset_role();

select * from finish();
rollback;
