/* The C baseline for run.sh: the same GSL calls as the Swift family structs
   (mt19937 seeded with the seed the Swift RandomStream derives, passed as argv[1];
   Normal = mu + gsl_ran_gaussian_ziggurat, Gamma = gsl_ran_gamma with scale 1/rate,
   Poisson = gsl_ran_poisson), 10^7 draws each, summed. One pass per call. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#define DRAWS 10000000

static unsigned long seed;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void report(const char *family, double start, double sum) {
    printf("c %s %.17g %.17g\n", family, (now_ns() - start) / DRAWS, sum);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: bench GSL_SEED\n"); return 64; }
    seed = strtoul(argv[1], NULL, 10);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double mu = 0, sigma = 1, alpha = 2, beta = 1, lambda = 3.5;

    gsl_rng_set(r, seed);
    double sum = 0, start = now_ns();
    for (long i = 0; i < DRAWS; i++) sum += mu + gsl_ran_gaussian_ziggurat(r, sigma);
    report("Normal", start, sum);

    gsl_rng_set(r, seed);
    sum = 0; start = now_ns();
    for (long i = 0; i < DRAWS; i++) sum += gsl_ran_gamma(r, alpha, 1 / beta);
    report("Gamma", start, sum);

    gsl_rng_set(r, seed);
    sum = 0; start = now_ns();
    for (long i = 0; i < DRAWS; i++) sum += (double)gsl_ran_poisson(r, lambda);
    report("Poisson", start, sum);

    gsl_rng_free(r);
    return 0;
}
