//go:build !linux

package output

import "os"

// exchange swaps two directories. Without renameat2 it takes two renames; a
// crash between them leaves the old tree in a staging folder, which the next
// run removes.
func exchange(a, b string) error {
	aside := b + ".krm-flink-old"
	if err := os.Rename(b, aside); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		_ = os.Rename(aside, b)
		return err
	}
	return os.Rename(aside, a)
}
