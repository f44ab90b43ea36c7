package output

import (
	"errors"
	"io/fs"
	"os"
)

// asideSuffix names the folder next to the output where exchangeByRenames
// parks the old tree between its renames.
const asideSuffix = ".krm-flink-old"

// swap replaces the output tree with the staged one; a variable so tests
// on Linux can run the rename-based swap other systems use.
var swap = exchange

// exchangeByRenames swaps the directories a and b with three renames:
// b aside, a to b, the old tree to a. It is compiled on every system so
// the tests run it everywhere; rename is a parameter so a test can stop it
// where a crash would.
func exchangeByRenames(a, b string, rename func(from, to string) error) error {
	aside := b + asideSuffix
	if err := rename(b, aside); err != nil {
		return err
	}
	if err := rename(a, b); err != nil {
		_ = rename(aside, b)
		return err
	}
	return rename(aside, a)
}

// recoverAside puts right what a run killed inside exchangeByRenames left:
// with dir gone the old tree is only aside and goes back; with dir in place
// the swap got as far as the new tree, and the old one aside is removed.
func recoverAside(dir string) error {
	aside := dir + asideSuffix
	if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(aside, dir)
	}
	return os.RemoveAll(aside)
}
