-- Every request another page: bench/__main__.py puts `paths` and `headers`
-- in front of this. Each wrk thread starts at its own place in the list, so no
-- page is asked twice while the list lasts (the practice page's fragment cache
-- is cold for every request).

local count = 0

function setup(thread)
  count = count + 1
  thread:set("start", count)
end

function init(args)
  position = start * math.floor(#paths / 2)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], headers)
end
