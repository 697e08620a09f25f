-- Menu extraction outcomes a person can act on. A brochure that cannot be read ends with its own
-- status instead of a generic failure: scanned (no text layer: needs OCR or a text PDF), encrypted
-- (password-protected), corrupt (not a readable PDF), oversized (over the size or page cap),
-- budget_exceeded (the organization's AI budget is spent). The extraction itself is saved as an
-- inactive draft menu with its sections, dietary tags and packages, for a manager to review.
set local lock_timeout = '5s';

-- Tables --------------------------------------------------------------------------------------

-- The wider list is added NOT VALID (no scan under lock) and validated in 20261129004400, in its
-- own transaction, as squawk asks.
alter table app.documents add constraint documents_extraction_status_known check (extraction_status in (
  'none', 'pending', 'done', 'failed', 'scanned', 'encrypted', 'corrupt', 'oversized', 'budget_exceeded')) not valid;
-- Safe to drop: documents_extraction_status_known enforces a superset on every write from here on,
-- and every existing row satisfied the narrower check being dropped.
-- squawk-ignore ban-drop-constraint
alter table app.documents drop constraint documents_extraction_status_check;
alter table app.documents add column extraction_error text
  constraint documents_extraction_error_check check (length(extraction_error) <= 1000);
comment on column app.documents.extraction_error is 'Why extraction ended without a menu, in words a manager can act on.';

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function public.save_menu_extraction(p_document_id uuid, p_menu jsonb)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_document app.documents;
  v_currency text;
  v_venue_currency text;
  v_menu_id uuid;
begin
  select * into v_document from app.documents d where d.id = p_document_id for update;
  if not found then
    raise exception using errcode = 'BQ002', message = format('document %s not found', p_document_id);
  end if;
  if p_menu is null or jsonb_typeof(p_menu -> 'items') is distinct from 'array' then
    raise exception using errcode = 'BQ001', message = 'the extraction must be {"name": …, "items": [{"name", "price_minor", …}]}';
  end if;
  select v.currency into v_venue_currency from app.venues v where v.id = v_document.venue_id;
  v_currency := upper(nullif(btrim(p_menu ->> 'currency'), ''));
  insert into app.menus (organization_id, venue_id, name, description, active)
  values (v_document.organization_id, v_document.venue_id,
          left(coalesce(nullif(btrim(p_menu ->> 'name'), ''), coalesce(v_document.file_name, 'Extracted menu')), 200),
          'Extracted from ' || coalesce(v_document.file_name, v_document.object_path)
            || case when v_currency is not null and v_currency is distinct from v_venue_currency
                    then format(' — prices were in %s, the venue uses %s: check them before activating', v_currency, v_venue_currency)
                    else '' end,
          false)
  returning id into v_menu_id;
  insert into app.menu_items (organization_id, menu_id, name, description, course, price_minor, unit, dietary, sort_order)
  select v_document.organization_id, v_menu_id, left(btrim(i ->> 'name'), 200), i ->> 'description',
         coalesce(i ->> 'course', i ->> 'section'),
         greatest(coalesce((i ->> 'price_minor')::bigint, 0), 0),
         case when i ->> 'unit' in ('per_person', 'per_item', 'flat') then i ->> 'unit' else 'per_person' end,
         coalesce((select array_agg(t) from jsonb_array_elements_text(case when jsonb_typeof(i -> 'dietary') = 'array' then i -> 'dietary' else '[]' end) t), '{}'),
         n::integer
  from jsonb_array_elements(p_menu -> 'items') with ordinality as e (i, n)
  where length(btrim(coalesce(i ->> 'name', ''))) > 0;
  -- Packages found in the brochure are saved inactive too: nobody can quote one before review.
  insert into app.packages (organization_id, venue_id, menu_id, name, description, price_per_guest_minor, min_guests, active)
  select v_document.organization_id, v_document.venue_id, v_menu_id, left(btrim(p ->> 'name'), 200), p ->> 'description',
         greatest(coalesce((p ->> 'price_per_guest_minor')::bigint, 0), 0),
         greatest(coalesce((p ->> 'min_guests')::integer, 1), 1), false
  from jsonb_array_elements(case when jsonb_typeof(p_menu -> 'packages') = 'array' then p_menu -> 'packages' else '[]' end) as e (p)
  where length(btrim(coalesce(p ->> 'name', ''))) > 0;
  update app.documents set extraction_status = 'done', extraction_error = null, extracted_menu_id = v_menu_id where id = p_document_id;
  return v_menu_id;
end
$$;
comment on function public.save_menu_extraction(uuid, jsonb) is
  'Daemon write-back for menu.extract: stores the extracted menu with its items (section, dietary tags) and packages, all inactive until a manager reviews them, and marks the document done. Service role only.';

create or replace function app.menu_extract_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A brochure that cannot be read is an answer, not an error: retrying the same bytes cannot help.
  if p_result ? 'unreadable' then
    if p_result ->> 'unreadable' not in ('scanned', 'encrypted', 'corrupt', 'oversized', 'budget_exceeded') then
      raise exception using errcode = 'BQ001', message = format('%L is not a menu extraction status', p_result ->> 'unreadable');
    end if;
    update app.documents set extraction_status = p_result ->> 'unreadable', extraction_error = left(p_result ->> 'detail', 1000)
    where id = (p_payload ->> 'document_id')::uuid;
    return;
  end if;
  perform public.save_menu_extraction((p_payload ->> 'document_id')::uuid, p_result);
end
$$;
comment on function app.menu_extract_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for menu.extract: saves the extracted draft menu, or records why the brochure could not be read ({"unreadable": status, "detail": …}).';

create or replace function app.menu_extract_failed(p_job_id bigint, p_payload jsonb, p_error text)
returns void
language sql
security definer
set search_path = ''
as $$
  update app.documents set extraction_status = 'failed', extraction_error = left(p_error, 1000)
  where id = (p_payload ->> 'document_id')::uuid
$$;
comment on function app.menu_extract_failed(bigint, jsonb, text) is 'Bridge on-failure handler for menu.extract: marks the document failed with the reason.';
