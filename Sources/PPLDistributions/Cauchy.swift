import CGSL

/// Cauchy(mu, sigma): location mu, scale sigma > 0 (Stan's cauchy).
///
/// log p(x) = -log pi - log sigma - log(1 + z^2), z = (x - mu)/sigma; no mean or variance.
public struct Cauchy: Distribution {
    public let mu: Double
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try Check.finite(mu, "Cauchy", "mu")
        try Check.positive(sigma, "Cauchy", "sigma")
        self.mu = mu
        self.sigma = sigma
    }

    public var support: Support { .real }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        mu + gsl_ran_cauchy(rng.gsl, sigma)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        return -LogMath.logPi - log(sigma) - LogMath.log1pSquare((x - mu) / sigma)
    }

    public func cdf(_ x: Double) -> Double { gsl_cdf_cauchy_P(x - mu, sigma) }
    public func quantile(_ p: Double) -> Double { mu + gsl_cdf_cauchy_Pinv(p, sigma) }

    public static let family = Family(
        id: .cauchy, name: "Cauchy",
        parameters: [ParameterSpec("mu", .real), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Cauchy(mu, sigma): location mu, scale sigma > 0"
    ) { args throws(DistributionError) in
        let d = try Cauchy(mu: Arguments.real(args, 0, "Cauchy", "mu"),
                           sigma: Arguments.real(args, 1, "Cauchy", "sigma"))
        return AnyDistribution("Cauchy", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
