import CGSL

/// MultivariateNormal(mu, Sigma): mean vector mu, symmetric positive-definite covariance Sigma (Stan's multi_normal).
///
/// With Sigma = L L^T (Cholesky, GSL linalg): log p(x) = -K/2 log(2 pi) - sum log L[i][i] - |L^-1 (x - mu)|^2 / 2;
/// a draw is mu + L z with z standard normal.
public struct MultivariateNormal: Distribution {
    public let mu: [Double]
    public let sigma: Matrix
    /// Lower Cholesky factor, row-major K x K.
    let cholesky: [Double]
    let logNormaliser: Double

    public init(mu: [Double], sigma: Matrix) throws(DistributionError) {
        let k = mu.count
        guard k > 0 else { throw DistributionError(family: "MultivariateNormal", parameter: "mu", "must not be empty") }
        for (i, m) in mu.enumerated() where !m.isFinite {
            throw DistributionError(family: "MultivariateNormal", parameter: "mu", "entry \(i) must be finite, got \(formatReal(m))")
        }
        guard sigma.rows == k, sigma.columns == k else {
            throw DistributionError(family: "MultivariateNormal", parameter: "Sigma",
                                    "must be \(k) x \(k) to match mu, got \(sigma.rows) x \(sigma.columns)")
        }
        for i in 0..<k {
            for j in 0..<k {
                let a = sigma[i, j], b = sigma[j, i]
                guard a.isFinite else {
                    throw DistributionError(family: "MultivariateNormal", parameter: "Sigma", "entry [\(i)][\(j)] must be finite, got \(formatReal(a))")
                }
                guard Swift.abs(a - b) <= 1e-8 * Swift.max(Swift.abs(a), Swift.abs(b), 1e-300) else {
                    throw DistributionError(family: "MultivariateNormal", parameter: "Sigma", "must be symmetric, but [\(i)][\(j)] = \(formatReal(a)) and [\(j)][\(i)] = \(formatReal(b))")
                }
            }
        }
        var factor = sigma.elements
        let status = factor.withUnsafeMutableBufferPointer { buffer in
            var view = gsl_matrix_view_array(buffer.baseAddress, k, k)
            return gsl_linalg_cholesky_decomp1(&view.matrix)
        }
        guard status == GSL_SUCCESS else {
            throw DistributionError(family: "MultivariateNormal", parameter: "Sigma", "must be positive definite")
        }
        var logDiagonal = 0.0
        for i in 0..<k {
            for j in (i + 1)..<k { factor[i * k + j] = 0 }
            guard factor[i * k + i] > 0 else {
                throw DistributionError(family: "MultivariateNormal", parameter: "Sigma", "must be positive definite")
            }
            logDiagonal += log(factor[i * k + i])
        }
        self.mu = mu
        self.sigma = sigma
        self.cholesky = factor
        self.logNormaliser = -Double(k) * LogMath.logSqrtTwoPi - logDiagonal
    }

    public var support: Support { .realVector(mu.count) }

    public func sample(using rng: inout RandomStream) -> [Double] {
        let k = mu.count
        var z = [Double](repeating: 0, count: k)
        for i in 0..<k { z[i] = gsl_ran_gaussian_ziggurat(rng.gsl, 1) }
        var x = mu
        for i in 0..<k {
            var sum = 0.0
            for j in 0...i { sum += cholesky[i * k + j] * z[j] }
            x[i] += sum
        }
        return x
    }

    public func logDensity(_ x: [Double]) -> Double {
        let k = mu.count
        guard x.count == k else { return -.infinity }
        // Forward substitution L w = x - mu; the quadratic form is |w|^2.
        var w = [Double](repeating: 0, count: k)
        var quadratic = 0.0
        for i in 0..<k {
            guard x[i].isFinite else { return -.infinity }
            var residual = x[i] - mu[i]
            for j in 0..<i { residual -= cholesky[i * k + j] * w[j] }
            w[i] = residual / cholesky[i * k + i]
            quadratic += w[i] * w[i]
        }
        return logNormaliser - 0.5 * quadratic
    }

    public var mean: [Double] { mu }
    public var variance: [Double] { (0..<mu.count).map { sigma[$0, $0] } }

    public static let family = Family(
        id: .multivariateNormal, name: "MultivariateNormal",
        parameters: [ParameterSpec("mu", .array(.real)), ParameterSpec("Sigma", .matrix, .positiveDefinite)],
        drawType: .array(.real), isDiscrete: false,
        summary: "MultivariateNormal(mu, Sigma): mean vector mu, covariance matrix Sigma (symmetric positive definite)"
    ) { args throws(DistributionError) in
        let d = try MultivariateNormal(mu: Arguments.reals(args, 0, "MultivariateNormal", "mu"),
                                       sigma: Arguments.matrix(args, 1, "MultivariateNormal", "Sigma"))
        return AnyDistribution("MultivariateNormal", d, toValue: { Value.reals($0) }, fromValue: { $0.asReals })
    }
}
