import CGSL

/// Exponential(lambda): rate lambda > 0 on [0, inf) (Stan's exponential).
///
/// log p(x) = log lambda - lambda x for x >= 0.
public struct Exponential: Distribution {
    public let lambda: Double

    public init(lambda: Double) throws(DistributionError) {
        try Check.positive(lambda, "Exponential", "lambda")
        self.lambda = lambda
    }

    public var support: Support { .nonNegative }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        gsl_ran_exponential(rng.gsl, 1 / lambda)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x >= 0, x.isFinite else { return -.infinity }
        return log(lambda) - lambda * x
    }

    public var mean: Double { 1 / lambda }
    public var variance: Double { 1 / (lambda * lambda) }
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_exponential_P(x, 1 / lambda) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_exponential_Pinv(p, 1 / lambda) }

    public static let family = Family(
        id: .exponential, name: "Exponential",
        parameters: [ParameterSpec("lambda", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Exponential(lambda): rate lambda > 0, mean 1/lambda"
    ) { args throws(DistributionError) in
        let d = try Exponential(lambda: Arguments.real(args, 0, "Exponential", "lambda"))
        return AnyDistribution("Exponential", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
