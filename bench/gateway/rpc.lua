-- wrk script: POST one RPC with the caller's headers. BODY is the JSON body; when it contains
-- "%d", each request substitutes a fresh number (writes that must not collide).
local body = os.getenv("BODY") or "{}"
local counter = 0
local thread_tag = 0

function setup(thread)
  thread_tag = thread_tag + 1
  thread:set("tag", thread_tag)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["apikey"] = os.getenv("ANON_KEY")
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("USER_TOKEN")
end

function request()
  if string.find(body, "%%d") then
    counter = counter + 1
    return wrk.format(nil, nil, nil, string.format(body, (tag or 0) * 100000000 + counter))
  end
  return wrk.format(nil, nil, nil, body)
end
