-- Venues: every RPC that writes venues, spaces, menus, items, packages and documents validates its
-- input with the shared helpers (20261129001000_input_validation.sql) before writing: names and
-- texts within their kind's length, money within app.money_limit(), guest counts within 1 .. 10,000,
-- basis points within 0 .. 10000, emails through app.is_email, a menu of another venue or tenant
-- answered as not found (BQ002), a space still used by bookings or proposals refused with BQ007
-- instead of a raw foreign-key error, and a second document at the same storage path refused with
-- BQ008 instead of a raw unique-key error. Each function is redefined in full.

-- Public functions ----------------------------------------------------------------------------

-- Creates a venue; bad input raises BQ001/BQ004/BQ005/BQ106 before the insert.
create or replace function public.create_venue(
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
  perform app.require_text(p_name, 'p_name', 'name');
  if p_timezone is null or not app.is_time_zone(p_timezone) then
    raise exception using errcode = 'BQ001', message = format('p_timezone: %L is not a time zone', left(p_timezone, 100)),
      hint = 'Use an IANA name such as Europe/London or America/New_York.';
  end if;
  if p_currency is not null and upper(p_currency) !~ '^[A-Z]{3}$' then
    raise exception using errcode = 'BQ001', message = format('p_currency: %L is not an ISO 4217 currency code', left(p_currency, 20));
  end if;
  perform app.require_email(p_notification_email, 'p_notification_email');
  perform app.require_count(p_service_charge_bps, 'p_service_charge_bps (basis points)', 0, 10000);
  perform app.require_count(p_tax_bps, 'p_tax_bps (basis points)', 0, 10000);
  if p_auto_draft_proposals is null then
    raise exception using errcode = 'BQ001', message = 'p_auto_draft_proposals is required (true or false)';
  end if;
  insert into app.venues (organization_id, name, timezone, currency, notification_email, service_charge_bps, tax_bps, auto_draft_proposals)
  values (
    p_organization_id, btrim(p_name), p_timezone,
    coalesce(upper(p_currency), (select o.default_currency from app.organizations o where o.id = p_organization_id)),
    app.normalize_email(p_notification_email), p_service_charge_bps, p_tax_bps, p_auto_draft_proposals
  )
  returning id into v_venue_id;
  return v_venue_id;
end
$$;
comment on function public.create_venue(uuid, text, text, text, text, integer, integer, boolean) is
  'Creates a venue in an organization; currency defaults to the organization''s. Owners and managers.';
grant execute on function public.create_venue(uuid, text, text, text, text, integer, integer, boolean) to authenticated;

-- Updates a venue; null leaves a field, a blank notification email clears it.
create or replace function public.update_venue(
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
    raise exception using errcode = 'BQ001', message = format('p_timezone: %L is not a time zone', left(p_timezone, 100)),
      hint = 'Use an IANA name such as Europe/London or America/New_York.';
  end if;
  perform app.require_text(p_name, 'p_name', 'name', p_name is not null);
  perform app.require_email(p_notification_email, 'p_notification_email');
  perform app.require_count(p_service_charge_bps, 'p_service_charge_bps (basis points)', 0, 10000, false);
  perform app.require_count(p_tax_bps, 'p_tax_bps (basis points)', 0, 10000, false);
  update app.venues set
    name = coalesce(btrim(p_name), name),
    timezone = coalesce(p_timezone, timezone),
    notification_email = case when p_notification_email is null then notification_email
                              else app.normalize_email(p_notification_email) end,
    service_charge_bps = coalesce(p_service_charge_bps, service_charge_bps),
    tax_bps = coalesce(p_tax_bps, tax_bps),
    auto_draft_proposals = coalesce(p_auto_draft_proposals, auto_draft_proposals)
  where id = p_venue_id;
end
$$;
comment on function public.update_venue(uuid, text, text, text, integer, integer, boolean) is
  'Updates a venue; null arguments leave a field unchanged (a blank notification email removes it). Owners and managers.';
grant execute on function public.update_venue(uuid, text, text, text, integer, integer, boolean) to authenticated;

-- Creates or updates a space; guest limits 1 .. 10,000, fees within the money limit.
create or replace function public.save_space(
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
  perform app.require_text(p_name, 'p_name', 'name');
  perform app.require_count(p_min_guests, 'p_min_guests');
  perform app.require_count(p_max_guests, 'p_max_guests');
  if p_max_guests < p_min_guests then
    raise exception using errcode = 'BQ001', message = 'guest limits need p_min_guests <= p_max_guests',
      hint = format('Got min %s, max %s.', p_min_guests, p_max_guests);
  end if;
  perform app.require_money(p_room_fee_minor, 'p_room_fee_minor');
  perform app.require_money(p_fnb_minimum_minor, 'p_fnb_minimum_minor');
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

-- Deletes a space no booking or proposal uses (BQ007 names what still does).
create or replace function public.delete_space(p_space_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid;
  v_bookings bigint;
  v_proposals bigint;
begin
  select s.organization_id into v_organization_id from app.spaces s where s.id = p_space_id;
  if v_organization_id is null then
    raise exception using errcode = 'BQ002', message = format('space %s not found', p_space_id);
  end if;
  perform app.require_role(v_organization_id, '{owner,manager}');
  select count(*) into v_bookings from app.bookings b where b.organization_id = v_organization_id and b.space_id = p_space_id;
  select count(*) into v_proposals from app.proposals p where p.organization_id = v_organization_id and p.space_id = p_space_id;
  if v_bookings > 0 or v_proposals > 0 then
    raise exception using errcode = 'BQ007',
      message = format('space %s is still used by %s booking(s) and %s proposal(s)', p_space_id, v_bookings, v_proposals),
      hint = 'Bookings and proposals keep their space for the record; rename the space instead of deleting it.';
  end if;
  delete from app.spaces where id = p_space_id;
end
$$;
comment on function public.delete_space(uuid) is
  'Deletes a space; BQ007 (naming the bookings and proposals) while any booking or proposal uses it. Owners and managers.';
grant execute on function public.delete_space(uuid) to authenticated;

-- Creates a menu or renames it.
create or replace function public.save_menu(p_venue_id uuid, p_name text, p_description text default null, p_menu_id uuid default null)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_organization_id uuid := app.venue_organization_id(p_venue_id);
  v_menu_id uuid;
begin
  perform app.require_role(v_organization_id, '{owner,manager}');
  perform app.require_text(p_name, 'p_name', 'name');
  perform app.require_text(p_description, 'p_description', 'text', false);
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

-- Creates or updates a menu item; price within the money limit, at most 20 dietary tags.
create or replace function public.save_menu_item(
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
  perform app.require_text(p_name, 'p_name', 'name');
  perform app.require_money(p_price_minor, 'p_price_minor');
  if p_unit is null or p_unit not in ('per_person', 'per_item', 'flat') then
    raise exception using errcode = 'BQ001', message = format('p_unit: %L is not a price unit', left(p_unit, 100)),
      hint = 'Use per_person, per_item or flat.';
  end if;
  perform app.require_text(p_course, 'p_course', 'label', false);
  perform app.require_text(p_description, 'p_description', 'text', false);
  perform app.require_texts(p_dietary, 'p_dietary', 'label', 20);
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

-- Creates or updates a package; its menu must be one of the same venue (BQ002 otherwise).
create or replace function public.save_package(
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
  perform app.require_text(p_name, 'p_name', 'name');
  perform app.require_money(p_price_per_guest_minor, 'p_price_per_guest_minor');
  perform app.require_count(p_min_guests, 'p_min_guests');
  perform app.require_text(p_description, 'p_description', 'text', false);
  if p_menu_id is not null
     and not exists (select 1 from app.menus m where m.id = p_menu_id and m.venue_id = p_venue_id) then
    raise exception using errcode = 'BQ002', message = format('menu %s not found in that venue', p_menu_id);
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

-- Records an uploaded file; path, file name and MIME type within their limits, one document per path (BQ008).
create or replace function public.register_document(
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
    raise exception using errcode = 'BQ001', message = format('p_kind: %L is not a document kind', left(p_kind, 100)),
      hint = 'Use brochure, logo or image.';
  end if;
  perform app.require_text(p_object_path, 'p_object_path', 'path');
  if split_part(p_object_path, '/', 1) <> v_organization_id::text then
    raise exception using errcode = 'BQ001', message = 'p_object_path must start with the organization id',
      hint = format('Upload to %s/<venue>/<file>.', v_organization_id);
  end if;
  perform app.require_text(p_file_name, 'p_file_name', 'name', false);
  perform app.require_text(p_mime_type, 'p_mime_type', 'label', false);
  -- The path starts with the caller's organization id, so a clash is always with its own document.
  if exists (select 1 from app.documents d
             where d.bucket_id = case p_kind when 'brochure' then 'venue-brochures' when 'logo' then 'logos' else 'venue-images' end
               and d.object_path = p_object_path) then
    raise exception using errcode = 'BQ008', message = format('p_object_path: a document is already registered at %s', left(p_object_path, 200)),
      hint = 'Upload the new file under another name, or delete the existing document first.';
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
