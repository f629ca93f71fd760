#!/usr/bin/env bash
# Measures leakproof against the floor of DKIM verification, go-msgauth and
# dkimpy, side by side in one run, on the mixed corpus of bench/genmbox
# (docs/performance.md, "The mixed corpus"), and checks every tool's pass and
# fail counts against the generator's truth: a mismatch fails the run.
#
#	bench/run.sh [--messages N] [--runs R] [--rss-messages M] [--seed S] [--dir DIR] [--no-install]
#	bench/run.sh --smoke
#
#   --messages N      corpus size (default 10000, about 408 MB)
#   --runs R          runs of each tool, the best kept (default 3); the tools
#                     take turns within each round, so that a burst of load
#                     elsewhere does not fall on one tool's runs alone
#   --rss-messages M  also run leakproof once on an M-message corpus and
#                     report the growth of its peak RSS per message from N to
#                     M (default 40000, about 1.6 GB; 200000 is about 8 GB;
#                     0 skips it)
#   --seed S          corpus seed (default 1)
#   --dir DIR         working folder (default /tmp/leakproof-bench); corpora
#                     are kept there, keyed by size, seed and the generator's
#                     source, and reused by the next run
#   --no-install      do not install python3-dkim when it is missing
#   --smoke           what .ci/run calls: 200 messages, one run, no RSS
#                     step, go-msgauth on one worker only, dkimpy only if
#                     installed, in a temporary folder; checks that the
#                     harness builds and that every count matches
#
# Tools, each timed as a whole process (start, reading and all) under
# /usr/bin/time -v for its peak RSS:
#   floor            bench/floor: SHA-256 of every byte + one public-key
#                    verification per signature, all cores
#   floor-contract   bench/floor -contract: the floor plus the hashing that
#                    leakproof's output obliges, a second SHA-256 over each
#                    body (the DKIM body hash) and every attachment decoded
#                    and hashed; no tool with that output can be faster
#   leakproof        leakproof verify --format json (chain-of-custody
#                    SHA-256 included), default workers, then --workers 1, 2
#   go-msgauth       bench/msgauth: go-msgauth's dkim.Verify, 1 worker and
#                    one per core
#   dkimpy           bench/dkimpy/verify_mbox.py (python3-dkim), one core;
#                    installed with apt-get when missing and run as root,
#                    otherwise skipped with a message
# The table at the end is Markdown, to paste into docs/performance.md.
set -euo pipefail

messages=10000 runs=3 rss_messages=40000 seed=1 dir=/tmp/leakproof-bench install=1 smoke=
while [ $# -gt 0 ]; do
	case $1 in
	--messages) messages=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--rss-messages) rss_messages=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--no-install) install=; shift ;;
	--smoke) smoke=1; shift ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^#//' >&2; exit 2 ;;
	esac
done
for n in "$messages" "$runs" "$rss_messages" "$seed"; do
	case $n in '' | *[!0-9]*) echo "bench/run.sh: not a number: $n" >&2; exit 2 ;; esac
done
if [ -n "$smoke" ]; then
	messages=200 runs=1 rss_messages=0 install=
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
[ "$messages" -gt 0 ] && [ "$runs" -gt 0 ] || { echo "bench/run.sh: --messages and --runs must be positive" >&2; exit 2; }
if [ "$rss_messages" -gt 0 ] && [ "$rss_messages" -le "$messages" ]; then
	echo "bench/run.sh: --rss-messages ($rss_messages) must be 0 or more than --messages ($messages)" >&2; exit 2
