import CGSL

/// Dirichlet(alpha): a point of the (K-1)-simplex with concentrations alpha[k] > 0 (Stan's dirichlet).
///
/// log p(x) = lgamma(sum alpha) - sum lgamma(alpha[k]) + sum (alpha[k] - 1) log x[k];
/// x must have K entries in (0, 1] summing to 1 within 1e-8.
public struct Dirichlet: Distribution {
    public let alpha: [Double]
    let logNormaliser: Double

    public init(alpha: [Double]) throws(DistributionError) {
        guard !alpha.isEmpty else { throw DistributionError(family: "Dirichlet", parameter: "alpha", "must not be empty") }
        var total = 0.0
        var logGammas = 0.0
        for (k, a) in alpha.enumerated() {
            guard a > 0, a.isFinite else {
                throw DistributionError(family: "Dirichlet", parameter: "alpha", "entry \(k) must be positive and finite, got \(formatReal(a))")
            }
            total += a
            logGammas += gsl_sf_lngamma(a)
        }
        self.alpha = alpha
        self.logNormaliser = gsl_sf_lngamma(total) - logGammas
    }

    public var support: Support { .simplex(alpha.count) }

    /// Normalised gammas through GSL; with very small alpha some entries can underflow to 0,
    /// and such a draw scores -infinity (the density is not defined on the simplex's boundary).
    public func sample(using rng: inout RandomStream) -> [Double] {
        var theta = [Double](repeating: 0, count: alpha.count)
        alpha.withUnsafeBufferPointer { a in
            theta.withUnsafeMutableBufferPointer { t in
                gsl_ran_dirichlet(rng.gsl, a.count, a.baseAddress, t.baseAddress)
            }
        }
        return theta
    }

    public func logDensity(_ x: [Double]) -> Double {
        guard x.count == alpha.count else { return -.infinity }
        var total = 0.0
        var logKernel = 0.0
        for (k, xk) in x.enumerated() {
            guard xk > 0, xk <= 1 else { return -.infinity }
            total += xk
            logKernel += (alpha[k] - 1) * log(xk)
        }
        guard Swift.abs(total - 1) <= 1e-8 else { return -.infinity }
        return logNormaliser + logKernel
    }

    public var mean: [Double] {
        let total = alpha.reduce(0, +)
        return alpha.map { $0 / total }
    }
    public var variance: [Double] {
        let total = alpha.reduce(0, +)
        return alpha.map { $0 * (total - $0) / (total * total * (total + 1)) }
    }

    public static let family = Family(
        id: .dirichlet, name: "Dirichlet",
        parameters: [ParameterSpec("alpha", .array(.real), .positiveEntries)],
        drawType: .array(.real), isDiscrete: false,
        summary: "Dirichlet(alpha): a probability vector with concentrations alpha > 0"
    ) { args throws(DistributionError) in
        let d = try Dirichlet(alpha: Arguments.reals(args, 0, "Dirichlet", "alpha"))
        return AnyDistribution("Dirichlet", d, toValue: { Value.reals($0) }, fromValue: { $0.asReals })
    }
}
