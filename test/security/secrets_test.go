package security

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/output"
)

// secretPatterns are credentials recognisable by their shape.
var secretPatterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"AWS access key id", regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`)},
	{"AWS secret access key", regexp.MustCompile(`(?i)aws.?secret.?access.?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}`)},
	{"private key", regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)},
	{"Datadog API or application key", regexp.MustCompile(`(?i)(?:dd|datadog)?[_.-]?(?:api|app(?:lication)?)[_.-]?key["']?\s*[:=]\s*["']?[0-9a-f]{32,40}\b`)},
	{"Datadog key in DD_API_KEY", regexp.MustCompile(`DD_(?:API|APP)_KEY\b[\s\S]{0,40}value:\s*["']?[0-9a-f]{32}`)},
	{"GitHub token", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`)},
	{"Slack token", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
	{"JWT", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)},
	{"password in a URL", regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s:@]+@`)},
}

var (
	token    = regexp.MustCompile(`[A-Za-z0-9+/=_-]{20,}`)
	hexToken = regexp.MustCompile(`^[0-9a-fA-F]{32,}$`)
	// Content digests, not secrets: image and chart digests, and the
	// checksum/<file> annotations charts put on pods to roll them.
	digestHash = regexp.MustCompile(`(?:sha256|sha512):[0-9a-f]{64,128}|checksum/[\w.-]+:\s*["']?[0-9a-f]{64}`)
	separator  = regexp.MustCompile(`[_./-]`)
)

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(len(s))
		h -= p * math.Log2(p)
	}
	return h
}

// highEntropy tells whether a token looks random: long hex with high
// entropy, or base64-like text mixing cases and digits with high entropy.
// Identifiers (metric names, CRD fields) are neither.
func highEntropy(tok string) bool {
	tok = strings.Trim(tok, "=-_")
	if hexToken.MatchString(tok) {
		return entropy(tok) > 3.0
	}
	if parts := separator.Split(tok, -1); len(parts) > 2 {
		longest := 0
		for _, p := range parts {
			longest = max(longest, len(p))
		}
		if longest < 24 {
			return false // an identifier: words joined by separators
		}
	}
	var upper, lower, digit bool
	for _, r := range tok {
		upper = upper || r >= 'A' && r <= 'Z'
		lower = lower || r >= 'a' && r <= 'z'
		digit = digit || r >= '0' && r <= '9'
	}
	return upper && lower && digit && len(tok) >= 20 && entropy(tok) > 4.2
}

// knownSecretData are Secret entries rendered on purpose, and why they are
// not secrets.
var knownSecretData = map[string]string{
	"flink-operator-webhook-secret/password": "the Flink operator chart's fixed, public default keystore password (password1234); " +
		"set spec.components.flink-operator.values.webhook.keystore.passwordSecretRef to use a Secret of your own",
}

// scanForSecrets lists the secrets found in one file's content.
func scanForSecrets(content string) []string {
	var found []string
	for _, p := range secretPatterns {
		for _, m := range p.re.FindAllString(content, -1) {
			found = append(found, p.name+": "+m)
		}
	}
	clean := digestHash.ReplaceAllString(content, "")
	for _, tok := range token.FindAllString(clean, -1) {
		if highEntropy(tok) {
			found = append(found, "high-entropy string: "+tok)
		}
	}
	// Secret objects: every data entry must be a known, public value.
	for _, doc := range bytes.Split([]byte(content), []byte("\n---\n")) {
		var obj struct {
			Kind       string                `json:"kind"`
			Metadata   struct{ Name string } `json:"metadata"`
			Data       map[string]string     `json:"data"`
			StringData map[string]string     `json:"stringData"`
		}
		if sigsyaml.Unmarshal(doc, &obj) != nil || obj.Kind != "Secret" {
			continue
		}
		for _, m := range []map[string]string{obj.Data, obj.StringData} {
			for k, v := range m {
				if v != "" && knownSecretData[obj.Metadata.Name+"/"+k] == "" {
					found = append(found, "Secret "+obj.Metadata.Name+" carries data "+k)
				}
			}
		}
	}
	return found
}

