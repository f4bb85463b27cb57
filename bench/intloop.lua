-- intloop: a tight integer loop, s += (i*i) % 7 for i in [0, n).
-- Usage: lua5.4 intloop.lua [n]   (default 50000000)
local n = math.tointeger(tonumber(arg and arg[1] or "")) or 50000000
local s = 0
for i = 0, n - 1 do
  s = s + (i * i) % 7
end
print(s)
