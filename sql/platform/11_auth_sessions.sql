-- Platform stand-in: the session tables GoTrue keeps, for the gateway's own `/auth/v1` on plain
-- PostgreSQL (on Supabase, GoTrue owns these). Names and columns follow GoTrue's, with one
-- deliberate difference: refresh tokens and one-time tokens are stored as SHA-256 hashes
-- (`token_hash`), never in plain text, so a read of these tables yields nothing a client could
-- present. Only the gateway's own login role touches them: anon and authenticated get nothing,
-- and RLS is on with no policy.

-- Tables

-- GoTrue's columns for when the last confirmation and recovery emails went out (the user JSON
-- carries them).
alter table auth.users add column if not exists confirmation_sent_at timestamptz;
alter table auth.users add column if not exists recovery_sent_at timestamptz;

create table if not exists auth.sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- When the session last rotated a refresh token (GoTrue: refreshed_at).
  refreshed_at timestamptz,
  aal text not null default 'aal1',
  -- How the session was signed in ('password', 'otp' for an email link): the access tokens'
  -- `amr` claim. GoTrue keeps this in auth.mfa_amr_claims; one column serves without MFA.
  authentication_method text not null default 'password',
  not_after timestamptz,
  user_agent text,
  ip inet
);
comment on table auth.sessions is 'Auth: one row per signed-in device; deleting it ends every access and refresh token of that sign-in.';
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  id bigint generated always as identity primary key,
  -- SHA-256 of the opaque token, hex; the token itself exists only in the client.
  token_hash text not null unique,
  user_id uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  -- The token this one replaced: a session's tokens form one chain (GoTrue's token family).
  parent bigint references auth.refresh_tokens (id) on delete cascade,
  -- True once rotated or signed out; presenting a revoked token is reuse and ends the session.
  revoked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table auth.refresh_tokens is 'Auth: rotating refresh tokens, stored as SHA-256 hashes; reuse of a revoked one ends its session.';
create index if not exists refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
create index if not exists refresh_tokens_user_id_idx on auth.refresh_tokens (user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);

create table if not exists auth.one_time_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  token_type text not null check (token_type in ('confirmation_token', 'recovery_token')),
  -- SHA-256 of the token sent in the email link, hex.
  token_hash text not null,
  -- The address the token was sent to (GoTrue: relates_to).
  relates_to text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- One live token per user and purpose: a new email replaces the previous link.
  unique (user_id, token_type)
);
comment on table auth.one_time_tokens is 'Auth: single-use email link tokens (signup confirmation, password recovery), stored as SHA-256 hashes, expiring.';
create index if not exists one_time_tokens_token_hash_idx on auth.one_time_tokens (token_hash);

-- Access: the gateway's login role only

alter table auth.sessions enable row level security;
alter table auth.refresh_tokens enable row level security;
alter table auth.one_time_tokens enable row level security;

revoke all on auth.sessions, auth.refresh_tokens, auth.one_time_tokens from public, anon, authenticated;
