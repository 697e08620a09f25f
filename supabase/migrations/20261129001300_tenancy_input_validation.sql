-- Tenancy: organization names and invitation emails validated with the shared helpers
-- (20261129001000_input_validation.sql): a name within the name limit (BQ004 when longer), an
-- invitation email checked by app.is_email (BQ106, the code every other email uses). Each function
-- is redefined in full.

-- Public functions ----------------------------------------------------------------------------

-- Creates an organization owned by the caller.
create or replace function public.create_organization(p_name text, p_default_currency text default 'EUR')
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := app.require_user();
  v_organization_id uuid;
begin
  perform app.require_text(p_name, 'p_name', 'name');
  if p_default_currency is null or upper(p_default_currency) !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = format('p_default_currency: %L is not an ISO 4217 currency code', left(p_default_currency, 20)),
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

-- Invites an email address; BQ106 for a malformed one, BQ603 when already a member.
create or replace function public.invite_member(p_organization_id uuid, p_email text, p_role text default 'staff')
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := app.require_user();
  v_email text := app.normalize_email(p_email);
  v_invitation_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_role is null or p_role not in ('owner', 'manager', 'staff') then
    raise exception using errcode = 'BQ001', message = format('p_role: %L is not a member role', left(p_role, 100)),
      hint = 'Use owner, manager or staff.';
  end if;
  if p_role in ('owner', 'manager') and not app.has_role(p_organization_id, '{owner}') then
    raise exception using errcode = '42501', message = 'only an owner can invite owners and managers',
      hint = 'Invite as staff, or ask an owner.';
  end if;
  perform app.require_email(p_email, 'p_email', true);
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
  'Invites an email address into the organization with a role and emails the invitation code; returns the invitation id. Owners may invite any role, managers only staff. BQ106 for a malformed email.';
grant execute on function public.invite_member(uuid, text, text) to authenticated;
