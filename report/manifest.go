package report

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A Manifest says how a report was made: by which build of leakproof, when,
// with which command, from which input files and key files (each with its
// SHA-256) and under which policy, and what it found. It is what lets a
// report go into an editor's file or a legal review. docs/json.md defines
// each field; every field is always present, never null.
type Manifest struct {
	LeakproofVersion string            `json:"leakproof_version"` // as "leakproof --version" prints it
	Commit           string            `json:"commit"`            // short VCS revision, "+dirty", or "unknown"
	Started          string            `json:"started"`           // RFC 3339
	Finished         string            `json:"finished"`          // RFC 3339
	Command          []string          `json:"command"`           // the argument list, program name first
	Inputs           []ManifestInput   `json:"inputs"`            // every file read, in walk order
	KeyFiles         []ManifestKeyFile `json:"key_files"`         // every key file, in command-line order
	Policy           ManifestPolicy    `json:"policy"`
	Counts           ManifestCounts    `json:"counts"`
}

// A ManifestInput is one input file a run read: a PATH argument, or a file
// under a PATH that is a folder.
type ManifestInput struct {
	Path   string `json:"path"`   // as given, joined with "/" and the path inside a folder
	Size   int64  `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // hex SHA-256 of the whole file
}

// A ManifestKeyFile is one key file a run read.
type ManifestKeyFile struct {
	Path   string `json:"path"`   // as given
	SHA256 string `json:"sha256"` // hex SHA-256 of the whole file
}

// ManifestPolicy is the policy in force: the flags that change what a
// signature counts for, and where keys came from besides the key files.
type ManifestPolicy struct {
	MinRSABits   int      `json:"min_rsa_bits"`  // shorter RSA keys never make a message authentic
	NoSHA1       bool     `json:"no_sha1"`       // rsa-sha1 signatures count for nothing
	TrustSealers []string `json:"trust_sealers"` // ARC sealers trusted, [] when none
	DNS          bool     `json:"dns"`           // keys missing from the key files were asked of DNS
	DNSServer    string   `json:"dns_server"`    // the server asked, "" without DNS
}

// ManifestCounts are the run's totals, as the summary line gives them.
type ManifestCounts struct {
	Messages     int `json:"messages"` // messages with a verdict: authentic + altered + unverifiable
	Authentic    int `json:"authentic"`
	Altered      int `json:"altered"`
	Unverifiable int `json:"unverifiable"`
	Error        int `json:"error"`    // records that could not be read: a message or a whole file
	NotMail      int `json:"not_mail"` // files skipped because they are not mail
}

// Counts returns the tally as a manifest's counts.
func (t Tally) Counts() ManifestCounts {
	return ManifestCounts{
		Messages:     t.Messages(),
		Authentic:    t.Authentic,
		Altered:      t.Altered,
		Unverifiable: t.Unverifiable,
		Error:        t.Unreadable,
		NotMail:      t.NotMail,
	}
}

// htmlManifest is what the HTML page's manifest section shows, cleaned.
type htmlManifest struct {
	Rows        [][2]string
	InputsLabel string
	Inputs      []ManifestInput
	JSON        string
}

func newHTMLManifest(m *Manifest) htmlManifest {
	p := m.Policy
	policy := fmt.Sprintf("RSA keys of %d bits or more count", p.MinRSABits)
	if p.NoSHA1 {
		policy += "; rsa-sha1 counts for nothing"
	} else {
		policy += "; rsa-sha1 counts, at medium confidence at most"
	}
	if len(p.TrustSealers) == 0 {
		policy += "; no ARC sealer trusted"
	} else {
		policy += "; ARC sealers trusted: " + strings.Join(p.TrustSealers, ", ")
	}
	if p.DNS {
		policy += "; keys missing from the key files asked of DNS at " + p.DNSServer
	} else {
		policy += "; DNS not asked"
	}
	keys := "none"
	if len(m.KeyFiles) > 0 {
		var b []string
		for _, k := range m.KeyFiles {
			b = append(b, k.Path+" (SHA-256 "+k.SHA256+")")
		}
		keys = strings.Join(b, "; ")
	}
	c := m.Counts
	h := htmlManifest{
		Rows: [][2]string{
			{"leakproof", m.LeakproofVersion + " (" + m.Commit + ")"},
			{"Started", m.Started},
			{"Finished", m.Finished},
			{"Command", shellQuote(m.Command)},
			{"Key files", keys},
			{"Policy", policy},
			{"Counts", fmt.Sprintf("%d messages: %d authentic, %d altered, %d unverifiable; %d unreadable; %d not mail",
				c.Messages, c.Authentic, c.Altered, c.Unverifiable, c.Error, c.NotMail)},
		},
		InputsLabel: plural(len(m.Inputs), "input file", "input files") + ", each with its size and SHA-256",
	}
	for i := range h.Rows {
		h.Rows[i][1] = clean(h.Rows[i][1])
	}
	for _, in := range m.Inputs {
		in.Path = clean(in.Path)
		h.Inputs = append(h.Inputs, in)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // html/template escapes the page
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err == nil {
		// Cleaned like the rest of the page: a file name's bidirectional
		// controls must not reorder what an editor reads. --manifest
		// writes the exact JSON.
		h.JSON = cleanLines(b.String())
	}
	return h
}

// cleanLines cleans each line of s, keeping the line breaks.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return strings.Join(lines, "\n")
}

// shellQuote writes an argument list as a POSIX shell would read it back:
// an argument with anything but letters, digits and -_./:=,+@% in it goes
// in single quotes.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == "" {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
