package main

import (
	"runtime/debug"
)

// readBuildInfo is debug.ReadBuildInfo; the tests replace it, since a test
// binary carries no version control stamp.
var readBuildInfo = debug.ReadBuildInfo

// version returns the module version and the commit the binary was built
// from, as "leakproof --version" prints them and the manifest records them.
//
// The version is the module's ("v1.2.0" for go install ...@v1.2.0), or
// "(devel)" for a build from a checkout. The commit is the first 12 hex
// digits of the VCS revision, with "+dirty" when the checkout had local
// changes, or "unknown" when the build recorded none (go build -buildvcs=false,
// a build outside a repository, go run).
func version() (ver, commit string) {
	ver, commit = "(devel)", "unknown"
	bi, ok := readBuildInfo()
	if !ok {
		return ver, commit
	}
	if v := bi.Main.Version; v != "" {
		ver = v
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return ver, commit
	}
	commit = rev[:min(len(rev), 12)]
	if dirty {
		commit += "+dirty"
	}
	return ver, commit
}

// versionLine is what "leakproof --version" prints.
func versionLine() string {
	ver, commit := version()
	return "leakproof " + ver + " (" + commit + ")"
}
