-- The soak's traffic (bench/soak.py puts `run`, `members`, `questions` and
-- `reads` in front of this). Each wrk thread counts what it sent and what came
-- back; done() adds the threads up and prints one SOAK line of JSON.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  sent, answers_sent, answers_acknowledged, refused = 0, 0, 0, 0
  server_errors, other = 0, 0
end

local function member_headers(member, form)
  local headers = { ["Cookie"] = "sessionid=" .. member[1] .. "; csrftoken=" .. member[2] }
  if form then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return headers
end

function request()
  sent = sent + 1
  local roll = math.random()
  local member = members[math.random(#members)]
  local question = questions[math.random(#questions)]
  if not writes then
    -- The warm-up: reads only, nothing stored.
    return wrk.format("GET", reads[math.random(#reads)], roll < 0.3 and member_headers(member, false) or nil)
  elseif roll < 0.10 then
    answers_sent = answers_sent + 1
    local body = "body=Soak-" .. run .. "-" .. id .. "-" .. sent
      .. "+een+antwoord+met+genoeg+woorden+erin&csrfmiddlewaretoken=" .. member[2]
    return wrk.format("POST", question[2], member_headers(member, true), body)
  elseif roll < 0.15 then
    local action = math.random() < 0.5 and "follow" or "unfollow"
    local body = "target=question&id=" .. question[1] .. "&action=" .. action
      .. "&next=%2F&csrfmiddlewaretoken=" .. member[2]
    return wrk.format("POST", "/meldingen/volgen/", member_headers(member, true), body)
  elseif roll < 0.40 then
    return wrk.format("GET", reads[math.random(#reads)], member_headers(member, false))
  end
  return wrk.format("GET", reads[math.random(#reads)])
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status == 302 and string.find(location, "#antwoord-", 1, true) then
    answers_acknowledged = answers_acknowledged + 1
  elseif status == 429 or status == 400 or status == 403 then
    refused = refused + 1
  elseif status ~= 200 and status ~= 302 then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, name in ipairs({ "sent", "answers_sent", "answers_acknowledged", "refused",
                          "server_errors", "other" }) do
    totals[name] = 0
    for _, thread in ipairs(threads) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'SOAK {"sent": %d, "answers_sent": %d, "answers_acknowledged": %d, '
      .. '"refused": %d, "server_errors": %d, "other_statuses": %d, '
      .. '"socket_errors": %d, "p99_ms": %.1f}\n',
    totals.sent, totals.answers_sent, totals.answers_acknowledged, totals.refused,
    totals.server_errors, totals.other,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(99) / 1000))
end
