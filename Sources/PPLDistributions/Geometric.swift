import CGSL

/// Geometric(p): number of failures before the first success, success probability p in (0, 1], on {0, 1, ...}.
///
/// log p(k) = log p + k log(1 - p).
public struct Geometric: Distribution {
    public let p: Double

    public init(p: Double) throws(DistributionError) {
        guard p > 0, p <= 1 else {
            throw DistributionError(family: "Geometric", parameter: "p", "must be in (0, 1], got \(formatReal(p))")
        }
        self.p = p
    }

    public var support: Support { .naturals }

    /// GSL counts trials up to and including the first success, so subtract one.
    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        Int(gsl_ran_geometric(rng.gsl, p)) - 1
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        guard k >= 0 else { return -.infinity }
        if k == 0 { return log(p) }
        return log(p) + Double(k) * log1p(-p)
    }

    public var mean: Double { (1 - p) / p }
    public var variance: Double { (1 - p) / (p * p) }
    /// P(K <= k) = 1 - (1 - p)^(k + 1), GSL's geometric cdf at k + 1 trials.
    public func cdf(_ k: Int) -> Double {
        k < 0 ? 0 : (k >= Int(UInt32.max) - 1 ? 1 : gsl_cdf_geometric_P(UInt32(k + 1), p))
    }

    public static let family = Family(
        id: .geometric, name: "Geometric",
        parameters: [ParameterSpec("p", .real, .closedUnitInterval)],
        drawType: .int, isDiscrete: true,
        summary: "Geometric(p): failures before the first success, p in (0, 1], on {0, 1, ...}"
    ) { args throws(DistributionError) in
        let d = try Geometric(p: Arguments.real(args, 0, "Geometric", "p"))
        return AnyDistribution("Geometric", d, toValue: { .int($0) }, fromValue: { $0.asInt })
    }
}
