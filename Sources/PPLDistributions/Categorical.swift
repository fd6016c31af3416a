import CGSL

/// Categorical(p): index k in {0, ..., K-1} with probability p[k]; 0-based, unlike Stan.
///
/// log p(k) = log p[k]; p must be a simplex (non-negative, summing to 1 within 1e-8, then normalised).
public struct Categorical: Distribution {
    public let p: [Double]
    @usableFromInline let logP: [Double]

    public init(p: [Double]) throws(DistributionError) {
        self.p = try Check.simplex(p, "Categorical", "p")
        self.logP = self.p.map { log($0) }
    }

    public var support: Support { .integers(0, p.count - 1) }

    /// Inverse cdf by a linear scan of one GSL uniform: distributions are rebuilt per draw
    /// in the VM, so GSL's alias table (O(K) to build) would cost more than it saves.
    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        var u = gsl_rng_uniform(rng.gsl)
        var last = 0
        for (k, mass) in p.enumerated() where mass > 0 {
            if u < mass { return k }
            u -= mass
            last = k
        }
        return last
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        guard k >= 0, k < logP.count else { return -.infinity }
        return logP[k]
    }

    public var mean: Double { p.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } }
    public var variance: Double {
        let m = mean
        return p.enumerated().reduce(0) { $0 + (Double($1.offset) - m) * (Double($1.offset) - m) * $1.element }
    }

    public static let family = Family(
        id: .categorical, name: "Categorical",
        parameters: [ParameterSpec("p", .array(.real), .simplex)],
        drawType: .int, isDiscrete: true,
        summary: "Categorical(p): index in {0, ..., K-1} (0-based) with probabilities p summing to 1"
    ) { args throws(DistributionError) in
        let d = try Categorical(p: Arguments.reals(args, 0, "Categorical", "p"))
        let values: [Value]? = d.p.count <= Catalogue.maximumEnumeratedValues ? (0..<d.p.count).map(Value.int) : nil
        return AnyDistribution("Categorical", d, toValue: { .int($0) }, fromValue: { $0.asInt }, finiteValues: values)
    }
}
