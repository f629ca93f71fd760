package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// A conversion is what the command says of files in a mail format it
// recognises but cannot read ([archive.UnsupportedError]'s Format): what
// they are, and the commands that turn them into files it reads. FILE in
// a hint stands for the file's path.
type conversion struct {
	what  string // "an Outlook data file (.pst)", for "skipped PATH: ..."
	many  string // "Outlook data files", for "... and N more ..."
	hints []string
}

// rebuilt warns that converted Outlook mail is not the bytes that were
// signed: a failing signature then proves nothing.
const rebuilt = "a converter rebuilds each message from Outlook's own storage, so its DKIM signatures seldom verify and a failure says nothing about tampering; ask for the original mail files (mbox, .eml) where you can"

var conversions = map[string]conversion{
	"pst": {"an Outlook data file (.pst or .ost)", "Outlook data files", []string{
		"convert it with readpst (Debian package pst-utils): mkdir out && readpst -M -o out FILE, then run leakproof verify out", rebuilt}},
	"msg": {"an Outlook message file (.msg)", "Outlook message files", []string{
		"convert it with msgconvert (Debian package libemail-outlook-message-perl): msgconvert FILE writes a .eml file to verify", rebuilt}},
	"dbx": {"an Outlook Express folder (.dbx)", "Outlook Express folders", []string{
		"extract its messages with UnDBX (not packaged by Debian): undbx FILE out, then run leakproof verify out"}},
	"7z": {"a 7-Zip archive", "7-Zip archives", []string{
		"extract it with 7z (Debian package 7zip): 7z x -oout FILE, then run leakproof verify out"}},
	"rar": {"a RAR archive", "RAR archives", []string{
		"extract it with unrar (Debian package unrar): mkdir out && unrar x FILE out/, then run leakproof verify out"}},
	"xz": {"an xz compressed file", "xz compressed files", []string{
		"decompress it with xz (Debian package xz-utils): xz -dk FILE, or for a .tar.xz mkdir out && tar -xJf FILE -C out; then verify the result"}},
	"zstd": {"a Zstandard compressed file", "Zstandard compressed files", []string{
		"decompress it with zstd (Debian package zstd): zstd -d FILE, or for a .tar.zst mkdir out && tar --zstd -xf FILE -C out; then verify the result"}},
}

// conversionOrder is the order formats are reported in.
var conversionOrder = []string{"pst", "msg", "dbx", "7z", "rar", "xz", "zstd"}

// reportUnsupported prints, per format, the skipped files (the first
// maxSkippedNames of them) and once what to do with them.
func reportUnsupported(stderr io.Writer, files map[string][]string, counts map[string]int) {
	for _, format := range conversionOrder {
		names := files[format]
		if len(names) == 0 {
			continue
		}
		c := conversions[format]
		for _, f := range names {
			fmt.Fprintf(stderr, "leakproof: note: skipped %s: %s, which leakproof cannot read\n", printable(f), c.what)
		}
		if n := counts[format] - len(names); n > 0 {
			fmt.Fprintf(stderr, "leakproof: note: ... and %d more %s\n", n, c.many)
		}
		// A single file on disk is named in the commands, ready to run;
		// otherwise (several, or one inside an archive) FILE stands in.
		arg := "FILE"
		if counts[format] == 1 {
			if fi, err := os.Stat(names[0]); err == nil && fi.Mode().IsRegular() {
				arg = shellQuote(names[0])
			}
		}
		for _, h := range c.hints {
			fmt.Fprintf(stderr, "leakproof: hint: %s\n", printable(strings.ReplaceAll(h, "FILE", arg)))
		}
	}
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./+,:@%-]+$`)

// shellQuote quotes s for a POSIX shell where it needs it.
func shellQuote(s string) string {
	if strings.HasPrefix(s, "-") {
		s = "./" + s // not an option
	}
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
