import Foundation
import PPLDistributions

/// A prior family whose full conditional, when the recogniser found the site conjugate, is a member of the same family.
///
/// Each is an exponential family: log p(x | rest) = η · T(x) + const with T known per family
/// (Beta: log x, log(1 - x); Gamma: log x, x; InverseGamma: log x, 1/x; Normal: x, x²;
/// Dirichlet: log x_k). The engine recovers η exactly from dim(T) differences of the
/// Markov-blanket log density (see `ConjugateStep`), so it needs no symbolic coefficients
/// (Bernardo & Smith 1994, ch. 5, for the conjugate families).
public enum ConjugateFamily: String, Sendable, CaseIterable {
    case beta = "Beta"
    case gamma = "Gamma"
    case inverseGamma = "InverseGamma"
    case normal = "Normal"
    case dirichlet = "Dirichlet"

    /// The sufficient statistics T(x); nil outside the support.
    func statistics(_ value: Value) -> [Double]? {
        switch self {
        case .beta:
            guard let x = value.asReal, x > 0, x < 1 else { return nil }
            return [log(x), log1p(-x)]
        case .gamma:
            guard let x = value.asReal, x > 0, x.isFinite else { return nil }
            return [log(x), x]
        case .inverseGamma:
            guard let x = value.asReal, x > 0, x.isFinite else { return nil }
            return [log(x), 1 / x]
        case .normal:
            guard let x = value.asReal, x.isFinite else { return nil }
            return [x, x * x]
        case .dirichlet:
            guard let xs = value.asReals, !xs.isEmpty, xs.allSatisfy({ $0 > 0 }) else { return nil }
            return xs.map { log($0) }
        }
    }

    /// dim(T) points near the current value whose statistics differ independently from it, then one more to verify the fit.
    ///
    /// `scale` is the conditional's spread last time (Normal only), so the probes neither
    /// lose the curvature to rounding nor land far in the tails.
    func probes(around value: Value, scale: Double) -> [Value]? {
        switch self {
        case .beta:
            guard let x = value.asReal, x > 0, x < 1 else { return nil }
            let y = log(x) - log1p(-x)
            return [y - 1, y + 1, y + 0.5].map { .real(logistic($0)) }
        case .gamma, .inverseGamma:
            guard let x = value.asReal, x > 0, x.isFinite else { return nil }
            return [-1.0, 1.0, 0.5].map { .real(x * exp($0)) }
        case .normal:
            guard let x = value.asReal, x.isFinite else { return nil }
            let h = scale.isFinite && scale > 0 ? scale : max(1, abs(x))
            return [x - h, x + h, x + 0.5 * h].map { .real($0) }
        case .dirichlet:
            guard let xs = value.asReals, !xs.isEmpty, xs.allSatisfy({ $0 > 0 }) else { return nil }
            let k = xs.count
            // Doubling one coordinate at a time and renormalising: ΔT = log 2 e_j - log(1 + x_j) 1, independent.
            var points: [Value] = (0..<k).map { j in
                var ys = xs
                ys[j] *= 2
                return .reals(normalised(ys))
            }
            let check = xs.enumerated().map { $0.element * exp(0.7 * Double($0.offset + 1) / Double(k)) }
            points.append(.reals(normalised(check)))
            return points
        }
    }

    /// The family member with natural parameters η, or nil when η gives no proper distribution.
    func member(eta: [Double]) -> ConjugateMember? {
        guard eta.allSatisfy(\.isFinite) else { return nil }
        switch self {
        case .beta:
            guard eta.count == 2, let d = try? Beta(alpha: eta[0] + 1, beta: eta[1] + 1) else { return nil }
            return .beta(d)
        case .gamma:
            guard eta.count == 2, let d = try? Gamma(alpha: eta[0] + 1, beta: -eta[1]) else { return nil }
            return .gamma(d)
        case .inverseGamma:
            guard eta.count == 2, let d = try? InverseGamma(alpha: -eta[0] - 1, beta: -eta[1]) else { return nil }
            return .inverseGamma(d)
        case .normal:
            guard eta.count == 2, eta[1] < 0 else { return nil }
            let variance = -0.5 / eta[1]
            guard let d = try? Normal(mu: eta[0] * variance, sigma: variance.squareRoot()) else { return nil }
            return .normal(d)
        case .dirichlet:
            guard let d = try? Dirichlet(alpha: eta.map { $0 + 1 }) else { return nil }
            return .dirichlet(d)
        }
    }
}

