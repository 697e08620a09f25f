-- Instagram comment-to-DM automation: a keyword in a comment on one of the account's posts
-- answers the commenter with a private reply (Instagram's "private replies", sent by comment id),
-- as Instagram automation tools offer. At most once per commenter per post, whatever the keyword
-- or how often they comment, and a rule answers one commenter at most once per its cooldown.
--
-- Error codes: BQ001 missing ids, BQ503 unknown account.

-- Tables --------------------------------------------------------------------------------------

create table app.comment_replies (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null,
  channel_account_id uuid not null,
  automation_rule_id uuid,
  media_id text not null,
  commenter_id text not null,
  comment_id text not null unique,
  comment_text text not null default '',
  created_at timestamptz not null default now(),
  -- Once per commenter per post.
  unique (channel_account_id, media_id, commenter_id),
  foreign key (organization_id, channel_account_id) references app.channel_accounts (organization_id, id) on delete cascade,
  foreign key (organization_id, automation_rule_id) references app.automation_rules (organization_id, id) on delete set null (automation_rule_id)
);
create index comment_replies_organization_id_channel_account_id_idx on app.comment_replies (organization_id, channel_account_id);
create index comment_replies_organization_id_automation_rule_id_idx on app.comment_replies (organization_id, automation_rule_id);
-- The cooldown check: this rule's replies to this commenter, newest first.
create index comment_replies_cooldown_idx on app.comment_replies (automation_rule_id, commenter_id, created_at desc);
comment on table app.comment_replies is 'Private replies sent to Instagram commenters by keyword automation: one per commenter per post.';

-- RLS policies --------------------------------------------------------------------------------

alter table app.comment_replies enable row level security;
grant select on app.comment_replies to authenticated;
grant all on app.comment_replies to service_role;

create policy "Members can read their organization's comment replies" on app.comment_replies
  for select to authenticated using (organization_id in (select app.user_organization_ids()));

-- Daemon write-backs --------------------------------------------------------------------------

create function public.receive_instagram_comment(
  p_account_external_id text,
  p_comment_id text,
  p_media_id text,
  p_commenter_id text,
  p_text text
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account app.channel_accounts;
  v_rule app.automation_rules;
  v_reply_id uuid;
begin
  if nullif(btrim(p_comment_id), '') is null or nullif(btrim(p_media_id), '') is null or nullif(btrim(p_commenter_id), '') is null then
    raise exception using errcode = 'BQ001', message = 'a comment needs its id, its post (media) id and its author id';
  end if;
  select * into v_account from app.channel_accounts a where a.channel = 'instagram' and a.external_id = p_account_external_id and a.active;
  if not found then
    raise exception using errcode = 'BQ503', message = format('no active instagram account %s', p_account_external_id),
      hint = 'Connect the account with save_channel_account.';
  end if;
  -- The account's own comments (its replies under the post) never trigger automation.
  if p_commenter_id = p_account_external_id then
    return jsonb_build_object('replied', false, 'reason', 'own comment');
  end if;
  if exists (select 1 from app.comment_replies c
             where c.channel_account_id = v_account.id and c.media_id = p_media_id and c.commenter_id = p_commenter_id) then
    return jsonb_build_object('replied', false, 'reason', 'already answered on this post');
  end if;
  select r.* into v_rule
  from app.automation_rules r
  where r.organization_id = v_account.organization_id and r.active
    and (r.channel is null or r.channel = 'instagram')
    and exists (select 1 from unnest(r.keywords) k where lower(coalesce(p_text, '')) ~ ('\m' || regexp_replace(lower(k), '([.^$*+?()\[\]{}|\\])', '\\\1', 'g') || '\M'))
    and not exists (
      select 1 from app.comment_replies c
      where c.automation_rule_id = r.id and c.commenter_id = p_commenter_id
        and c.created_at > now() - make_interval(mins => r.cooldown_minutes)
    )
  order by r.priority desc, r.created_at
  limit 1;
  if v_rule.id is null then
    return jsonb_build_object('replied', false, 'reason', 'no rule matched');
  end if;
  insert into app.comment_replies (organization_id, channel_account_id, automation_rule_id, media_id, commenter_id, comment_id, comment_text)
  values (v_account.organization_id, v_account.id, v_rule.id, p_media_id, p_commenter_id, p_comment_id, coalesce(p_text, ''))
  on conflict do nothing
  returning id into v_reply_id;
  if v_reply_id is null then
    return jsonb_build_object('replied', false, 'reason', 'already answered on this post');
  end if;
  perform bridge.enqueue('instagram.send',
    jsonb_build_object('account', v_account.external_id, 'comment_id', p_comment_id, 'text', v_rule.reply_body, 'comment_reply_id', v_reply_id),
    v_account.organization_id, 'comment-reply:' || p_comment_id);
  return jsonb_build_object('replied', true, 'rule', v_rule.name);
end
$$;
comment on function public.receive_instagram_comment(text, text, text, text, text) is
  'Instagram comment webhook: a keyword rule answers the commenter with one private reply per post (rule cooldown per commenter), '
  'enqueued as instagram.send by comment id. Service role only.';
grant execute on function public.receive_instagram_comment(text, text, text, text, text) to service_role;
