-- Tenancy: organizations are the tenants; users belong to them through memberships with a role
-- (owner, manager, staff). Every tenant table later carries organization_id, and every policy asks
-- the helpers defined here whether the caller holds a role in that organization. An organization
-- always keeps at least one owner. Key tables write to app.audit_log through one shared trigger.
--
-- Error codes raised here (catalogue in docs/database.md):
--   42501  caller lacks the required role          BQ001  invalid argument
--   BQ002  not found (or not visible to caller)     BQ601  would leave the organization without an owner
--   BQ602  invitation invalid, used or expired      BQ603  already a member

-- Tables --------------------------------------------------------------------------------------

create function app.random_token()
returns text
language sql
volatile
set search_path = ''
as $$
  -- 244 random bits from two v4 UUIDs: unguessable, URL-safe, no pgcrypto needed.
  select replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
$$;
comment on function app.random_token() is 'An unguessable URL-safe token (invitations, public proposal links).';
grant execute on function app.random_token() to authenticated, service_role;

create table app.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  default_currency text not null default 'EUR' check (default_currency ~ '^[A-Z]{3}$'),
  -- Commission Banquet retains from a completed booking, in basis points (100 = 1%).
  commission_bps integer not null default 0 check (commission_bps between 0 and 10000),
  created_at timestamptz not null default now()
);
comment on table app.organizations is 'Tenants: a restaurant or venue group. Everything else belongs to exactly one.';

create table app.memberships (
  organization_id uuid not null references app.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('owner', 'manager', 'staff')),
  created_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
create index memberships_user_id_idx on app.memberships (user_id);
comment on table app.memberships is 'Who belongs to which organization, and with which role (owner, manager, staff).';

create table app.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and email like '%_@_%'),
  role text not null check (role in ('owner', 'manager', 'staff')),
  token text not null unique default app.random_token(),
  invited_by uuid references auth.users (id) on delete set null,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index invitations_organization_id_idx on app.invitations (organization_id);
create index invitations_invited_by_idx on app.invitations (invited_by);
create index invitations_accepted_by_idx on app.invitations (accepted_by);
comment on table app.invitations is 'Pending invitations to join an organization; accepted once, by the invited email, before expiry.';

create table app.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  full_name text,
  avatar_url text,
  created_at timestamptz not null default now()
);
comment on table app.profiles is 'Display data for a user, visible to the people they work with.';

create table app.audit_log (
  id bigint generated always as identity primary key,
  organization_id uuid references app.organizations (id) on delete cascade,
  actor_id uuid,
  table_name text not null,
  row_id text not null,
  action text not null check (action in ('insert', 'update', 'delete')),
  old_row jsonb,
  new_row jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_organization_id_created_at_idx on app.audit_log (organization_id, created_at desc);
comment on table app.audit_log is 'Append-only history of changes to key tables (who, what, before, after).';

-- Helpers -------------------------------------------------------------------------------------

-- Role sets used throughout: members = owner, manager, staff; managers = owner, manager.
create function app.has_role(p_organization_id uuid, p_roles text[] default '{owner,manager,staff}')
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from app.memberships m
    where m.organization_id = p_organization_id
      and m.user_id = (select auth.uid())
      and m.role = any (p_roles)
  )
$$;
comment on function app.has_role(uuid, text[]) is
  'True when the calling user holds one of p_roles in the organization. Definer so policies on memberships do not recurse.';
grant execute on function app.has_role(uuid, text[]) to authenticated, service_role;

create function app.user_organization_ids(p_roles text[] default '{owner,manager,staff}')
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.organization_id
  from app.memberships m
  where m.user_id = (select auth.uid())
    and m.role = any (p_roles)
$$;
comment on function app.user_organization_ids(text[]) is
  'Organizations where the calling user holds one of p_roles. Policies use it as `organization_id in (select …)`, evaluated once per statement.';
grant execute on function app.user_organization_ids(text[]) to authenticated, service_role;

