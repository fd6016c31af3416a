import CGSL

/// Normal(mu, sigma): location mu, standard deviation sigma > 0 (Stan's parameterisation).
public struct Normal: Distribution {
    public let mu: Double
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        guard mu.isFinite else { throw DistributionError(family: "Normal", parameter: "mu", "must be finite, got \(formatReal(mu))") }
        guard sigma > 0, sigma.isFinite else {
            throw DistributionError(family: "Normal", parameter: "sigma", "must be positive, got \(formatReal(sigma))")
        }
        self.mu = mu
        self.sigma = sigma
    }

    public var support: Support { .real }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        mu + gsl_ran_gaussian_ziggurat(rng.gsl, sigma)
    }

    /// -(x-mu)^2 / (2 sigma^2) - log sigma - log(2 pi)/2, without forming the density.
    @inlinable public func logDensity(_ x: Double) -> Double {
        Self.logDensity(x, mu: mu, sigma: sigma, logSigma: log(sigma))
    }

    /// `logDensity` with log sigma given: callers scoring many values at one sigma take the
    /// logarithm once, and get the same numbers bit for bit.
    @inlinable public static func logDensity(_ x: Double, mu: Double, sigma: Double, logSigma: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        let z = (x - mu) / sigma
        return -0.5 * z * z - logSigma - 0.918_938_533_204_672_741_780_329_736_4
    }

    public var mean: Double { mu }
    public var variance: Double { sigma * sigma }
    public func cdf(_ x: Double) -> Double { gsl_cdf_gaussian_P(x - mu, sigma) }
    public func quantile(_ p: Double) -> Double { mu + gsl_cdf_gaussian_Pinv(p, sigma) }

    public static let family = Family(
        id: .normal, name: "Normal",
        parameters: [ParameterSpec("mu", .real), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Normal(mu, sigma): mean mu, standard deviation sigma > 0"
    ) { args throws(DistributionError) in
        let d = try Normal(mu: Arguments.real(args, 0, "Normal", "mu"),
                           sigma: Arguments.real(args, 1, "Normal", "sigma"))
        return AnyDistribution("Normal", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
