// libedit's readline-compatible API (BSD licence) for the REPL's line editing and history.
#ifndef PPL_CEDITLINE_SHIM_H
#define PPL_CEDITLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>
/// Swift 6 cannot assign libedit's global callback variable directly.
static inline void ppl_set_completion(char *(*function)(const char *, int)) {
    rl_completion_entry_function = function;
}
#endif
