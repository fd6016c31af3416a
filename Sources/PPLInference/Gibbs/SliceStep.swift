import Foundation
import PPLDistributions

/// The map from a continuous scalar's support to the real line that slice sampling works on.
///
/// x = a + e^y above a bound a (log J = y); x = a + (b - a) σ(y) on (a, b)
/// (log J = log(b - a) + log σ(y) + log σ(-y)); the identity on the real line.
enum SliceTransform: Sendable, Equatable {
    case identity
    case lowerBound(Double)
    case interval(Double, Double)

    init?(_ support: Support) {
        switch support {
        case .real: self = .identity
        case .positive, .nonNegative: self = .lowerBound(0)
        case .lowerBounded(let a): self = .lowerBound(a)
        case .unitInterval: self = .interval(0, 1)
        case .interval(let a, let b): self = .interval(a, b)
        default: return nil
        }
    }

    func unconstrained(_ x: Double) -> Double? {
        switch self {
        case .identity: return x.isFinite ? x : nil
        case .lowerBound(let a): return x > a && (x - a).isFinite ? log(x - a) : nil
        case .interval(let a, let b):
            guard x > a, x < b else { return nil }
            let u = (x - a) / (b - a)
            return log(u) - log1p(-u)
        }
    }

    /// x and log |dx/dy| at y; nil where rounding puts x on the boundary.
    func constrained(_ y: Double) -> (x: Double, logJacobian: Double)? {
        switch self {
        case .identity:
            return y.isFinite ? (y, 0) : nil
        case .lowerBound(let a):
            let x = a + exp(y)
            return x > a && x.isFinite ? (x, y) : nil
        case .interval(let a, let b):
            let sigma = y >= 0 ? 1 / (1 + exp(-y)) : exp(y) / (1 + exp(y))
            let x = a + (b - a) * sigma
            guard x > a, x < b else { return nil }
            let softplusPlus = y > 0 ? y + log1p(exp(-y)) : log1p(exp(y))
            let softplusMinus = softplusPlus - y
            return (x, log(b - a) - softplusPlus - softplusMinus)
        }
    }
}

extension GibbsChain {
    /// One univariate slice-sampling update with stepping out and shrinkage (Neal 2003, figs. 3 and 5).
    ///
    /// Works on y = f(x) with target g(y) = log p(f⁻¹(y) | rest) + log |df⁻¹/dy|; the slice
    /// level is g(y₀) - Exp(1), the interval of width w is stepped out at most 32 times per
    /// side, then shrunk towards y₀ until a point above the level is found. During warm-up
    /// w follows twice the mean jump |y₁ - y₀|; it is then frozen, so the kernel is fixed.
    mutating func sliceStep(_ trace: inout M.Trace, index: Int, site s: Int, transform: SliceTransform,
                            adapting: Bool, using rng: inout RandomStream) throws(ModelError) {
        guard let x0 = trace.latent(index).value.asReal, let y0 = transform.unconstrained(x0),
              let (_, logJ0) = transform.constrained(y0) else {
            return try metropolisStep(&trace, index: index, site: s, adapting: adapting, using: &rng)
        }
        var evaluations = 0
        func g(_ y: Double, _ trace: inout M.Trace, _ rng: inout RandomStream) throws(ModelError) -> Double {
            guard let (x, logJ) = transform.constrained(y) else { return -.infinity }
            evaluations += 1
            let jacobian = settings.fault == .dropJacobian ? 0 : logJ - logJ0
            return try relativeLogDensity(&trace, index: index, value: .real(x), using: &rng) + jacobian
        }
        let level = log(rng.uniformPositive())
        let width = sites[s].sliceWidth
        var left = y0 - width * rng.uniform()
        var right = left + width
        let steps = 32
        var leftSteps = Int(Double(steps) * rng.uniform())
        var rightSteps = steps - 1 - leftSteps
        while leftSteps > 0, try g(left, &trace, &rng) > level {
            left -= width
            leftSteps -= 1
        }
        while rightSteps > 0, try g(right, &trace, &rng) > level {
            right += width
            rightSteps -= 1
        }
        var y1 = y0
        for _ in 0..<200 {
            let candidate = left + rng.uniform() * (right - left)
            if try g(candidate, &trace, &rng) > level {
                y1 = candidate
                break
            }
            if candidate < y0 { left = candidate } else { right = candidate }
        }
        tallies.sliceEvaluations += evaluations
        tallies.sliceUpdates += 1
        if y1 != y0, let (x1, _) = transform.constrained(y1) {
            try set(&trace, index: index, to: .real(x1), using: &rng)
        }
        if adapting {
            sites[s].jumpSum += abs(y1 - y0)
            sites[s].jumpCount += 1
            let mean = sites[s].jumpSum / Double(sites[s].jumpCount)
            if sites[s].jumpCount >= 5 { sites[s].sliceWidth = min(1e3, max(1e-6, 2 * mean)) }
        }
    }
}
