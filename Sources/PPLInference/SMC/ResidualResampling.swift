import PPLDistributions

/// Residual resampling: ⌊M W_i⌋ copies of particle i, then R = M - Σ⌊M W_i⌋ multinomial
/// draws from the residual weights (M W_i - ⌊M W_i⌋) / R.
///
/// Liu & Chen (1998), "Sequential Monte Carlo methods for dynamic systems", JASA 93.
public struct ResidualResampling: Resampler {
    public init() {}
    public var name: String { "residual" }

    public func ancestors(weights: [Double], count: Int, using rng: inout RandomStream) -> [Int] {
        let m = Double(count)
        var ancestors: [Int] = []
        ancestors.reserveCapacity(count)
        var residuals = [Double](repeating: 0, count: weights.count)
        for (i, w) in weights.enumerated() {
            let copies = (m * w).rounded(.down)
            residuals[i] = m * w - copies
            for _ in 0..<Int(copies) where ancestors.count < count { ancestors.append(i) }
        }
        let remaining = count - ancestors.count
        if remaining > 0 {
            let total = residuals.reduce(0, +)
            // With weights that sum to 1 the residuals sum to `remaining`; rounding aside, they are positive.
            let normalised = total > 0 ? residuals.map { $0 / total } : weights
            ancestors += MultinomialResampling().ancestors(weights: normalised, count: remaining, using: &rng)
        }
        return ancestors
    }
}
