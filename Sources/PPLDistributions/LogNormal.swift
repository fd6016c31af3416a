import CGSL

/// LogNormal(mu, sigma): exp of Normal(mu, sigma), on (0, inf) (Stan's lognormal).
///
/// log p(x) = -log x - log sigma - log(2 pi)/2 - (log x - mu)^2 / (2 sigma^2).
public struct LogNormal: Distribution {
    public let mu: Double
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try Check.finite(mu, "LogNormal", "mu")
        try Check.positive(sigma, "LogNormal", "sigma")
        self.mu = mu
        self.sigma = sigma
    }

    public var support: Support { .positive }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        exp(mu + gsl_ran_gaussian_ziggurat(rng.gsl, sigma))
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return -.infinity }
        let logX = log(x)
        let z = (logX - mu) / sigma
        return -logX - log(sigma) - LogMath.logSqrtTwoPi - 0.5 * z * z
    }

    public var mean: Double { exp(mu + 0.5 * sigma * sigma) }
    public var variance: Double { expm1(sigma * sigma) * exp(2 * mu + sigma * sigma) }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_lognormal_P(x, mu, sigma) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_lognormal_Pinv(p, mu, sigma) }

    public static let family = Family(
        id: .logNormal, name: "LogNormal",
        parameters: [ParameterSpec("mu", .real), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "LogNormal(mu, sigma): log of the draw is Normal(mu, sigma), sigma > 0"
    ) { args throws(DistributionError) in
        let d = try LogNormal(mu: Arguments.real(args, 0, "LogNormal", "mu"),
                              sigma: Arguments.real(args, 1, "LogNormal", "sigma"))
        return AnyDistribution("LogNormal", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
