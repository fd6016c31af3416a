import CGSL

/// HalfNormal(sigma): |X| for X ~ Normal(0, sigma), on [0, inf) (Stan's normal(0, sigma) with y >= 0).
///
/// log p(x) = log 2 - log sigma - log(2 pi)/2 - x^2 / (2 sigma^2) for x >= 0.
public struct HalfNormal: Distribution {
    public let sigma: Double

    public init(sigma: Double) throws(DistributionError) {
        try Check.positive(sigma, "HalfNormal", "sigma")
        self.sigma = sigma
    }

    public var support: Support { .nonNegative }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.abs(gsl_ran_gaussian_ziggurat(rng.gsl, sigma))
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x >= 0, x.isFinite else { return -.infinity }
        let z = x / sigma
        return LogMath.logTwo - log(sigma) - LogMath.logSqrtTwoPi - 0.5 * z * z
    }

    /// sigma sqrt(2 / pi).
    public var mean: Double { sigma * 0.797_884_560_802_865_355_879_892_119_87 }
    /// sigma^2 (1 - 2 / pi).
    public var variance: Double { sigma * sigma * (1 - 2 / Double.pi) }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_sf_erf(x / (sigma * 2.0.squareRoot())) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_gaussian_Pinv(0.5 + 0.5 * p, sigma) }

    public static let family = Family(
        id: .halfNormal, name: "HalfNormal",
        parameters: [ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "HalfNormal(sigma): |Normal(0, sigma)| on [0, inf), sigma > 0 the scale"
    ) { args throws(DistributionError) in
        let d = try HalfNormal(sigma: Arguments.real(args, 0, "HalfNormal", "sigma"))
        return AnyDistribution("HalfNormal", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
