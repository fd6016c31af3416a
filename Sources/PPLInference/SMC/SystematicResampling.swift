import PPLDistributions

/// Systematic resampling: one uniform U, points (j + U) / M for j = 0..<M.
///
/// Lowest variance in practice but the counts are not conditionally independent.
/// Carpenter, Clifford & Fearnhead (1999); Kitagawa (1996).
public struct SystematicResampling: Resampler {
    public init() {}
    public var name: String { "systematic" }

    public func ancestors(weights: [Double], count: Int, using rng: inout RandomStream) -> [Int] {
        let u = rng.uniform()
        let m = Double(count)
        return invertCumulativeWeights(weights, atSortedPoints: (0..<count).map { (Double($0) + u) / m })
    }
}