create function app.require_role(p_organization_id uuid, p_roles text[] default '{owner,manager,staff}')
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_organization_id is null then
    raise exception using errcode = 'BQ001', message = 'organization id is required';
  end if;
  -- The service role (the daemon) acts for every tenant, and so does a superuser session that
  -- carries no JWT at all (a DBA in psql, the seed); request roles always carry claims.
  if (select auth.role()) = 'service_role'
     or ((select auth.role()) is null
         and exists (select 1 from pg_catalog.pg_roles r where r.rolname = session_user and r.rolsuper)) then
    return;
  end if;
  if not app.has_role(p_organization_id, p_roles) then
    raise exception using
      errcode = '42501',
      message = format('this action needs the role %s in the organization', array_to_string(p_roles, ' or ')),
      hint = 'Ask an owner of the organization to grant you that role.';
  end if;
end
$$;
comment on function app.require_role(uuid, text[]) is
  'Raises 42501 unless the caller holds one of p_roles in the organization. RPCs call it first so a denial is explicit, not an empty result.';
grant execute on function app.require_role(uuid, text[]) to authenticated, service_role;

create function app.require_user()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
begin
  if v_user_id is null then
    raise exception using errcode = '42501', message = 'you must be signed in', hint = 'Send a user access token with the request.';
  end if;
  return v_user_id;
end
$$;
comment on function app.require_user() is 'Returns auth.uid() or raises 42501 when the request carries no user.';
grant execute on function app.require_user() to authenticated, service_role;

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_memberships__keep_an_owner()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Runs after the change, so the count already reflects it; cascades from a deleted organization pass.
  if old.role = 'owner'
     and exists (select 1 from app.organizations o where o.id = old.organization_id)
     and not exists (
       select 1 from app.memberships m
       where m.organization_id = old.organization_id and m.role = 'owner'
     ) then
    raise exception using
      errcode = 'BQ601',
      message = 'an organization must keep at least one owner',
      hint = 'Make another member an owner first.';
  end if;
  return null;
end
$$;
comment on function app.tg_memberships__keep_an_owner() is 'Rule: an organization always keeps an owner (no removing or demoting the last one).';

create trigger _100_keep_an_owner
  after update of role or delete on app.memberships
  for each row execute function app.tg_memberships__keep_an_owner();

create function app.tg_audit__record()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row jsonb := to_jsonb(coalesce(new, old));
begin
  insert into app.audit_log (organization_id, actor_id, table_name, row_id, action, old_row, new_row)
  values (
    case when tg_table_name = 'organizations' then (v_row ->> 'id')::uuid else (v_row ->> 'organization_id')::uuid end,
    (select auth.uid()),
    tg_table_name,
    coalesce(v_row ->> 'id', v_row ->> 'user_id'),
    lower(tg_op),
    case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end,
    case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end
  );
  return null;
end
$$;
comment on function app.tg_audit__record() is 'Rule: key tables write an audit row (actor, before, after) for every change.';

create trigger _900_audit
  after insert or update or delete on app.memberships
  for each row execute function app.tg_audit__record();

create trigger _900_audit
  after update on app.organizations
  for each row execute function app.tg_audit__record();

-- RLS policies --------------------------------------------------------------------------------

alter table app.organizations enable row level security;
alter table app.memberships enable row level security;
alter table app.invitations enable row level security;
alter table app.profiles enable row level security;
alter table app.audit_log enable row level security;

grant select, update, delete on app.organizations to authenticated;
grant select on app.memberships, app.invitations, app.audit_log to authenticated;
grant select, insert, update on app.profiles to authenticated;
grant all on app.organizations, app.memberships, app.invitations, app.profiles, app.audit_log to service_role;

create policy "Members can read their organizations" on app.organizations
  for select to authenticated
  using (id in (select app.user_organization_ids()));
create policy "Owners can update their organizations" on app.organizations
  for update to authenticated
  using (id in (select app.user_organization_ids('{owner}')))
  with check (id in (select app.user_organization_ids('{owner}')));
