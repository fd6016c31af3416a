/// Sample quantiles by linear interpolation between order statistics (Hyndman & Fan 1996, type 7).
///
/// Q(p) = x₍ₖ₎ + (h - k)(x₍ₖ₊₁₎ - x₍ₖ₎) with h = (N - 1) p and k = ⌊h⌋ on 0-based sorted draws:
/// R's and NumPy's default, and the definition ArviZ uses for tail ESS.
public enum Quantiles {
    /// Quantile `p` of already sorted values; NaN for no values.
    public static func sorted(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * p
        let k = Int(h.rounded(.down))
        guard k + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[k] + (h - Double(k)) * (sorted[k + 1] - sorted[k])
    }

    /// Weighted quantile: the smallest draw whose cumulative normalised weight reaches `p`.
    ///
    /// Q(p) = min{ x₍ₖ₎ : Σ_{j≤k} w₍ⱼ₎ ≥ p }, the inverse of the weighted empirical CDF (type 1).
    public static func weighted(_ values: [Double], weights: [Double], _ p: Double) -> Double {
        let order = values.indices.sorted { values[$0] < values[$1] }
        let total = weights.reduce(0, +)
        guard total > 0, !order.isEmpty else { return .nan }
        var cumulative = 0.0
        for i in order {
            cumulative += weights[i] / total
            if cumulative >= p - 1e-12 { return values[i] }
        }
        return values[order[order.count - 1]]
    }
}
