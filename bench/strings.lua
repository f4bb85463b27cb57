-- strings: word frequencies over a generated text; measures building strings by
-- concatenation, table.concat, splitting with string.gmatch, and tables with string
-- keys. The text (n lines of 5-12 words of 1-3 syllables) comes from a linear
-- congruential generator, so strings.csp/.py/go/strings.go build the same text and
-- print the same.
-- Usage: lua5.4 strings.lua [lines]   (default 100000)
local SYLLABLES = { "ka", "lo", "mi", "ne", "ru", "so", "ta", "vi" }

local seed = 42

-- lcg returns the generator's next value in [0, 2^15).
local function lcg()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed >> 16
end

-- makeText returns n lines of words separated by single spaces, joined by newlines.
local function makeText(n)
  local lines = {}
  for i = 1, n do
    local nwords = 5 + lcg() % 8
    local words = {}
    for j = 1, nwords do
      local nsyl = 1 + lcg() % 3
      local w = ""
      for k = 1, nsyl do
        w = w .. SYLLABLES[lcg() % 8 + 1]
      end
      words[#words + 1] = w
    end
    lines[#lines + 1] = table.concat(words, " ")
  end
  return table.concat(lines, "\n")
end

-- top returns the k entries of counts with the highest counts (ties: smaller word
-- first) as "word=count" joined by spaces.
local function top(counts, k)
  local keys = {}
  for w in pairs(counts) do
    keys[#keys + 1] = w
  end
  table.sort(keys, function(x, y)
    local a, b = counts[x], counts[y]
    if a ~= b then
      return a > b
    end
    return x < y
  end)
  local parts = {}
  for i = 1, math.min(k, #keys) do
    parts[#parts + 1] = keys[i] .. "=" .. counts[keys[i]]
  end
  return table.concat(parts, " ")
end

local n = math.tointeger(tonumber(arg and arg[1] or "")) or 100000
local text = makeText(n)

local counts = {}
local pairs_ = {} -- first word of a line .. "-" .. its last word
local nlines, nwords = 0, 0
for line in string.gmatch(text, "[^\n]+") do
  local words = {}
  for w in string.gmatch(line, "[^ ]+") do
    words[#words + 1] = w
  end
  for _, w in ipairs(words) do
    counts[w] = (counts[w] or 0) + 1
  end
  nwords = nwords + #words
  nlines = nlines + 1
  local p = words[1] .. "-" .. words[#words]
  pairs_[p] = (pairs_[p] or 0) + 1
end

local keys = {}
local ncounts, npairs = 0, 0
for w in pairs(counts) do
  keys[#keys + 1] = w
  ncounts = ncounts + 1
end
for _ in pairs(pairs_) do
  npairs = npairs + 1
end
table.sort(keys)
local parts = {}
for _, w in ipairs(keys) do
  parts[#parts + 1] = w .. "=" .. counts[w]
end
local summary = table.concat(parts, ",")

print("text: " .. #text .. " bytes, " .. nlines .. " lines, " .. nwords .. " words")
print("distinct: " .. ncounts .. " words, " .. npairs .. " pairs")
print("summary: " .. #summary .. " bytes, starts " .. summary:sub(1, 24))
print("top words: " .. top(counts, 3))
print("top pairs: " .. top(pairs_, 3))
