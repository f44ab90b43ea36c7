package source

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CacheDirEnv overrides the default cache folder.
const CacheDirEnv = "KRM_FLINK_CACHE_DIR"

// DefaultCacheDir is $KRM_FLINK_CACHE_DIR, else $XDG_CACHE_HOME/krm-flink/charts,
// else the user's cache folder (~/.cache on Linux) + krm-flink/charts.
func DefaultCacheDir() string {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "krm-flink", "charts")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "krm-flink", "charts")
	}
	return filepath.Join(os.TempDir(), "krm-flink", "charts")
}

// Digest is "sha256:<hex>" of data.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Cache keeps pulled charts content-addressed:
//
//	<dir>/blobs/sha256/<hex>.tgz       the packaged chart
//	<dir>/blobs/sha256/<hex>.tgz.prov  its provenance, when pulled
//	<dir>/refs/<hash of source, chart, version>.json  which digest a pin resolved to
//
// A blob is checked against its name every time it is read, so a damaged or
// edited cache cannot feed a render. Keys include the version and the
// digest, so a new version never reuses an old chart.
type Cache struct {
	Dir string
}

// cacheRef records which chart a source and pinned version resolved to.
type cacheRef struct {
	Source  string `json:"source"`
	Chart   string `json:"chart"`
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

func (c *Cache) blobPath(digest string) (string, error) {
	hexDigest, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hexDigest) != 64 || strings.Trim(hexDigest, "0123456789abcdef") != "" {
		return "", fmt.Errorf("not a sha256 digest: %q", digest)
	}
	return filepath.Join(c.Dir, "blobs", "sha256", hexDigest+".tgz"), nil
}

func (c *Cache) refPath(source, chartName, version string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + chartName + "\x00" + version))
	return filepath.Join(c.Dir, "refs", hex.EncodeToString(sum[:])+".json")
}

// Get returns the chart with digest, checked, and its provenance if cached.
// A missing blob is os.ErrNotExist.
func (c *Cache) Get(digest string) (data, prov []byte, err error) {
	p, err := c.blobPath(digest)
	if err != nil {
		return nil, nil, err
	}
	data, err = os.ReadFile(p)
	if err != nil {
		return nil, nil, err
	}
	if got := Digest(data); got != digest {
		return nil, nil, fmt.Errorf("%w: cached chart %s holds %s; delete it and pull again", ErrDigestMismatch, p, got)
	}
	prov, err = os.ReadFile(p + ".prov")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	return data, prov, nil
}

// Lookup returns the digest a source and pin resolved to when last pulled.
func (c *Cache) Lookup(source, chartName, version string) (string, bool) {
	data, err := os.ReadFile(c.refPath(source, chartName, version))
	if err != nil {
		return "", false
	}
	var ref cacheRef
	if json.Unmarshal(data, &ref) != nil || ref.Source != source || ref.Chart != chartName || ref.Version != version {
		return "", false
	}
	return ref.Digest, true
}

// Put stores a pulled chart (and its provenance, if any) and records which
// digest the source and pin resolved to. It returns the digest.
func (c *Cache) Put(source, chartName, version string, data, prov []byte) (string, error) {
	digest := Digest(data)
	p, err := c.blobPath(digest)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(p, data); err != nil {
		return "", err
	}
	if prov != nil {
		if err := writeFileAtomic(p+".prov", prov); err != nil {
			return "", err
		}
	}
	ref, err := json.Marshal(cacheRef{Source: source, Chart: chartName, Version: version, Digest: digest})
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(c.refPath(source, chartName, version), ref); err != nil {
		return "", err
	}
	return digest, nil
}

// writeFileAtomic writes through a temporary file in the same folder, so a
// reader never sees half a file and concurrent writers do not clash.
func writeFileAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, p)
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	return nil
}
