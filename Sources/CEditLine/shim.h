// libedit's readline-compatible API (BSD licence) for the REPL's line editing and history.
#ifndef PPL_CEDITLINE_SHIM_H
#define PPL_CEDITLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
/// Swift 6 cannot assign libedit's global callback variable directly.
static inline void ppl_set_completion(char *(*function)(const char *, int)) {
    rl_completion_entry_function = function;
}

/// The REPL's Ctrl-C: a plain sigaction handler that writes one byte to a pipe (the only
/// async-signal-safe way to say "interrupted"), read by a Swift thread. Owning SIGINT this way
/// leaves no moment in which the default disposition could kill the session, whatever libedit
/// or libdispatch install around it.
static int ppl_interrupt_pipe[2] = {-1, -1};

static void ppl_on_interrupt(int signo) {
    (void)signo;
    int saved = errno;
    char byte = 1;
    ssize_t written = write(ppl_interrupt_pipe[1], &byte, 1);
    (void)written;
    errno = saved;
}

/// Installs the handler and tells libedit to leave signals alone; returns the pipe's read
/// end, or -1 when the pipe or the handler could not be set up.
static inline int ppl_catch_interrupts(void) {
    rl_catch_signals = 0;
    if (pipe(ppl_interrupt_pipe) != 0) return -1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ppl_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    return ppl_interrupt_pipe[0];
}
#endif
