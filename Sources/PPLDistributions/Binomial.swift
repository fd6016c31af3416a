import CGSL

/// Binomial(n, p): successes in n >= 0 trials with success probability p in [0, 1] (Stan's binomial).
///
/// log p(k) = log C(n, k) + k log p + (n - k) log(1 - p), evaluated by Loader's saddle-point
/// form so that it keeps full relative accuracy at n = 10^6 (Loader 2000).
public struct Binomial: Distribution {
    public let n: Int
    public let p: Double

    /// GSL draws into an unsigned 32-bit integer.
    public static let maximumTrials = Int(Int32.max)

    public init(n: Int, p: Double) throws(DistributionError) {
        guard n >= 0, n <= Binomial.maximumTrials else {
            throw DistributionError(family: "Binomial", parameter: "n", "must be a non-negative integer at most \(Binomial.maximumTrials), got \(n)")
        }
        try Check.probability(p, "Binomial", "p")
        self.n = n
        self.p = p
    }

    public var support: Support { .integers(0, n) }

    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        Int(gsl_ran_binomial(rng.gsl, p, UInt32(truncatingIfNeeded: n)))
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        guard k >= 0, k <= n else { return -.infinity }
        return LogMath.logBinomialTerm(Double(k), Double(n), p, 1 - p)
    }

    public var mean: Double { Double(n) * p }
    public var variance: Double { Double(n) * p * (1 - p) }
    public func cdf(_ k: Int) -> Double {
        k < 0 ? 0 : (k >= n ? 1 : gsl_cdf_binomial_P(UInt32(k), p, UInt32(n)))
    }

    public static let family = Family(
        id: .binomial, name: "Binomial",
        parameters: [ParameterSpec("n", .int, .nonNegativeInteger), ParameterSpec("p", .real, .closedUnitInterval)],
        drawType: .int, isDiscrete: true,
        summary: "Binomial(n, p): successes in n trials, success probability p in [0, 1]"
    ) { args throws(DistributionError) in
        let d = try Binomial(n: Arguments.int(args, 0, "Binomial", "n"), p: Arguments.real(args, 1, "Binomial", "p"))
        let values: [Value]? = d.n < Catalogue.maximumEnumeratedValues ? (0...d.n).map(Value.int) : nil
        return AnyDistribution("Binomial", d, toValue: { .int($0) }, fromValue: { $0.asInt }, finiteValues: values)
    }
}
