#!/bin/sh
# Measures the leakproof CLI on a generated mbox (wall time, CPU, peak RSS
# with /usr/bin/time -v), the SHA-256 floor of the same file (sha256sum),
# and dkimpy against the CLI and against our dkim package alone
# (bench/dkimverify) on the same 2000 messages. The figures of
# docs/performance.md come from it.
#
#	bench/run.sh [SIZE [DIR]]      SIZE default 1GiB, DIR default /tmp/leakproof-bench
#
# Needs Go, /usr/bin/time, and for the dkimpy part /usr/bin/python3 with
# python3-dkim (apt-get install -y python3-dkim); without it that part is
# skipped. Writes only inside DIR.
set -eu

size=${1:-1GiB}
dir=${2:-/tmp/leakproof-bench}
small=${DKIMPY_MESSAGES:-2000}
cd "$(dirname "$0")/.."
mkdir -p "$dir/small"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version)"

go build -o "$dir/leakproof" ./cmd/leakproof
go run ./bench/genmbox -out "$dir" -size "$size"
go run ./bench/genmbox -out "$dir/small" -messages "$small"

# timed FILE OUT ARGS...: runs ARGS under /usr/bin/time -v with stdout to
# OUT, and prints wall seconds, CPU seconds (user+system), peak RSS, and
# FILE's MB per wall second and per CPU second (the latter is steadier on a
# machine shared with other work).
timed() {
	file=$1 out=$2
	shift 2
	/usr/bin/time -v "$@" >"$out" 2>"$dir/time.txt" || { cat "$dir/time.txt" >&2; exit 1; }
	awk -v bytes="$(stat -c %s "$file")" -v msgs="${MSGS:-0}" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
		/User time \(seconds\)/ { cpu += $NF }
		/System time \(seconds\)/ { cpu += $NF }
		/Maximum resident set size/ { rss = $NF }
		END {
			printf "  wall %.2f s, CPU %.2f s, peak RSS %.1f MB, %.1f MB/s wall, %.1f MB/s per CPU second\n",
				wall, cpu, rss / 1024, bytes / wall / 1e6, bytes / (cpu > 0 ? cpu : 0.001) / 1e6
			if (msgs > 0)
				printf "  %.0f msgs/s wall, %.0f msgs per CPU second (process start included)\n", msgs / wall, msgs / (cpu > 0 ? cpu : 0.001)
		}
	' "$dir/time.txt"
}

echo "input: $dir/bench.mbox, $(stat -c %s "$dir/bench.mbox") bytes"
echo "sha256sum (floor, 1 core):"
timed "$dir/bench.mbox" /dev/null sha256sum "$dir/bench.mbox"
echo "leakproof verify --format json (default workers):"
timed "$dir/bench.mbox" "$dir/out.jsonl" "$dir/leakproof" verify --keys "$dir/keys.jsonl" --format json "$dir/bench.mbox"
echo "  records $(wc -l <"$dir/out.jsonl"), authentic $(grep -c '"verdict":"authentic"' "$dir/out.jsonl"), altered $(grep -c '"verdict":"altered"' "$dir/out.jsonl")"
rm -f "$dir/out.jsonl"

echo "same $small messages, leakproof vs dkimpy ($(stat -c %s "$dir/small/bench.mbox") bytes):"
for w in 1 "$(nproc)"; do
	echo "leakproof verify --workers $w:"
	MSGS=$small timed "$dir/small/bench.mbox" /dev/null "$dir/leakproof" verify --workers "$w" --keys "$dir/small/keys.jsonl" --format json "$dir/small/bench.mbox"
done
echo "leakproof's dkim.VerifyBytes alone (1 goroutine, verify calls only, as the dkimpy script):"
go run ./bench/dkimverify -keys "$dir/small/keys.jsonl" -limit 0 "$dir/small/bench.mbox"
if /usr/bin/python3 -c 'import dkim' 2>/dev/null; then
	echo "dkimpy (1 core, verify calls only):"
	/usr/bin/python3 bench/dkimpy/verify_mbox.py --keys "$dir/small/keys.jsonl" --limit 0 "$dir/small/bench.mbox"
else
	echo "dkimpy: not installed (apt-get install -y python3-dkim); skipped"
fi
