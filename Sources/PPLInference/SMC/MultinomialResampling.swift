import Foundation
import PPLDistributions

/// Multinomial resampling: M independent draws from the categorical distribution of the weights.
///
/// Sorted uniforms come from normalised exponential spacings, u_(j) = S_j / S_{M+1} with
/// S_j = Σ_{k≤j} E_k, E_k ~ Exp(1), so the cost is O(N + M) with no sort.
/// Devroye (1986), Non-Uniform Random Variate Generation, ch. V.2; Gordon, Salmond & Smith (1993).
public struct MultinomialResampling: Resampler {
    public init() {}
    public var name: String { "multinomial" }

    public func ancestors(weights: [Double], count: Int, using rng: inout RandomStream) -> [Int] {
        var points = [Double](repeating: 0, count: count)
        var total = 0.0
        for j in 0..<count {
            total += -log(rng.uniformPositive())
            points[j] = total
        }
        total += -log(rng.uniformPositive())
        for j in 0..<count { points[j] /= total }
        return invertCumulativeWeights(weights, atSortedPoints: points)
    }
}