create policy "Owners can delete their organizations" on app.organizations
  for delete to authenticated
  using (id in (select app.user_organization_ids('{owner}')));

create policy "Members can read the memberships of their organizations" on app.memberships
  for select to authenticated
  using (organization_id in (select app.user_organization_ids()));

create policy "Managers can read their organization's invitations" on app.invitations
  for select to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Users can read their own profile and their colleagues' profiles" on app.profiles
  for select to authenticated
  using (
    id = (select auth.uid())
    or id in (
      select m.user_id from app.memberships m
      where m.organization_id in (select app.user_organization_ids())
    )
  );
create policy "Users can create their own profile" on app.profiles
  for insert to authenticated
  with check (id = (select auth.uid()));
create policy "Users can update their own profile" on app.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create policy "Managers can read their organization's audit log" on app.audit_log
  for select to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')));

-- Public functions ----------------------------------------------------------------------------

create function public.create_organization(p_name text, p_default_currency text default 'EUR')
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := app.require_user();
  v_organization_id uuid;
begin
  if p_name is null or length(btrim(p_name)) not between 1 and 200 then
    raise exception using errcode = 'BQ001', message = 'organization name must be 1 to 200 characters',
      hint = 'Pass a non-empty p_name.';
  end if;
  if p_default_currency is null or upper(p_default_currency) !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = format('%L is not an ISO 4217 currency code', p_default_currency),
      hint = 'Use a three-letter code such as EUR, GBP or USD.';
  end if;
  insert into app.organizations (name, default_currency)
  values (btrim(p_name), upper(p_default_currency))
  returning id into v_organization_id;
  insert into app.memberships (organization_id, user_id, role) values (v_organization_id, v_user_id, 'owner');
  return v_organization_id;
end
$$;
comment on function public.create_organization(text, text) is
  'Creates an organization and makes the caller its owner; returns its id. Callable by any signed-in user.';
grant execute on function public.create_organization(text, text) to authenticated;

create function public.my_organizations()
returns table (organization_id uuid, name text, role text, default_currency text)
language sql
stable
set search_path = ''
as $$
  select o.id, o.name, m.role, o.default_currency
  from app.memberships m
  join app.organizations o on o.id = m.organization_id
  where m.user_id = (select auth.uid())
  order by o.name
$$;
comment on function public.my_organizations() is
  'Lists the organizations the caller belongs to, with the caller''s role in each. Callable by signed-in users.';
grant execute on function public.my_organizations() to authenticated;

create function public.list_members(p_organization_id uuid)
returns table (user_id uuid, email text, full_name text, role text, joined_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id);
  return query
    select m.user_id, u.email::text, p.full_name, m.role, m.created_at
    from app.memberships m
    join auth.users u on u.id = m.user_id
    left join app.profiles p on p.id = m.user_id
    where m.organization_id = p_organization_id
    order by m.created_at;
end
$$;
comment on function public.list_members(uuid) is
  'Lists an organization''s members with email, name and role. Definer to read auth.users; any member may call it.';
grant execute on function public.list_members(uuid) to authenticated;

