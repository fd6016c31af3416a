import Foundation
import PPLDistributions

/// A random-walk Metropolis move of every continuous latent at once on the unconstrained scale, with a proposal covariance learned during warm-up.
///
/// Each continuous latent maps to the real line, y = T(x): identity, log(x - a), or
/// logit((x - a)/(b - a)), with the bounds read from the state being mapped, so a support
/// that depends on earlier choices (b ~ Uniform(0, 1 - a)) still gives a triangular
/// bijection. The move is y' = y + λ L z, z ~ N(0, I), L Lᵀ = (2.38²/d) Σ, accepted with
/// probability min(1, p(x') J(x') / (p(x) J(x))), J = |det dx/dy| = Π dxᵢ/dyᵢ. Σ is the
/// covariance of y over windows of warm-up (Haario, Saksman & Tamminen 2001, with Roberts &
/// Rosenthal's 2001 scaling) and λ is adapted towards the target acceptance rate by
/// Robbins-Monro (Andrieu & Thoms 2008, algorithm 4); both are frozen when warm-up ends,
/// so the kept draws come from one fixed Metropolis-Hastings kernel.
/// Each move scores the whole model through `Model.generate`, which is correct for any
/// static program.
struct AdaptiveBlockProposal: Sendable {
    /// Faults injected by tests to show that the exactness checks catch a wrong block kernel.
    enum Fault: Sendable, Equatable {
        case none
        /// Leave J(x') / J(x) out of the acceptance ratio.
        case dropJacobian
        /// Keep re-estimating Σ from the last few states while sampling, instead of freezing it.
        case adaptWhileSampling
    }

    /// Trace indices of the block's latents (a static model keeps its indices).
    let indices: [Int]
    let dimension: Int
    let targetAcceptance: Double
    let fault: Fault
    /// log λ.
    private var logScale = 0.0
    private var adaptations = 0
    /// Lower Cholesky factor of (2.38²/d) Σ, row-major d × d.
    private var factor: [Double]
    /// Welford's running mean and scatter matrix of y over the current window.
    private var windowCount = 0
    private var windowMean: [Double]
    private var windowScatter: [Double]
    private(set) var proposed = 0
    private(set) var accepted = 0

    /// Whether a latent with this support and value takes part in block moves.
    static func isContinuousScalar(_ record: ChoiceRecord) -> Bool {
        guard let x = record.value.asReal, x.isFinite, case .real = record.value else { return false }
        return UnconstrainedScale.forward(x, record.support) != nil
    }

    /// A block over the trace's continuous scalar latents; nil when there are none.
    init?(_ trace: some ModelTrace, initialStepSize: Double, fault: Fault) {
        indices = (0..<trace.latentCount).filter { Self.isContinuousScalar(trace.latent($0)) }
        guard !indices.isEmpty else { return nil }
        dimension = indices.count
        // Roberts & Rosenthal (2001): 0.44 in one dimension, falling to 0.234.
        targetAcceptance = dimension == 1 ? 0.44 : (dimension < 5 ? 0.3 : 0.234)
        self.fault = fault
        factor = Array(repeating: 0, count: dimension * dimension)
        for i in 0..<dimension { factor[i * dimension + i] = initialStepSize }
        windowMean = Array(repeating: 0, count: dimension)
        windowScatter = Array(repeating: 0, count: dimension * dimension)
    }

    /// The block's values on the unconstrained scale and log J(x); nil outside the supports.
    func unconstrained(_ trace: some ModelTrace) -> (y: [Double], logJacobian: Double)? {
        var y = [Double](repeating: 0, count: dimension)
        var logJacobian = 0.0
        for (i, k) in indices.enumerated() {
            let record = trace.latent(k)
            guard let x = record.value.asReal, let (yi, lj) = UnconstrainedScale.forward(x, record.support) else { return nil }
            y[i] = yi
            logJacobian += lj
        }
        return (y, logJacobian)
    }

