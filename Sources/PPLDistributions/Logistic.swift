import CGSL

/// Logistic(mu, sigma): location mu, scale sigma > 0 (Stan's logistic).
///
/// log p(x) = -|z| - log sigma - 2 log(1 + e^-|z|), z = (x - mu)/sigma (symmetric, so no overflow).
public struct Logistic: Distribution {
    public let mu: Double
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try Check.finite(mu, "Logistic", "mu")
        try Check.positive(sigma, "Logistic", "sigma")
        self.mu = mu
        self.sigma = sigma
    }

    public var support: Support { .real }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        mu + gsl_ran_logistic(rng.gsl, sigma)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        let a = Swift.abs((x - mu) / sigma)
        return -a - log(sigma) - 2 * log1p(exp(-a))
    }

    public var mean: Double { mu }
    public var variance: Double { sigma * sigma * Double.pi * Double.pi / 3 }
    public func cdf(_ x: Double) -> Double { gsl_cdf_logistic_P(x - mu, sigma) }
    public func quantile(_ p: Double) -> Double { mu + gsl_cdf_logistic_Pinv(p, sigma) }

    public static let family = Family(
        id: .logistic, name: "Logistic",
        parameters: [ParameterSpec("mu", .real), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Logistic(mu, sigma): location mu, scale sigma > 0"
    ) { args throws(DistributionError) in
        let d = try Logistic(mu: Arguments.real(args, 0, "Logistic", "mu"),
                             sigma: Arguments.real(args, 1, "Logistic", "sigma"))
        return AnyDistribution("Logistic", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
