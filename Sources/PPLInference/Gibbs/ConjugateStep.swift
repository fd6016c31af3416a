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
    ///
    /// Setting the drawn value would cost one more pass over the blanket, so the draw is coupled
    /// with a value X drawn beforehand from the site's previous conditional q and scored with the
    /// probes (for a Normal, X is one of them): X is kept with probability min(1, p(X)/q(X)),
    /// otherwise the draw comes from the residual (p - q)⁺ by rejection from p. The draw is
    /// exactly p-distributed either way (the maximal coupling: Thorisson 2000, ch. 1;
    /// Jacob, O'Leary & Atchadé 2020, sec. 4.1), and when the conditional moved little since
    /// the last update it is X, already scored, so no further pass is needed.
    mutating func conjugateStep(_ trace: inout M.Trace, index: Int, site s: Int, family: ConjugateFamily,
                                using rng: inout RandomStream) throws(ConjugacyFailure) {
        let current = trace.latentValueAndSupport(index).value
        guard let base = family.statistics(current),
              let probes = family.probes(around: current, scale: sites[s].conjugateScale) else {
            throw ConjugacyFailure(reason: "its value \(current) is outside the family's support")
        }
        let dimension = base.count
        let verifying = sites[s].checksDone < settings.conjugacyChecks
        // The candidates: the probes that fit η (and the one that checks it), then X if it is not one of them.
        var candidates = Array(probes.prefix(verifying ? dimension + 1 : dimension))
        let solving = Array(0..<dimension)
        let proposal = sites[s].lastConditional
        var coupled: Int?
        var acceptance = 0.0
        if let proposal {
            let x = proposal.sample(using: &rng)
            acceptance = log(rng.uniform())
            if family.statistics(x) != nil {
                if family == .normal, !verifying, let x0 = current.asReal, let value = x.asReal,
                   let dropped = candidates[0].asReal, let kept = candidates[1].asReal,
                   abs(value - x0) >= 0.1 * abs(dropped - x0), abs(value - kept) >= 0.1 * abs(dropped - x0) {
                    // Well away from the current value and the other probe: X replaces a probe.
                    candidates[0] = x
                    coupled = 0
                } else {
                    candidates.append(x)
                    coupled = candidates.count - 1
                }
            }
        }
        var rows: [[Double]] = []
        for probe in candidates {
            guard let statistics = family.statistics(probe) else {
                throw ConjugacyFailure(reason: "a probe \(probe) fell outside the support")
            }
            rows.append(zip(statistics, base).map { $0 - $1 })
        }
        let checking = verifying ? dimension : nil
        let fault = settings.fault
        // All candidates scored in one call (one pass over the Markov blanket where the model can); the
        // choice reads η off the weights and keeps X when the coupling accepts it, else leaves the trace as it was.
        var failure: ConjugacyFailure?
        var conditional: ConjugateMember?
        var keptX = false
        do throws(ModelError) {
            try model.chooseValue(&trace, latent: index, among: candidates, choosing: { weights in
                for k in solving + (checking.map { [$0] } ?? []) where !weights[k].isFinite {
                    failure = ConjugacyFailure(reason: "the log density at \(candidates[k]) is \(weights[k])")
                    return nil
                }
                guard var eta = solveLinearSystem(solving.map { rows[$0] }, solving.map { weights[$0] }) else {
                    failure = ConjugacyFailure(reason: "the probes gave a singular system")
                    return nil
                }
                if let k = checking {
                    let predicted = zip(eta, rows[k]).reduce(0) { $0 + $1.0 * $1.1 }
                    let actual = weights[k]
                    let magnitude = zip(eta, rows[k]).reduce(abs(actual)) { $0 + abs($1.0 * $1.1) }
                    guard abs(predicted - actual) <= 1e-7 * (1 + magnitude) else {
                        failure = ConjugacyFailure(reason: "at \(candidates[k]) its log density differs from the fitted "
                                                   + "\(family.rawValue) one by \(formatReal(actual - predicted))")
                        return nil
                    }
                }
                if case .temper(let factor) = fault { eta = eta.map { $0 * factor } }
                guard let member = family.member(eta: eta) else {
                    failure = ConjugacyFailure(reason: "the fitted natural parameters (\(eta.map(formatReal).joined(separator: ", "))) "
                                               + "give no proper \(family.rawValue) distribution")
                    return nil
                }
                conditional = member
                guard let k = coupled, let proposal, weights[k].isFinite else { return nil }
                keptX = member.keepsCoupled(candidates[k], proposal: proposal, logUniform: acceptance)
                return keptX ? k : nil
            }, using: &rng)
        } catch {
            throw ConjugacyFailure(reason: "the model failed at a probe: \(error.message)")
        }
        if let failure { throw failure }
        guard let member = conditional else { throw ConjugacyFailure(reason: "no conditional was fitted") }
        if verifying { sites[s].checksDone += 1 }
        if keptX {
            result.counters["conjugateCoupled", default: 0] += 1
        } else {
            let draw: Value
            if coupled != nil, let proposal {
                let (value, capped) = member.residualDraw(excess: proposal, tries: Self.residualTries, using: &rng)
                if capped { result.counters["conjugateResidualCapped", default: 0] += 1 }
                draw = value
            } else {
                draw = member.sample(using: &rng)
            }
            do throws(ModelError) {
                try set(&trace, index: index, to: draw, using: &rng)
            } catch {
                throw ConjugacyFailure(reason: "the model failed at the drawn value \(draw): \(error.message)")
            }
        }
        sites[s].lastConditional = member
        if member.scale.isFinite { sites[s].conjugateScale = member.scale }
    }

    /// Tries of the residual draw before it gives up and keeps a draw from p, counted in the
    /// diagnostics (`conjugateResidualCapped`); reached with probability below 1/(e · residualTries) per update.
    static var residualTries: Int { 10_000_000 }
}

extension ConjugateMember {
    /// The first half of the maximal coupling of this distribution p with a proposal q: whether X ~ q is kept,
    /// given log U for U uniform on (0, 1): U q(X) ≤ p(X).
    func keepsCoupled(_ x: Value, proposal: ConjugateMember, logUniform: Double) -> Bool {
        logUniform + proposal.logDensity(x) <= logDensity(x)
    }

    /// The second half: a draw from the residual (p - q)⁺ / TV(p, q), by drawing Y from p and keeping it with
    /// probability 1 - q(Y)/p(Y) where positive (Thorisson 2000); `capped` when `tries` ran out and the last draw from p was kept.
    func residualDraw(excess proposal: ConjugateMember, tries: Int, using rng: inout RandomStream) -> (Value, capped: Bool) {
        var draw = sample(using: &rng)
        var count = 1
        while log(rng.uniform()) + logDensity(draw) <= proposal.logDensity(draw) {
            guard count < tries else { return (draw, true) }
            count += 1
            draw = sample(using: &rng)
        }
        return (draw, false)
    }
}
