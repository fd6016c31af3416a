/* Hand-written baseline for Benchmarks/bt: Newman's in-place Bradley-Terry iteration in C.
 *
 * Reads a CSV whose first two columns are integer item ids (winner, loser) after a
 * header row, aggregates games per unordered pair by sorting, stores them in CSR
 * (both directions), and iterates
 *     pi_i <- [sum_j w_ij pi_j/(pi_i+pi_j)] / [sum_j w_ji/(pi_i+pi_j)]
 * in place, one item at a time, normalising to geometric mean 1 after each sweep,
 * until the largest change of any log-strength is below TOL (Newman, JMLR 2023).
 * The same algorithm and stopping rule as `ppl rank --method newman`.
 * Build: gcc -O2 -o newman newman.c -lm      Run: ./newman FILE.csv [TOL]
 * Prints: items, pairs, iterations, solver seconds, total seconds, then "id score" lines to stderr if BT_SCORES is set.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { long lo, hi; double lo_wins, hi_wins; } game;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int by_pair(const void *a, const void *b) {
    const game *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi) return x->hi < y->hi ? -1 : 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FILE.csv [TOL]\n", argv[0]); return 64; }
    double tol = argc > 2 ? atof(argv[2]) : 1e-10;
    double start = now();
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    size_t cap = 1 << 16, m = 0;
    game *games = malloc(cap * sizeof *games);
    char line[4096];
    long n = 0;
    if (!fgets(line, sizeof line, f)) { fprintf(stderr, "%s: empty\n", argv[1]); return 1; }
    while (fgets(line, sizeof line, f)) {
        char *end;
        long w = strtol(line, &end, 10);
        if (*end != ',') continue;
        long l = strtol(end + 1, &end, 10);
        if (m == cap) { cap *= 2; games = realloc(games, cap * sizeof *games); }
        game g = { w < l ? w : l, w < l ? l : w, w < l ? 1 : 0, w < l ? 0 : 1 };
        games[m++] = g;
        if (w + 1 > n) n = w + 1;
        if (l + 1 > n) n = l + 1;
    }
    fclose(f);
    qsort(games, m, sizeof *games, by_pair);
    size_t pairs = 0;
    for (size_t k = 0; k < m; k++) {
        if (pairs > 0 && games[pairs - 1].lo == games[k].lo && games[pairs - 1].hi == games[k].hi) {
            games[pairs - 1].lo_wins += games[k].lo_wins;
            games[pairs - 1].hi_wins += games[k].hi_wins;
        } else {
            games[pairs++] = games[k];
        }
    }
    long *row = calloc(n + 1, sizeof *row);
    for (size_t k = 0; k < pairs; k++) { row[games[k].lo + 1]++; row[games[k].hi + 1]++; }
    for (long i = 0; i < n; i++) row[i + 1] += row[i];
    long *next = malloc(n * sizeof *next);
    memcpy(next, row, n * sizeof *next);
    int *opp = malloc(2 * pairs * sizeof *opp);
    double *won = malloc(2 * pairs * sizeof *won), *lost = malloc(2 * pairs * sizeof *lost);
    for (size_t k = 0; k < pairs; k++) {
        long a = next[games[k].lo]++, b = next[games[k].hi]++;
        opp[a] = (int)games[k].hi; won[a] = games[k].lo_wins; lost[a] = games[k].hi_wins;
        opp[b] = (int)games[k].lo; won[b] = games[k].hi_wins; lost[b] = games[k].lo_wins;
    }
    double *pi = malloc(n * sizeof *pi), *logprev = calloc(n, sizeof *logprev), *logs = malloc(n * sizeof *logs);
    for (long i = 0; i < n; i++) pi[i] = 1;
    double solve_start = now();
    int iterations = 0;
    double change = INFINITY;
    while (iterations < 100000) {
        iterations++;
        for (long i = 0; i < n; i++) {
            double pii = pi[i], num = 0, den = 0;
            for (long e = row[i]; e < row[i + 1]; e++) {
                double pj = pi[opp[e]];
                double inv = 1 / (pii + pj);
                num += won[e] * pj * inv;
                den += lost[e] * inv;
            }
            pi[i] = num / den;
        }
        double mean = 0;
        for (long i = 0; i < n; i++) { logs[i] = log(pi[i]); mean += logs[i]; }
        mean /= n;
        double shift = exp(-mean);
        change = 0;
        for (long i = 0; i < n; i++) {
            double l = logs[i] - mean;
            double d = fabs(l - logprev[i]);
            if (d > change) change = d;
            logprev[i] = l;
            pi[i] *= shift;
        }
        if (change < tol) break;
    }
    double solve_end = now();
    printf("{\"items\":%ld,\"pairs\":%zu,\"iterations\":%d,\"change\":%g,\"solverSeconds\":%.6f,\"totalSeconds\":%.6f}\n",
           n, pairs, iterations, change, solve_end - solve_start, solve_end - start);
    if (getenv("BT_SCORES"))
        for (long i = 0; i < n; i++) fprintf(stderr, "%ld %.15g\n", i, logprev[i]);
    return change < tol ? 0 : 1;
}
