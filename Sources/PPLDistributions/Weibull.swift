import CGSL

/// Weibull(alpha, sigma): shape alpha > 0, scale sigma > 0 on (0, inf) (Stan's weibull).
///
/// log p(x) = log alpha - log sigma + (alpha - 1) log(x/sigma) - (x/sigma)^alpha.
public struct Weibull: Distribution {
    public let alpha: Double
    public let sigma: Double

    public init(alpha: Double, sigma: Double) throws(DistributionError) {
        try Check.positive(alpha, "Weibull", "alpha")
        try Check.positive(sigma, "Weibull", "sigma")
        self.alpha = alpha
        self.sigma = sigma
    }

    public var support: Support { .positive }

    /// GSL's weibull takes (scale, shape) in that order.
    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.max(gsl_ran_weibull(rng.gsl, sigma, alpha), .leastNonzeroMagnitude)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return -.infinity }
        let logRatio = log(x / sigma)
        return log(alpha) - log(sigma) + (alpha - 1) * logRatio - exp(alpha * logRatio)
    }

    /// sigma Gamma(1 + 1/alpha).
    public var mean: Double { sigma * exp(gsl_sf_lngamma(1 + 1 / alpha)) }
    /// sigma^2 [Gamma(1 + 2/alpha) - Gamma(1 + 1/alpha)^2].
    public var variance: Double {
        let g1 = exp(gsl_sf_lngamma(1 + 1 / alpha))
        return sigma * sigma * (exp(gsl_sf_lngamma(1 + 2 / alpha)) - g1 * g1)
    }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_weibull_P(x, sigma, alpha) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_weibull_Pinv(p, sigma, alpha) }

    public static let family = Family(
        id: .weibull, name: "Weibull",
        parameters: [ParameterSpec("alpha", .real, .positive), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Weibull(alpha, sigma): shape alpha > 0, scale sigma > 0"
    ) { args throws(DistributionError) in
        let d = try Weibull(alpha: Arguments.real(args, 0, "Weibull", "alpha"),
                            sigma: Arguments.real(args, 1, "Weibull", "sigma"))
        return AnyDistribution("Weibull", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
