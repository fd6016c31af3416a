// Shim over GSL for Swift: GSL exposes its generator types as global
// `const gsl_rng_type *` variables, which Swift 6 treats as unsafe mutable
// globals; these accessors hand them over as plain function results.
#ifndef PPL_CGSL_SHIM_H
#define PPL_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sf_exp.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_blas.h>

static inline const gsl_rng_type *ppl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *ppl_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }
static inline const gsl_rng_type *ppl_rng_taus2(void) { return gsl_rng_taus2; }
static inline const gsl_rng_type *ppl_rng_ranlux389(void) { return gsl_rng_ranlux389; }

/// GSL's default error handler aborts the process; we check every status
/// ourselves and turn failures into typed Swift errors instead.
static inline void ppl_gsl_disable_abort(void) { gsl_set_error_handler_off(); }

#endif
