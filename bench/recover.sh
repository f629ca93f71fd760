#!/bin/sh
# Measures key recovery (leakproof keys recover) on a 1024-bit and a
# 2048-bit selector, the two running at once (wall time, CPU, peak RSS
# with /usr/bin/time -v), then GMP's mpz_gcd on the same numbers when
# libgmp-dev is installed (bench/gmpgcd/gmpgcd.c; apt-get install -y
# libgmp-dev). The figures of docs/performance.md come from it.
#
#	bench/recover.sh [DIR]      DIR default /tmp/leakproof-recover
#
# Writes only inside DIR.
set -eu

dir=${1:-/tmp/leakproof-recover}
cd "$(dirname "$0")/.."
mkdir -p "$dir"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version)"

go build -o "$dir/leakproof" ./cmd/leakproof
for k in rsa1024 rsa2048; do
	go run ./bench/recover -key "$k" -out "$dir"
done

# recover KEY: runs keys recover under /usr/bin/time -v and prints wall
# seconds, CPU seconds and peak RSS.
recover() {
	/usr/bin/time -v "$dir/leakproof" keys recover --out "$dir/$1.jsonl" "$dir/$1.mbox" \
		>/dev/null 2>"$dir/$1.time" || { cat "$dir/$1.time"; exit 1; }
	awk -v k="$1" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time/ { cpu += $NF } /System time/ { cpu += $NF }
		/Maximum resident/ { rss = $NF / 1024 }
		END { printf "leakproof %s: wall %.0f s, cpu %.0f s, peak rss %.0f MB\n", k, wall, cpu, rss }' "$dir/$1.time"
	grep -c '"recovered":true' "$dir/$1.jsonl" >/dev/null || { echo "leakproof $1: no key recovered"; exit 1; }
}

recover rsa1024 &
recover rsa2048 &
wait

if [ -f /usr/include/gmp.h ] || [ -f /usr/include/x86_64-linux-gnu/gmp.h ]; then
	cc -O2 -o "$dir/gmpgcd" bench/gmpgcd/gmpgcd.c -lgmp
	for k in rsa1024 rsa2048; do
		printf '%s ' "$k"
		"$dir/gmpgcd" <"$dir/$k.hex"
	done
else
	echo "gmp: libgmp-dev not installed, comparison skipped"
fi
