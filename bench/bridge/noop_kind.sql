-- The benchmarks' no-op kind. Like every production kind it completes through a write-back
-- function, so bridge.complete/complete_many do their full work (call the write-back, write a
-- row) rather than only flipping a status. The primary key makes a second write-back of the
-- same job fail, and counting the rows proves every job was written back.
create table if not exists public.bench_writebacks (
  job_id bigint primary key,
  written_at timestamptz not null default now()
);

create or replace function public.bench_writeback(p_job_id bigint, p_payload jsonb, p_result jsonb) returns void
language sql
as $$ insert into public.bench_writebacks (job_id) values (p_job_id) $$;

select bridge.register_kind(p_kind => 'bridge.noop', p_queue => 'bench', p_writeback => 'public.bench_writeback',
                            p_concurrency => 1000000);
