import Foundation
import PPLDistributions

/// Why a site's conditional did not fit the recognised family.
struct ConjugacyFailure: Error, Sendable {
    var reason: String
}

extension GibbsChain {
    /// An exact draw from a closed-form full conditional, its natural parameters read off the model.
    ///
    /// log p(x | rest) = η · T(x) + c, so the Markov-blanket log-density differences at dim(T)
    /// probes x_j, w_j = log p(x_j | rest) - log p(x_0 | rest), satisfy
    /// Σ_k η_k (T_k(x_j) - T_k(x_0)) = w_j: a dim(T) × dim(T) linear system. A further probe
    /// must fit the same η (for the first `conjugacyChecks` updates), so a site that is not
    /// in fact conjugate is caught rather than sampled wrongly.
    mutating func conjugateStep(_ trace: inout M.Trace, index: Int, site s: Int, family: ConjugateFamily,
                                using rng: inout RandomStream) throws(ConjugacyFailure) {
        let current = trace.latent(index).value
        guard let base = family.statistics(current),
              let probes = family.probes(around: current, scale: sites[s].conjugateScale) else {
            throw ConjugacyFailure(reason: "its value \(current) is outside the family's support")
        }
        let dimension = base.count
        let verifying = sites[s].checksDone < settings.conjugacyChecks
        let used = Array(probes.prefix(verifying ? dimension + 1 : dimension))
        var rows: [[Double]] = []
        for probe in used {
            guard let statistics = family.statistics(probe) else {
                throw ConjugacyFailure(reason: "a probe \(probe) fell outside the support")
            }
            rows.append(zip(statistics, base).map { $0 - $1 })
        }
        // All probes scored in one call (one pass over the Markov blanket where the model can), the trace left as it was.
        var weights: [Double] = []
        do throws(ModelError) {
            try model.chooseValue(&trace, latent: index, among: used, choosing: { logWeights in
                weights = logWeights
                return nil
            }, using: &rng)
        } catch {
            throw ConjugacyFailure(reason: "the model failed at a probe: \(error.message)")
        }
        for (probe, w) in zip(used, weights) where !w.isFinite {
            throw ConjugacyFailure(reason: "the log density at \(probe) is \(w)")
        }
        guard var eta = solveLinearSystem(Array(rows.prefix(dimension)), Array(weights.prefix(dimension))) else {
            throw ConjugacyFailure(reason: "the probes gave a singular system")
        }
        if verifying {
            sites[s].checksDone += 1
            let predicted = zip(eta, rows[dimension]).reduce(0) { $0 + $1.0 * $1.1 }
            let actual = weights[dimension]
            let magnitude = zip(eta, rows[dimension]).reduce(abs(actual)) { $0 + abs($1.0 * $1.1) }
            guard abs(predicted - actual) <= 1e-7 * (1 + magnitude) else {
                throw ConjugacyFailure(reason: "at \(probes[dimension]) its log density differs from the fitted "
                                       + "\(family.rawValue) one by \(formatReal(actual - predicted))")
            }
        }
        if case .temper(let factor) = settings.fault { eta = eta.map { $0 * factor } }
        guard let member = family.member(eta: eta) else {
            throw ConjugacyFailure(reason: "the fitted natural parameters (\(eta.map(formatReal).joined(separator: ", "))) "
                                   + "give no proper \(family.rawValue) distribution")
        }
        let draw = member.sample(using: &rng)
        do throws(ModelError) {
            try set(&trace, index: index, to: draw, using: &rng)
        } catch {
            throw ConjugacyFailure(reason: "the model failed at the drawn value \(draw): \(error.message)")
        }
        if member.scale.isFinite { sites[s].conjugateScale = member.scale }
    }
}
