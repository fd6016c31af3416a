import CGSL

/// Uniform(a, b): flat on [a, b] with a < b (Stan's uniform).
///
/// log p(x) = -log(b - a) for a <= x <= b.
public struct Uniform: Distribution {
    public let a: Double
    public let b: Double

    public init(a: Double, b: Double) throws(DistributionError) {
        try Check.finite(a, "Uniform", "a")
        try Check.finite(b, "Uniform", "b")
        guard b > a, (b - a).isFinite else {
            throw DistributionError(family: "Uniform", parameter: "b", "must be greater than a = \(formatReal(a)), got \(formatReal(b))")
        }
        self.a = a
        self.b = b
    }

    public var support: Support { .interval(a, b) }

    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        gsl_ran_flat(rng.gsl, a, b)
    }

    @inlinable public func logDensity(_ x: Double) -> Double {
        guard x >= a, x <= b else { return -.infinity }
        return -log(b - a)
    }

    public var mean: Double { 0.5 * (a + b) }
    public var variance: Double { (b - a) * (b - a) / 12 }
    public func cdf(_ x: Double) -> Double { gsl_cdf_flat_P(x, a, b) }
    public func quantile(_ p: Double) -> Double { gsl_cdf_flat_Pinv(p, a, b) }

    public static let family = Family(
        id: .uniform, name: "Uniform",
        parameters: [ParameterSpec("a", .real), ParameterSpec("b", .real)],
        drawType: .real, isDiscrete: false,
        summary: "Uniform(a, b): flat on [a, b], a < b"
    ) { args throws(DistributionError) in
        let d = try Uniform(a: Arguments.real(args, 0, "Uniform", "a"),
                            b: Arguments.real(args, 1, "Uniform", "b"))
        return AnyDistribution("Uniform", d, toValue: { .real($0) }, fromValue: { $0.asReal })
    }
}
