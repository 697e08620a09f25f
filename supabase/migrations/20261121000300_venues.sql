-- Venues: what an organization sells. A venue (with its own time zone, currency, service charge
-- and tax) has spaces (rooms with guest limits, a room fee and a food-and-beverage minimum),
-- menus with items, packages, and uploaded documents (brochures, logos, images) kept in storage
-- buckets. Uploading a brochure enqueues menu extraction for the daemon.
--
-- Money is integer minor units (cents) plus an ISO 4217 code; rates are basis points (100 = 1%).
-- Error codes: 42501 role missing, BQ001 invalid argument, BQ002 not found.

-- Tables --------------------------------------------------------------------------------------

create function app.is_time_zone(p_name text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  -- The time zone database only changes with a server upgrade, so immutable is honest enough here.
  perform now() at time zone p_name;
  return p_name is not null;
exception when invalid_parameter_value then
  return false;
end
$$;
comment on function app.is_time_zone(text) is 'True when p_name is an IANA time zone PostgreSQL knows (Europe/London, America/New_York, …).';
grant execute on function app.is_time_zone(text) to anon, authenticated, service_role;

create table app.venues (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  timezone text not null default 'UTC' check (app.is_time_zone(timezone)),
  currency text not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
  notification_email text check (notification_email like '%_@_%'),
  service_charge_bps integer not null default 0 check (service_charge_bps between 0 and 10000),
  tax_bps integer not null default 0 check (tax_bps between 0 and 10000),
  deposit_bps integer not null default 3000 check (deposit_bps between 0 and 10000),
  -- When true, every new inquiry also enqueues an AI proposal draft.
  auto_draft_proposals boolean not null default false,
  address text,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  unique (organization_id, id)
);
comment on table app.venues is 'A restaurant or event venue. Dates of inquiries are judged in its time zone.';

create table app.spaces (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid not null,
  name text not null check (length(btrim(name)) between 1 and 200),
  min_guests integer not null default 1 check (min_guests >= 1),
  max_guests integer not null check (max_guests >= 1),
  room_fee_minor bigint not null default 0 check (room_fee_minor >= 0),
  fnb_minimum_minor bigint not null default 0 check (fnb_minimum_minor >= 0),
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  check (min_guests <= max_guests),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade
);
create index spaces_organization_id_venue_id_idx on app.spaces (organization_id, venue_id);
create index spaces_venue_id_idx on app.spaces (venue_id);
comment on table app.spaces is 'A bookable room or area of a venue with guest limits, room fee and food-and-beverage minimum.';

create table app.menus (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid not null,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade
);
create index menus_organization_id_venue_id_idx on app.menus (organization_id, venue_id);
comment on table app.menus is 'A venue''s menu (set menu, canapés, drinks list, …).';

create table app.menu_items (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  menu_id uuid not null,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text,
  course text,
  price_minor bigint not null check (price_minor >= 0),
  unit text not null default 'per_person' check (unit in ('per_person', 'per_item', 'flat')),
  dietary text[] not null default '{}',
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  foreign key (organization_id, menu_id) references app.menus (organization_id, id) on delete cascade
);
create index menu_items_organization_id_menu_id_idx on app.menu_items (organization_id, menu_id);
comment on table app.menu_items is 'A dish or drink on a menu, priced per person, per item or flat, in the venue''s currency.';

create table app.packages (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  venue_id uuid not null,
  menu_id uuid,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text,
  price_per_guest_minor bigint not null check (price_per_guest_minor >= 0),
  min_guests integer not null default 1 check (min_guests >= 1),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade,
  foreign key (organization_id, menu_id) references app.menus (organization_id, id) on delete cascade
);
create index packages_organization_id_venue_id_idx on app.packages (organization_id, venue_id);
create index packages_organization_id_menu_id_idx on app.packages (organization_id, menu_id);
comment on table app.packages is 'A priced-per-guest bundle (e.g. "Three courses with wine pairing") a proposal can include.';

create table app.documents (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  venue_id uuid,
  kind text not null check (kind in ('brochure', 'logo', 'image')),
  bucket_id text not null check (bucket_id in ('venue-brochures', 'logos', 'venue-images')),
  object_path text not null,
  file_name text,
  mime_type text,
  uploaded_by uuid references auth.users (id) on delete set null,
  extraction_status text not null default 'none' check (extraction_status in ('none', 'pending', 'done', 'failed')),
  extracted_menu_id uuid references app.menus (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (bucket_id, object_path),
  -- The first path segment is the organization id, so storage policies can check tenancy.
  check (split_part(object_path, '/', 1) = organization_id::text),
  foreign key (organization_id, venue_id) references app.venues (organization_id, id) on delete cascade
);
create index documents_organization_id_venue_id_idx on app.documents (organization_id, venue_id);
create index documents_uploaded_by_idx on app.documents (uploaded_by);
create index documents_extracted_menu_id_idx on app.documents (extracted_menu_id);
comment on table app.documents is 'An uploaded file (brochure, logo, image) stored at <organization_id>/… in its storage bucket.';

-- Storage -------------------------------------------------------------------------------------

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values
  ('venue-images', 'venue-images', true, 10485760, '{image/jpeg,image/png,image/webp}'),
  ('logos', 'logos', true, 2097152, '{image/png,image/svg+xml,image/jpeg,image/webp}'),
  ('venue-brochures', 'venue-brochures', false, 26214400, '{application/pdf}')
on conflict (id) do nothing;

create policy "Members can read their organization's files" on storage.objects
  for select to authenticated
  using (
    bucket_id in ('venue-images', 'logos', 'venue-brochures')
    and (storage.foldername(name))[1] in (select o::text from app.user_organization_ids() o)
  );
create policy "Managers can upload their organization's files" on storage.objects
  for insert to authenticated
  with check (
    bucket_id in ('venue-images', 'logos', 'venue-brochures')
    and (storage.foldername(name))[1] in (select o::text from app.user_organization_ids('{owner,manager}') o)
  );
create policy "Managers can delete their organization's files" on storage.objects
  for delete to authenticated
  using (
    bucket_id in ('venue-images', 'logos', 'venue-brochures')
    and (storage.foldername(name))[1] in (select o::text from app.user_organization_ids('{owner,manager}') o)
  );

-- Triggers ------------------------------------------------------------------------------------

create function app.tg_documents__enqueue_menu_extraction()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update app.documents set extraction_status = 'pending' where id = new.id;
  perform bridge.enqueue(
    'menu.extract',
    jsonb_build_object(
      'document_id', new.id,
      'venue_id', new.venue_id,
      'bucket', new.bucket_id,
      'path', new.object_path,
      'mime_type', new.mime_type
    ),
    new.organization_id,
    'menu.extract:' || new.id
  );
  return null;
end
$$;
comment on function app.tg_documents__enqueue_menu_extraction() is 'Rule: an uploaded brochure enqueues menu extraction (menu.extract) for the daemon.';

create trigger _500_enqueue_menu_extraction
  after insert on app.documents
  for each row when (new.kind = 'brochure' and new.venue_id is not null)
  execute function app.tg_documents__enqueue_menu_extraction();

create trigger _900_audit
  after insert or update or delete on app.venues
  for each row execute function app.tg_audit__record();

-- RLS policies --------------------------------------------------------------------------------

alter table app.venues enable row level security;
alter table app.spaces enable row level security;
alter table app.menus enable row level security;
alter table app.menu_items enable row level security;
alter table app.packages enable row level security;
alter table app.documents enable row level security;

grant select, insert, update, delete on app.venues, app.spaces, app.menus, app.menu_items, app.packages, app.documents to authenticated;
grant all on app.venues, app.spaces, app.menus, app.menu_items, app.packages, app.documents to service_role;

create policy "Members can read their organization's venues" on app.venues
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create venues" on app.venues
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update venues" on app.venues
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Owners can delete venues" on app.venues
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner}')));

create policy "Members can read their organization's spaces" on app.spaces
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create spaces" on app.spaces
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update spaces" on app.spaces
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete spaces" on app.spaces
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's menus" on app.menus
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create menus" on app.menus
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update menus" on app.menus
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete menus" on app.menus
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's menu items" on app.menu_items
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create menu items" on app.menu_items
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update menu items" on app.menu_items
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete menu items" on app.menu_items
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's packages" on app.packages
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can create packages" on app.packages
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update packages" on app.packages
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete packages" on app.packages
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

create policy "Members can read their organization's documents" on app.documents
  for select to authenticated using (organization_id in (select app.user_organization_ids()));
create policy "Managers can register documents" on app.documents
  for insert to authenticated with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can update documents" on app.documents
  for update to authenticated
  using (organization_id in (select app.user_organization_ids('{owner,manager}')))
  with check (organization_id in (select app.user_organization_ids('{owner,manager}')));
create policy "Managers can delete documents" on app.documents
  for delete to authenticated using (organization_id in (select app.user_organization_ids('{owner,manager}')));

-- Public functions ----------------------------------------------------------------------------
-- These run as the caller: RLS decides what exists for them, app.require_role makes a missing
-- role an explicit 42501 rather than a silent no-op.

create function app.venue_organization_id(p_venue_id uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select v.organization_id into v_organization_id from app.venues v where v.id = p_venue_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('venue %s not found', p_venue_id),
      hint = 'Check the id; you only see venues of organizations you belong to.';
  end if;
  return v_organization_id;
end
$$;
comment on function app.venue_organization_id(uuid) is 'The organization of a venue visible to the caller, or BQ002.';
grant execute on function app.venue_organization_id(uuid) to authenticated, service_role;

create function public.create_venue(
  p_organization_id uuid,
  p_name text,
  p_timezone text default 'UTC',
  p_currency text default null,
  p_notification_email text default null,
  p_service_charge_bps integer default 0,
  p_tax_bps integer default 0,
  p_auto_draft_proposals boolean default false
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_venue_id uuid;
begin
  perform app.require_role(p_organization_id, '{owner,manager}');
  if p_name is null or length(btrim(p_name)) not between 1 and 200 then
    raise exception using errcode = 'BQ001', message = 'venue name must be 1 to 200 characters';
  end if;
  if not app.is_time_zone(p_timezone) then
    raise exception using errcode = 'BQ001', message = format('%L is not a time zone', p_timezone),
      hint = 'Use an IANA name such as Europe/London or America/New_York.';
  end if;
  if p_currency is not null and upper(p_currency) !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = format('%L is not an ISO 4217 currency code', p_currency);
  end if;
  if p_service_charge_bps not between 0 and 10000 or p_tax_bps not between 0 and 10000 then
    raise exception using errcode = 'BQ001', message = 'service charge and tax are basis points between 0 and 10000',
      hint = '1250 means 12.5%.';
  end if;
  insert into app.venues (organization_id, name, timezone, currency, notification_email, service_charge_bps, tax_bps, auto_draft_proposals)
  values (
    p_organization_id, btrim(p_name), p_timezone,
    coalesce(upper(p_currency), (select o.default_currency from app.organizations o where o.id = p_organization_id)),
    lower(btrim(p_notification_email)), p_service_charge_bps, p_tax_bps, p_auto_draft_proposals
  )
  returning id into v_venue_id;
  return v_venue_id;
end
$$;
comment on function public.create_venue(uuid, text, text, text, text, integer, integer, boolean) is
  'Creates a venue in an organization; currency defaults to the organization''s. Owners and managers.';
grant execute on function public.create_venue(uuid, text, text, text, text, integer, integer, boolean) to authenticated;

create function public.update_venue(
  p_venue_id uuid,
  p_name text default null,
  p_timezone text default null,
  p_notification_email text default null,
  p_service_charge_bps integer default null,
  p_tax_bps integer default null,
  p_auto_draft_proposals boolean default null
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.venue_organization_id(p_venue_id), '{owner,manager}');
  if p_timezone is not null and not app.is_time_zone(p_timezone) then
    raise exception using errcode = 'BQ001', message = format('%L is not a time zone', p_timezone),
      hint = 'Use an IANA name such as Europe/London or America/New_York.';
  end if;
  if p_name is not null and length(btrim(p_name)) not between 1 and 200 then
    raise exception using errcode = 'BQ001', message = 'venue name must be 1 to 200 characters';
  end if;
  if coalesce(p_service_charge_bps, 0) not between 0 and 10000 or coalesce(p_tax_bps, 0) not between 0 and 10000 then
    raise exception using errcode = 'BQ001', message = 'service charge and tax are basis points between 0 and 10000';
  end if;
  update app.venues set
    name = coalesce(btrim(p_name), name),
    timezone = coalesce(p_timezone, timezone),
    notification_email = coalesce(lower(btrim(p_notification_email)), notification_email),
    service_charge_bps = coalesce(p_service_charge_bps, service_charge_bps),
    tax_bps = coalesce(p_tax_bps, tax_bps),
    auto_draft_proposals = coalesce(p_auto_draft_proposals, auto_draft_proposals)
  where id = p_venue_id;
end
$$;
comment on function public.update_venue(uuid, text, text, text, integer, integer, boolean) is
  'Updates a venue; null arguments leave a field unchanged. Owners and managers.';
grant execute on function public.update_venue(uuid, text, text, text, integer, integer, boolean) to authenticated;

create function public.list_venues(p_organization_id uuid)
returns setof app.venues
language sql
stable
set search_path = ''
as $$
  select v.* from app.venues v
  where v.organization_id = p_organization_id and v.archived_at is null
  order by v.name
$$;
comment on function public.list_venues(uuid) is 'Lists an organization''s active venues (empty for non-members). Any member.';
grant execute on function public.list_venues(uuid) to authenticated;

create function public.archive_venue(p_venue_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform app.require_role(app.venue_organization_id(p_venue_id), '{owner}');
  update app.venues set archived_at = coalesce(archived_at, now()) where id = p_venue_id;
end
$$;
comment on function public.archive_venue(uuid) is 'Archives a venue (hidden from lists and the public form; history kept). Owners only.';
grant execute on function public.archive_venue(uuid) to authenticated;

create function public.save_space(
  p_venue_id uuid,
  p_name text,
  p_max_guests integer,
  p_min_guests integer default 1,
  p_room_fee_minor bigint default 0,
  p_fnb_minimum_minor bigint default 0,
  p_space_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.venue_organization_id(p_venue_id);
  v_space_id uuid;
begin
  perform app.require_role(v_organization_id, '{owner,manager}');
  if p_name is null or length(btrim(p_name)) = 0 then
    raise exception using errcode = 'BQ001', message = 'space name is required';
  end if;
  if p_min_guests is null or p_max_guests is null or p_min_guests < 1 or p_max_guests < p_min_guests then
    raise exception using errcode = 'BQ001', message = 'guest limits need 1 <= min_guests <= max_guests',
      hint = format('Got min %s, max %s.', p_min_guests, p_max_guests);
  end if;
  if coalesce(p_room_fee_minor, -1) < 0 or coalesce(p_fnb_minimum_minor, -1) < 0 then
    raise exception using errcode = 'BQ001', message = 'room fee and F&B minimum are non-negative minor units';
  end if;
  if p_space_id is null then
    insert into app.spaces (organization_id, venue_id, name, min_guests, max_guests, room_fee_minor, fnb_minimum_minor)
    values (v_organization_id, p_venue_id, btrim(p_name), p_min_guests, p_max_guests, p_room_fee_minor, p_fnb_minimum_minor)
    returning id into v_space_id;
  else
    update app.spaces set name = btrim(p_name), min_guests = p_min_guests, max_guests = p_max_guests,
      room_fee_minor = p_room_fee_minor, fnb_minimum_minor = p_fnb_minimum_minor
    where id = p_space_id and venue_id = p_venue_id
    returning id into v_space_id;
    if v_space_id is null then
      raise exception using errcode = 'BQ002', message = format('space %s not found in that venue', p_space_id);
    end if;
  end if;
  return v_space_id;
end
$$;
comment on function public.save_space(uuid, text, integer, integer, bigint, bigint, uuid) is
  'Creates a space in a venue, or updates it when p_space_id is given; returns its id. Owners and managers.';
grant execute on function public.save_space(uuid, text, integer, integer, bigint, bigint, uuid) to authenticated;

create function public.delete_space(p_space_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select s.organization_id into v_organization_id from app.spaces s where s.id = p_space_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('space %s not found', p_space_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.spaces where id = p_space_id;
end
$$;
comment on function public.delete_space(uuid) is 'Deletes a space (fails if bookings reference it). Owners and managers.';
grant execute on function public.delete_space(uuid) to authenticated;

create function public.save_menu(p_venue_id uuid, p_name text, p_description text default null, p_menu_id uuid default null)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.venue_organization_id(p_venue_id);
  v_menu_id uuid;
begin
  perform app.require_role(v_organization_id, '{owner,manager}');
  if p_name is null or length(btrim(p_name)) = 0 then
    raise exception using errcode = 'BQ001', message = 'menu name is required';
  end if;
  if p_menu_id is null then
    insert into app.menus (organization_id, venue_id, name, description)
    values (v_organization_id, p_venue_id, btrim(p_name), p_description)
    returning id into v_menu_id;
  else
    update app.menus set name = btrim(p_name), description = p_description
    where id = p_menu_id and venue_id = p_venue_id
    returning id into v_menu_id;
    if v_menu_id is null then
      raise exception using errcode = 'BQ002', message = format('menu %s not found in that venue', p_menu_id);
    end if;
  end if;
  return v_menu_id;
end
$$;
comment on function public.save_menu(uuid, text, text, uuid) is
  'Creates a menu for a venue, or renames it when p_menu_id is given; returns its id. Owners and managers.';
grant execute on function public.save_menu(uuid, text, text, uuid) to authenticated;

create function public.delete_menu(p_menu_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select m.organization_id into v_organization_id from app.menus m where m.id = p_menu_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('menu %s not found', p_menu_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.menus where id = p_menu_id;
end
$$;
comment on function public.delete_menu(uuid) is 'Deletes a menu with its items and packages. Owners and managers.';
grant execute on function public.delete_menu(uuid) to authenticated;

create function public.save_menu_item(
  p_menu_id uuid,
  p_name text,
  p_price_minor bigint,
  p_unit text default 'per_person',
  p_course text default null,
  p_description text default null,
  p_dietary text[] default '{}',
  p_menu_item_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
  v_item_id uuid;
begin
  select m.organization_id into v_organization_id from app.menus m where m.id = p_menu_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('menu %s not found', p_menu_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  if p_name is null or length(btrim(p_name)) = 0 then
    raise exception using errcode = 'BQ001', message = 'menu item name is required';
  end if;
  if p_price_minor is null or p_price_minor < 0 then
    raise exception using errcode = 'BQ001', message = 'price must be non-negative minor units',
      hint = 'EUR 12.50 is 1250.';
  end if;
  if p_unit is null or p_unit not in ('per_person', 'per_item', 'flat') then
    raise exception using errcode = 'BQ001', message = format('%L is not a price unit', p_unit),
      hint = 'Use per_person, per_item or flat.';
  end if;
  if p_menu_item_id is null then
    insert into app.menu_items (organization_id, menu_id, name, price_minor, unit, course, description, dietary)
    values (v_organization_id, p_menu_id, btrim(p_name), p_price_minor, p_unit, p_course, p_description, coalesce(p_dietary, '{}'))
    returning id into v_item_id;
  else
    update app.menu_items set name = btrim(p_name), price_minor = p_price_minor, unit = p_unit, course = p_course,
      description = p_description, dietary = coalesce(p_dietary, '{}')
    where id = p_menu_item_id and menu_id = p_menu_id
    returning id into v_item_id;
    if v_item_id is null then
      raise exception using errcode = 'BQ002', message = format('menu item %s not found on that menu', p_menu_item_id);
    end if;
  end if;
  return v_item_id;
end
$$;
comment on function public.save_menu_item(uuid, text, bigint, text, text, text, text[], uuid) is
  'Creates a menu item, or updates it when p_menu_item_id is given; returns its id. Owners and managers.';
grant execute on function public.save_menu_item(uuid, text, bigint, text, text, text, text[], uuid) to authenticated;

create function public.delete_menu_item(p_menu_item_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select i.organization_id into v_organization_id from app.menu_items i where i.id = p_menu_item_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('menu item %s not found', p_menu_item_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.menu_items where id = p_menu_item_id;
end
$$;
comment on function public.delete_menu_item(uuid) is 'Deletes a menu item. Owners and managers.';
grant execute on function public.delete_menu_item(uuid) to authenticated;

create function public.save_package(
  p_venue_id uuid,
  p_name text,
  p_price_per_guest_minor bigint,
  p_min_guests integer default 1,
  p_menu_id uuid default null,
  p_description text default null,
  p_package_id uuid default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.venue_organization_id(p_venue_id);
  v_package_id uuid;
begin
  perform app.require_role(v_organization_id, '{owner,manager}');
  if p_name is null or length(btrim(p_name)) = 0 then
    raise exception using errcode = 'BQ001', message = 'package name is required';
  end if;
  if p_price_per_guest_minor is null or p_price_per_guest_minor < 0 or coalesce(p_min_guests, 0) < 1 then
    raise exception using errcode = 'BQ001', message = 'a package needs a non-negative price per guest and min_guests >= 1';
  end if;
  if p_package_id is null then
    insert into app.packages (organization_id, venue_id, name, price_per_guest_minor, min_guests, menu_id, description)
    values (v_organization_id, p_venue_id, btrim(p_name), p_price_per_guest_minor, p_min_guests, p_menu_id, p_description)
    returning id into v_package_id;
  else
    update app.packages set name = btrim(p_name), price_per_guest_minor = p_price_per_guest_minor,
      min_guests = p_min_guests, menu_id = p_menu_id, description = p_description
    where id = p_package_id and venue_id = p_venue_id
    returning id into v_package_id;
    if v_package_id is null then
      raise exception using errcode = 'BQ002', message = format('package %s not found in that venue', p_package_id);
    end if;
  end if;
  return v_package_id;
end
$$;
comment on function public.save_package(uuid, text, bigint, integer, uuid, text, uuid) is
  'Creates a package for a venue, or updates it when p_package_id is given; returns its id. Owners and managers.';
grant execute on function public.save_package(uuid, text, bigint, integer, uuid, text, uuid) to authenticated;

create function public.delete_package(p_package_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select p.organization_id into v_organization_id from app.packages p where p.id = p_package_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('package %s not found', p_package_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.packages where id = p_package_id;
end
$$;
comment on function public.delete_package(uuid) is 'Deletes a package. Owners and managers.';
grant execute on function public.delete_package(uuid) to authenticated;

create function public.register_document(
  p_venue_id uuid,
  p_kind text,
  p_object_path text,
  p_file_name text default null,
  p_mime_type text default null
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.venue_organization_id(p_venue_id);
  v_document_id uuid;
begin
  perform app.require_role(v_organization_id, '{owner,manager}');
  if p_kind is null or p_kind not in ('brochure', 'logo', 'image') then
    raise exception using errcode = 'BQ001', message = format('%L is not a document kind', p_kind),
      hint = 'Use brochure, logo or image.';
  end if;
  if p_object_path is null or split_part(p_object_path, '/', 1) <> v_organization_id::text then
    raise exception using errcode = 'BQ001', message = 'the object path must start with the organization id',
      hint = format('Upload to %s/<venue>/<file>.', v_organization_id);
  end if;
  insert into app.documents (organization_id, venue_id, kind, bucket_id, object_path, file_name, mime_type, uploaded_by)
  values (
    v_organization_id, p_venue_id, p_kind,
    case p_kind when 'brochure' then 'venue-brochures' when 'logo' then 'logos' else 'venue-images' end,
    p_object_path, p_file_name, p_mime_type, (select auth.uid())
  )
  returning id into v_document_id;
  return v_document_id;
end
$$;
comment on function public.register_document(uuid, text, text, text, text) is
  'Records an uploaded file (after the storage upload); a brochure enqueues menu extraction. Owners and managers.';
grant execute on function public.register_document(uuid, text, text, text, text) to authenticated;

create function public.delete_document(p_document_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
begin
  select d.organization_id into v_organization_id from app.documents d where d.id = p_document_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('document %s not found', p_document_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  delete from app.documents where id = p_document_id;
end
$$;
comment on function public.delete_document(uuid) is 'Deletes a document record (the storage object is removed by the client). Owners and managers.';
grant execute on function public.delete_document(uuid) to authenticated;

create function public.get_venue_catalog(p_venue_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  select to_jsonb(v) || jsonb_build_object(
    'spaces', coalesce((select jsonb_agg(to_jsonb(s) order by s.name) from app.spaces s where s.venue_id = v.id), '[]'),
    'menus', coalesce((
      select jsonb_agg(to_jsonb(m) || jsonb_build_object('items', coalesce((
        select jsonb_agg(to_jsonb(i) order by i.sort_order, i.name) from app.menu_items i
        where i.organization_id = m.organization_id and i.menu_id = m.id), '[]')) order by m.name)
      from app.menus m where m.organization_id = v.organization_id and m.venue_id = v.id), '[]'),
    'packages', coalesce((select jsonb_agg(to_jsonb(p) order by p.name) from app.packages p where p.organization_id = v.organization_id and p.venue_id = v.id), '[]'),
    'documents', coalesce((select jsonb_agg(to_jsonb(d) order by d.created_at) from app.documents d where d.organization_id = v.organization_id and d.venue_id = v.id), '[]')
  )
  into v_result
  from app.venues v
  where v.id = p_venue_id;
  if v_result is null then
    raise exception using errcode = 'BQ002', message = format('venue %s not found', p_venue_id),
      hint = 'Check the id; you only see venues of organizations you belong to.';
  end if;
  return v_result;
end
$$;
comment on function public.get_venue_catalog(uuid) is
  'A venue with its spaces, menus (with items), packages and documents, as one JSON document for the venue page. Any member.';
grant execute on function public.get_venue_catalog(uuid) to authenticated;

-- Daemon write-backs --------------------------------------------------------------------------

create function public.save_menu_extraction(p_document_id uuid, p_menu jsonb)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_document app.documents;
  v_menu_id uuid;
begin
  select * into v_document from app.documents d where d.id = p_document_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('document %s not found', p_document_id);
  end if;
  if p_menu is null or jsonb_typeof(p_menu -> 'items') is distinct from 'array' then
    raise exception using errcode = 'BQ001', message = 'the extraction must be {"name": …, "items": [{"name", "price_minor", …}]}';
  end if;
  insert into app.menus (organization_id, venue_id, name, description, active)
  values (v_document.organization_id, v_document.venue_id,
          coalesce(nullif(btrim(p_menu ->> 'name'), ''), coalesce(v_document.file_name, 'Extracted menu')),
          'Extracted from ' || coalesce(v_document.file_name, v_document.object_path), false)
  returning id into v_menu_id;
  insert into app.menu_items (organization_id, menu_id, name, description, course, price_minor, unit, sort_order)
  select v_document.organization_id, v_menu_id, btrim(i ->> 'name'), i ->> 'description', i ->> 'course',
         greatest(coalesce((i ->> 'price_minor')::bigint, 0), 0),
         case when i ->> 'unit' in ('per_person', 'per_item', 'flat') then i ->> 'unit' else 'per_person' end,
         n::integer
  from jsonb_array_elements(p_menu -> 'items') with ordinality as e (i, n)
  where length(btrim(coalesce(i ->> 'name', ''))) > 0;
  update app.documents set extraction_status = 'done', extracted_menu_id = v_menu_id where id = p_document_id;
  return v_menu_id;
end
$$;
comment on function public.save_menu_extraction(uuid, jsonb) is
  'Daemon write-back for menu.extract: stores the extracted menu (inactive until a manager reviews it) and marks the document done. Service role only.';
grant execute on function public.save_menu_extraction(uuid, jsonb) to service_role;

create function app.menu_extract_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public.save_menu_extraction((p_payload ->> 'document_id')::uuid, p_result);
end
$$;
comment on function app.menu_extract_writeback(bigint, jsonb, jsonb) is 'Bridge write-back for menu.extract (called by bridge.complete).';
grant execute on function app.menu_extract_writeback(bigint, jsonb, jsonb) to service_role;

create function app.menu_extract_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language sql
security definer
set search_path = ''
as $$
  update app.documents set extraction_status = 'failed' where id = (p_payload ->> 'document_id')::uuid
$$;
comment on function app.menu_extract_failed(bigint, jsonb, text) is 'Bridge on-failure handler for menu.extract: marks the document failed.';
grant execute on function app.menu_extract_failed(bigint, jsonb, text) to service_role;

select bridge.register_kind(
  'menu.extract', 'documents',
  'app.menu_extract_writeback(bigint, jsonb, jsonb)'::regprocedure,
  'app.menu_extract_failed(bigint, jsonb, text)'::regprocedure,
  3, 120, 2
);
