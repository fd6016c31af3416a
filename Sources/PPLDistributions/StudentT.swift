import CGSL

/// StudentT(nu, mu, sigma): location-scale Student's t with nu > 0 degrees of freedom (Stan's student_t).
///
/// log p(x) = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log sigma - (nu + 1)/2 log(1 + z^2/nu),
/// z = (x - mu)/sigma; the gamma ratio is taken together with log(nu)/2 so that nothing cancels for large nu.
public struct StudentT: Distribution {
    public let nu: Double
    public let mu: Double
    public let sigma: Double
    @usableFromInline let logNormaliser: Double
    @usableFromInline let rootNu: Double

    public init(nu: Double, mu: Double, sigma: Double) throws(DistributionError) {
        try Check.positive(nu, "StudentT", "nu")
        try Check.finite(mu, "StudentT", "mu")
        try Check.positive(sigma, "StudentT", "sigma")
        self.nu = nu
        self.mu = mu
        self.sigma = sigma
        self.rootNu = nu.squareRoot()
        self.logNormaliser = LogMath.logGammaHalfRatio(0.5 * nu) - 0.5 * (LogMath.logTwo + LogMath.logPi) - log(sigma)
    }

    public var support: Support { .real }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        mu + sigma * gsl_ran_tdist(rng.gsl, nu)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x.isFinite else { return -.infinity }
        let z = (x - mu) / sigma
        return logNormaliser - 0.5 * (nu + 1) * LogMath.log1pSquare(z / rootNu)
    }

    /// mu when nu > 1, else undefined.
    public var mean: Double? { nu > 1 ? mu : nil }
    /// sigma^2 nu / (nu - 2) when nu > 2, else undefined.
    public var variance: Double? { nu > 2 ? sigma * sigma * nu / (nu - 2) : nil }
    public func cdf(_ x: Double) -> Double { gsl_cdf_tdist_P((x - mu) / sigma, nu) }
    public func quantile(_ p: Double) -> Double { mu + sigma * gsl_cdf_tdist_Pinv(p, nu) }

    public static let family = Family(
        id: .studentT, name: "StudentT",
        parameters: [ParameterSpec("nu", .real, .positive), ParameterSpec("mu", .real), ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "StudentT(nu, mu, sigma): degrees of freedom nu > 0, location mu, scale sigma > 0"
    ) { args throws(DistributionError) in
        let d = try StudentT(nu: Arguments.real(args, 0, "StudentT", "nu"),
                             mu: Arguments.real(args, 1, "StudentT", "mu"),
                             sigma: Arguments.real(args, 2, "StudentT", "sigma"))
        return AnyDistribution("StudentT", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
