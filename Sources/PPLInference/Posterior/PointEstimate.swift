/// A point estimate (maximum likelihood or maximum a posteriori) with its uncertainty, carried by
/// a `Posterior` whose one draw per column is the estimate.
///
/// The 5% and 95% points are the estimate's normal-approximation interval from the observed
/// information (on the log scale for positive quantities, then transformed), not posterior quantiles.
public struct PointEstimate: Sendable {
    /// `mle` or `map`.
    public var kind: String
    /// Standard error per column; NaN where not computed.
    public var standardErrors: [Double]
    /// Lower (5%) and upper (95%) ends of the interval per column; NaN where not computed.
    public var lower: [Double]
    public var upper: [Double]

    public init(kind: String, standardErrors: [Double], lower: [Double], upper: [Double]) {
        self.kind = kind
        self.standardErrors = standardErrors
        self.lower = lower
        self.upper = upper
    }
}