fi
mkdir -p "$dir/bin"
dir=$(cd "$dir" && pwd)
cd "$(dirname "$0")/.."
repo=$PWD
command -v /usr/bin/time >/dev/null || { echo "bench/run.sh: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "go: $(go version); tree: $(git describe --always --dirty 2>/dev/null || echo unknown)"

for p in floor msgauth truthcheck genmbox; do go build -o "$dir/bin/$p" "./bench/$p"; done
go build -o "$dir/bin/leakproof" ./cmd/leakproof
bin=$dir/bin

# corpus N: prints the folder of the N-message corpus, generating it unless
# a complete one (truth.json is written last) made by the same generator
# source is there.
corpus() {
	local src c
	src=$(ls bench/genmbox/*.go bench/internal/corpus/*.go internal/testmail/*.go | grep -v '_test\.go$' | xargs cat | sha256sum | cut -c1-12)
	c=$dir/mixed-$1-seed$seed-$src
	if [ ! -f "$c/truth.json" ]; then
		rm -rf "$c"
		"$bin/genmbox" -out "$c" -mixed -messages "$1" -seed "$seed" >&2
	fi
	echo "$c"
}

dkimpy=
if (cd / && /usr/bin/python3 -c 'import dkim') >/dev/null 2>&1; then
	dkimpy=1
elif [ -n "$install" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "installing python3-dkim with apt-get"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dkim >/dev/null 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dkim >/dev/null; } || true
	(cd / && /usr/bin/python3 -c 'import dkim') >/dev/null 2>&1 && dkimpy=1
fi
[ -n "$dkimpy" ] || echo "dkimpy: python3-dkim is not installed (as root: apt-get install -y python3-dkim); skipped"

c=$(corpus "$messages")
bytes=$(stat -c %s "$c/bench.mbox")
echo "corpus: $c/bench.mbox, $messages messages, $bytes bytes; truth: $(tr -s ' \n' ' ' <"$c/truth.json" | sed 's/, "algorithms".*//; s/^{ //')"

ncpu=$(nproc)
tools=("floor" "floor-contract" "leakproof" "leakproof-w1" "leakproof-w2" "go-msgauth-1" "go-msgauth-$ncpu")
# The smoke test checks counts, not speed: one run of each kind of tool.
[ -n "$smoke" ] && tools=("floor" "floor-contract" "leakproof" "leakproof-w1" "leakproof-w2" "go-msgauth-1")
[ -n "$dkimpy" ] && tools+=("dkimpy")

# command TOOL CORPUS: the command line of TOOL on CORPUS.
command_of() {
	local k=$2/keys.jsonl m=$2/bench.mbox
	case $1 in
	floor) echo "$bin/floor -dir $2" ;;
	floor-contract) echo "$bin/floor -dir $2 -contract" ;;
	leakproof) echo "$bin/leakproof verify --keys $k --format json $m" ;;
	leakproof-w*) echo "$bin/leakproof verify --workers ${1#leakproof-w} --keys $k --format json $m" ;;
	go-msgauth-*) echo "$bin/msgauth -keys $k -workers ${1#go-msgauth-} $m" ;;
	dkimpy) echo "/usr/bin/python3 $repo/bench/dkimpy/verify_mbox.py --keys $k --limit 0 $m" ;;
	esac
}

# measure TOOL CORPUS: runs TOOL once on CORPUS, checks its result against
# the truth, and prints "wall_ms peak_rss_kb cpu_ms" (CPU: user + system).
measure() {
	local out=$dir/out.$1 t0 t1 line
	t0=$(date +%s%N)
	# shellcheck disable=SC2046
	if ! (cd / && /usr/bin/time -v $(command_of "$1" "$2") >"$out" 2>"$out.time"); then
		echo "bench/run.sh: $1 failed:" >&2; tail -20 "$out.time" >&2; exit 1
	fi
	t1=$(date +%s%N)
	case $1 in
	leakproof*) "$bin/truthcheck" -truth "$2/truth.jsonl" -leakproof "$out" >"$out.check" ;;
	*) line=$(grep -E '^(floor|go-msgauth|dkimpy) ' "$out" | tail -1) && "$bin/truthcheck" -truth "$2/truth.jsonl" -result "$line" >"$out.check" ;;
	esac || { echo "bench/run.sh: $1's results differ from the truth" >&2; exit 1; }
	echo "$(( (t1 - t0) / 1000000 )) $(awk '/Maximum resident set size/ { rss = $NF } /(User|System) time \(seconds\)/ { cpu += $NF } END { printf "%d %.0f", rss, cpu * 1000 }' "$out.time")"
}

declare -A best rss cpu
for ((r = 1; r <= runs; r++)); do
	echo "round $r of $runs (load average $(cut -d' ' -f1 /proc/loadavg)):"
	for t in "${tools[@]}"; do
		read -r ms kb cms < <(measure "$t" "$c") || exit 1
		printf '  %-16s %8.3f s  %8.2f CPU s  %7.1f MB peak RSS  %s\n' "$t" "$(awk -v m="$ms" 'BEGIN { print m / 1000 }')" "$(awk -v m="$cms" 'BEGIN { print m / 1000 }')" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$(cat "$dir/out.$t.check")"
		if [ -z "${cpu[$t]:-}" ] || [ "$cms" -lt "${cpu[$t]}" ]; then cpu[$t]=$cms; fi
		if [ -z "${best[$t]:-}" ] || [ "$ms" -lt "${best[$t]}" ]; then best[$t]=$ms; fi
		if [ -z "${rss[$t]:-}" ] || [ "$kb" -gt "${rss[$t]}" ]; then rss[$t]=$kb; fi
	done
