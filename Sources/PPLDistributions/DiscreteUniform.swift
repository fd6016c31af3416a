import CGSL

/// DiscreteUniform(a, b): each integer of {a, ..., b} equally likely, a <= b inclusive (Stan's discrete_range).
///
/// log p(k) = -log(b - a + 1) for a <= k <= b.
public struct DiscreteUniform: Distribution {
    public let a: Int
    public let b: Int
    @usableFromInline let count: Int

    /// GSL's uniform integers reach 2^32 - 1 values with mt19937.
    public static let maximumCount = Int(UInt32.max)

    public init(a: Int, b: Int) throws(DistributionError) {
        guard b >= a else {
            throw DistributionError(family: "DiscreteUniform", parameter: "b", "must be at least a = \(a), got \(b)")
        }
        let (width, overflow) = b.subtractingReportingOverflow(a)
        guard !overflow, width < DiscreteUniform.maximumCount else {
            throw DistributionError(family: "DiscreteUniform", parameter: "b", "must be less than 2^32 - 1 above a, got b - a = \(b) - \(a)")
        }
        self.a = a
        self.b = b
        self.count = width + 1
    }

    public var support: Support { .integers(a, b) }

    /// Exact rejection sampling in GSL when the generator's range allows; a scaled uniform otherwise.
    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        let range = gsl_rng_max(rng.gsl) - gsl_rng_min(rng.gsl)
        if UInt(count) <= range { return a + Int(gsl_rng_uniform_int(rng.gsl, UInt(count))) }
        return a + Swift.min(Int(Double(count) * gsl_rng_uniform(rng.gsl)), count - 1)
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        guard k >= a, k <= b else { return -.infinity }
        return -log(Double(count))
    }

    public var mean: Double { 0.5 * (Double(a) + Double(b)) }
    public var variance: Double { (Double(count) * Double(count) - 1) / 12 }
    public func cdf(_ k: Int) -> Double { k < a ? 0 : (k >= b ? 1 : Double(k - a + 1) / Double(count)) }

    public static let family = Family(
        id: .discreteUniform, name: "DiscreteUniform",
        parameters: [ParameterSpec("a", .int), ParameterSpec("b", .int)],
        drawType: .int, isDiscrete: true,
        summary: "DiscreteUniform(a, b): each integer of {a, ..., b} (inclusive) equally likely, a <= b"
    ) { args throws(DistributionError) in
        let d = try DiscreteUniform(a: Arguments.int(args, 0, "DiscreteUniform", "a"),
                                    b: Arguments.int(args, 1, "DiscreteUniform", "b"))
        let values: [Value]? = d.count <= Catalogue.maximumEnumeratedValues ? (d.a...d.b).map(Value.int) : nil
        return AnyDistribution("DiscreteUniform", d, toValue: { .int($0) }, fromValue: { $0.asInt }, finiteValues: values)
    }
}