// TestScannerFindsPlantedSecrets keeps the scanner honest: every kind of
// secret it looks for is found, and what the overlays legitimately hold
// (digests, metric names, ARNs, image references) is not.
func TestScannerFindsPlantedSecrets(t *testing.T) {
	planted := map[string]string{
		"aws key id":      "env:\n- {name: AWS_ACCESS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}\n",
		"aws secret":      "aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		"random base64":   "token: 9xQe2LvHk3Zt7WpR4nYc8JbF6sDm1Ga5\n",
		"private key":     "tls.key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIB\n",
		"datadog api key": "metrics.reporter.dghttp.apikey: 3f9c2a7be1d04c8f9a6b5e2d1c0f7a8b\n",
		"DD_API_KEY env":  "- name: DD_API_KEY\n  value: 3f9c2a7be1d04c8f9a6b5e2d1c0f7a8b\n",
		"url password":    "repo: https://admin:hunter2@charts.example.com\n",
		"secret data":     "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: aHVudGVyMg==}\n",
		"github token":    "token: ghp_0123456789abcdefghijABCDEFGHIJ0123456789\n",
	}
	for name, content := range planted {
		if len(scanForSecrets(content)) == 0 {
			t.Errorf("%s: not found in %q", name, content)
		}
	}
	clean := []string{
		"image: flink@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		"- flink_taskmanager_job_task_operator_KafkaSourceReader.*\n",
		"eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/KarpenterController\n",
		"image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/orders-enricher:2.4.1\n",
		"ad.datadoghq.com/tags: '{\"app\":\"orders-enricher\",\"env\":\"prod\"}'\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: flink-operator-webhook-secret}\ndata: {password: cGFzc3dvcmQxMjM0}\n",
		"checksum/config: d07d344a3eb539ad55eec4405eab8c50090b8bb7a71572342e8f1e36a9b9f15d\n",
		"- taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation_Time\n",
	}
	for _, content := range clean {
		if found := scanForSecrets(content); len(found) > 0 {
			t.Errorf("false positive in %q: %v", content, found)
		}
	}
}

// TestNoSecretInOverlays scans every overlay krm-flink wrote into the
// repository (overlays/, every testdata/render expected tree, the function
// goldens) and a fresh render of every input, for known key patterns and
// high-entropy strings.
func TestNoSecretInOverlays(t *testing.T) {
	files := 0
	scan := func(name, content string) {
		files++
		for _, f := range scanForSecrets(content) {
			t.Errorf("%s: %s", name, f)
		}
	}
	var roots []string
	roots = append(roots, filepath.Join(repoRoot, "overlays"), filepath.Join(repoRoot, "testdata", "fn"))
	if cases, err := os.ReadDir(filepath.Join(repoRoot, "testdata", "render")); err == nil {
		for _, c := range cases {
			roots = append(roots, filepath.Join(repoRoot, "testdata", "render", c.Name(), "expected"))
		}
	}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(repoRoot, p)
			if strings.HasPrefix(filepath.ToSlash(rel), "testdata/fn/") && filepath.Base(p) != "_expected.yaml" {
				return nil // a function's input, not its output
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scan(rel, string(data))
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	for _, name := range sortedKeys(inputs(t)) {
		byEnv, _ := renderSet(t, loadSet(t, inputs(t)[name]))
		for _, env := range sortedKeys(byEnv) {
			for _, o := range byEnv[env] {
				data, err := output.Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				scan(name+" "+env+" "+o.ID(), string(data))
			}
		}
	}
	if files < 100 {
		t.Fatalf("only %d files scanned", files)
	}
	t.Logf("%d files and objects scanned", files)
}
