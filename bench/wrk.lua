-- The load of one bench row, for wrk (bench/run.js starts it; settings come through the
-- environment). BENCH_MODE: get (GET /patient/{seeded id}), score (GET /score/{seeded id}),
-- post (POST /patient/{new id} with BENCH_BODY), mix (BENCH_POST_SHARE of posts, the rest gets).
-- Seeded ids are BENCH_ID_PREFIX0 .. BENCH_ID_PREFIX<BENCH_SEED - 1>, drawn at random; new ids are
-- BENCH_NEW_PREFIX<thread>-<n>, never repeated. Each request carries one of BENCH_TOKENS (bearer
-- tokens separated by spaces, drawn at random) when there are any. done() prints one line,
-- "BENCH_RESULT {json}", with the counts and the latency percentiles in microseconds.

local mode = os.getenv('BENCH_MODE') or 'get'
local body = os.getenv('BENCH_BODY') or '{}'
local seeded = tonumber(os.getenv('BENCH_SEED') or '1')
local idPrefix = os.getenv('BENCH_ID_PREFIX') or 'bench-'
local newPrefix = os.getenv('BENCH_NEW_PREFIX') or 'bench-new-'
local postShare = tonumber(os.getenv('BENCH_POST_SHARE') or '0.2')

local tokens = {}
for token in string.gmatch(os.getenv('BENCH_TOKENS') or '', '%S+') do
  tokens[#tokens + 1] = 'Bearer ' .. token
end

local threads = {}
local nextId = 1

function setup(thread)
  thread:set('tid', nextId)
  nextId = nextId + 1
  threads[#threads + 1] = thread
end

-- Per thread (each thread runs its own copy of this script); globals so that done() can read them.
gets = 0
posts = 0

local getHeaders = {}
local postHeaders = { ['Content-Type'] = 'application/json' }

function init(_)
  math.randomseed(os.time() * 1000 + tid)
end

local function authorize(headers)
  if #tokens > 0 then
    headers['Authorization'] = tokens[math.random(#tokens)]
  end
  return headers
end

function request()
  if mode == 'post' or (mode == 'mix' and math.random() < postShare) then
    posts = posts + 1
    local path = '/patient/' .. newPrefix .. tid .. '-' .. posts
    return wrk.format('POST', path, authorize(postHeaders), body)
  end
  gets = gets + 1
  local base = mode == 'score' and '/score/' or '/patient/'
  return wrk.format('GET', base .. idPrefix .. math.random(0, seeded - 1), authorize(getHeaders))
end

function done(summary, latency, _)
  local sentGets, sentPosts = 0, 0
  for _, thread in ipairs(threads) do
    sentGets = sentGets + thread:get('gets')
    sentPosts = sentPosts + thread:get('posts')
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,'
      .. '"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,'
      .. '"maxUs":%d,"meanUs":%.1f,"sentGets":%d,"sentPosts":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, sentGets, sentPosts))
end
