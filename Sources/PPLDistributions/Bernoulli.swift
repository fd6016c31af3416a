import CGSL

/// Bernoulli(p): 1 with probability p in [0, 1], else 0.
public struct Bernoulli: Distribution {
    public let p: Double

    public init(p: Double) throws(DistributionError) {
        guard p >= 0, p <= 1 else {
            throw DistributionError(family: "Bernoulli", parameter: "p", "must be in [0, 1], got \(formatReal(p))")
        }
        self.p = p
    }

    public var support: Support { .booleans }

    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        Int(gsl_ran_bernoulli(rng.gsl, p))
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        switch k {
        case 1: log(p)
        case 0: log1p(-p)
        default: -.infinity
        }
    }

    public var mean: Double { p }
    public var variance: Double { p * (1 - p) }
    public func cdf(_ k: Int) -> Double { k < 0 ? 0 : (k >= 1 ? 1 : 1 - p) }

    public static let family = Family(
        id: .bernoulli, name: "Bernoulli",
        parameters: [ParameterSpec("p", .real, .closedUnitInterval)],
        drawType: .int, isDiscrete: true,
        summary: "Bernoulli(p): 1 with probability p, 0 otherwise"
    ) { args throws(DistributionError) in
        let d = try Bernoulli(p: Arguments.real(args, 0, "Bernoulli", "p"))
        return AnyDistribution("Bernoulli", d, toValue: { .int($0) }, fromValue: { $0.asInt },
                               finiteValues: [.int(0), .int(1)])
    }
}
