package source

import (
	"fmt"
	"os"
	"path/filepath"

	"helm.sh/helm/v3/pkg/provenance"
)

// verifyProvenance checks a packaged chart against its .prov file and a
// keyring of trusted public keys, as `helm verify` does.
func verifyProvenance(chartPath, provPath, keyring string) error {
	if keyring == "" {
		return fmt.Errorf("verifying the chart needs a keyring")
	}
	if _, err := os.Stat(provPath); err != nil {
		return fmt.Errorf("verifying the chart: no provenance file %s", provPath)
	}
	sig, err := provenance.NewFromKeyring(keyring, "")
	if err != nil {
		return fmt.Errorf("reading keyring %s: %w", keyring, err)
	}
	if _, err := sig.Verify(chartPath, provPath); err != nil {
		return fmt.Errorf("verifying the chart against %s: %w", keyring, err)
	}
	return nil
}

// verifyProvenanceData verifies a chart held in memory: Helm's verifier
// reads files, so both go to a temporary folder first, the chart under the
// name the provenance file lists (<name>-<version>.tgz).
func verifyProvenanceData(fileName string, data, prov []byte, keyring string) error {
	if prov == nil {
		return fmt.Errorf("verifying the chart: the source has no provenance file")
	}
	dir, err := os.MkdirTemp("", "krm-flink-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	chartPath := filepath.Join(dir, filepath.Base(fileName))
	if err := os.WriteFile(chartPath, data, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(chartPath+".prov", prov, 0o600); err != nil {
		return err
	}
	return verifyProvenance(chartPath, chartPath+".prov", keyring)
}
