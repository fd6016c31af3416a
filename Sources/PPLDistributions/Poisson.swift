import CGSL

/// Poisson(lambda): counts with rate lambda >= 0 (Stan's poisson).
///
/// log p(k) = k log lambda - lambda - log k!, evaluated by Loader's saddle-point form (Loader 2000).
public struct Poisson: Distribution {
    public let lambda: Double

    /// GSL draws into an unsigned 32-bit integer; Stan's poisson_rng has the same bound.
    public static let maximumRate = 1_073_741_824.0

    public init(lambda: Double) throws(DistributionError) {
        guard lambda >= 0, lambda < Poisson.maximumRate else {
            throw DistributionError(family: "Poisson", parameter: "lambda", "must be non-negative and below 2^30, got \(formatReal(lambda))")
        }
        self.lambda = lambda
    }

    public var support: Support { .naturals }

    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        Int(gsl_ran_poisson(rng.gsl, lambda))
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        guard k >= 0 else { return -.infinity }
        return LogMath.logPoissonTerm(Double(k), lambda)
    }

    public var mean: Double { lambda }
    public var variance: Double { lambda }
    public func cdf(_ k: Int) -> Double {
        k < 0 ? 0 : (k >= Int(UInt32.max) ? 1 : gsl_cdf_poisson_P(UInt32(k), lambda))
    }

    public static let family = Family(
        id: .poisson, name: "Poisson",
        parameters: [ParameterSpec("lambda", .real, .nonNegative)],
        drawType: .int, isDiscrete: true,
        summary: "Poisson(lambda): counts with rate (and mean) lambda >= 0"
    ) { args throws(DistributionError) in
        let d = try Poisson(lambda: Arguments.real(args, 0, "Poisson", "lambda"))
        return AnyDistribution("Poisson", d, toValue: { .int($0) }, fromValue: { $0.asInt })
    }
}
