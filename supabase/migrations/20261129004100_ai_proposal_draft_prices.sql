-- AI proposal drafts are priced by the database, never by the model. The daemon's draft names the
-- venue's menu items and packages with quantities; this write-back looks every reference up in the
-- proposal's own venue, takes name and price from there, and rejects the whole draft when a line
-- references nothing of the venue's (another venue's id, another organization's, a made-up one)
-- or tries to carry its own price. Staff-written drafts still go through save_proposal_draft.
--
-- Error codes: BQ204 an AI draft line that is not one of the venue's menu items or packages.

-- Helpers -------------------------------------------------------------------------------------

create function app.price_ai_draft(p_proposal_id uuid, p_draft jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals;
  v_line jsonb;
  v_items jsonb := '[]'::jsonb;
  v_name text;
  v_base bigint;
  v_quantity integer;
begin
  select * into v_proposal from app.proposals p where p.id = p_proposal_id;
  if not found then
    raise exception using errcode = 'BQ002', message = format('proposal %s not found', p_proposal_id);
  end if;
  if p_draft is null or jsonb_typeof(p_draft -> 'items') is distinct from 'array' then
    raise exception using errcode = 'BQ001', message = 'an AI draft is {"title"?, "notes"?, "items": [{"menu_item_id" | "package_id", "quantity"}]}';
  end if;
  for v_line in select * from jsonb_array_elements(p_draft -> 'items') loop
    if v_line ?| array['unit_price_minor', 'price_minor', 'price'] then
      raise exception using errcode = 'BQ204', message = 'an AI draft line carries its own price',
        hint = 'Prices come from the venue''s menus and packages; send references and quantities only.';
    end if;
    v_name := null;
    if (v_line ? 'menu_item_id') = (v_line ? 'package_id') then
      raise exception using errcode = 'BQ204', message = 'every AI draft line references exactly one menu item or package of the venue',
        detail = left(v_line::text, 200);
    elsif v_line ? 'menu_item_id' then
      select i.name, i.price_minor into v_name, v_base
      from app.menu_items i join app.menus m on m.id = i.menu_id
      where i.id::text = v_line ->> 'menu_item_id' and m.venue_id = v_proposal.venue_id and m.organization_id = v_proposal.organization_id;
    else
      select p.name, p.price_per_guest_minor into v_name, v_base
      from app.packages p
      where p.id::text = v_line ->> 'package_id' and p.venue_id = v_proposal.venue_id and p.organization_id = v_proposal.organization_id;
    end if;
    if v_name is null then
      raise exception using errcode = 'BQ204',
        message = format('AI draft line %s is not one of this venue''s menu items or packages', coalesce(v_line ->> 'menu_item_id', v_line ->> 'package_id')),
        hint = 'The draft is rejected whole; nothing was saved.';
    end if;
    v_quantity := case when jsonb_typeof(v_line -> 'quantity') = 'number' then (v_line ->> 'quantity')::numeric::integer end;
    if v_quantity is null or v_quantity < 1 or v_quantity > 100000 then
      raise exception using errcode = 'BQ005', message = format('AI draft quantity %s for %s is not between 1 and 100000', v_line -> 'quantity', v_name);
    end if;
    v_items := v_items || jsonb_build_array(
      jsonb_build_object('description', v_name, 'quantity', v_quantity,
                         'unit_price_minor', round(v_base * v_proposal.fx_rate)::bigint)
      || case when v_line ? 'menu_item_id' then jsonb_build_object('menu_item_id', v_line ->> 'menu_item_id')
              else jsonb_build_object('package_id', v_line ->> 'package_id') end);
  end loop;
  return jsonb_build_object('title', left(p_draft ->> 'title', 200), 'notes', left(p_draft ->> 'notes', 2000), 'items', v_items);
end
$$;
comment on function app.price_ai_draft(uuid, jsonb) is
  'Internal: an AI draft with every line''s description and price taken from the proposal''s venue; BQ204 when a line references nothing of the venue''s or carries a price.';
grant execute on function app.price_ai_draft(uuid, jsonb) to service_role;

-- Daemon write-backs --------------------------------------------------------------------------

create or replace function app.proposal_draft_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_proposal_id uuid := (p_payload ->> 'proposal_id')::uuid;
begin
  perform public.save_proposal_draft(v_proposal_id, app.price_ai_draft(v_proposal_id, p_result));
end
$$;
comment on function app.proposal_draft_writeback(bigint, jsonb, jsonb) is
  'Bridge write-back for llm.proposal_draft: prices the AI draft from the venue''s own menus and packages (app.price_ai_draft), then saves it.';

-- Daemon functions ----------------------------------------------------------------------------

create function public.ai_proposal_context(p_proposal_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_proposal app.proposals;
  v_inquiry app.inquiries;
  v_venue app.venues;
begin
  select * into v_proposal from app.proposals p where p.id = p_proposal_id;
  if not found then
    raise exception using errcode = 'BQ002', message = format('proposal %s not found', p_proposal_id);
  end if;
  select * into v_inquiry from app.inquiries i where i.id = v_proposal.inquiry_id;
  select * into v_venue from app.venues v where v.id = v_proposal.venue_id;
  return jsonb_build_object(
    'proposal', jsonb_build_object('id', v_proposal.id, 'version', v_proposal.version, 'status', v_proposal.status,
                                   'guest_count', v_proposal.guest_count, 'currency', v_proposal.currency,
                                   'organization_id', v_proposal.organization_id, 'space_id', v_proposal.space_id),
    'venue', jsonb_build_object('id', v_venue.id, 'name', v_venue.name, 'currency', v_venue.currency),
    'inquiry', jsonb_build_object('guest_name', v_inquiry.guest_name, 'party_size', v_inquiry.party_size,
                                  'event_date', v_inquiry.event_date, 'start_time', v_inquiry.start_time,
                                  'event_type', v_inquiry.event_type, 'budget_minor', v_inquiry.budget_minor,
                                  'message', v_inquiry.message),
    'spaces', coalesce((select jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name, 'min_guests', s.min_guests,
                                                            'max_guests', s.max_guests, 'room_fee_minor', s.room_fee_minor,
                                                            'fnb_minimum_minor', s.fnb_minimum_minor) order by s.name)
                        from app.spaces s where s.venue_id = v_venue.id), '[]'),
    'menus', coalesce((select jsonb_agg(jsonb_build_object('id', m.id, 'name', m.name, 'items',
                         coalesce((select jsonb_agg(jsonb_build_object('id', i.id, 'name', i.name, 'description', i.description,
                                                                       'course', i.course, 'price_minor', i.price_minor,
                                                                       'unit', i.unit, 'dietary', to_jsonb(i.dietary))
                                                    order by i.sort_order, i.name)
                                   from app.menu_items i where i.menu_id = m.id), '[]')) order by m.name)
                       from app.menus m where m.venue_id = v_venue.id and m.active), '[]'),
    'packages', coalesce((select jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'description', p.description,
                                                              'price_per_guest_minor', p.price_per_guest_minor,
                                                              'min_guests', p.min_guests) order by p.name)
                          from app.packages p where p.venue_id = v_venue.id and p.active), '[]'));
end
$$;
comment on function public.ai_proposal_context(uuid) is
  'Daemon: what an AI proposal draft is built from (the proposal, its inquiry, and its venue''s spaces, active menus with items, and active packages). Service role only.';
grant execute on function public.ai_proposal_context(uuid) to service_role;
