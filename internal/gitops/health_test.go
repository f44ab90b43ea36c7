package gitops

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// runHealth runs a kind's health check the way Argo CD does: gopher-lua
// with only the base, table, string and math libraries, the object as the
// global obj, and the returned table's status and message as the result.
func runHealth(t *testing.T, kind, object string) (status, message string) {
	t.Helper()
	script, err := HealthScript(kind)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := yaml.Unmarshal([]byte(object), &o); err != nil {
		t.Fatal(err)
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	L.SetGlobal("obj", toLua(L, o))
	if err := L.DoString(script); err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	hs, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("%s returned %v, want a table", kind, L.Get(-1))
	}
	status, message = hs.RawGetString("status").String(), hs.RawGetString("message").String()
	switch status {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
	default:
		t.Fatalf("%s: status %q is not one Argo CD knows", kind, status)
	}
	return status, message
}

// toLua converts decoded JSON the way Argo CD hands objects to Lua: maps
// and lists become tables (lists 1-based), numbers float64.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	}
	return lua.LNil
}

type healthCase struct {
	name, object, status, message string
}

func checkHealth(t *testing.T, kind string, cases []healthCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(kind+"/"+c.name, func(t *testing.T) {
			status, message := runHealth(t, kind, c.object)
			if status != c.status || message != c.message {
				t.Errorf("got %s %q, want %s %q", status, message, c.status, c.message)
			}
		})
	}
}

