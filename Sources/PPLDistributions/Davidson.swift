import CGSL

/// Davidson(si, sj, nu): Bradley-Terry with draws; 1 when i beats j, 0 when j beats i, 2 for a draw.
///
/// With D = si + sj + nu sqrt(si sj): p(1) = si / D, p(0) = sj / D, p(2) = nu sqrt(si sj) / D;
/// nu = 0 is plain Bradley-Terry. Scored in log space from log si and log sj.
/// Davidson, J. Amer. Statist. Assoc. 65 (1970).
public struct Davidson: Distribution {
    public let si: Double
    public let sj: Double
    public let nu: Double
    @usableFromInline let logFirst: Double
    @usableFromInline let logSecond: Double
    /// log(nu sqrt(si sj)); -infinity when nu = 0.
    @usableFromInline let logDraw: Double
    @usableFromInline let logTotal: Double

    public init(si: Double, sj: Double, nu: Double) throws(DistributionError) {
        try Check.positive(si, "Davidson", "si")
        try Check.positive(sj, "Davidson", "sj")
        guard nu >= 0, nu.isFinite else {
            throw DistributionError(family: "Davidson", parameter: "nu", "must be non-negative and finite, got \(formatReal(nu))")
        }
        self.si = si
        self.sj = sj
        self.nu = nu
        logFirst = log(si)
        logSecond = log(sj)
        logDraw = log(nu) + (logFirst + logSecond) / 2
        let top = Swift.max(logFirst, logSecond)
        logTotal = top + log(exp(logFirst - top) + exp(logSecond - top) + exp(logDraw - top))
    }

    public var support: Support { .integers(0, 2) }

    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        let u = gsl_rng_uniform(rng.gsl)
        let first = exp(logFirst - logTotal)
        if u < first { return 1 }
        return u < first + exp(logSecond - logTotal) ? 0 : 2
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        switch k {
        case 1: logFirst - logTotal
        case 0: logSecond - logTotal
        case 2: logDraw - logTotal
        default: -.infinity
        }
    }

    /// Outcome 1 counts 1 and a draw 2, so the mean is p(1) + 2 p(2).
    public var mean: Double { exp(logFirst - logTotal) + 2 * exp(logDraw - logTotal) }
    public var variance: Double { exp(logFirst - logTotal) + 4 * exp(logDraw - logTotal) - mean * mean }

    public static let family = Family(
        id: .davidson, name: "Davidson",
        parameters: [ParameterSpec("si", .real, .positive), ParameterSpec("sj", .real, .positive),
                     ParameterSpec("nu", .real, .nonNegative)],
        drawType: .int, isDiscrete: true,
        summary: "Davidson(si, sj, nu): 1 (i wins), 0 (j wins) or 2 (draw) with odds si : sj : nu sqrt(si sj)"
    ) { args throws(DistributionError) in
        let d = try Davidson(si: Arguments.real(args, 0, "Davidson", "si"), sj: Arguments.real(args, 1, "Davidson", "sj"),
                             nu: Arguments.real(args, 2, "Davidson", "nu"))
        return AnyDistribution("Davidson", d, toValue: { .int($0) }, fromValue: { $0.asInt },
                               finiteValues: [.int(0), .int(1), .int(2)])
    }
}
