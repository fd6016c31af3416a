import CGSL

/// NegativeBinomial(alpha, beta): Stan's neg_binomial, shape alpha > 0 and inverse scale beta > 0 on {0, 1, ...}.
///
/// p(k) = C(k + alpha - 1, k) (beta / (1 + beta))^alpha (1 / (1 + beta))^k, mean alpha / beta;
/// scored as alpha / (alpha + k) times a binomial term by Loader's form (Loader 2000).
public struct NegativeBinomial: Distribution {
    public let alpha: Double
    public let beta: Double
    /// Success probability beta / (1 + beta) and its complement 1 / (1 + beta), each to full precision.
    @usableFromInline let p: Double
    @usableFromInline let q: Double

    public init(alpha: Double, beta: Double) throws(DistributionError) {
        try Check.positive(alpha, "NegativeBinomial", "alpha")
        try Check.positive(beta, "NegativeBinomial", "beta")
        self.alpha = alpha
        self.beta = beta
        self.p = beta / (1 + beta)
        self.q = 1 / (1 + beta)
    }

    public var support: Support { .naturals }

    /// GSL's negative binomial is a Gamma-Poisson mixture with (p, n) = (beta / (1 + beta), alpha).
    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        Int(gsl_ran_negative_binomial(rng.gsl, p, alpha))
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        guard k >= 0 else { return -.infinity }
        let trials = alpha + Double(k)
        return log(alpha / trials) + LogMath.logBinomialTerm(alpha, trials, p, q)
    }

    public var mean: Double { alpha / beta }
    public var variance: Double { alpha / (beta * beta) * (beta + 1) }
    public func cdf(_ k: Int) -> Double {
        k < 0 ? 0 : (k >= Int(UInt32.max) ? 1 : gsl_cdf_negative_binomial_P(UInt32(k), p, alpha))
    }

    public static let family = Family(
        id: .negativeBinomial, name: "NegativeBinomial",
        parameters: [ParameterSpec("alpha", .real, .positive), ParameterSpec("beta", .real, .positive)],
        drawType: .int, isDiscrete: true,
        summary: "NegativeBinomial(alpha, beta): Stan's neg_binomial, shape alpha > 0, inverse scale beta > 0, mean alpha/beta"
    ) { args throws(DistributionError) in
        let d = try NegativeBinomial(alpha: Arguments.real(args, 0, "NegativeBinomial", "alpha"),
                                     beta: Arguments.real(args, 1, "NegativeBinomial", "beta"))
        return AnyDistribution("NegativeBinomial", d, toValue: { .int($0) }, fromValue: { $0.asInt })
    }
}
