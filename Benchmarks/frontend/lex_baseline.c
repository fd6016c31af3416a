// Baseline for the front-end benchmark: a minimal hand-written C lexer for the same token
// rules (names, numbers, operators, // and nested /* */ comments), counting tokens.
// It does no more than the Swift lexer's first step, so it bounds what lexing can cost.
// Build: cc -O2 -o lex_baseline lex_baseline.c; run: ./lex_baseline FILE RUNS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int is_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static long count_tokens(const unsigned char *s, long n) {
    long i = 0, tokens = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { i++; continue; }
        if (c == '/' && i + 1 < n && s[i + 1] == '/') { while (i < n && s[i] != '\n') i++; continue; }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            int depth = 1; i += 2;
            while (i < n && depth > 0) {
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') { depth++; i += 2; }
                else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') { depth--; i += 2; }
                else i++;
            }
            continue;
        }
        tokens++;
        if (is_start(c)) { while (i < n && (is_start(s[i]) || is_digit(s[i]))) i++; continue; }
        if (is_digit(c)) {
            while (i < n && (is_digit(s[i]) || s[i] == '_')) i++;
            if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) { i++; while (i < n && is_digit(s[i])) i++; }
            if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                long j = i + 1;
                if (j < n && (s[j] == '+' || s[j] == '-')) j++;
                if (j < n && is_digit(s[j])) { i = j; while (i < n && is_digit(s[i])) i++; }
            }
            continue;
        }
        if (c == '.' && i + 2 < n && s[i + 1] == '.' && s[i + 2] == '<') { i += 3; continue; }
        if ((c == '-' && i + 1 < n && s[i + 1] == '>') || ((c == '=' || c == '!' || c == '<' || c == '>') && i + 1 < n && s[i + 1] == '=')
            || (c == '&' && i + 1 < n && s[i + 1] == '&') || (c == '|' && i + 1 < n && s[i + 1] == '|')) { i += 2; continue; }
        i++;
    }
    return tokens + 1;  // the end-of-file token, as the Swift lexer counts it
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: lex_baseline FILE [RUNS]\n"); return 64; }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1 || runs > 1000) runs = 5;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *s = malloc((size_t)n);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    fclose(f);
    double times[1000];
    long tokens = 0;
    for (int r = 0; r < runs; r++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        tokens = count_tokens(s, n);
        clock_gettime(CLOCK_MONOTONIC, &b);
        times[r] = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    }
    qsort(times, (size_t)runs, sizeof(double), compare);
    printf("C lex baseline (cc -O2): %ld tokens, median %.4f s\n", tokens, times[runs / 2]);
    free(s);
    return 0;
}
