-- flink.apache.org/FlinkBlueGreenDeployment: two FlinkDeployments, one
-- active; status.blueGreenState tells which, or which transition runs.
local s = obj.status
if s == nil or s.blueGreenState == nil then
  return result("Progressing", "Waiting for the operator")
end
local state = s.blueGreenState
local jobState = s.jobStatus and s.jobStatus.state
if jobState == "FAILED" then
  return result("Degraded", withError("Job failed", s))
end
local transitions = {
  INITIALIZING_BLUE = "Deploying blue",
  SAVEPOINTING_BLUE = "Taking a savepoint of blue",
  SAVEPOINTING_GREEN = "Taking a savepoint of green",
  TRANSITIONING_TO_BLUE = "Transitioning to blue",
  TRANSITIONING_TO_GREEN = "Transitioning to green",
}
if transitions[state] ~= nil then
  return result("Progressing", transitions[state])
end
if state ~= "ACTIVE_BLUE" and state ~= "ACTIVE_GREEN" then
  return result("Unknown", "Unknown blue/green state " .. state)
end
local active = state == "ACTIVE_BLUE" and "blue" or "green"
local r = jobResult(s)
r.message = r.message .. " (" .. active .. " active)"
return r
