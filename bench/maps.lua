-- maps: insert, lookup and delete, first with int keys, then with string keys.
-- Each pass inserts n keys, looks up 2n (half of them missing), deletes every third
-- key, looks the n keys up again, and sums the table by iterating over it.
-- Measures table operations (hashing, probing, growth, deletion, iteration).
-- Usage: lua5.4 maps.lua [n]   (default 600000)

-- intKeys runs the pass with the int keys i*7919 (sparse, so not a dense array).
local function intKeys(n)
  local m = {}
  for i = 0, n - 1 do
    m[i * 7919] = i
  end
  local hits, sum = 0, 0
  for i = 0, 2 * n - 1 do
    local v = m[i * 7919]
    if v ~= nil then
      hits = hits + 1
      sum = sum + v
    end
  end
  for i = 0, n - 1, 3 do
    m[i * 7919] = nil
  end
  for i = 0, n - 1 do
    local v = m[i * 7919]
    if v ~= nil then
      hits = hits + 1
      sum = sum + v
    end
  end
  local count, total = 0, 0
  for _, v in pairs(m) do
    count = count + 1
    total = total + v
  end
  print("int keys: " .. count .. " left, " .. hits .. " hits, sums " .. sum .. " " .. total)
end

-- stringKeys runs the same pass with the keys "k" .. the decimal of i*7919.
local function stringKeys(n)
  local keys = {}
  for i = 0, 2 * n - 1 do
    keys[#keys + 1] = "k" .. (i * 7919)
  end
  local m = {}
  for i = 1, n do
    m[keys[i]] = i - 1
  end
  local hits, sum = 0, 0
  for i = 1, 2 * n do
    local v = m[keys[i]]
    if v ~= nil then
      hits = hits + 1
      sum = sum + v
    end
  end
  for i = 1, n, 3 do
    m[keys[i]] = nil
  end
  for i = 1, n do
    local v = m[keys[i]]
    if v ~= nil then
      hits = hits + 1
      sum = sum + v
    end
  end
  local count, total = 0, 0
  for _, v in pairs(m) do
    count = count + 1
    total = total + v
  end
  print("string keys: " .. count .. " left, " .. hits .. " hits, sums " .. sum .. " " .. total)
end

local n = math.tointeger(tonumber(arg and arg[1] or "")) or 600000
intKeys(n)
stringKeys(n)
