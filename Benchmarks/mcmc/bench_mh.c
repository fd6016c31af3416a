/* Hand-written single-site random-walk Metropolis-Hastings over GSL for the model of
 * independent_normal.ppl: x[i] ~ N(0, 1), y[i] ~ N(x[i], 1), i < D, y[i] = sin(i + 1) * 2.
 * One chain, random scan (a site uniformly per step), Gaussian proposal with step 1.0,
 * log densities written out as the Swift Normal scores them, every sweep's state kept.
 * Usage: bench_mh D SWEEPS SEED    prints "c D ns_per_step acceptance checksum". */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double normal_lpdf(double x, double mu, double sigma) {
    double z = (x - mu) / sigma;
    return -0.5 * z * z - log(sigma) - 0.9189385332046727;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: bench_mh D SWEEPS SEED\n"); return 64; }
    long d = atol(argv[1]), sweeps = atol(argv[2]);
    unsigned long seed = strtoul(argv[3], NULL, 10);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double *x = malloc(sizeof(double) * d), *y = malloc(sizeof(double) * d);
    double *draws = malloc(sizeof(double) * d * sweeps);
    for (long i = 0; i < d; i++) { y[i] = sin((double)(i + 1)) * 2; x[i] = gsl_ran_gaussian_ziggurat(rng, 1.0); }
    long accepted = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long s = 0; s < sweeps; s++) {
        for (long k = 0; k < d; k++) {
            long i = (long)gsl_rng_uniform_int(rng, (unsigned long)d);
            double proposal = x[i] + gsl_ran_gaussian_ziggurat(rng, 1.0);
            double log_ratio = normal_lpdf(proposal, 0, 1) + normal_lpdf(y[i], proposal, 1)
                             - normal_lpdf(x[i], 0, 1) - normal_lpdf(y[i], x[i], 1);
            if (log_ratio >= 0 || log(gsl_rng_uniform_pos(rng)) < log_ratio) { x[i] = proposal; accepted++; }
        }
        memcpy(draws + s * d, x, sizeof(double) * d);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    double checksum = 0;
    for (long k = 0; k < d * sweeps; k += 97) checksum += draws[k];
    printf("c %ld %.2f %.4f %.6f\n", d, ns / (double)(d * sweeps), (double)accepted / (double)(d * sweeps), checksum);
    gsl_rng_free(rng);
    free(x); free(y); free(draws);
    return 0;
}
