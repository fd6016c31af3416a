import CGSL

/// HalfCauchy(sigma): |X| for X ~ Cauchy(0, sigma), on [0, inf) (Stan's cauchy(0, sigma) with y >= 0).
///
/// log p(x) = log 2 - log pi - log sigma - log(1 + (x/sigma)^2) for x >= 0.
public struct HalfCauchy: Distribution {
    public let sigma: Double

    public init(sigma: Double) throws(DistributionError) {
        try Check.positive(sigma, "HalfCauchy", "sigma")
        self.sigma = sigma
    }

    public var support: Support { .nonNegative }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.abs(gsl_ran_cauchy(rng.gsl, sigma))
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x >= 0, x.isFinite else { return -.infinity }
        return LogMath.logTwo - LogMath.logPi - log(sigma) - LogMath.log1pSquare(x / sigma)
    }

    /// (2 / pi) atan(x / sigma).
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : 2 / Double.pi * atan(x / sigma) }
    public func quantile(_ p: Double) -> Double { sigma * tan(0.5 * Double.pi * p) }

    public static let family = Family(
        id: .halfCauchy, name: "HalfCauchy",
        parameters: [ParameterSpec("sigma", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "HalfCauchy(sigma): |Cauchy(0, sigma)| on [0, inf), sigma > 0 the scale"
    ) { args throws(DistributionError) in
        let d = try HalfCauchy(sigma: Arguments.real(args, 0, "HalfCauchy", "sigma"))
        return AnyDistribution("HalfCauchy", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
