// Package apiserver runs a real kube-apiserver (with etcd) for tests, so that
// every object krm-flink renders can be proven acceptable to Kubernetes:
// schema, enums, CEL rules of the upstream CRDs, unknown fields (strict field
// validation) and built-in type validation, all checked by the server itself
// through server-side dry-run.
//
// The binaries come from hack/install-apiserver.sh, which builds
// kube-apiserver and kubectl from the k8s.io/kubernetes module pinned in
// hack/tools/apiserver/go.mod and links Debian's etcd beside them, in
// .tools/apiserver/<version>/. KRM_FLINK_APISERVER_ASSETS overrides that
// folder (a KUBEBUILDER_ASSETS folder works too).
package apiserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// AssetsEnv names the environment variable that points at a folder holding
// etcd, kube-apiserver (and kubectl).
const AssetsEnv = "KRM_FLINK_APISERVER_ASSETS"

// ModulePath is the root module of the repository; used to find the repo root.
const ModulePath = "github.com/krm-flink/krm-flink"

// startTimeout bounds how long etcd and kube-apiserver may take to be ready.
const startTimeout = 2 * time.Minute

// Server is a running etcd + kube-apiserver pair.
type Server struct {
	// Client holds an admin (system:masters) client configuration (Config)
	// and the dynamic client and REST mapper the helpers use.
	*Client
	// URL is the https address of the API server.
	URL string
	// Dir holds the etcd data, certificates, keys and the process logs.
	Dir string

	etcd, apiserver *process
	removeDir       bool
	stopOnce        sync.Once
}

type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// RepoRoot returns the root of the krm-flink repository: the closest parent
// of the working directory whose go.mod declares ModulePath.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(data) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", ModulePath)
		}
		dir = parent
	}
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// PinnedVersion reads the k8s.io/kubernetes version required by
// hack/tools/apiserver/go.mod (the version install-apiserver.sh builds).
func PinnedVersion() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "hack", "tools", "apiserver", "go.mod")
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[0] == "require" && f[1] == "k8s.io/kubernetes" {
			return f[2], nil
		}
		if len(f) >= 2 && f[0] == "k8s.io/kubernetes" && strings.HasPrefix(f[1], "v") {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("%s does not require k8s.io/kubernetes", p)
}

// AssetsDir returns the folder with etcd and kube-apiserver: $KRM_FLINK_APISERVER_ASSETS,
// else <repo>/.tools/apiserver/<pinned version>/. It checks that both binaries exist.
func AssetsDir() (string, error) {
	dir := os.Getenv(AssetsEnv)
	if dir == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		v, err := PinnedVersion()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, ".tools", "apiserver", v)
	}
	for _, b := range []string{"etcd", "kube-apiserver"} {
		p := filepath.Join(dir, b)
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("API server assets missing: no executable %s (run hack/install-apiserver.sh, or set %s)", p, AssetsEnv)
		}
	}
	return dir, nil
}

