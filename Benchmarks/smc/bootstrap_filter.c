/* Bootstrap particle filter for the 1-D linear-Gaussian SSM of ../shared/data/ssm,
 * written by hand over GSL as the baseline for PPL's SMC engine (one thread).
 *
 *   x[0] ~ N(0, 1);  x[t] = 0.9 x[t-1] + N(0, 1);  y[t-1] ~ N(x[t], 0.5^2),  t = 1..T
 *
 * Same algorithm as the engine: mt19937 seeded per stream, gsl_ran_gaussian_ziggurat
 * (what Normal.sample uses), adaptive systematic resampling when ESS < N/2, evidence
 * Z = prod_t sum_i W_{t-1}^i w_t^i. History is a genealogy (x values and ancestor
 * indices per step); at the end the N paths x[0..T] are rebuilt and returned.
 *
 * Build: cc -O2 -o bootstrap_filter bootstrap_filter.c $(pkg-config --cflags --libs gsl)
 * Usage: bootstrap_filter Y.csv N REPS SEED   (prints one line per rep and the median)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

static double *read_column(const char *path, int *count) {
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "cannot read %s\n", path); exit(1); }
    char line[256];
    int capacity = 1024, n = 0;
    double *ys = malloc(sizeof(double) * capacity);
    if (!fgets(line, sizeof line, f)) { fprintf(stderr, "%s is empty\n", path); exit(1); } /* header */
    while (fgets(line, sizeof line, f)) {
        if (n == capacity) { capacity *= 2; ys = realloc(ys, sizeof(double) * capacity); }
        ys[n++] = strtod(line, NULL);
    }
    fclose(f);
    *count = n;
    return ys;
}

static double log_normal(double x, double mu, double sigma) {
    double z = (x - mu) / sigma;
    return -0.5 * z * z - log(sigma) - 0.91893853320467274178;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One filter run; returns log Z and fills paths[t * n + i] = x_t of final particle i. */
static double filter(const double *ys, int T, int n, gsl_rng *rng, double *values, int *ancestors,
                     double *paths, int *resamplings) {
    double *logw = malloc(sizeof(double) * n), *w = malloc(sizeof(double) * n);
    double *x = malloc(sizeof(double) * n), *xnew = malloc(sizeof(double) * n);
    int *a = malloc(sizeof(int) * n);
    double logz = 0;
    *resamplings = 0;
    for (int i = 0; i < n; i++) {
        x[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
        values[i] = x[i];
        ancestors[i] = i;
        logw[i] = -log((double)n);
    }
    for (int t = 1; t <= T; t++) {
        double y = ys[t - 1], maxw = -INFINITY;
        for (int i = 0; i < n; i++) {
            x[i] = 0.9 * x[i] + gsl_ran_gaussian_ziggurat(rng, 1.0);
            values[(size_t)t * n + i] = x[i];
            logw[i] += log_normal(y, x[i], 0.5);
            if (logw[i] > maxw) maxw = logw[i];
        }
        /* logw was normalised after the last step, so log sum exp(logw) is this step's increment. */
        double sum = 0, sumsq = 0;
        for (int i = 0; i < n; i++) { w[i] = exp(logw[i] - maxw); sum += w[i]; sumsq += w[i] * w[i]; }
        double lse = maxw + log(sum);
        logz += lse;
        for (int i = 0; i < n; i++) { logw[i] -= lse; w[i] /= sum; }
        double ess = sum * sum / sumsq;
        int *next = ancestors + (size_t)(t + 1) * n; /* ancestors of generation t+1 */
        if (t < T && ess < 0.5 * n) {
            (*resamplings)++;
            double u = gsl_rng_uniform(rng), cumulative = w[0];
            int k = 0;
            for (int j = 0; j < n; j++) {
                double point = (j + u) / n;
                while (point >= cumulative && k < n - 1) cumulative += w[++k];
                a[j] = k;
            }
            for (int j = 0; j < n; j++) { xnew[j] = x[a[j]]; next[j] = a[j]; logw[j] = -log((double)n); }
            double *swap = x; x = xnew; xnew = swap;
        } else if (t < T) {
            for (int j = 0; j < n; j++) next[j] = j;
        }
    }
    /* Rebuild paths: values of generation t belong to the particles before the resampling after t. */
    for (int i = 0; i < n; i++) {
        int index = i;
        for (int t = T; t >= 0; t--) {
            paths[(size_t)t * n + i] = values[(size_t)t * n + index];
            if (t > 0) index = ancestors[(size_t)t * n + index];
        }
    }
    free(logw); free(w); free(x); free(xnew); free(a);
    return logz;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s Y.csv N REPS SEED\n", argv[0]); return 64; }
    int T, n = atoi(argv[2]), reps = atoi(argv[3]);
    unsigned long seed = strtoul(argv[4], NULL, 10);
    double *ys = read_column(argv[1], &T);
    double *values = malloc(sizeof(double) * (size_t)(T + 1) * n);
    int *ancestors = malloc(sizeof(int) * (size_t)(T + 2) * n);
    double *paths = malloc(sizeof(double) * (size_t)(T + 1) * n);
    double *times = malloc(sizeof(double) * reps), *cpu = malloc(sizeof(double) * reps);
    for (int r = 0; r < reps; r++) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, seed + 7919 * r + 1);
        int resamplings;
        double start = now();
        clock_t cpu_start = clock();
        double logz = filter(ys, T, n, rng, values, ancestors, paths, &resamplings);
        times[r] = now() - start;
        cpu[r] = (double)(clock() - cpu_start) / CLOCKS_PER_SEC;
        printf("c rep %d: %.4f s  logZ %.4f  resamplings %d  paths %d x %d\n", r, times[r], logz, resamplings, T + 1, n);
        gsl_rng_free(rng);
    }
    qsort(times, reps, sizeof(double), compare);
    qsort(cpu, reps, sizeof(double), compare);
    printf("c median %.6f s  cpu %.6f s  N %d  T %d  threads 1\n", times[reps / 2], cpu[reps / 2], n, T);
    return 0;
}
