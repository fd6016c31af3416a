import CGSL

/// Pareto(yMin, alpha): scale y_min > 0, shape alpha > 0 on [y_min, inf) (Stan's pareto(y_min, alpha)).
///
/// log p(y) = log alpha + alpha log y_min - (alpha + 1) log y for y >= y_min.
public struct Pareto: Distribution {
    public let yMin: Double
    public let alpha: Double

    public init(yMin: Double, alpha: Double) throws(DistributionError) {
        try Check.positive(yMin, "Pareto", "y_min")
        try Check.positive(alpha, "Pareto", "alpha")
        self.yMin = yMin
        self.alpha = alpha
    }

    public var support: Support { .lowerBounded(yMin) }

    /// GSL's pareto takes (exponent, scale) in that order.
    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        Swift.min(gsl_ran_pareto(rng.gsl, alpha, yMin), .greatestFiniteMagnitude)
    }

    @inlinable public func logDensity(_ y: Double) -> Double {
        guard y >= yMin, y.isFinite else { return -.infinity }
        return log(alpha) + alpha * log(yMin) - (alpha + 1) * log(y)
    }

    /// alpha y_min / (alpha - 1) when alpha > 1.
    public var mean: Double? { alpha > 1 ? alpha * yMin / (alpha - 1) : nil }
    /// y_min^2 alpha / ((alpha - 1)^2 (alpha - 2)) when alpha > 2.
    public var variance: Double? { alpha > 2 ? yMin * yMin * alpha / ((alpha - 1) * (alpha - 1) * (alpha - 2)) : nil }
    public func cdf(_ y: Double) -> Double { y <= yMin ? 0 : gsl_cdf_pareto_P(y, alpha, yMin) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_pareto_Pinv(p, alpha, yMin) }

    public static let family = Family(
        id: .pareto, name: "Pareto",
        parameters: [ParameterSpec("y_min", .real, .positive), ParameterSpec("alpha", .real, .positive)],
        drawType: .real, isDiscrete: false,
        summary: "Pareto(y_min, alpha): scale y_min > 0, shape alpha > 0 on [y_min, inf)"
    ) { args throws(DistributionError) in
        let d = try Pareto(yMin: Arguments.real(args, 0, "Pareto", "y_min"),
                           alpha: Arguments.real(args, 1, "Pareto", "alpha"))
        return AnyDistribution("Pareto", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
