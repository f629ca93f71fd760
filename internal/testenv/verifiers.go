package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Verifier returns what find returns: the command (or folder) of another
// DKIM verifier that a test compares with. When find returns "" the test may
// go on without it only when the CI environment variable is unset: then it
// logs the skip and Verifier returns "". With CI set (.ci/run installs every
// verifier) a missing one fails the test.
func Verifier(t testing.TB, name string, find func() string) string {
	t.Helper()
	if cmd := find(); cmd != "" {
		return cmd
	}
	if os.Getenv("CI") != "" {
		t.Errorf("%s is missing, and CI is set: .ci/run installs it (see the install step there)", name)
		return ""
	}
	t.Logf("%s is missing: its part is skipped (.ci/run installs it; CI=true makes this a failure)", name)
	return ""
}

// PythonWithDKIM finds a Python that imports dkimpy: Debian's python3-dkim
// is for /usr/bin/python3, which a python3 earlier on PATH may not be.
// Run it from outside the module root (whose dkim/ folder would import as
// a package).
func PythonWithDKIM() string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		cmd := exec.Command(path, "-c", "import dkim.util")
		cmd.Dir = os.TempDir()
		if cmd.Run() == nil {
			return path
		}
	}
	return ""
}

// PerlWithMailDKIM finds a perl that loads Mail::DKIM::Verifier and JSON::PP.
func PerlWithMailDKIM() string {
	path, err := exec.LookPath("perl")
	if err != nil || exec.Command(path, "-MMail::DKIM::Verifier", "-MJSON::PP", "-e1").Run() != nil {
		return ""
	}
	return path
}

// toolsDir is where .ci/run installs npm tools: $LEAKPROOF_TOOLS, else
// ~/.cache/leakproof-tools.
func toolsDir() string {
	if tools := os.Getenv("LEAKPROOF_TOOLS"); tools != "" {
		return tools
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "leakproof-tools")
	}
	return ""
}

// MailauthCommand finds mailauth's command where .ci/run installs it, else
// on PATH.
func MailauthCommand() string {
	candidates := []string{filepath.Join(toolsDir(), "node_modules", ".bin", "mailauth")}
	if path, err := exec.LookPath("mailauth"); err == nil {
		candidates = append(candidates, path)
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return ""
}

// MailauthModules returns the node_modules folder that holds mailauth where
// .ci/run installs it (for NODE_PATH), or "" when it or node is missing.
func MailauthModules() string {
	if _, err := exec.LookPath("node"); err != nil {
		return ""
	}
	dir := filepath.Join(toolsDir(), "node_modules")
	if _, err := os.Stat(filepath.Join(dir, "mailauth", "lib", "dkim", "verify.js")); err != nil {
		return ""
	}
	return dir
}
