import PPLDistributions

/// Stratified resampling: one uniform per stratum, points (j + U_j) / M for j = 0..<M.
///
/// Kitagawa (1996), "Monte Carlo filter and smoother for non-Gaussian nonlinear state space models".
public struct StratifiedResampling: Resampler {
    public init() {}
    public var name: String { "stratified" }

    public func ancestors(weights: [Double], count: Int, using rng: inout RandomStream) -> [Int] {
        let m = Double(count)
        var points = [Double](repeating: 0, count: count)
        for j in 0..<count { points[j] = (Double(j) + rng.uniform()) / m }
        return invertCumulativeWeights(weights, atSortedPoints: points)
    }
}
