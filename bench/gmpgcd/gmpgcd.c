/* gmpgcd: GMP's mpz_gcd on the numbers of RSA key recovery, for comparison
 * with leakproof keys recover (bench/recover.sh). Reads s1, m1, s2, m2 in
 * hex, one a line, computes g = gcd(s1^65537 - m1, s2^65537 - m2) and
 * prints the seconds the powers and the GCD took and g's bit length.
 * Needs libgmp-dev; never part of leakproof's build.
 *
 *     cc -O2 -o gmpgcd gmpgcd.c -lgmp && ./gmpgcd < rsa1024.hex
 */
#include <gmp.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
	mpz_t s[2], m[2], a[2], g;
	for (int i = 0; i < 2; i++) {
		mpz_inits(s[i], m[i], a[i], NULL);
		if (gmp_scanf("%Zx %Zx", s[i], m[i]) != 2) {
			fprintf(stderr, "gmpgcd: want s1 m1 s2 m2 in hex on standard input\n");
			return 2;
		}
	}
	mpz_init(g);
	double t0 = now();
	for (int i = 0; i < 2; i++) {
		mpz_pow_ui(a[i], s[i], 65537);
		mpz_sub(a[i], a[i], m[i]);
	}
	double t1 = now();
	mpz_gcd(g, a[0], a[1]);
	double t2 = now();
	printf("gmp: operands %zu bits, powers %.1f s, gcd %.1f s, result %zu bits\n",
	       mpz_sizeinbase(a[0], 2), t1 - t0, t2 - t1, mpz_sizeinbase(g, 2));
	return 0;
}
