import CGSL

/// BradleyTerry(si, sj): 1 when item i beats item j, which happens with probability si / (si + sj), else 0.
///
/// log p(1) = log si - log(si + sj) = -softplus(log sj - log si), log p(0) = -softplus(log si - log sj),
/// computed from the log ratio so that strengths far apart neither overflow nor round to 0.
/// Bradley & Terry, Biometrika 39 (1952); Zermelo, Math. Z. 29 (1929).
public struct BradleyTerry: Distribution {
    public let si: Double
    public let sj: Double
    /// log sj - log si.
    @usableFromInline let logRatio: Double

    public init(si: Double, sj: Double) throws(DistributionError) {
        try Check.positive(si, "BradleyTerry", "si")
        try Check.positive(sj, "BradleyTerry", "sj")
        self.si = si
        self.sj = sj
        self.logRatio = log(sj) - log(si)
    }

    public var support: Support { .booleans }

    /// P(i beats j) = 1 / (1 + sj/si).
    public var p: Double { 1 / (1 + exp(logRatio)) }

    @inlinable public func sample(using rng: inout RandomStream) -> Int {
        gsl_rng_uniform(rng.gsl) < 1 / (1 + exp(logRatio)) ? 1 : 0
    }

    @inlinable public func logDensity(_ k: Int) -> Double {
        switch k {
        case 1: -Self.softplus(logRatio)
        case 0: -Self.softplus(-logRatio)
        default: -.infinity
        }
    }

    /// log(1 + e^x) without overflow for large x or loss of precision for very negative x.
    @inlinable static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    public var mean: Double { p }
    public var variance: Double { p * (1 - p) }

    public static let family = Family(
        id: .bradleyTerry, name: "BradleyTerry",
        parameters: [ParameterSpec("si", .real, .positive), ParameterSpec("sj", .real, .positive)],
        drawType: .int, isDiscrete: true,
        summary: "BradleyTerry(si, sj): 1 (i beats j) with probability si/(si+sj), 0 (j beats i) otherwise; strengths > 0"
    ) { args throws(DistributionError) in
        let d = try BradleyTerry(si: Arguments.real(args, 0, "BradleyTerry", "si"),
                                 sj: Arguments.real(args, 1, "BradleyTerry", "sj"))
        return AnyDistribution("BradleyTerry", d, toValue: { .int($0) }, fromValue: { $0.asInt },
                               finiteValues: [.int(0), .int(1)])
    }
}
