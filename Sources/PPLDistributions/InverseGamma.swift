import CGSL

/// InverseGamma(alpha, beta): 1/X for X ~ Gamma(alpha, rate beta), i.e. shape alpha > 0, scale beta > 0 (Stan's inv_gamma).
///
/// log p(x) = alpha log beta - lgamma(alpha) - (alpha + 1) log x - beta / x.
public struct InverseGamma: Distribution {
    public let alpha: Double
    public let beta: Double
    @usableFromInline let logNormaliser: Double

    public init(alpha: Double, beta: Double) throws(DistributionError) {
        try Check.positive(alpha, "InverseGamma", "alpha")
        try Check.positive(beta, "InverseGamma", "beta")
        self.alpha = alpha
        self.beta = beta
        self.logNormaliser = alpha * log(beta) - gsl_sf_lngamma(alpha)
    }

    public var support: Support { .positive }

    /// beta / Gamma(alpha, 1), kept finite when the gamma draw underflows.
    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.min(beta / gsl_ran_gamma(rng.gsl, alpha, 1), .greatestFiniteMagnitude)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return -.infinity }
        return logNormaliser - (alpha + 1) * log(x) - beta / x
    }

    /// beta / (alpha - 1) when alpha > 1.
    public var mean: Double? { alpha > 1 ? beta / (alpha - 1) : nil }
    /// beta^2 / ((alpha - 1)^2 (alpha - 2)) when alpha > 2.
    public var variance: Double? { alpha > 2 ? beta * beta / ((alpha - 1) * (alpha - 1) * (alpha - 2)) : nil }
    /// P(X <= x) = Q_Gamma(beta / x; alpha, 1).
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_gamma_Q(beta / x, alpha, 1) }
    public func quantile(_ p: Double) -> Double { beta / gsl_cdf_gamma_Qinv(p, alpha, 1) }

    public static let family = Family(
        id: .inverseGamma, name: "InverseGamma",
        parameters: [ParameterSpec("alpha", .real, .positive), ParameterSpec("beta", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "InverseGamma(alpha, beta): shape alpha > 0, scale beta > 0"
    ) { args throws(DistributionError) in
        let d = try InverseGamma(alpha: Arguments.real(args, 0, "InverseGamma", "alpha"),
                                 beta: Arguments.real(args, 1, "InverseGamma", "beta"))
        return AnyDistribution("InverseGamma", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
