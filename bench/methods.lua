-- methods: method calls on objects (tables with metatables). Each of n steps makes five
-- method calls: area on a shape from a list mixing two classes (Rect and Circle, so a
-- call site sees both), add on a Point (returns a new Point), manhattan on it, and add
-- on two Stats (mutate fields). Measures method lookup and call, field loads and
-- stores, and small object allocation.
-- Usage: lua5.4 methods.lua [n]   (default 6000000)
local Point = {}
Point.__index = Point

function Point.new(x, y)
  return setmetatable({ x = x, y = y }, Point)
end

function Point:add(q)
  return Point.new(self.x + q.x, self.y + q.y)
end

function Point:manhattan()
  local x, y = self.x, self.y
  if x < 0 then
    x = -x
  end
  if y < 0 then
    y = -y
  end
  return x + y
end

local Rect = {}
Rect.__index = Rect

function Rect.new(w, h)
  return setmetatable({ w = w, h = h }, Rect)
end

function Rect:area()
  return self.w * self.h
end

local Circle = {}
Circle.__index = Circle

function Circle.new(r)
  return setmetatable({ r = r }, Circle)
end

function Circle:area()
  return 3 * self.r * self.r
end

local Stats = {}
Stats.__index = Stats

function Stats.new()
  return setmetatable({ n = 0, total = 0, max = 0 }, Stats)
end

function Stats:add(v)
  self.n = self.n + 1
  self.total = self.total + v
  if v > self.max then
    self.max = v
  end
end

function Stats:mean()
  return self.total // self.n
end

function Stats:string()
  return "n=" .. self.n .. " total=" .. self.total .. " max=" .. self.max ..
      " mean=" .. self:mean()
end

local n = math.tointeger(tonumber(arg and arg[1] or "")) or 6000000
local shapes = {}
for i = 0, 63 do
  if i % 2 == 0 then
    shapes[#shapes + 1] = Rect.new(1 + i % 7, 1 + i % 5)
  else
    shapes[#shapes + 1] = Circle.new(1 + i % 4)
  end
end
local steps = { Point.new(1, 0), Point.new(0, 1), Point.new(-1, 0), Point.new(0, -1),
  Point.new(1, -2) }

local areas = Stats.new()
local dists = Stats.new()
local pos = Point.new(0, 0)
for i = 0, n - 1 do
  areas:add(shapes[i % 64 + 1]:area())
  pos = pos:add(steps[i % 5 + 1])
  dists:add(pos:manhattan())
end
print("areas: " .. areas:string())
print("distances: " .. dists:string())
print("position: " .. pos.x .. " " .. pos.y)
