/// Dirac(x): all mass at the single real x.
///
/// log p(y) = 0 if y == x, else -infinity.
public struct Dirac: Distribution {
    public let x: Double

    public init(x: Double) throws(DistributionError) {
        try Check.finite(x, "Dirac", "x")
        self.x = x
    }

    public var support: Support { .point }

    @inlinable public func sample(using rng: inout RandomStream) -> Double { x }

    @inlinable public func logDensity(_ y: Double) -> Double { y == x ? 0 : -.infinity }

    public var mean: Double { x }
    public var variance: Double { 0 }
    public func cdf(_ y: Double) -> Double { y < x ? 0 : 1 }

    public static let family = Family(
        id: .dirac, name: "Dirac",
        parameters: [ParameterSpec("x", .real)],
        drawType: .real, isDiscrete: true,
        summary: "Dirac(x): all mass at x"
    ) { args throws(DistributionError) in
        let d = try Dirac(x: Arguments.real(args, 0, "Dirac", "x"))
        return AnyDistribution("Dirac", d, toValue: { .real($0) }, fromValue: { $0.asReal }, finiteValues: [.real(d.x)])
    }
}
