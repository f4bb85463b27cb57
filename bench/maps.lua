-- maps: insert, lookup and delete, first with int keys, then with string keys.
-- Each pass inserts n keys, looks up 2n (half of them missing), deletes every third
-- key, looks the n keys up again, and sums the table by iterating over it.
-- Measures table operations (hashing, probing, growth, deletion, iteration).
-- Usage: lua5.4 maps.lua [n]   (default 600000)

-- lookup looks up keys[1..k] in m; it returns the hits and the sum of their values.
local function lookup(m, keys, k)
  local hits, sum = 0, 0
  for i = 1, k do
    local v = m[keys[i]]
    if v ~= nil then
      hits = hits + 1
      sum = sum + v
    end
  end
  return hits, sum
end

-- pass runs the pass over keys (2n of them, distinct); the i-th key maps to i-1.
local function pass(label, keys, n)
  local m = {}
  for i = 1, n do
    m[keys[i]] = i - 1
  end
  local hits, sum = lookup(m, keys, 2 * n)
  for i = 1, n, 3 do
    m[keys[i]] = nil
  end
  local hits2, sum2 = lookup(m, keys, n)
  local count, total = 0, 0
  for _, v in pairs(m) do
    count = count + 1
    total = total + v
  end
  print(label .. " " .. count .. " left, " .. hits + hits2 .. " hits, sums " ..
    sum + sum2 .. " " .. total)
end

local n = math.tointeger(tonumber(arg and arg[1] or "")) or 600000
-- The int keys are i*7919, sparse so that no language can hold them in an array.
local intKeys, stringKeys = {}, {}
for i = 0, 2 * n - 1 do
  intKeys[#intKeys + 1] = i * 7919
  stringKeys[#stringKeys + 1] = "k" .. (i * 7919)
end
pass("int keys:", intKeys, n)
pass("string keys:", stringKeys, n)