    /// One block move; returns its acceptance probability and whether it was accepted.
    mutating func step<M: Model>(_ model: M, _ trace: inout M.Trace, adapting: Bool,
                                 using rng: inout RandomStream) throws(ModelError) -> (probability: Double, accepted: Bool) {
        guard let (y, logJacobian) = unconstrained(trace) else { return (0, false) }
        if adapting || fault == .adaptWhileSampling { observe(y) }
        var z = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension { z[i] = rng.standardNormal() }
        let scale = exp(logScale)
        var target = y
        for i in 0..<dimension {
            var step = 0.0
            for j in 0...i { step += factor[i * dimension + j] * z[j] }
            target[i] += scale * step
        }
        let outcome = try propose(model, from: trace, to: target, using: &rng)
        var logAlpha = -Double.infinity
        if let outcome {
            logAlpha = outcome.trace.logJoint - trace.logJoint
            if fault != .dropJacobian { logAlpha += outcome.logJacobian - logJacobian }
        }
        let probability = logAlpha.isNaN ? 0 : min(1, exp(logAlpha))
        let accepted = !logAlpha.isNaN && (logAlpha >= 0 || log(rng.uniformPositive()) < logAlpha)
        if accepted, let outcome { trace = outcome.trace }
        proposed += 1
        if accepted { self.accepted += 1 }
        if adapting {
            adaptations += 1
            let gain = pow(Double(adaptations), -0.6)
            logScale = min(5, max(-15, logScale + gain * (probability - targetAcceptance)))
        } else if fault == .adaptWhileSampling, windowCount >= 2 * dimension + 2 {
            closeWindow()
        }
        return (probability, accepted)
    }

    /// The trace at x' = T⁻¹(y') and log J(x'). The bounds of a site may depend on earlier
    /// choices, so x' is found as a fixed point: map with the current bounds, run the model,
    /// and map again while some site's support changed (at most d + 1 runs, one when no
    /// bound depends on another choice). Nil when y' leaves the representable range.
    /// Every latent is constrained, so `generate` draws nothing from `rng`.
    private func propose<M: Model>(_ model: M, from trace: M.Trace, to target: [Double],
                                   using rng: inout RandomStream) throws(ModelError) -> (trace: M.Trace, logJacobian: Double)? {
        var supports = indices.map { trace.latent($0).support }
        var constraints: [Address: Value] = [:]
        constraints.reserveCapacity(trace.latentCount)
        for k in 0..<trace.latentCount {
            let record = trace.latent(k)
            constraints[record.address] = record.value
        }
        let addresses = indices.map { trace.latent($0).address }
        for _ in 0...dimension {
            var logJacobian = 0.0
            for i in 0..<dimension {
                guard let (x, lj) = UnconstrainedScale.inverse(target[i], supports[i]) else { return nil }
                constraints[addresses[i]] = .real(x)
                logJacobian += lj
            }
            // A run at zero density still reports the supports: with the old bounds x' may lie
            // outside the new ones, and rejecting it there would make the proposal asymmetric.
            let proposed = try model.generate(constraints: constraints, using: &rng)
            let newSupports = indices.map { proposed.latent($0).support }
            if newSupports == supports { return (proposed, logJacobian) }
            supports = newSupports
        }
        return nil
    }

    /// Adds y to the current window's mean and scatter (Welford).
    private mutating func observe(_ y: [Double]) {
        windowCount += 1
        let n = Double(windowCount)
        var delta = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension {
            delta[i] = y[i] - windowMean[i]
            windowMean[i] += delta[i] / n
        }
        for i in 0..<dimension {
            let after = y[i] - windowMean[i]
            for j in 0...i { windowScatter[i * dimension + j] += after * delta[j] }
        }
    }

