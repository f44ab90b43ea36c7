-- krm-flink's health check for the Flink operator's kinds: helpers shared
-- by every kind (health/common.lua), then the kind's own part.

local function result(status, message)
  return {status = status, message = message}
end

-- errorText is the operator's status.error: plain text, or a serialized
-- exception whose "message" field is what a person needs.
local function errorText(status)
  local e = status and status.error
  if type(e) ~= "string" or e == "" then
    return nil
  end
  local m = string.match(e, '"message"%s*:%s*"(.-)"%s*[,}]')
  if m ~= nil and m ~= "" then
    return m
  end
  return e
end

-- withError appends the operator's error, if any, to message.
local function withError(message, status)
  local e = errorText(status)
  if e ~= nil then
    return message .. ": " .. e
  end
  return message
end

-- stale tells whether the operator has not yet seen the current spec (when
-- it reports observedGeneration).
local function stale(obj)
  local observed = obj.status and obj.status.observedGeneration
  local generation = obj.metadata and obj.metadata.generation
  return observed ~= nil and generation ~= nil and observed < generation
end

-- jobResult maps the state of the Flink job (status.jobStatus.state).
local function jobResult(status)
  local state = status.jobStatus and status.jobStatus.state
  if state == "RUNNING" then
    return result("Healthy", "Job is running")
  elseif state == "FINISHED" then
    return result("Healthy", "Job finished")
  elseif state == "FAILED" then
    return result("Degraded", withError("Job failed", status))
  elseif state == "SUSPENDED" then
    return result("Suspended", "Job is suspended")
  elseif state == "CANCELED" then
    return result("Degraded", withError("Job was canceled", status))
  elseif state == "RESTARTING" or state == "FAILING" then
    return result("Progressing", withError("Job is " .. string.lower(state), status))
  elseif state == nil or state == "" then
    return result("Progressing", "Waiting for the job to start")
  end
  return result("Progressing", "Job is " .. string.lower(state))
end

-- flinkResult assesses a FlinkDeployment or FlinkSessionJob from the
-- operator's status: lifecycleState, reconciliationStatus, jobStatus,
-- jobManagerDeploymentStatus (FlinkDeployment only) and error.
local function flinkResult(obj)
  local s = obj.status
  if s == nil then
    return result("Progressing", "Waiting for the operator")
  end
  local rs = s.reconciliationStatus or {}
  local job = obj.spec and obj.spec.job
  local jobState = s.jobStatus and s.jobStatus.state
  local jm = s.jobManagerDeploymentStatus

  if s.lifecycleState == "FAILED" then
    return result("Degraded", withError("Deployment failed", s))
  elseif jobState == "FAILED" then
    return result("Degraded", withError("Job failed", s))
  elseif jm == "ERROR" then
    return result("Degraded", withError("JobManager deployment failed", s))
  end

  local reconciled = rs.lastReconciledSpec
  if reconciled == nil or reconciled == "" then
    if errorText(s) ~= nil then
      return result("Degraded", withError("Not deployed", s))
    end
    return result("Progressing", "Waiting for the operator to deploy")
  end
  if stale(obj) then
    return result("Progressing", "Waiting for the operator to reconcile the latest spec")
  end
  if s.lifecycleState == "DELETING" or s.lifecycleState == "DELETED" then
    return result("Progressing", "Being deleted")
  elseif rs.state == "UPGRADING" or s.lifecycleState == "UPGRADING" then
    return result("Progressing", "Upgrading")
  elseif rs.state == "ROLLING_BACK" or s.lifecycleState == "ROLLING_BACK" then
    return result("Progressing", withError("Rolling back to the last stable spec", s))
  elseif rs.state == "ROLLED_BACK" or s.lifecycleState == "ROLLED_BACK" then
    return result("Degraded", withError("Rolled back to the last stable spec", s))
  end

  -- Suspended: once the operator has suspended it, or, for a resource
  -- created suspended, once it has recorded that spec (it deploys nothing).
  if s.lifecycleState == "SUSPENDED" then
    return result("Suspended", "Job is suspended")
  elseif job ~= nil and job.state == "suspended" then
    if string.find(reconciled, '"state"%s*:%s*"suspended"') ~= nil then
      return result("Suspended", "Job is suspended")
    end
    return result("Progressing", "Suspending the job")
  end

  if jm == "MISSING" then
    return result("Degraded", withError("JobManager deployment is missing", s))
  elseif jm == "DEPLOYING" or jm == "DEPLOYED_NOT_READY" then
    return result("Progressing", "JobManager is starting")
  end
  if job == nil then
    -- A session cluster: no job of its own.
    if jm == "READY" then
      return result("Healthy", "Session cluster is ready")
    end
    return result("Progressing", "Waiting for the JobManager")
  end
  return jobResult(s)
end