// Start starts etcd and kube-apiserver for one test, with data in t.TempDir(),
// and stops them in t.Cleanup. A missing asset or a failed start is fatal,
// except under -short outside CI (testutil.Short), where the test is skipped.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer(t.TempDir())
	if err != nil {
		if testutil.Short() {
			t.Skipf("-short: no API server: %v", err)
		}
		t.Fatalf("cannot start the API server: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartServer starts etcd and kube-apiserver with their state in dir (a new
// temporary folder, removed by Stop, when dir is ""). The caller must call
// Stop. The processes also die with the test binary (SIGKILL on parent death).
func StartServer(dir string) (_ *Server, err error) {
	assets, err := AssetsDir()
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir}
	if dir == "" {
		if s.Dir, err = os.MkdirTemp("", "krm-flink-apiserver-"); err != nil {
			return nil, err
		}
		s.removeDir = true
	}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()

	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, securePort := ports[0], ports[1], ports[2]
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)

	s.etcd, err = startProcess(s.Dir, "etcd", filepath.Join(assets, "etcd"),
		"--name=default",
		"--data-dir="+filepath.Join(s.Dir, "etcd"),
		"--listen-client-urls="+etcdURL,
		"--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL,
		"--initial-cluster-state=new",
		"--log-level=warn",
	)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := waitHTTP(ctx, s.etcd, &http.Client{Timeout: 5 * time.Second}, etcdURL+"/health"); err != nil {
		return nil, err
	}

	// Admin token in system:masters (authorized by the RBAC bootstrap policy).
	token, err := randomHex(32)
	if err != nil {
		return nil, err
	}
	tokenFile := filepath.Join(s.Dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(token+`,krm-flink-admin,krm-flink-admin,"system:masters"`+"\n"), 0o600); err != nil {
		return nil, err
	}
	saKey, saPub, err := writeServiceAccountKeys(s.Dir)
	if err != nil {
		return nil, err
	}
	certDir := filepath.Join(s.Dir, "certs")
	s.apiserver, err = startProcess(s.Dir, "kube-apiserver", filepath.Join(assets, "kube-apiserver"),
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(securePort),
		// No --tls-cert-file: the server writes a self-signed serving cert
		// (and the CA that signed it) for 127.0.0.1/localhost into cert-dir.
		"--cert-dir="+certDir,
		"--token-auth-file="+tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+saPub,
		"--service-account-signing-key-file="+saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		// No controller manager or other masters: do not maintain the
		// kubernetes Service endpoints (it would need a routable address).
		"--endpoint-reconciler-type=none",
		// Real clusters (EKS) allow privileged pods (e.g. log agents).
		"--allow-privileged=true",
		"--v=0",
	)
	if err != nil {
		return nil, err
	}
	s.URL = fmt.Sprintf("https://127.0.0.1:%d", securePort)

	// Wait for the generated certificate, then for /readyz over TLS.
	crt := filepath.Join(certDir, "apiserver.crt")
	var ca []byte
	for ca == nil {
		if data, err := os.ReadFile(crt); err == nil && bytes.Contains(data, []byte("END CERTIFICATE")) {
			ca = data
			break
		}
		select {
		case <-s.apiserver.done:
			return nil, s.apiserver.exitError()
		case <-ctx.Done():
			return nil, fmt.Errorf("kube-apiserver wrote no %s within %s%s", crt, startTimeout, s.apiserver.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
	cfg := &rest.Config{
		Host:            s.URL,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		QPS:             200,
		Burst:           400,
		Timeout:         60 * time.Second,
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, s.apiserver, hc, s.URL+"/readyz"); err != nil {
		return nil, err
	}
	if s.Client, err = NewClient(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// Stop ends kube-apiserver, then etcd, and removes Dir when StartServer made it.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.apiserver.stop()
		s.etcd.stop()
		if s.removeDir {
			_ = os.RemoveAll(s.Dir)
		}
	})
}

func startProcess(dir, name, bin string, args ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = os.Environ()
	// Kill the server if the test binary dies without running its cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *process) exitError() error {
	return fmt.Errorf("%s exited early (%v)%s", p.name, p.err, p.logTail())
}

// logTail returns the last lines of the process log, for error messages.
func (p *process) logTail() string {
	data, err := os.ReadFile(p.log)
	if err != nil || len(data) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return fmt.Sprintf("\n--- last lines of %s ---\n%s", p.log, strings.Join(lines, "\n"))
}

// waitHTTP polls url until it answers 200, the process exits, or ctx ends.
func waitHTTP(ctx context.Context, p *process, c *http.Client, url string) error {
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			body := make([]byte, 4096)
			n, _ := resp.Body.Read(body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body[:n])
		} else {
			last = err.Error()
		}
		select {
		case <-p.done:
			return p.exitError()
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s within %s (last answer: %s)%s", p.name, url, startTimeout, last, p.logTail())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// freePorts reserves n distinct free TCP ports on 127.0.0.1. They are released
// before the servers bind them, a small race accepted in tests.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// writeServiceAccountKeys generates the RSA key pair kube-apiserver signs and
// verifies service-account tokens with (instead of shelling out to openssl).
func writeServiceAccountKeys(dir string) (keyPath, pubPath string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	keyPath = filepath.Join(dir, "sa.key")
	pubPath = filepath.Join(dir, "sa.pub")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(pubPath, pubPEM, 0o644); err != nil {
		return "", "", err
	}
	return keyPath, pubPath, nil
}