    /// Ends a warm-up window: the proposal takes the window's covariance (if it is usable) and
    /// the window starts again, so the transient from the starting point is forgotten.
    mutating func closeWindow() {
        defer {
            windowCount = 0
            for i in windowMean.indices { windowMean[i] = 0 }
            for i in windowScatter.indices { windowScatter[i] = 0 }
        }
        guard windowCount > dimension + 1 else { return }
        let d = dimension
        var covariance = [Double](repeating: 0, count: d * d)
        let scale = 2.38 * 2.38 / Double(d) / Double(windowCount - 1)
        for i in 0..<d {
            for j in 0...i {
                covariance[i * d + j] = windowScatter[i * d + j] * scale
                covariance[j * d + i] = covariance[i * d + j]
            }
        }
        // A coordinate that never moved in the window would never move again: keep the old proposal.
        for i in 0..<d where !(covariance[i * d + i] > 0) || !covariance[i * d + i].isFinite { return }
        // Haario et al.'s ε I, relative to each variance, keeps Σ positive definite.
        for i in 0..<d { covariance[i * d + i] *= 1 + 1e-6 }
        guard let lower = Self.cholesky(covariance, d) else { return }
        factor = lower
        // The new Σ carries the scale 2.38²/d already: let λ start from 1 and adapt afresh.
        logScale = 0
        adaptations = 0
    }

    /// The lower Cholesky factor of a symmetric positive-definite d × d matrix; nil otherwise.
    static func cholesky(_ a: [Double], _ d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var sum = a[i * d + j]
                for k in 0..<j { sum -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i * d + i] = sum.squareRoot()
                } else {
                    l[i * d + j] = sum / l[j * d + j]
                }
            }
        }
        return l
    }
}

/// The maps of continuous supports to the real line used by block moves, with log dx/dy.
enum UnconstrainedScale {
    /// y = T(x) and log dx/dy at x; nil when x is not inside the support or the support is not continuous.
    static func forward(_ x: Double, _ support: Support) -> (y: Double, logJacobian: Double)? {
        switch support {
        case .real:
            return x.isFinite ? (x, 0) : nil
        case .positive, .nonNegative:
            return lower(x, 0)
        case .lowerBounded(let a):
            return lower(x, a)
        case .unitInterval:
            return interval(x, 0, 1)
        case .interval(let a, let b):
            return interval(x, a, b)
        default:
            return nil
        }
    }

    /// x = T⁻¹(y) and log dx/dy at x; nil when x rounds onto a bound or overflows.
    static func inverse(_ y: Double, _ support: Support) -> (x: Double, logJacobian: Double)? {
        guard y.isFinite else { return nil }
        func bounded(_ a: Double, _ b: Double) -> (Double, Double)? {
            // The logistic function written to stay accurate for large |y|.
            let x = y >= 0 ? a + (b - a) / (1 + exp(-y)) : a + (b - a) * exp(y) / (1 + exp(y))
            guard x > a, x < b else { return nil }
            return (x, log(x - a) + log(b - x) - log(b - a))
        }
        switch support {
        case .real:
            return (y, 0)
        case .positive, .nonNegative, .lowerBounded:
            let a: Double = if case .lowerBounded(let bound) = support { bound } else { 0 }
            let x = a + exp(y)
            guard x > a, x.isFinite else { return nil }
            return (x, log(x - a))
        case .unitInterval:
            return bounded(0, 1)
        case .interval(let a, let b):
            return bounded(a, b)
        default:
            return nil
        }
    }

    private static func lower(_ x: Double, _ a: Double) -> (Double, Double)? {
        guard x > a, (x - a).isFinite else { return nil }
        return (log(x - a), log(x - a))
    }

    private static func interval(_ x: Double, _ a: Double, _ b: Double) -> (Double, Double)? {
        guard x > a, x < b else { return nil }
        let u = (x - a) / (b - a)
        return (log(u) - log1p(-u), log(x - a) + log(b - x) - log(b - a))
    }
}