done
rm -f "$dir"/out.*

label() {
	case $1 in
	floor) echo "floor (SHA-256 + 1 public-key op per signature, $ncpu cores)" ;;
	floor-contract) echo "floor + body hash + attachments decoded and hashed, $ncpu cores" ;;
	leakproof) echo "\`leakproof verify --format json\` (default workers)" ;;
	leakproof-w*) echo "\`leakproof verify --format json --workers ${1#leakproof-w}\`" ;;
	go-msgauth-1) echo "go-msgauth loop, 1 worker" ;;
	go-msgauth-*) echo "go-msgauth loop, ${1#go-msgauth-} workers" ;;
	dkimpy) echo "dkimpy (python3-dkim, 1 core)" ;;
	esac
}
rate() { awk -v n="$messages" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
# ratio A B FORMAT [SCALE]: A / B * SCALE in FORMAT, or n/a without a B.
ratio() { awk -v a="$1" -v b="$2" -v p="$3" -v s="${4:-1}" 'BEGIN { if (b > 0) printf p, a / b * s; else printf "n/a" }'; }

floor_rate=$(rate "${best[floor]}")
msgauth_rate=$(rate "${best[go-msgauth-1]}")
dkimpy_rate=0
[ -n "$dkimpy" ] && dkimpy_rate=$(rate "${best[dkimpy]}")
echo
echo "Best of $runs, $messages messages ($bytes bytes), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; messages/s = messages / wall time of the whole process; peak RSS the largest of the runs; CPU s (user + system) the least of the runs, steadier than wall time when other work shares the machine:"
echo
echo "| tool | messages/s | % of floor | x go-msgauth-1 | x dkimpy | peak RSS | CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for t in "${tools[@]}"; do
	v=$(rate "${best[$t]}")
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$t")" "$v" "$(ratio "$v" "$floor_rate" '%.0f%%' 100)" \
		"$(ratio "$v" "$msgauth_rate" '%.2fx')" "$(ratio "$v" "$dkimpy_rate" '%.1fx')" "$(awk -v k="${rss[$t]}" 'BEGIN { printf "%.1f MB", k / 1024 }')" \
		"$(awk -v m="${cpu[$t]}" 'BEGIN { printf "%.2f", m / 1000 }')"
done
echo
contract_rate=$(rate "${best[floor-contract]}")
echo "the contract floor runs at $(ratio "$contract_rate" "$floor_rate" '%.0f%%' 100) of the floor, the most any tool with leakproof's output can reach; leakproof runs at $(ratio "$(rate "${best[leakproof]}")" "$contract_rate" '%.0f%%' 100) of the contract floor."
echo "leakproof linearity: --workers 2 runs $(ratio "$(rate "${best[leakproof-w2]}")" "$(rate "${best[leakproof-w1]}")" '%.2fx') as fast as --workers 1 (the floor: $ncpu cores)."

if [ "$rss_messages" -gt 0 ]; then
	c2=$(corpus "$rss_messages")
	read -r ms2 kb2 _ < <(measure leakproof "$c2") || exit 1
	rm -f "$dir"/out.*
	echo "leakproof peak RSS: $(awk -v k="${rss[leakproof]}" 'BEGIN { printf "%.1f MB", k / 1024 }') at $messages messages, $(awk -v k="$kb2" 'BEGIN { printf "%.1f MB", k / 1024 }') at $rss_messages messages ($(stat -c %s "$c2/bench.mbox") bytes, $(awk -v n="$rss_messages" -v ms="$ms2" 'BEGIN { printf "%.0f", n / (ms / 1000) }') messages/s): $(awk -v a="${rss[leakproof]}" -v b="$kb2" -v n="$messages" -v m="$rss_messages" 'BEGIN { printf "%.0f", (b - a) * 1024 / (m - n) }') bytes per message of growth."
fi