/// One full conditional in closed form, ready to draw from.
enum ConjugateMember: Sendable {
    case beta(Beta)
    case gamma(Gamma)
    case inverseGamma(InverseGamma)
    case normal(Normal)
    case dirichlet(Dirichlet)

    func sample(using rng: inout RandomStream) -> Value {
        switch self {
        case .beta(let d): .real(d.sample(using: &rng))
        case .gamma(let d): .real(d.sample(using: &rng))
        case .inverseGamma(let d): .real(d.sample(using: &rng))
        case .normal(let d): .real(d.sample(using: &rng))
        case .dirichlet(let d): .reals(d.sample(using: &rng))
        }
    }

    /// log density at `value`; -infinity outside the support or for a value of the wrong shape.
    func logDensity(_ value: Value) -> Double {
        switch self {
        case .beta(let d): value.asReal.map(d.logDensity) ?? -.infinity
        case .gamma(let d): value.asReal.map(d.logDensity) ?? -.infinity
        case .inverseGamma(let d): value.asReal.map(d.logDensity) ?? -.infinity
        case .normal(let d): value.asReal.map(d.logDensity) ?? -.infinity
        case .dirichlet(let d): value.asReals.map(d.logDensity) ?? -.infinity
        }
    }

    /// A typical spread, for placing the next probes.
    var scale: Double {
        switch self {
        case .normal(let d): d.sigma
        default: .nan
        }
    }

    var description: String {
        switch self {
        case .beta(let d): "Beta(\(formatReal(d.alpha)), \(formatReal(d.beta)))"
        case .gamma(let d): "Gamma(\(formatReal(d.alpha)), \(formatReal(d.beta)))"
        case .inverseGamma(let d): "InverseGamma(\(formatReal(d.alpha)), \(formatReal(d.beta)))"
        case .normal(let d): "Normal(\(formatReal(d.mu)), \(formatReal(d.sigma)))"
        case .dirichlet(let d): "Dirichlet(\(d.alpha.map(formatReal).joined(separator: ", ")))"
        }
    }
}

private func logistic(_ y: Double) -> Double {
    y >= 0 ? 1 / (1 + exp(-y)) : exp(y) / (1 + exp(y))
}

private func normalised(_ xs: [Double]) -> [Double] {
    let total = xs.reduce(0, +)
    return xs.map { $0 / total }
}

/// Solves A x = b by Gaussian elimination with partial pivoting; nil when A is singular.
func solveLinearSystem(_ a: [[Double]], _ b: [Double]) -> [Double]? {
    let n = b.count
    var m = a
    var rhs = b
    for col in 0..<n {
        var pivot = col
        for row in col + 1..<n where abs(m[row][col]) > abs(m[pivot][col]) { pivot = row }
        guard abs(m[pivot][col]) > 1e-300 else { return nil }
        if pivot != col {
            m.swapAt(pivot, col)
            rhs.swapAt(pivot, col)
        }
        for row in col + 1..<n {
            let factor = m[row][col] / m[col][col]
            if factor == 0 { continue }
            for k in col..<n { m[row][k] -= factor * m[col][k] }
            rhs[row] -= factor * rhs[col]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
        var s = rhs[row]
        for k in row + 1..<n { s -= m[row][k] * x[k] }
        x[row] = s / m[row][row]
    }
    return x
}