create function public.invite_member(p_organization_id uuid, p_email text, p_role text default 'staff')
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := app.require_user();
  v_email text := lower(btrim(p_email));
  v_invitation_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_role is null or p_role not in ('owner', 'manager', 'staff') then
    raise exception using errcode = 'BQ001', message = format('%L is not a member role', p_role),
      hint = 'Use owner, manager or staff.';
  end if;
  if p_role in ('owner', 'manager') and not app.has_role(p_organization_id, '{owner}') then
    raise exception using errcode = '42501', message = 'only an owner can invite owners and managers',
      hint = 'Invite as staff, or ask an owner.';
  end if;
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = 'BQ001', message = format('%L is not an email address', p_email);
  end if;
  if exists (
    select 1 from app.memberships m join auth.users u on u.id = m.user_id
    where m.organization_id = p_organization_id and lower(u.email) = v_email
  ) then
    raise exception using errcode = 'BQ603', message = format('%s is already a member', v_email),
      hint = 'Change their role with set_member_role instead.';
  end if;
  insert into app.invitations (organization_id, email, role, invited_by)
  values (p_organization_id, v_email, p_role, v_user_id)
  returning id into v_invitation_id;
  perform bridge.enqueue('email.send', jsonb_build_object(
      'invitation_id', v_invitation_id,
      'to', v_email,
      'subject', format('You are invited to join %s on Banquet', (select o.name from app.organizations o where o.id = p_organization_id)),
      'text', format(e'You have been invited to join %s as %s.\n\nAccept with this invitation code: %s\n\nIt expires in 7 days.',
                     (select o.name from app.organizations o where o.id = p_organization_id), p_role,
                     (select i.token from app.invitations i where i.id = v_invitation_id))),
    p_organization_id, 'invitation:' || v_invitation_id);
  return v_invitation_id;
end
$$;
comment on function public.invite_member(uuid, text, text) is
  'Invites an email address into the organization with a role and emails the invitation code; returns the invitation id. Owners may invite any role, managers only staff.';
grant execute on function public.invite_member(uuid, text, text) to authenticated;

create function public.accept_invitation(p_token text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := app.require_user();
  v_invitation app.invitations;
begin
  select * into v_invitation from app.invitations i where i.token = p_token for update;
  if not found or v_invitation.accepted_at is not null or v_invitation.expires_at < now() then
    raise exception using errcode = 'BQ602', message = 'this invitation is invalid, already used or expired',
      hint = 'Ask the organization for a new invitation.';
  end if;
  if not exists (select 1 from auth.users u where u.id = v_user_id and lower(u.email) = v_invitation.email) then
    raise exception using errcode = '42501', message = 'this invitation was sent to a different email address',
      hint = 'Sign in with the invited email address.';
  end if;
  insert into app.memberships (organization_id, user_id, role)
  values (v_invitation.organization_id, v_user_id, v_invitation.role)
  on conflict (organization_id, user_id) do nothing;
  update app.invitations set accepted_at = now(), accepted_by = v_user_id where id = v_invitation.id;
  return v_invitation.organization_id;
end
$$;
comment on function public.accept_invitation(text) is
  'Accepts an invitation by token for the signed-in user whose email it was sent to; returns the organization id.';
grant execute on function public.accept_invitation(text) to authenticated;

create function public.set_member_role(p_organization_id uuid, p_user_id uuid, p_role text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform app.require_role(p_organization_id, '{owner}');
  if p_role is null or p_role not in ('owner', 'manager', 'staff') then
    raise exception using errcode = 'BQ001', message = format('%L is not a member role', p_role),
      hint = 'Use owner, manager or staff.';
  end if;
  update app.memberships set role = p_role
  where organization_id = p_organization_id and user_id = p_user_id;
  if not found then
    raise exception using errcode = 'BQ002', message = 'that user is not a member of the organization';
  end if;
end
$$;
comment on function public.set_member_role(uuid, uuid, text) is
  'Changes a member''s role. Owners only; demoting the last owner fails with BQ601.';
grant execute on function public.set_member_role(uuid, uuid, text) to authenticated;

create function public.remove_member(p_organization_id uuid, p_user_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Anyone may leave; removing someone else needs an owner.
  if p_user_id is distinct from (select auth.uid()) then
    perform app.require_role(p_organization_id, '{owner}');
  end if;
  delete from app.memberships where organization_id = p_organization_id and user_id = p_user_id;
  if not found then
    raise exception using errcode = 'BQ002', message = 'that user is not a member of the organization';
  end if;
end
$$;
comment on function public.remove_member(uuid, uuid) is
  'Removes a member (owners), or lets the caller leave. Removing the last owner fails with BQ601.';
grant execute on function public.remove_member(uuid, uuid) to authenticated;
