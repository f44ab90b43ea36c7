-- flink.apache.org/FlinkStateSnapshot: a savepoint or checkpoint the
-- operator triggers; status.state is its progress.
local what = "Snapshot"
if obj.spec ~= nil and obj.spec.savepoint ~= nil then
  what = "Savepoint"
elseif obj.spec ~= nil and obj.spec.checkpoint ~= nil then
  what = "Checkpoint"
end
local s = obj.status
local state = s and s.state
if state == nil or state == "" then
  return result("Progressing", "Waiting for the operator")
elseif state == "COMPLETED" then
  if type(s.path) == "string" and s.path ~= "" then
    return result("Healthy", what .. " completed: " .. s.path)
  end
  return result("Healthy", what .. " completed")
elseif state == "FAILED" then
  return result("Degraded", withError(what .. " failed", s))
elseif state == "ABANDONED" then
  return result("Degraded", withError(what .. " abandoned", s))
elseif state == "TRIGGER_PENDING" then
  return result("Progressing", "Waiting to trigger the " .. string.lower(what))
elseif state == "IN_PROGRESS" then
  if type(s.failures) == "number" and s.failures > 0 then
    return result("Progressing", withError(what .. " in progress, retrying after " .. s.failures .. " failures", s))
  end
  return result("Progressing", what .. " in progress")
end
return result("Unknown", "Unknown snapshot state " .. state)
