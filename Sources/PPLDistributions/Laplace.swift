import CGSL

/// Laplace(mu, sigma): double exponential with location mu, scale sigma > 0 (Stan's double_exponential).
///
/// log p(x) = -log(2 sigma) - |x - mu| / sigma.
public struct Laplace: Distribution {
    public let mu: Double
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try Check.finite(mu, "Laplace", "mu")
        try Check.positive(sigma, "Laplace", "sigma")
        self.mu = mu
        self.sigma = sigma
    }

    public var support: Support { .real }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        mu + gsl_ran_laplace(rng.gsl, sigma)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        return -LogMath.logTwo - log(sigma) - Swift.abs(x - mu) / sigma
    }

    public var mean: Double { mu }
    public var variance: Double { 2 * sigma * sigma }
    public func cdf(_ x: Double) -> Double { gsl_cdf_laplace_P(x - mu, sigma) }
    public func quantile(_ p: Double) -> Double { mu + gsl_cdf_laplace_Pinv(p, sigma) }

    public static let family = Family(
        id: .laplace, name: "Laplace",
        parameters: [ParameterSpec("mu", .real), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Laplace(mu, sigma): double exponential, location mu, scale sigma > 0"
    ) { args throws(DistributionError) in
        let d = try Laplace(mu: Arguments.real(args, 0, "Laplace", "mu"),
                            sigma: Arguments.real(args, 1, "Laplace", "sigma"))
        return AnyDistribution("Laplace", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
