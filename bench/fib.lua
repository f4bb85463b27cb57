-- fib: naive doubly recursive Fibonacci; measures call/return overhead.
-- Usage: lua5.4 fib.lua [n]   (default 32 -> 2178309)
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local n = math.tointeger(tonumber(arg and arg[1] or "")) or 32
print(fib(n))
