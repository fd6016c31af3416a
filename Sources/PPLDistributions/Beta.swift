import CGSL

/// Beta(alpha, beta): shapes alpha > 0, beta > 0 on (0, 1) (Stan's beta).
///
/// log p(x) = (alpha - 1) log x + (beta - 1) log(1 - x) - log B(alpha, beta).
public struct Beta: Distribution {
    public let alpha: Double
    public let beta: Double
    @usableFromInline let logBeta: Double

    public init(alpha: Double, beta: Double) throws(DistributionError) {
        try Check.positive(alpha, "Beta", "alpha")
        try Check.positive(beta, "Beta", "beta")
        self.alpha = alpha
        self.beta = beta
        self.logBeta = gsl_sf_lnbeta(alpha, beta)
    }

    public var support: Support { .unitInterval }

    /// Through GSL's ratio of gammas; draws that round to 0 or 1 (tiny shapes) are moved
    /// to the nearest double inside (0, 1) so that they still score finitely.
    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.min(Swift.max(gsl_ran_beta(rng.gsl, alpha, beta), .leastNonzeroMagnitude), (1.0).nextDown)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x > 0, x < 1 else { return -.infinity }
        return (alpha - 1) * log(x) + (beta - 1) * log1p(-x) - logBeta
    }

    public var mean: Double { alpha / (alpha + beta) }
    public var variance: Double {
        let total = alpha + beta
        return alpha * beta / (total * total * (total + 1))
    }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : (x >= 1 ? 1 : gsl_cdf_beta_P(x, alpha, beta)) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_beta_Pinv(p, alpha, beta) }

    public static let family = Family(
        id: .beta, name: "Beta",
        parameters: [ParameterSpec("alpha", .real, .positive), ParameterSpec("beta", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Beta(alpha, beta): shapes alpha > 0, beta > 0 on (0, 1)"
    ) { args throws(DistributionError) in
        let d = try Beta(alpha: Arguments.real(args, 0, "Beta", "alpha"),
                         beta: Arguments.real(args, 1, "Beta", "beta"))
        return AnyDistribution("Beta", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
