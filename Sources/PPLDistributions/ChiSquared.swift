import CGSL

/// ChiSquared(nu): nu > 0 degrees of freedom on (0, inf) (Stan's chi_square), i.e. Gamma(nu/2, rate 1/2).
///
/// log p(x) = -(nu/2) log 2 - lgamma(nu/2) + (nu/2 - 1) log x - x/2.
public struct ChiSquared: Distribution {
    public let nu: Double
    @usableFromInline let logNormaliser: Double

    public init(nu: Double) throws(DistributionError) {
        try Check.positive(nu, "ChiSquared", "nu")
        self.nu = nu
        self.logNormaliser = -0.5 * nu * LogMath.logTwo - gsl_sf_lngamma(0.5 * nu)
    }

    public var support: Support { .positive }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.max(gsl_ran_chisq(rng.gsl, nu), .leastNonzeroMagnitude)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return -.infinity }
        return logNormaliser + (0.5 * nu - 1) * log(x) - 0.5 * x
    }

    public var mean: Double { nu }
    public var variance: Double { 2 * nu }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_chisq_P(x, nu) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_chisq_Pinv(p, nu) }

    public static let family = Family(
        id: .chiSquared, name: "ChiSquared",
        parameters: [ParameterSpec("nu", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "ChiSquared(nu): degrees of freedom nu > 0"
    ) { args throws(DistributionError) in
        let d = try ChiSquared(nu: Arguments.real(args, 0, "ChiSquared", "nu"))
        return AnyDistribution("ChiSquared", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
