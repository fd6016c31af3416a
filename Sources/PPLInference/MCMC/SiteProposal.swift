import Foundation
import PPLDistributions

/// A single-site proposal for one latent choice, chosen from its support and current value.
///
/// Continuous scalars take a Gaussian random walk on an unconstrained scale, y = f(x):
/// identity on the real line, y = log(x - a) above a bound a, y = logit((x - a)/(b - a))
/// on (a, b). With x' = f⁻¹(f(x) + s ε) the Hastings ratio is the Jacobian ratio
/// q(x | x') / q(x' | x) = J(x') / J(x), J = dx/dy (Roberts & Rosenthal 2009 for the
/// adaptive step s). Finite discrete choices propose uniformly among the other values
/// and unbounded integers take a symmetric jump ±(1 + ⌊|s ε|⌋); both are symmetric.
enum SiteProposal {
    /// A proposed value with log q(x | x') - log q(x' | x) and the walk's kind, for adaptation.
    struct Move {
        var value: Value
        var logHastings: Double
        /// Whether the step size `s` took part (and so should be adapted).
        var usesStepSize: Bool
        /// Target acceptance rate for adapting this site.
        var targetAcceptance: Double
    }

    enum Outcome {
        case move(Move)
        /// Propose from the prior through `Model.generate` (simplexes, counts, degenerate states).
        case fromPrior
        /// Nothing to propose (a point mass, or a single-valued finite support).
        case skip
    }

    /// Faults injected by tests to show that the calibration checks catch a wrong kernel.
    enum Fault: Sendable, Equatable {
        case none
        /// Forget the Jacobian of the unconstrained transform.
        case dropJacobian
        /// Add an uncorrected drift of half a step to every continuous random walk.
        case drift
        /// Leave out log N - log N' when the number of latents changes.
        case noSelectionCorrection
    }

    static func propose(_ value: Value, in support: Support, stepSize s: Double, fault: Fault,
                        using rng: inout RandomStream) -> Outcome {
        switch support {
        case .point:
            return .skip
        case .booleans:
            switch value {
            case .int(let k): return .move(Move(value: .int(k == 0 ? 1 : 0), logHastings: 0, usesStepSize: false, targetAcceptance: 0.44))
            case .bool(let b): return .move(Move(value: .bool(!b), logHastings: 0, usesStepSize: false, targetAcceptance: 0.44))
            default: return .fromPrior
            }
        case .integers(let a, let b):
            guard b > a, let k = value.asInt, k >= a, k <= b else { return b > a ? .fromPrior : .skip }
            // Uniform on the other b - a values: draw from b - a slots and skip over k.
            var j = a + rng.index(below: b - a)
            if j >= k { j += 1 }
            return .move(Move(value: .int(j), logHastings: 0, usesStepSize: false, targetAcceptance: 0.44))
        case .naturals:
            guard let k = value.asInt else { return .fromPrior }
            let size = 1 + Int(min(abs(s * rng.standardNormal()), 1e9).rounded(.down))
            let j = rng.uniform() < 0.5 ? k - size : k + size
            // Below zero is outside the support: reject without running the model.
            return .move(Move(value: .int(j), logHastings: j < 0 ? -.infinity : 0, usesStepSize: true, targetAcceptance: 0.44))
        case .real:
            guard let x = value.asReal else { return .fromPrior }
            let drift = fault == .drift ? 0.5 * s : 0
            return .move(Move(value: .real(x + s * rng.standardNormal() + drift), logHastings: 0,
                              usesStepSize: true, targetAcceptance: 0.44))
        case .positive, .nonNegative:
            return logScaleMove(value, lower: 0, s, fault, &rng)
        case .lowerBounded(let a):
            return logScaleMove(value, lower: a, s, fault, &rng)
        case .unitInterval:
            return logitScaleMove(value, lower: 0, upper: 1, s, fault, &rng)
        case .interval(let a, let b):
            return logitScaleMove(value, lower: a, upper: b, s, fault, &rng)
        case .realVector(let k):
            guard let xs = value.asReals, xs.count == k, k > 0 else { return .fromPrior }
            let scale = s / Double(k).squareRoot()
            let moved = xs.map { $0 + scale * rng.standardNormal() }
            return .move(Move(value: .reals(moved), logHastings: 0, usesStepSize: true, targetAcceptance: 0.234))
        case .simplex, .integerVector:
            return .fromPrior
        }
    }

    /// y = log(x - a): J(x) = x - a.
    private static func logScaleMove(_ value: Value, lower a: Double, _ s: Double, _ fault: Fault,
                                     _ rng: inout RandomStream) -> Outcome {
        guard let x = value.asReal, x > a, (x - a).isFinite else { return .fromPrior }
        let drift = fault == .drift ? 0.5 * s : 0
        let y = log(x - a) + s * rng.standardNormal() + drift
        let moved = a + exp(y)
        let logHastings = fault == .dropJacobian ? 0 : log(moved - a) - log(x - a)
        return .move(Move(value: .real(moved), logHastings: logHastings.isNaN ? -.infinity : logHastings,
                          usesStepSize: true, targetAcceptance: 0.44))
    }

    /// y = logit((x - a)/(b - a)): J(x) = (x - a)(b - x)/(b - a).
    private static func logitScaleMove(_ value: Value, lower a: Double, upper b: Double, _ s: Double,
                                       _ fault: Fault, _ rng: inout RandomStream) -> Outcome {
        guard let x = value.asReal, x > a, x < b else { return .fromPrior }
        let u = (x - a) / (b - a)
        let drift = fault == .drift ? 0.5 * s : 0
        let y = log(u) - log1p(-u) + s * rng.standardNormal() + drift
        // The logistic function written to stay accurate for large |y|.
        let moved = y >= 0 ? a + (b - a) / (1 + exp(-y)) : a + (b - a) * exp(y) / (1 + exp(y))
        guard moved > a, moved < b else {
            // Rounded onto the boundary: a state of zero proposal density, so reject it.
            return .move(Move(value: .real(moved), logHastings: -.infinity, usesStepSize: true, targetAcceptance: 0.44))
        }
        let logHastings = fault == .dropJacobian ? 0 : log(moved - a) + log(b - moved) - log(x - a) - log(b - x)
        return .move(Move(value: .real(moved), logHastings: logHastings, usesStepSize: true, targetAcceptance: 0.44))
    }
}
