import CGSL

/// Gamma(alpha, beta): shape alpha > 0, rate beta > 0 on (0, inf) (Stan's gamma).
///
/// log p(x) = alpha log beta - lgamma(alpha) + (alpha - 1) log x - beta x.
public struct Gamma: Distribution {
    public let alpha: Double
    public let beta: Double
    @usableFromInline let logNormaliser: Double

    public init(alpha: Double, beta: Double) throws(DistributionError) {
        try Check.positive(alpha, "Gamma", "alpha")
        try Check.positive(beta, "Gamma", "beta")
        self.alpha = alpha
        self.beta = beta
        self.logNormaliser = alpha * log(beta) - gsl_sf_lngamma(alpha)
    }

    public var support: Support { .positive }

    /// Marsaglia-Tsang through GSL; a draw that underflows to 0 (likely for alpha near 1e-3)
    /// is returned as the least positive double so that it still scores finitely.
    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.max(gsl_ran_gamma(rng.gsl, alpha, 1 / beta), .leastNonzeroMagnitude)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return -.infinity }
        return logNormaliser + (alpha - 1) * log(x) - beta * x
    }

    public var mean: Double { alpha / beta }
    public var variance: Double { alpha / (beta * beta) }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_gamma_P(x, alpha, 1 / beta) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_gamma_Pinv(p, alpha, 1 / beta) }

    public static let family = Family(
        id: .gamma, name: "Gamma",
        parameters: [ParameterSpec("alpha", .real, .positive), ParameterSpec("beta", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Gamma(alpha, beta): shape alpha > 0, rate beta > 0, mean alpha/beta"
    ) { args throws(DistributionError) in
        let d = try Gamma(alpha: Arguments.real(args, 0, "Gamma", "alpha"),
                          beta: Arguments.real(args, 1, "Gamma", "beta"))
        return AnyDistribution("Gamma", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
