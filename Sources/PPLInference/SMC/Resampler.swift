import PPLDistributions

/// Draws ancestor indices from normalised particle weights.
///
/// Every scheme here is unbiased: E[#{j : a_j = i}] = M W_i, which keeps SMC's
/// evidence estimate unbiased; they differ in the variance of those counts.
/// Douc, Cappé & Moulines (2005), "Comparison of resampling schemes for particle filtering".
public protocol Resampler: Sendable {
    /// The name users write: `multinomial`, `systematic`, `stratified`, `residual`.
    var name: String { get }
    /// M ancestor indices in 0..<weights.count, for weights that sum to 1.
    func ancestors(weights: [Double], count: Int, using rng: inout RandomStream) -> [Int]
}

/// The resampling schemes SMC offers, plus any other `Resampler` (tests use a biased one as a control).
public enum ResamplingScheme: Sendable, CustomStringConvertible {
    case multinomial, systematic, stratified, residual
    case custom(any Resampler)

    public static let builtIn: [ResamplingScheme] = [.multinomial, .systematic, .stratified, .residual]

    /// Looks a scheme up by the name users write; nil when there is none.
    public init?(name: String) {
        switch name {
        case "multinomial": self = .multinomial
        case "systematic": self = .systematic
        case "stratified": self = .stratified
        case "residual": self = .residual
        default: return nil
        }
    }

    public var resampler: any Resampler {
        switch self {
        case .multinomial: MultinomialResampling()
        case .systematic: SystematicResampling()
        case .stratified: StratifiedResampling()
        case .residual: ResidualResampling()
        case .custom(let resampler): resampler
        }
    }

    public var description: String { resampler.name }
}

/// The same multiset of ancestors, reordered so that every particle with offspring is its own
/// first offspring (`a[i] = i`) and the others are overwritten by the extra copies: resampling in
/// place then copies only into particles that died, and never reads one it has overwritten.
/// The particles are exchangeable, so the order changes nothing in distribution.
func survivorsInPlace(_ ancestors: [Int]) -> [Int] {
    let n = ancestors.count
    var offspring = [Int](repeating: 0, count: n)
    // One slot past the end takes the writes a branch-free loop does not mean.
    var placed = [Int](repeating: -1, count: n + 1)
    var empty = [Int](repeating: n, count: n + 1)
    // Through buffers and without data-dependent branches where the data allow: this runs at
    // every resampling over every particle, and whether a particle survives is a coin flip
    // that a branch predictor keeps missing.
    ancestors.withUnsafeBufferPointer { drawn in
        offspring.withUnsafeMutableBufferPointer { offspring in
            placed.withUnsafeMutableBufferPointer { placed in
                empty.withUnsafeMutableBufferPointer { empty in
                    var sorted = true
                    for j in 0..<n {
                        offspring[drawn[j]] += 1
                        if j > 0 && drawn[j] < drawn[j - 1] { sorted = false }
                    }
                    // Survivors stay; the other places are listed in order.
                    var emptyCount = 0
                    for i in 0..<n {
                        let survives = offspring[i] > 0
                        placed[i] = survives ? i : -1
                        empty[emptyCount] = i
                        emptyCount += survives ? 0 : 1
                    }
                    if sorted {
                        // Extra copies in increasing order of their ancestor: every repeat in `drawn`.
                        var filled = 0
                        for j in 1..<max(n, 1) {
                            let isExtra = drawn[j] == drawn[j - 1]
                            placed[isExtra ? empty[filled] : n] = drawn[j]
                            filled += isExtra ? 1 : 0
                        }
                    } else {
                        var filled = 0
                        for i in 0..<n {
                            var extra = offspring[i] - 1
                            while extra > 0 {
                                placed[empty[filled]] = i
                                filled += 1
                                extra -= 1
                            }
                        }
                    }
                }
            }
        }
    }
    placed.removeLast()
    return placed
}

/// Inverts the weights' CDF at increasing points u_1 ≤ ... ≤ u_M in [0, 1): the step all schemes share.
///
/// Linear in N + M. Rounding can leave the last cumulative sum just below 1, so points
/// past it go to the last particle with positive weight.
func invertCumulativeWeights(_ weights: [Double], atSortedPoints points: [Double]) -> [Int] {
    var ancestors = [Int](repeating: 0, count: points.count)
    guard let lastPositive = weights.lastIndex(where: { $0 > 0 }) else { return ancestors }
    // Through buffers, without bounds checks. (A branch-free merge of points and sums was slower:
    // its loop-carried sum serialises what the branchy loop overlaps.)
    weights.withUnsafeBufferPointer { weights in
        points.withUnsafeBufferPointer { points in
            ancestors.withUnsafeMutableBufferPointer { ancestors in
                var i = 0
                var cumulative = weights[0]
                for j in 0..<points.count {
                    let u = points[j]
                    while u >= cumulative && i < lastPositive {
                        i += 1
                        cumulative += weights[i]
                    }
                    ancestors[j] = i
                }
            }
        }
    }
    return ancestors
}