// deployment builds a FlinkDeployment at generation 2 with the given job
// state (empty: a session cluster) and status.
func deployment(jobState, status string) string {
	spec := "spec: {}\n"
	if jobState != "" {
		spec = "spec:\n  job: {jarURI: local:///job.jar, state: " + jobState + "}\n"
	}
	if status != "" {
		status = "status:\n" + indent(status)
	}
	return "metadata: {name: job, generation: 2}\n" + spec + status
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const (
	running   = `lastReconciledSpec: '{"spec":{"job":{"state":"running"}}}'`
	suspended = `lastReconciledSpec: '{"spec":{"job":{"jarURI":"local:///job.jar","state":"suspended"}}}'`
	opError   = `error: '{"type":"org.apache.flink.kubernetes.operator.exception.ReconciliationException","message":"Could not find the job jar","throwableList":[]}'`
)

func TestFlinkDeploymentHealth(t *testing.T) {
	checkHealth(t, "FlinkDeployment", []healthCase{
		{"no status", deployment("running", ""), "Progressing", "Waiting for the operator"},
		{"not yet deployed", deployment("running", "lifecycleState: CREATED\nreconciliationStatus: {state: UPGRADING}\n"),
			"Progressing", "Waiting for the operator to deploy"},
		{"rejected before deploying", deployment("running", "lifecycleState: CREATED\nreconciliationStatus: {}\n"+opError+"\n"),
			"Degraded", "Not deployed: Could not find the job jar"},
		{"deploying", deployment("running", "lifecycleState: DEPLOYED\njobManagerDeploymentStatus: DEPLOYING\nobservedGeneration: 2\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "JobManager is starting"},
		{"jobmanager not ready", deployment("running", "lifecycleState: DEPLOYED\njobManagerDeploymentStatus: DEPLOYED_NOT_READY\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "JobManager is starting"},
		{"job created", deployment("running", "lifecycleState: DEPLOYED\njobManagerDeploymentStatus: READY\njobStatus: {state: CREATED}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Job is created"},
		{"deployed and running", deployment("running", "lifecycleState: DEPLOYED\njobManagerDeploymentStatus: READY\njobStatus: {state: RUNNING}\nobservedGeneration: 2\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Healthy", "Job is running"},
		{"stable", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: RUNNING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Healthy", "Job is running"},
		{"batch job finished", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: FINISHED}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Healthy", "Job finished"},
		{"spec changed, not yet seen", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: RUNNING}\nobservedGeneration: 1\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Waiting for the operator to reconcile the latest spec"},
		{"upgrading", deployment("running", "lifecycleState: UPGRADING\njobManagerDeploymentStatus: MISSING\njobStatus: {state: FINISHED}\nreconciliationStatus: {state: UPGRADING, "+running+"}\n"),
			"Progressing", "Upgrading"},
		{"rolling back", deployment("running", "lifecycleState: ROLLING_BACK\njobManagerDeploymentStatus: READY\njobStatus: {state: RUNNING}\nreconciliationStatus: {state: ROLLING_BACK, "+running+"}\n"),
			"Progressing", "Rolling back to the last stable spec"},
		{"rolled back", deployment("running", "lifecycleState: ROLLED_BACK\njobManagerDeploymentStatus: READY\njobStatus: {state: RUNNING}\nreconciliationStatus: {state: ROLLED_BACK, "+running+"}\n"+opError+"\n"),
			"Degraded", "Rolled back to the last stable spec: Could not find the job jar"},
		{"restarting", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: RESTARTING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Job is restarting"},
		{"failing", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: FAILING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Job is failing"},
		{"job failed", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: FAILED}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\nerror: 'java.lang.RuntimeException: boom'\n"),
			"Degraded", "Job failed: java.lang.RuntimeException: boom"},
		{"lifecycle failed", deployment("running", "lifecycleState: FAILED\njobManagerDeploymentStatus: READY\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"+opError+"\n"),
			"Degraded", "Deployment failed: Could not find the job jar"},
		{"jobmanager deployment error", deployment("running", "lifecycleState: DEPLOYED\njobManagerDeploymentStatus: ERROR\nreconciliationStatus: {state: DEPLOYED, "+running+"}\nerror: 'ImagePullBackOff'\n"),
			"Degraded", "JobManager deployment failed: ImagePullBackOff"},
		{"jobmanager deployment missing", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: MISSING\njobStatus: {state: RECONCILING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Degraded", "JobManager deployment is missing"},
		{"job canceled outside the operator", deployment("running", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: CANCELED}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Degraded", "Job was canceled"},
		{"being suspended", deployment("suspended", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\njobStatus: {state: RUNNING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Suspending the job"},
		{"suspended after it ran", deployment("suspended", "lifecycleState: SUSPENDED\njobManagerDeploymentStatus: MISSING\njobStatus: {state: FINISHED}\nreconciliationStatus: {state: DEPLOYED, "+suspended+"}\n"),
			"Suspended", "Job is suspended"},
		{"created suspended", deployment("suspended", "lifecycleState: CREATED\njobManagerDeploymentStatus: MISSING\nreconciliationStatus: {state: DEPLOYED, "+suspended+"}\n"),
			"Suspended", "Job is suspended"},
		{"created suspended, not yet seen", deployment("suspended", ""), "Progressing", "Waiting for the operator"},
		{"session cluster ready", deployment("", "lifecycleState: STABLE\njobManagerDeploymentStatus: READY\nreconciliationStatus: {state: DEPLOYED, lastReconciledSpec: '{}'}\n"),
			"Healthy", "Session cluster is ready"},
		{"being deleted", deployment("running", "lifecycleState: DELETING\njobManagerDeploymentStatus: READY\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Being deleted"},
	})
}

func TestFlinkSessionJobHealth(t *testing.T) {
	job := func(state, status string) string {
		return strings.Replace(deployment(state, status), "jarURI: local:///job.jar, ", "", 1)
	}
	checkHealth(t, "FlinkSessionJob", []healthCase{
		{"no status", job("running", ""), "Progressing", "Waiting for the operator"},
		{"submitted", job("running", "lifecycleState: DEPLOYED\njobStatus: {state: INITIALIZING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Progressing", "Job is initializing"},
		{"running", job("running", "lifecycleState: STABLE\njobStatus: {state: RUNNING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"),
			"Healthy", "Job is running"},
		{"upgrading", job("running", "lifecycleState: UPGRADING\njobStatus: {state: CANCELLING}\nreconciliationStatus: {state: UPGRADING, "+running+"}\n"),
			"Progressing", "Upgrading"},
		{"restarting", job("running", "lifecycleState: STABLE\njobStatus: {state: RESTARTING}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\nerror: 'TaskManager lost'\n"),
			"Progressing", "Job is restarting: TaskManager lost"},
		{"failed", job("running", "lifecycleState: FAILED\njobStatus: {state: FAILED}\nreconciliationStatus: {state: DEPLOYED, "+running+"}\n"+opError+"\n"),
			"Degraded", "Deployment failed: Could not find the job jar"},
		{"suspended", job("suspended", "lifecycleState: SUSPENDED\njobStatus: {state: FINISHED}\nreconciliationStatus: {state: DEPLOYED, "+suspended+"}\n"),
			"Suspended", "Job is suspended"},
		{"created suspended", job("suspended", "lifecycleState: CREATED\nreconciliationStatus: {state: DEPLOYED, "+strings.Replace(suspended, `"state":`, `"state" : `, 1)+"}\n"),
			"Suspended", "Job is suspended"},
	})
}

func TestFlinkBlueGreenDeploymentHealth(t *testing.T) {
	bg := func(status string) string { return "metadata: {name: bg}\nspec: {}\nstatus:\n" + indent(status) }
	checkHealth(t, "FlinkBlueGreenDeployment", []healthCase{
		{"no status", "metadata: {name: bg}\nspec: {}\n", "Progressing", "Waiting for the operator"},
		{"initializing", bg("blueGreenState: INITIALIZING_BLUE\njobStatus: {state: CREATED}"), "Progressing", "Deploying blue"},
		{"blue active", bg("blueGreenState: ACTIVE_BLUE\njobStatus: {state: RUNNING}"), "Healthy", "Job is running (blue active)"},
		{"savepointing", bg("blueGreenState: SAVEPOINTING_BLUE\njobStatus: {state: RUNNING}"), "Progressing", "Taking a savepoint of blue"},
		{"transitioning", bg("blueGreenState: TRANSITIONING_TO_GREEN\njobStatus: {state: RUNNING}"), "Progressing", "Transitioning to green"},
		{"green active", bg("blueGreenState: ACTIVE_GREEN\njobStatus: {state: RUNNING}"), "Healthy", "Job is running (green active)"},
		{"green suspended", bg("blueGreenState: ACTIVE_GREEN\njobStatus: {state: SUSPENDED}"), "Suspended", "Job is suspended (green active)"},
		{"restarting", bg("blueGreenState: ACTIVE_GREEN\njobStatus: {state: RESTARTING}"), "Progressing", "Job is restarting (green active)"},
		{"failed", bg("blueGreenState: ACTIVE_BLUE\njobStatus: {state: FAILED}\nerror: deployment green failed"), "Degraded", "Job failed: deployment green failed"},
	})
}

func TestFlinkStateSnapshotHealth(t *testing.T) {
	snap := func(kind, status string) string {
		s := "metadata: {name: s}\nspec:\n  " + kind + ": {}\n"
		if status != "" {
			s += "status:\n" + indent(status)
		}
		return s
	}
	checkHealth(t, "FlinkStateSnapshot", []healthCase{
		{"no status", snap("savepoint", ""), "Progressing", "Waiting for the operator"},
		{"trigger pending", snap("savepoint", "state: TRIGGER_PENDING"), "Progressing", "Waiting to trigger the savepoint"},
		{"in progress", snap("checkpoint", "state: IN_PROGRESS\ntriggerId: abc"), "Progressing", "Checkpoint in progress"},
		{"retrying", snap("savepoint", "state: IN_PROGRESS\nfailures: 2\nerror: timeout"), "Progressing", "Savepoint in progress, retrying after 2 failures: timeout"},
		{"completed", snap("savepoint", "state: COMPLETED\npath: s3://bucket/savepoints/savepoint-1"), "Healthy", "Savepoint completed: s3://bucket/savepoints/savepoint-1"},
		{"completed checkpoint", snap("checkpoint", "state: COMPLETED"), "Healthy", "Checkpoint completed"},
		{"failed", snap("savepoint", "state: FAILED\nfailures: 3\n"+opError), "Degraded", "Savepoint failed: Could not find the job jar"},
		{"abandoned", snap("savepoint", "state: ABANDONED\nerror: the job is not running"), "Degraded", "Savepoint abandoned: the job is not running"},
		{"unknown state", snap("savepoint", "state: SOMETHING_NEW"), "Unknown", "Unknown snapshot state SOMETHING_NEW"},
	})
}

// Every kind the operator's CRDs define, and only those, has a script.
func TestHealthScriptsForEveryKind(t *testing.T) {
	entries, err := healthFS.ReadDir("health")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if name := strings.TrimSuffix(e.Name(), ".lua"); name != "common" {
			files = append(files, name)
		}
	}
	if strings.Join(files, ",") != strings.Join(HealthKinds, ",") {
		t.Errorf("scripts %v, HealthKinds %v", files, HealthKinds)
	}
	cm := ArgoHealthChecks("argocd")
	data := cm.Object["data"].(map[string]any)
	for _, k := range HealthKinds {
		if _, ok := data["resource.customizations.health.flink.apache.org_"+k]; !ok {
			t.Errorf("argocd-cm has no health check for %s", k)
		}
	}
}
